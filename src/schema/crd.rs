//! Schemas from a cluster's own CustomResourceDefinition files (`mlc validate --crd`).
//!
//! Each served version's `openAPIV3Schema` is validated as JSON Schema draft 4 (its OpenAPI
//! dialect), with its `pattern`s in RE2 syntax ([`super::re2`]) and after the API server's
//! defaulting ([`super::structural`]); `metadata` is checked against the strict Kubernetes
//! ObjectMeta, as the apiserver does. `--strict` closes the objects of the structural skeleton
//! that neither close themselves nor preserve unknown fields: those are the fields the
//! apiserver would prune silently (the root fields are never pruned).

use std::collections::BTreeMap;

use jsonschema::{ValidationError, Validator};
use serde_json::{Value, json};

use super::catalog::{DEFINITIONS_ID, compile};
use super::error::{SchemaError, collect_errors, name_rule};
use super::re2;
use super::strict::openapi_nullable;
use super::structural::{apply_defaults, close_skeleton};

/// One served version of a kind: its compiled schema, and the schema its defaults come from.
struct Version {
    validator: Validator,
    schema: Value,
}

/// Compiled schemas for the kinds that CRD files define.
#[derive(Default)]
pub struct CrdSchemas {
    kinds: BTreeMap<(String, String), Version>,
    metadata: Option<Validator>,
    strict: bool,
}

/// Why a version's schema cannot be compiled, without printing the schema: the rule broken
/// and its JSON pointer in the schema.
fn compile_error(error: &ValidationError<'_>) -> String {
    match error.kind() {
        jsonschema::error::ValidationErrorKind::Custom { message, .. } => message.clone(),
        kind => {
            let at = error.instance_path().as_str();
            let at = if at.is_empty() { "/" } else { at };
            format!(
                "the schema at `{at}` breaks the JSON Schema rule `{}`",
                kind.keyword()
            )
        }
    }
}

impl std::fmt::Debug for CrdSchemas {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.kinds.keys()).finish()
    }
}

fn text<'a>(value: &'a Value, pointer: &str) -> Result<&'a str, String> {
    value
        .pointer(pointer)
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or_else(|| format!("missing string `{pointer}`"))
}

impl CrdSchemas {
    /// Adds every version of one CustomResourceDefinition document; `Err` says what is wrong.
    pub fn add(&mut self, crd: &Value, strict: bool) -> Result<(), String> {
        if crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
            return Err("not a `CustomResourceDefinition` document".into());
        }
        let group = text(crd, "/spec/group")?;
        let kind = text(crd, "/spec/names/kind")?;
        let versions = crd
            .pointer("/spec/versions")
            .and_then(Value::as_array)
            .filter(|v| !v.is_empty())
            .ok_or("missing list `/spec/versions`")?;
        self.strict = strict;
        for (i, version) in versions.iter().enumerate() {
            let name = text(version, "/name").map_err(|e| format!("version {i}: {e}"))?;
            if version.get("served") == Some(&Value::Bool(false)) {
                continue;
            }
            let mut schema = version
                .pointer("/schema/openAPIV3Schema")
                .filter(|s| s.is_object())
                .cloned()
                .ok_or_else(|| format!("version `{name}` has no `schema.openAPIV3Schema`"))?;
            openapi_nullable(&mut schema);
            let defaults = schema.clone();
            if strict {
                close_skeleton(&mut schema);
                // ObjectMeta is checked on its own, strictly; an unschematised `metadata`
                // must stay open here.
                if let Some(Value::Object(meta)) = schema.pointer_mut("/properties/metadata") {
                    meta.remove("additionalProperties");
                }
            }
            re2::move_patterns(&mut schema);
            let validator = re2::draft4_options()
                .build(&schema)
                .map_err(|e| format!("version `{name}`: {}", compile_error(&e)))?;
            self.kinds.insert(
                (format!("{group}/{name}"), kind.to_owned()),
                Version {
                    validator,
                    schema: defaults,
                },
            );
        }
        if self.metadata.is_none() {
            let meta = json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$ref": format!("{DEFINITIONS_ID}#/$defs/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"),
            });
            self.metadata = Some(compile(&meta)?);
        }
        Ok(())
    }

    /// Whether no CRD was loaded.
    pub fn is_empty(&self) -> bool {
        self.kinds.is_empty()
    }

    /// Validates `object` when a CRD defines its kind; `None` otherwise.
    pub fn validate(&self, object: &Value) -> Option<Vec<SchemaError>> {
        let api_version = object.get("apiVersion").and_then(Value::as_str)?;
        let kind = object.get("kind").and_then(Value::as_str)?;
        let version = self.kinds.get(&(api_version.to_owned(), kind.to_owned()))?;
        let mut defaulted = object.clone();
        apply_defaults(&mut defaulted, &version.schema, self.strict);
        let mut errors = collect_errors(&version.validator, &defaulted);
        if let (Some(meta), Some(metadata)) = (object.get("metadata"), &self.metadata) {
            errors.extend(
                collect_errors(metadata, meta)
                    .into_iter()
                    .map(|e| SchemaError {
                        pointer: format!("/metadata{}", e.pointer),
                        message: e.message,
                    }),
            );
        }
        errors.extend(name_rule(object));
        errors.sort();
        errors.dedup();
        Some(errors)
    }
}
