//! One emitted object: its value, identity, and where it goes in the output tree.

use serde_json::Value;

use crate::model::plan::Origin;
use crate::source::Span;

/// Which part of the output tree an object belongs to.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// Cluster-level objects (`clusters/<cluster>/`).
    Cluster(String),
    /// One environment (`envs/<env>/`).
    Env(String),
}

/// An emitted Kubernetes object.
#[derive(Debug, Clone)]
pub struct Object {
    /// Cluster or environment.
    pub scope: Scope,
    /// Path relative to the scope directory (`bert/inferenceservice.yaml`, `namespace-ml-prod.yaml`).
    pub file: String,
    /// The object, with canonical (sorted) keys.
    pub value: Value,
    /// The KDL span that produced it, for diagnostics.
    pub span: Span,
    /// The environment, model and patches behind it.
    pub origin: Origin,
}

impl Object {
    /// `apiVersion` of the object.
    pub fn api_version(&self) -> &str {
        self.value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// `kind` of the object.
    pub fn kind(&self) -> &str {
        self.value
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// `metadata.name` of the object.
    pub fn name(&self) -> &str {
        self.value
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .unwrap_or_default()
    }

    /// The path relative to the output root (`envs/prod/bert/inferenceservice.yaml`).
    pub fn path(&self) -> String {
        match &self.scope {
            Scope::Cluster(c) => format!("clusters/{c}/{}", self.file),
            Scope::Env(e) => format!("envs/{e}/{}", self.file),
        }
    }
}

/// Serializes a typed object into a canonical JSON value (maps with sorted keys).
pub(crate) fn to_value<T: serde::Serialize>(object: &T) -> Value {
    serde_json::to_value(object).unwrap_or(Value::Null)
}
