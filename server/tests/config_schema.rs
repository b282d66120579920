//! The configuration contract: the hand-written JSON Schema and the serde types agree on every
//! example in `tests/configs/` (valid ones pass both, invalid ones fail both).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::float_cmp,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "test code: a failed expectation panics, exact values are intended"
)]

use std::path::{Path, PathBuf};

use mlc_serve::config_file;
use serde_json::Value;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

fn validator() -> jsonschema::Validator {
    let path = repo_root().join("schemas/mlc-serve-config.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    jsonschema::validator_for(&schema).unwrap()
}

fn examples(kind: &str) -> Vec<(PathBuf, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/configs")
        .join(kind);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no examples in {}", dir.display());
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            (p, text)
        })
        .collect()
}

/// YAML → JSON value for the schema; `None` when it is not even YAML.
fn as_json(text: &str) -> Option<Value> {
    serde_saphyr::from_str::<Value>(text).ok()
}

#[test]
fn valid_examples_pass_the_schema_and_deserialize() {
    let validator = validator();
    for (path, text) in examples("valid") {
        let value = as_json(&text).unwrap_or_else(|| panic!("{} is not YAML", path.display()));
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{}: schema errors {errors:?}",
            path.display()
        );
        let config =
            config_file::parse(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            config.validate().is_empty(),
            "{}: {:?}",
            path.display(),
            config.validate()
        );
    }
}

#[test]
fn invalid_examples_fail_both_the_schema_and_deserialization() {
    let validator = validator();
    for (path, text) in examples("invalid") {
        let schema_accepts = as_json(&text).is_some_and(|v| validator.is_valid(&v));
        assert!(!schema_accepts, "{}: the schema accepts it", path.display());
        let serde_accepts = config_file::parse(&text).is_ok_and(|c| c.validate().is_empty());
        assert!(
            !serde_accepts,
            "{}: the serde types accept it",
            path.display()
        );
    }
}

#[test]
fn defaults_in_the_schema_match_the_serde_defaults() {
    let path = repo_root().join("schemas/mlc-serve-config.schema.json");
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let server = &schema["properties"]["server"]["properties"];
    let defaults = serde_json::to_value(mlc_serve_config::ServerConfig::default()).unwrap();
    for (key, value) in defaults.as_object().unwrap() {
        assert_eq!(&server[key]["default"], value, "default of server.{key}");
    }
}

#[test]
fn serialized_config_round_trips_and_passes_the_schema() {
    let (_, text) = examples("valid")
        .into_iter()
        .find(|(p, _)| p.ends_with("full.yaml"))
        .unwrap();
    let config = config_file::parse(&text).unwrap();
    let value = serde_json::to_value(&config).unwrap();
    assert!(validator().is_valid(&value));
    let back: mlc_serve_config::Config = serde_json::from_value(value).unwrap();
    assert_eq!(back, config);
}
