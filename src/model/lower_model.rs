//! Lowering a `model` node (after environment overrides are merged) into a [`Model`]: the
//! children it may hold, and one call per child into its family (`lower_artifact.rs`,
//! `lower_scaling.rs`, `lower_pod.rs`).

use std::collections::BTreeMap;

use super::grammar;
use super::ir::{
    Accelerator, AcceleratorKind, Autoscale, Location, Model, Probes, Resources, Runtime,
    ServeTarget, Spanned,
};
use super::ir_scaling::Behaviour;
use super::lower_artifact::{lower_artifact, lower_format};
use super::lower_canary::{lower_canaries, lower_stable};
use super::lower_pod::{
    lower_accelerator, lower_allow_from, lower_env, lower_patches, lower_probes, lower_resources,
    lower_runtime, lower_serve, lower_service_account, lower_topology, lower_volume,
};
use super::lower_scaling::{lower_autoscale, lower_batching, lower_disruption};
use super::lower_traffic::{lower_expose, lower_timeout};
use super::reader::{Reader, check_children, no_children};
use super::units::Duration;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

pub(super) const SCHEMES: &[&str] = Location::SCHEMES;

/// Lowers a model whose children are `children` (the model node gives name and spans).
pub(crate) fn lower_model(
    node: &Node,
    name: Spanned<String>,
    children: &[Node],
    diags: &mut Diagnostics,
) -> Option<Model> {
    let head = node.head_span();
    let find = |n: &str| children.iter().find(|c| c.name == n);
    let version = find("version").and_then(|c| {
        let mut r = Reader::new(c, diags, &[], 1);
        no_children(c, r.diags);
        r.arg_str(0).map(|s| s.value)
    });
    let artifact = match find("artifact") {
        Some(c) => lower_artifact(c, diags),
        None => {
            Reader::new(node, diags, &[], 1).missing(
                "an `artifact`",
                "artifact \"s3://models/bert/1.0/model.onnx\" sha256=\"…\"",
            );
            None
        }
    };
    let format = lower_format(node, children, diags);
    let serve = find("serve").map_or(Some(Spanned::new(ServeTarget::KserveStandard, head)), |c| {
        lower_serve(c, diags)
    });
    // `lower_serve` reports a `server` that is not a string.
    let seldon_server = find("serve").and_then(|c| {
        let v = &c.prop("server")?.value;
        v.as_str().map(|s| Spanned::new(s.to_owned(), v.span))
    });
    let runtime = find("runtime").map_or_else(Runtime::default, |c| lower_runtime(c, diags));
    let accelerator = find("accelerator").map_or(
        Some(Accelerator {
            kind: AcceleratorKind::Cpu,
            pool: None,
            span: head,
        }),
        |c| lower_accelerator(c, diags),
    );
    let resources =
        find("resources").map_or_else(Resources::default, |c| lower_resources(c, diags));
    let batching = find("batching").map(|c| lower_batching(c, diags));
    let autoscale = find("autoscale").map_or(
        Some(Autoscale {
            min: Spanned::new(1, head),
            max: Spanned::new(1, head),
            idle: Duration { millis: 300_000 },
            policy: None,
            behaviour: Behaviour::default(),
            span: head,
        }),
        |c| lower_autoscale(c, diags),
    );
    let stable = find("stable").and_then(|c| lower_stable(c, diags));
    let canaries = lower_canaries(children, stable.as_ref(), diags);
    let timeout = find("timeout").and_then(|c| lower_timeout(c, diags));
    let expose = find("expose").and_then(|c| lower_expose(c, diags));
    let disruption = find("disruption").and_then(|c| lower_disruption(c, diags));
    let vpa = find("vpa").and_then(|c| super::lower_vpa::lower_vpa(c, diags));
    let probes = find("probes").map_or_else(Probes::default, |c| lower_probes(c, diags));
    let mut env = BTreeMap::new();
    for c in children.iter().filter(|c| c.name == "env") {
        if let Some((k, v)) = lower_env(c, diags) {
            env.insert(k, v);
        }
    }
    let (service_account, service_account_annotations) = find("service-account")
        .map_or((None, BTreeMap::new()), |c| lower_service_account(c, diags));
    let image_pull_secrets = children
        .iter()
        .filter(|c| c.name == "image-pull-secret")
        .filter_map(|c| single_string(c, diags, "image-pull-secret \"regcred\""))
        .collect();
    let storage_secret = find("storage").and_then(|c| {
        let mut r = Reader::new(c, diags, &["secret"], 0);
        no_children(c, r.diags);
        r.str("secret").map(|s| s.value)
    });
    let priority_class =
        find("priority-class").and_then(|c| single_string(c, diags, "priority-class \"ml-high\""));
    let labels = find("labels")
        .map(|c| string_map(c, diags))
        .unwrap_or_default();
    let annotations = find("annotations")
        .map(|c| string_map(c, diags))
        .unwrap_or_default();
    let affinity = find("affinity").and_then(|c| json_arg(c, diags, 0));
    let topology_spread = lower_topology(children, diags);
    let volumes = children
        .iter()
        .filter(|c| c.name == "volume")
        .filter_map(|c| lower_volume(c, diags))
        .collect();
    let patches = lower_patches(children, diags);
    let allow_from = find("allow-from").map_or_else(Vec::new, |c| lower_allow_from(c, diags));
    Some(Model {
        name,
        version,
        artifact: artifact?,
        format: format?,
        serve: serve?,
        runtime,
        accelerator: accelerator?,
        resources,
        batching,
        autoscale: autoscale?,
        canaries,
        stable,
        timeout,
        expose,
        disruption,
        vpa,
        probes,
        env,
        service_account,
        service_account_annotations,
        image_pull_secrets,
        storage_secret,
        priority_class,
        labels,
        annotations,
        affinity,
        topology_spread,
        volumes,
        patches,
        allow_from,
        seldon_server,
        // An environment's override keeps the base block before its own (see
        // `merge_children`), so folding in order lets the override win per setting.
        monitoring: super::monitoring::MonitoringSpec::fold(
            &children
                .iter()
                .filter(|c| c.name == "monitoring")
                .map(|c| super::monitoring::lower_monitoring(c, false, diags))
                .collect::<Vec<_>>(),
        ),
        span: head,
    })
}

