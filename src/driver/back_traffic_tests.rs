//! The back end runs the traffic rules over each unit's objects together, and points each
//! violation at the patch that changed the object (else at the KDL that made it).

use serde_json::{Value, json};

use super::finish_unit;
use crate::emit::{Object, Scope};
use crate::model::plan::Origin;
use crate::source::{FileId, Span};

fn object(file: &str, value: Value, patches: Vec<Span>) -> Object {
    Object {
        scope: Scope::Env("prod".to_owned()),
        file: format!("ranker/{file}"),
        value,
        span: Span::new(FileId(0), 10, 20),
        origin: Origin {
            env: Some("prod".to_owned()),
            model: Some("ranker".to_owned()),
            patches,
        },
    }
}

fn unit(patches: Vec<Span>) -> Vec<Object> {
    let meta = |name: &str| json!({"name": name, "namespace": "ml"});
    vec![
        object(
            "destinationrule.yaml",
            json!({
                "apiVersion": "networking.istio.io/v1", "kind": "DestinationRule", "metadata": meta("ranker"),
                "spec": {"host": "ranker.ml.svc.cluster.local", "subsets": [
                    {"name": "stable", "labels": {"mlc/variant": "stable"}},
                ]},
            }),
            Vec::new(),
        ),
        object(
            "virtualservice.yaml",
            json!({
                "apiVersion": "networking.istio.io/v1", "kind": "VirtualService", "metadata": meta("ranker"),
                "spec": {"hosts": ["ranker.ml.svc.cluster.local"], "http": [{"route": [
                    {"destination": {"host": "ranker.ml.svc.cluster.local", "subset": "stable"}, "weight": 90},
                    {"destination": {"host": "ranker.ml.svc.cluster.local", "subset": "v4"}, "weight": 10},
                ]}]},
            }),
            patches,
        ),
    ]
}

#[test]
fn a_unit_broken_by_a_patch_is_e0421_at_the_patch() {
    let patch = Span::new(FileId(0), 40, 55);
    let done = finish_unit(unit(vec![patch]), crate::schema::embedded(), false);
    let found: Vec<_> = done.diagnostics.iter().collect();
    assert_eq!(found.len(), 1, "{found:?}");
    let d = found[0];
    assert_eq!(d.code, "E0421");
    assert_eq!(d.labels.len(), 1);
    assert_eq!(d.labels[0].span, patch);
    assert_eq!(d.labels[0].text, "after this patch");
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("/spec/http/0/route/1/destination/subset")
                && n.contains("ranker/virtualservice.yaml")),
        "{:?}",
        d.notes
    );
}

#[test]
fn without_a_patch_the_violation_points_at_the_kdl() {
    let done = finish_unit(unit(Vec::new()), crate::schema::embedded(), false);
    let found: Vec<_> = done.diagnostics.iter().collect();
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].labels[0].span, Span::new(FileId(0), 10, 20));
    assert_eq!(found[0].labels[0].text, "emitted from here");
}
