//! One object as a build keeps it once it is written: its canonical bytes, their digest,
//! and the few facts later passes read (identity, place, origin); the object tree itself is
//! dropped on the worker that wrote it, so a build's memory grows with its output bytes.

use crate::emit::{Object, Scope};
use crate::model::plan::Origin;
use crate::source::Span;

/// A written object.
#[derive(Debug, Clone)]
pub struct Rendered {
    /// Cluster or environment.
    pub scope: Scope,
    /// Path relative to the output root (`envs/prod/bert/inferenceservice.yaml`).
    pub path: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
    /// The KDL span that produced it.
    pub span: Span,
    /// The environment, model and patches behind it.
    pub origin: Origin,
    /// Canonical YAML (empty when the build only checks, or once moved into a tree).
    pub bytes: Vec<u8>,
    /// sha256 of `bytes`, lower-case hex (empty when not written).
    pub sha256: String,
}

impl Rendered {
    /// The path relative to the scope directory (`bert/inferenceservice.yaml`).
    pub fn file(&self) -> &str {
        self.path.splitn(3, '/').nth(2).unwrap_or_default()
    }

    /// `object` written to canonical YAML (or, unless `write`, only described).
    pub fn of(object: Object, write: bool) -> Self {
        let (bytes, sha256) = if write {
            let mut bytes = crate::canonical::yaml::to_yaml(&object.value).into_bytes();
            // The writer's buffer starts large; thousands of kept documents should not.
            bytes.shrink_to_fit();
            let sha256 = crate::canonical::digest::sha256_hex(&bytes);
            (bytes, sha256)
        } else {
            (Vec::new(), String::new())
        };
        Self {
            path: object.path(),
            api_version: object.api_version().to_owned(),
            kind: object.kind().to_owned(),
            name: object.name().to_owned(),
            scope: object.scope,
            span: object.span,
            origin: object.origin,
            bytes,
            sha256,
        }
    }
}
