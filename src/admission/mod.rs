//! Admission rules, offline: what KServe's and KEDA's webhooks and the Kubernetes API server
//! reject (or mishandle) beyond the schemas, checked on final objects (DESIGN §8.19).
//!
//! One rule set over `serde_json::Value`s, run by `mlc validate` on any manifest tree and by
//! `mlc build` on everything it emits, after `patch`. Each rule has its own code (04xx) and
//! names the source of its fact (`facts/k8s-ml-facts.md`, `facts/integration-facts.md`):
//! - `kserve.rs`: InferenceService canaries (E0407), autoscaler class (E0408), deployment mode
//!   (E0409), protocol version (E0410);
//! - `keda.rs`: ScaledObject scale to zero (E0411), idle replicas (E0412), fallback (E0413);
//! - `hpa.rs`: HPA behaviour bounds, also inside a ScaledObject (E0414);
//! - `workload.rs`: one scaler per workload (E0415), GPU placement only with GPU requests
//!   (E0416);
//! - `graph.rs`: InferenceGraph root, targets, step names and splitter weights (E0417);
//! - `seldon.rs`: SeldonDeployment predictors and traffic (E0418), Core 2 Experiments (E0419);
//! - `traffic.rs`: the links between routes and what they route to, over the objects checked
//!   together ([`check_traffic`]): VirtualService subsets (E0421), Service backends and ports
//!   (E0422), hosts (E0423), weights (E0424).

mod graph;
mod hpa;
mod keda;
mod kserve;
mod seldon;
mod traffic;
mod workload;

use serde_json::Value;

pub use traffic::check as check_traffic;
pub use workload::{Scaler, check_scalers, scaler_of};

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    /// Index of the object in the slice given to [`check`].
    pub object: usize,
    /// JSON pointer of the offending value in that object.
    pub pointer: String,
    /// The rule's registered code.
    pub code: &'static str,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: String,
    /// Where the rule comes from (the component that enforces it and its source file).
    pub source: &'static str,
}

/// Every violation in `objects`, sorted by object and pointer. Objects of kinds no rule
/// covers, or without the fields a rule reads, pass.
pub fn check(objects: &[&Value]) -> Vec<Violation> {
    let mut out = Vec::new();
    for (index, object) in objects.iter().enumerate() {
        out.extend(check_object(index, object));
    }
    let scalers: Vec<(usize, Scaler)> = objects
        .iter()
        .enumerate()
        .filter_map(|(i, o)| scaler_of(o).map(|s| (i, s)))
        .collect();
    let refs: Vec<(usize, &Scaler)> = scalers.iter().map(|(i, s)| (*i, s)).collect();
    out.extend(check_scalers(&refs));
    out.extend(check_traffic(objects));
    out.sort();
    out.dedup();
    out
}

/// The rules that read one object alone (every rule but one scaler per workload), its
/// violations numbered `index`, sorted.
pub fn check_object(index: usize, object: &Value) -> Vec<Violation> {
    let mut out = Vec::new();
    let mut found = Found {
        object: index,
        out: &mut out,
    };
    match kind_of(object) {
        ("serving.kserve.io/v1beta1", "InferenceService") => kserve::check(object, &mut found),
        ("keda.sh/v1alpha1", "ScaledObject") => {
            keda::check(object, &mut found);
            hpa::check_scaled_object(object, &mut found);
        }
        ("autoscaling/v2", "HorizontalPodAutoscaler") => hpa::check(object, &mut found),
        ("serving.kserve.io/v1alpha1", "InferenceGraph") => graph::check(object, &mut found),
        ("machinelearning.seldon.io/v1", "SeldonDeployment") => {
            seldon::check_deployment(object, &mut found);
        }
        ("mlops.seldon.io/v1alpha1", "Experiment") => {
            seldon::check_experiment(object, &mut found);
        }
        _ => {}
    }
    workload::check_pods(object, &mut found);
    out.sort();
    out.dedup();
    out
}

/// The violations of one object, as rules find them.
pub(crate) struct Found<'a> {
    object: usize,
    out: &'a mut Vec<Violation>,
}

impl Found<'_> {
    fn push(
        &mut self,
        code: &'static str,
        pointer: impl Into<String>,
        message: impl Into<String>,
        help: impl Into<String>,
        source: &'static str,
    ) {
        self.out.push(Violation {
            object: self.object,
            pointer: pointer.into(),
            code,
            message: message.into(),
            help: help.into(),
            source,
        });
    }
}

/// (apiVersion, kind) of an object, empty when missing.
fn kind_of(object: &Value) -> (&str, &str) {
    let text = |key: &str| object.get(key).and_then(Value::as_str).unwrap_or_default();
    (text("apiVersion"), text("kind"))
}

/// The string at `pointer`, if there is one.
fn text_at<'a>(value: &'a Value, pointer: &str) -> Option<&'a str> {
    value.pointer(pointer).and_then(Value::as_str)
}

/// The integer at `pointer`, if there is one.
fn int_at(value: &Value, pointer: &str) -> Option<i64> {
    value.pointer(pointer).and_then(Value::as_i64)
}

/// `metadata.namespace` (empty when unset).
fn namespace(object: &Value) -> &str {
    text_at(object, "/metadata/namespace").unwrap_or_default()
}

/// `metadata.name` (empty when unset).
fn name(object: &Value) -> &str {
    text_at(object, "/metadata/name").unwrap_or_default()
}

/// An annotation of the object.
fn annotation<'a>(object: &'a Value, key: &str) -> Option<&'a str> {
    object
        .pointer("/metadata/annotations")
        .and_then(|a| a.get(key))
        .and_then(Value::as_str)
}

/// Escapes one JSON pointer segment.
fn escape(segment: &str) -> String {
    segment.replace('~', "~0").replace('/', "~1")
}

#[cfg(test)]
mod tests;
