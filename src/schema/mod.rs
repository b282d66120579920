//! JSON Schema validation of Kubernetes, KServe and KEDA objects, offline.
//!
//! Takes one object as a `serde_json::Value` (from `mlc build`) or a tree of YAML/JSON
//! manifest files (from `mlc validate`) and gives [`SchemaError`]s with JSON pointers, and for
//! files, diagnostics with file:line:column.
//!
//! The schemas live in `schemas/` and are embedded in the binary:
//! - `schemas/k8s/definitions.json`: core kinds, generated from k8s-openapi and made strict
//!   (`tests/schema_drift.rs` fails when it drifts);
//! - `schemas/kserve/`, `schemas/keda/`: written by hand from the KServe v0.20 and KEDA v2.20
//!   facts, closed where the upstream type is closed, so that an emitter typo is caught.
//! - `schemas/istio/`, `schemas/gateway-api/`, and the other CRD kinds' directories: written by
//!   hand from their facts in the same way (the Ingress, a core kind, is generated with the
//!   others and tightened with the API server's enums).
//!
//! They are compiled lazily, once per kind, the first time an object of that kind is checked.

mod catalog;
mod crd;
mod error;
mod files;
mod kustomize;
mod locate;
mod re2;
mod strict;
mod structural;
mod yaml;

pub use catalog::{Schemas, embedded};
pub use crd::CrdSchemas;
pub use error::{SchemaError, ValidateError};
pub use files::{ValidateOptions, ValidateReport, validate_paths, validate_text};
pub use strict::{close_objects, walk};

#[cfg(test)]
mod tests;
