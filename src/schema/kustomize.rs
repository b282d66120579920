//! `kustomization.yaml` files, checked as kustomize reads them.
//!
//! kustomize recognises a kustomization by its file name (`kustomization.yaml`,
//! `kustomization.yml`, `Kustomization`), decodes it into its `Kustomization` type with unknown
//! fields disallowed, defaults a missing `kind` to `Kustomization` and then requires `kind` to
//! be `Kustomization` (apiVersion `kustomize.config.k8s.io/v1beta1`) or `Component`
//! (`kustomize.config.k8s.io/v1alpha1`). `schemas/kustomize/kustomization.json` says the same
//! as a JSON Schema; its source is named in `docs/validate.md`.

use std::path::Path;
use std::sync::LazyLock;

use jsonschema::Validator;
use serde_json::Value;

use super::error::{SchemaError, ValidateError, collect_errors};

/// The file names kustomize reads as a kustomization.
const FILE_NAMES: [&str; 3] = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

const SCHEMA: &str = include_str!("../../schemas/kustomize/kustomization.json");

static VALIDATOR: LazyLock<Result<Validator, String>> = LazyLock::new(|| {
    let schema: Value = serde_json::from_str(SCHEMA).map_err(|e| e.to_string())?;
    jsonschema::options()
        .build(&schema)
        .map_err(|e| e.to_string())
});

/// Whether kustomize would read the file at `path` as a kustomization.
pub(crate) fn is_kustomization_file(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| FILE_NAMES.contains(&n))
}

/// Checks one document of a kustomization file.
pub(crate) fn validate(object: &Value) -> Result<(), ValidateError> {
    let errors = match VALIDATOR.as_ref() {
        Ok(validator) => collect_errors(validator, object),
        Err(message) => vec![SchemaError {
            pointer: String::new(),
            message: format!("the embedded Kustomization schema does not compile: {message}"),
        }],
    };
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ValidateError::Invalid(errors))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn errors(object: &Value) -> Vec<String> {
        match validate(object) {
            Ok(()) => Vec::new(),
            Err(ValidateError::Invalid(errors)) => errors.iter().map(ToString::to_string).collect(),
            Err(other) => vec![format!("{other:?}")],
        }
    }

    #[test]
    fn accepts_what_mlc_writes_and_a_kindless_file_as_kustomize_does() {
        let written = json!({
            "apiVersion": "kustomize.config.k8s.io/v1beta1",
            "kind": "Kustomization",
            "resources": ["a.yaml"],
        });
        assert_eq!(errors(&written), Vec::<String>::new());
        assert_eq!(
            errors(&json!({"resources": ["a.yaml"]})),
            Vec::<String>::new()
        );
        let component = json!({
            "apiVersion": "kustomize.config.k8s.io/v1alpha1",
            "kind": "Component",
            "patches": [{"path": "p.yaml"}],
        });
        assert_eq!(errors(&component), Vec::<String>::new());
    }

    #[test]
    fn rejects_unknown_fields_wrong_types_and_wrong_kinds() {
        let typo = json!({"kind": "Kustomization", "resource": ["a.yaml"]});
        assert_eq!(errors(&typo), vec!["/resource: unknown field `resource`"]);
        let wrong_type = json!({"resources": "a.yaml"});
        assert_eq!(errors(&wrong_type).len(), 1);
        let kind =
            json!({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomisation"});
        assert_eq!(errors(&kind).len(), 1);
        let version = json!({"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Component"});
        assert_eq!(errors(&version).len(), 1);
    }

    #[test]
    fn knows_kustomize_file_names() {
        assert!(is_kustomization_file(Path::new(
            "m/envs/dev/kustomization.yaml"
        )));
        assert!(is_kustomization_file(Path::new("Kustomization")));
        assert!(!is_kustomization_file(Path::new("kustomization.json")));
    }
}
