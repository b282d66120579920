//! Hosts that agree (E0423): `mesh` kept beside a VirtualService's gateways, an Ingress's TLS
//! hosts among its rules' hosts, and the routes exposing one model (Ingress, HTTPRoute,
//! gateway-bound VirtualService) under the same hosts.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{GATEWAY_API, INGRESS, ISTIO, array, listed};
use crate::admission::{Found, Violation, kind_of, name, namespace, text_at};

const MESH_SOURCE: &str =
    "Istio 1.30 virtual_service.proto VirtualService.gateways; observability-traffic-facts §3";
const TLS_SOURCE: &str = "Kubernetes v1.33 IngressTLS.hosts and IngressRule.host";
const MODEL_SOURCE: &str = "mlc's exposure: one model is reached under one set of hosts, whatever the route (docs/validate.md)";
const INSTANCE: &str = "app.kubernetes.io/instance";

/// Whether an Istio host names a Service inside the cluster (what sidecars route).
fn cluster_local(host: &str) -> bool {
    !host.contains('.') || host.ends_with(".svc.cluster.local") || host.ends_with(".svc")
}

/// Whether an Ingress rule host (possibly `*.suffix`, one label) covers `host`.
fn covers(rule: &str, host: &str) -> bool {
    if rule == host {
        return true;
    }
    let Some(suffix) = rule.strip_prefix("*.") else {
        return false;
    };
    host.strip_suffix(suffix)
        .and_then(|head| head.strip_suffix('.'))
        .is_some_and(|label| !label.is_empty() && !label.contains('.'))
}

/// E0423: a VirtualService that lists gateways keeps `mesh` when it routes a Service of the
/// cluster, or sidecars stop applying its routes.
pub(super) fn mesh_kept(object: &Value, found: &mut Found<'_>) {
    let gateways: Vec<&str> = array(object, "/spec/gateways")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    if gateways.is_empty() || gateways.contains(&"mesh") {
        return;
    }
    let Some(host) = array(object, "/spec/hosts")
        .iter()
        .filter_map(Value::as_str)
        .find(|h| cluster_local(h))
    else {
        return;
    };
    found.push(
        "E0423",
        "/spec/gateways",
        format!(
            "the VirtualService lists gateways without `mesh`: sidecars no longer apply its routes to `{host}`"
        ),
        "add `mesh` to `gateways` (the reserved name for every sidecar), or drop the cluster-local host",
        MESH_SOURCE,
    );
}

/// The hosts an Ingress's rules name, or `None` when a rule has none (it serves every host).
fn rule_hosts(object: &Value) -> Option<Vec<&str>> {
    array(object, "/spec/rules")
        .iter()
        .map(|r| text_at(r, "/host"))
        .collect()
}

/// E0423: every TLS host of an Ingress is a host of one of its rules (when every rule names
/// one), or the certificate is for a host nothing routes.
pub(super) fn tls(object: &Value, found: &mut Found<'_>) {
    let Some(hosts) = rule_hosts(object).filter(|h| !h.is_empty()) else {
        return;
    };
    for (i, tls) in array(object, "/spec/tls").iter().enumerate() {
        for (j, host) in array(tls, "/hosts").iter().enumerate() {
            let Some(host) = host.as_str() else {
                continue;
            };
            if !hosts.iter().any(|rule| covers(rule, host)) {
                found.push(
                    "E0423",
                    format!("/spec/tls/{i}/hosts/{j}"),
                    format!("TLS host `{host}` is not the host of any rule"),
                    format!("list the hosts the rules serve: {}", listed(hosts.iter())),
                    TLS_SOURCE,
                );
            }
        }
    }
}

/// A model's key: its namespace and `app.kubernetes.io/instance` label.
fn instance(object: &Value) -> Option<(&str, &str)> {
    let label = object
        .pointer("/metadata/labels")
        .and_then(|l| l.get(INSTANCE))
        .and_then(Value::as_str)?;
    Some((namespace(object), label))
}

/// The hosts under which an object exposes its model, with their pointer: an Ingress's rule
/// hosts (when every rule has one), an HTTPRoute's `hostnames`, a VirtualService's hosts
/// outside the cluster when it is bound to a gateway other than `mesh`; `None` for an object
/// that names none.
fn exposed<'a>(object: &'a Value) -> Option<(&'static str, BTreeSet<&'a str>)> {
    let strings = |pointer: &str| -> BTreeSet<&'a str> {
        array(object, pointer)
            .iter()
            .filter_map(Value::as_str)
            .collect()
    };
    let (pointer, hosts) = match kind_of(object) {
        (INGRESS, "Ingress") => ("/spec/rules", rule_hosts(object)?.into_iter().collect()),
        (GATEWAY_API, "HTTPRoute") => ("/spec/hostnames", strings("/spec/hostnames")),
        (ISTIO, "VirtualService") => {
            if strings("/spec/gateways").iter().all(|g| *g == "mesh") {
                return None;
            }
            let outside = strings("/spec/hosts")
                .into_iter()
                .filter(|h| !cluster_local(h))
                .collect();
            ("/spec/hosts", outside)
        }
        _ => return None,
    };
    (!hosts.is_empty()).then_some((pointer, hosts))
}

/// E0423: the objects that expose one model (same namespace and instance label) name the
/// same hosts: each HTTPRoute and gateway-bound VirtualService agrees with the model's first
/// Ingress, or without one, with its first HTTPRoute.
pub(super) fn same_model(objects: &[&Value], out: &mut Vec<Violation>) {
    type Exposure<'a> = (usize, &'static str, BTreeSet<&'a str>);
    let mut models: BTreeMap<(&str, &str), Vec<Exposure<'_>>> = BTreeMap::new();
    for (i, &object) in objects.iter().enumerate() {
        if let (Some(key), Some((pointer, hosts))) = (instance(object), exposed(object)) {
            models.entry(key).or_default().push((i, pointer, hosts));
        }
    }
    let rank = |i: usize| match objects.get(i).map(|o| kind_of(o)) {
        Some((INGRESS, "Ingress")) => 0,
        Some((GATEWAY_API, "HTTPRoute")) => 1,
        _ => 2,
    };
    for ((_, instance), mut exposures) in models {
        exposures.sort_by_key(|(i, _, _)| (rank(*i), *i));
        let Some(((first, _, reference), rest)) = exposures.split_first() else {
            continue;
        };
        let Some(reference_object) = objects.get(*first) else {
            continue;
        };
        for (i, pointer, hosts) in rest {
            let Some(&object) = objects.get(*i) else {
                continue;
            };
            if hosts == reference {
                continue;
            }
            let mut found = Found {
                object: *i,
                out: &mut *out,
            };
            found.push(
                "E0423",
                *pointer,
                format!(
                    "the {} exposes the model (`{INSTANCE}: {instance}`) under {}, but {} `{}` under {}",
                    kind_of(object).1,
                    listed(hosts.iter()),
                    kind_of(reference_object).1,
                    name(reference_object),
                    listed(reference.iter()),
                ),
                "expose the model under one set of hosts: give its routes the same hosts",
                MODEL_SOURCE,
            );
        }
    }
}
