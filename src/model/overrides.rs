//! Environments and their overrides: an environment's `model` block is merged into the base
//! model's children on the AST (keyed children by their first argument; `autoscale`,
//! `resources`, `batching`, `probes`, `labels` and `annotations` merge their properties),
//! and one resolved model per environment is lowered from the merged nodes.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::grammar;
use super::ir::{Cluster, Environment, Model, Spanned};
use super::lower_model::{check_model_children, lower_model};
use super::lower_project::check_ref;
use super::names::check_name;
use super::reader::{Reader, check_children, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

fn merge_node(base: &Node, o: &Node) -> Node {
    let mut merged = o.clone();
    if o.args.is_empty() {
        merged.args.clone_from(&base.args);
    }
    let mut props: Vec<_> = base
        .props
        .iter()
        .filter(|p| o.prop(&p.key).is_none())
        .cloned()
        .collect();
    props.extend(o.props.iter().cloned());
    merged.props = props;
    if o.children.is_none() {
        merged.children.clone_from(&base.children);
    }
    merged
}

fn merge_children(base: &[Node], overrides: &[Node]) -> Vec<Node> {
    let mut merged: Vec<Node> = base.to_vec();
    for o in overrides {
        let rule = grammar::MODEL.child(&o.name);
        let same = |b: &Node| {
            b.name == o.name
                && (!rule.is_some_and(|r| r.keyed)
                    || b.args.first().map(|a| &a.kind) == o.args.first().map(|a| &a.kind))
        };
        // `monitoring` blocks fold setting by setting when the model is lowered: keep both.
        if o.name == "monitoring" {
            merged.push(o.clone());
            continue;
        }
        if let Some(slot) = merged.iter_mut().find(|b| same(b)) {
            *slot = if rule.is_some_and(|r| r.merged) {
                merge_node(slot, o)
            } else {
                o.clone()
            };
        } else {
            merged.push(o.clone());
        }
    }
    merged
}

pub(super) fn lower_environment(
    node: &Node,
    model_nodes: &BTreeMap<String, (&Node, Spanned<String>)>,
    lowered: &BTreeMap<String, Arc<Model>>,
    clusters: &BTreeMap<String, Cluster>,
    diags: &mut Diagnostics,
) -> Option<Environment> {
    let mut r = Reader::new(node, diags, &["cluster", "namespace"], 1);
    let name = r.arg_str(0);
    if name.is_none() && node.args.is_empty() {
        r.missing(
            "a name",
            "environment prod cluster=gpu-east namespace=ml-prod",
        );
    }
    let head = node.head_span();
    let cluster = r
        .str("cluster")
        .unwrap_or_else(|| Spanned::new("default".to_owned(), head));
    let namespace = r.str("namespace");
    let name = name?;
    let namespace = namespace.unwrap_or_else(|| Spanned::new(name.value.clone(), name.span));
    check_name("namespace", &namespace, diags);
    check_ref("cluster", &cluster, clusters.keys(), diags);
    check_children(node, diags, &grammar::ENVIRONMENT);
    let monitoring = node
        .children()
        .iter()
        .find(|c| c.name == "monitoring")
        .map(|m| super::monitoring::lower_monitoring(m, true, diags));
    let traffic = node
        .children()
        .iter()
        .find(|c| c.name == "traffic")
        .and_then(|t| super::lower_traffic::lower_traffic(t, diags));
    let quota = node.children().iter().find(|c| c.name == "quota").map(|q| {
        let mut r = Reader::new(q, diags, &["cpu", "memory", "gpus", "pods"], 0);
        no_children(q, r.diags);
        super::ir::Quota {
            cpu: r.quantity("cpu").map(|v| v.value),
            memory: r.quantity("memory").map(|v| v.value),
            gpus: r.u32("gpus").map(|v| v.value),
            pods: r.u32("pods").map(|v| v.value),
        }
    });
    let mut overrides: BTreeMap<String, &Node> = BTreeMap::new();
    for child in node.children().iter().filter(|c| c.name == "model") {
        let mut c = Reader::new(child, diags, &[], 1);
        let Some(model) = c.arg_str(0) else { continue };
        check_model_children(child, diags);
        if !check_ref("model", &model, model_nodes.keys(), diags) {
            continue;
        }
        if let Some(first) = overrides.get(&model.value) {
            let first_span = first.args.first().map_or(first.name_span, |a| a.span);
            diags.push(
                Diagnostic::error(
                    Code::E0107,
                    format!(
                        "model `{}` overridden twice in this environment",
                        model.value
                    ),
                )
                .label(model.span, "second override")
                .label(first_span, "first override")
                .help("merge the overrides into one `model` block"),
            );
        } else {
            overrides.insert(model.value.clone(), child);
        }
    }
    let mut models: BTreeMap<String, Arc<Model>> = BTreeMap::new();
    for (key, (base, model_name)) in model_nodes {
        let Some(o) = overrides.get(key) else {
            // Without an override the model is the declared one: lowering the same nodes
            // again would give the same model and the same diagnostics.
            if let Some(model) = lowered.get(key) {
                models.insert(key.clone(), Arc::clone(model));
            }
            continue;
        };
        let children = merge_children(base.children(), o.children());
        if let Some(model) = lower_model(base, model_name.clone(), &children, diags) {
            models.insert(key.clone(), Arc::new(model));
        }
    }
    Some(Environment {
        name,
        cluster,
        namespace,
        models,
        plans: BTreeMap::new(),
        pipelines: BTreeMap::new(),
        runtime: None,
        declared: true,
        quota,
        monitoring,
        traffic,
    })
}