/// Checks the model's child node names (unknown / repeated).
pub(crate) fn check_model_children(node: &Node, diags: &mut Diagnostics) {
    check_children(node, diags, &grammar::MODEL);
}

pub(super) fn single_string(node: &Node, diags: &mut Diagnostics, example: &str) -> Option<String> {
    let mut r = Reader::new(node, diags, &[], 1);
    no_children(node, r.diags);
    let s = r.arg_str(0);
    if s.is_none() && node.args.is_empty() {
        r.missing("a value", example);
    }
    s.map(|s| s.value)
}

/// `labels k=v …` → a map (keys with `/` are written quoted).
pub(crate) fn string_map(node: &Node, diags: &mut Diagnostics) -> BTreeMap<String, String> {
    let mut r = Reader::free(node, diags, 0);
    let map = r
        .string_props()
        .into_iter()
        .map(|(k, v)| (k, v.value))
        .collect();
    no_children(node, diags);
    map
}

pub(super) fn json_arg(
    node: &Node,
    diags: &mut Diagnostics,
    index: usize,
) -> Option<serde_json::Value> {
    let mut r = Reader::new(node, diags, &[], index + 1);
    let text = r.arg_str(index)?;
    match serde_json::from_str::<serde_json::Value>(&text.value) {
        Ok(v) if v.is_object() => Some(v),
        Ok(_) => {
            diags.push(
                Diagnostic::error(Code::E0104, "expected a JSON object")
                    .label(text.span, "not a JSON object")
                    .help("write a JSON object in a raw string: #\"{\"key\": \"value\"}\"#"),
            );
            None
        }
        Err(e) => {
            diags.push(
                Diagnostic::error(Code::E0104, format!("invalid JSON: {e}"))
                    .label(text.span, "not valid JSON")
                    .help("write the JSON in a raw string: #\"{\"key\": \"value\"}\"#"),
            );
            None
        }
    }
}
