//! `mlc check --format sarif` validated against the OASIS SARIF 2.1.0 JSON Schema (draft-04,
//! the committed copy in `tests/fixtures/sarif/`), and checked for the right rules, levels and locations.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly"
)]

mod support;

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const MLC_KDL: &str = r#"cluster gpu

project sarif-demo {
    kubernetes "1.33"
}

pool a100 cluster=gpu {
    gpu "A100-80GB" per-node=8 nodes=1
    mig mixed {
        "1g.10gb" 4
        "3g.40gb" 1
    }
    taint "nvidia.com/gpu"
}

cluster cpu-only
environment dev cluster=cpu-only namespace=sarif-dev
"#;

/// An unknown pool (E0203, one location).
const MODEL_A: &str = r#"model fraud {
    artifact "s3://models/fraud/1.0/"
    format sklearn
    serve kserve mode=standard
    accelerator pool=t4
    autoscale min=2 max=5 {
        cpu 75
    }
}
"#;

/// A pool on another cluster than the environment's (E0319, with a related location in
/// mlc.kdl).
const MODEL_B: &str = r#"model ranker {
    artifact "s3://models/ranker/1.0/model.onnx" sha256="9f2c1b7e4d3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
    accelerator pool=a100 mig="1g.10gb"
    autoscale min=2 max=2
}
"#;

const CLEAN: &str = r#"project sarif-clean {
    kubernetes "1.33"
    image base="debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f"
}

model fraud {
    artifact "s3://models/fraud/1.0/"
    format sklearn
    serve kserve mode=standard
    accelerator cpu
    autoscale min=2 max=5 {
        cpu 75
    }
}
"#;

/// The SARIF 2.1.0 schema validator (the committed copy of the OASIS schema).
fn sarif_validator() -> jsonschema::Validator {
    let path = support::sarif_schema();
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap();
    assert_eq!(schema["$schema"], "http://json-schema.org/draft-04/schema#");
    jsonschema::draft4::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn project(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    dir
}

fn check_sarif(dir: &Path) -> (Output, Value) {
    let out = Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(["check", ".", "--format", "sarif"])
        .current_dir(dir)
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is not one JSON document ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    (out, log)
}

fn assert_valid(validator: &jsonschema::Validator, log: &Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(
        errors.is_empty(),
        "SARIF output violates the 2.1.0 schema:\n{}",
        errors.join("\n")
    );
}

/// (uri, startLine, startColumn) of a location.
fn place(location: &Value) -> (String, u64, u64) {
    let physical = &location["physicalLocation"];
    (
        physical["artifactLocation"]["uri"]
            .as_str()
            .unwrap()
            .to_owned(),
        physical["region"]["startLine"].as_u64().unwrap(),
        physical["region"]["startColumn"].as_u64().unwrap(),
    )
}

fn results(log: &Value) -> &Vec<Value> {
    log.pointer("/runs/0/results")
        .and_then(Value::as_array)
        .expect("runs[0].results")
}

/// Every result's `ruleIndex` points at the rule named by its `ruleId`, and its `level` is
/// the rule's severity.
fn assert_rules_consistent(log: &Value) {
    let rules = log
        .pointer("/runs/0/tool/driver/rules")
        .and_then(Value::as_array)
        .expect("rules");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(log.pointer("/runs/0/tool/driver/name").unwrap(), "mlc");
    for r in results(log) {
        let id = r["ruleId"].as_str().unwrap();
        let index = usize::try_from(r["ruleIndex"].as_u64().unwrap()).unwrap();
        assert_eq!(rules[index]["id"], id, "ruleIndex of {id}");
        let level = match id.chars().next() {
            Some('E') => "error",
            Some('N') => "note",
            _ => "warning",
        };
        assert_eq!(r["level"], level, "level of {id}");
        assert_eq!(
            rules[index]["defaultConfiguration"]["level"], level,
            "default level of {id}"
        );
    }
}

#[test]
fn broken_project_gives_valid_sarif_with_rules_levels_and_locations() {
    let validator = sarif_validator();
    let dir = project(&[
        ("mlc.kdl", MLC_KDL),
        ("models/a.kdl", MODEL_A),
        ("models/b.kdl", MODEL_B),
    ]);
    let (out, log) = check_sarif(dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert_valid(&validator, &log);
    assert_rules_consistent(&log);

    let results = results(&log);
    let find = |id: &str| -> Vec<&Value> { results.iter().filter(|r| r["ruleId"] == id).collect() };

    // Warnings without related locations, in mlc.kdl.
    for id in ["W0304", "W0305"] {
        let found = find(id);
        assert_eq!(found.len(), 1, "{id}: {results:?}");
        assert_eq!(place(&found[0]["locations"][0]).0, "mlc.kdl");
        assert!(found[0].get("relatedLocations").is_none());
    }
    assert_eq!(
        place(&find("W0305")[0]["locations"][0]),
        ("mlc.kdl".to_owned(), 9, 5)
    );

    // An error with one location in another file.
    let unknown_pool = find("E0203");
    assert_eq!(unknown_pool.len(), 1);
    assert_eq!(
        place(&unknown_pool[0]["locations"][0]),
        ("models/a.kdl".to_owned(), 5, 22)
    );
    assert!(unknown_pool[0].get("relatedLocations").is_none());
    let text = unknown_pool[0]["message"]["text"].as_str().unwrap();
    assert!(text.starts_with("unknown pool `t4`"), "{text}");

    // An error whose related location is in a third file.
    let other_cluster = find("E0319");
    assert!(!other_cluster.is_empty());
    for r in other_cluster {
        assert_eq!(
            place(&r["locations"][0]),
            ("models/b.kdl".to_owned(), 3, 22)
        );
        let related = r["relatedLocations"].as_array().unwrap();
        assert!(!related.is_empty());
        assert!(related.iter().all(|l| place(l).0 == "mlc.kdl"));
        assert!(related.iter().all(|l| l["message"]["text"].is_string()));
    }

    let files: std::collections::BTreeSet<String> = results
        .iter()
        .flat_map(|r| r["locations"].as_array().unwrap().iter().map(place))
        .map(|p| p.0)
        .collect();
    assert_eq!(files.len(), 3, "{files:?}");
}

#[test]
fn clean_project_gives_valid_sarif_without_results() {
    let validator = sarif_validator();
    let dir = project(&[("mlc.kdl", CLEAN)]);
    let (out, log) = check_sarif(dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_valid(&validator, &log);
    assert_rules_consistent(&log);
    assert!(results(&log).is_empty(), "{log}");
    // Every registered code is announced as a rule.
    let rules = log.pointer("/runs/0/tool/driver/rules").unwrap();
    assert!(rules.as_array().unwrap().iter().any(|r| r["id"] == "W0401"));
}

#[test]
fn diagnostic_without_a_location_gives_valid_sarif() {
    let validator = sarif_validator();
    let dir = project(&[("models/a.kdl", MODEL_A)]);
    let (out, log) = check_sarif(dir.path());
    assert!(!out.status.success());
    assert_valid(&validator, &log);
    assert_rules_consistent(&log);
    let results = results(&log);
    assert_eq!(results.len(), 1, "{log}");
    assert_eq!(results[0]["ruleId"], "E0002");
    assert!(results[0].get("locations").is_none());
}

#[test]
fn the_schema_rejects_what_sarif_forbids() {
    // Guards the check itself: `$ref`s into `definitions` resolve and formats are checked.
    let validator = sarif_validator();
    let dir = project(&[("mlc.kdl", MLC_KDL), ("models/a.kdl", MODEL_A)]);
    let (_, log) = check_sarif(dir.path());
    assert_valid(&validator, &log);
    let mut bad_level = log.clone();
    bad_level["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&bad_level));
    let mut bad_region = log.clone();
    bad_region["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
        0.into();
    assert!(!validator.is_valid(&bad_region));
    let mut bad_version = log;
    bad_version["version"] = "2.0.0".into();
    assert!(!validator.is_valid(&bad_version));
}

/// A model between 2 and 8 replicas with no policy: the default policy is a note (`N0302`),
/// SARIF level `note`, and it fails nothing, not even with `--deny-warnings`.
#[test]
fn notes_are_sarif_notes_and_never_fail() {
    let validator = sarif_validator();
    let source = CLEAN
        .replace(
            "autoscale min=2 max=5 {\n        cpu 75\n    }",
            "autoscale min=2 max=8",
        )
        .replace("image base=", "image revision=\"v1.0.0\" base=");
    assert!(source.contains("autoscale min=2 max=8\n"), "{source}");
    let dir = project(&[("mlc.kdl", &source)]);
    let (out, log) = check_sarif(dir.path());
    assert!(out.status.success(), "{log}");
    assert_valid(&validator, &log);
    assert_rules_consistent(&log);
    let results = results(&log);
    assert_eq!(results.len(), 1, "{log}");
    assert_eq!(results[0]["ruleId"], "N0302");
    assert_eq!(results[0]["level"], "note");
    let denied = Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(["check", ".", "--deny-warnings"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&denied.stderr);
    assert!(denied.status.success(), "{stderr}");
    assert!(stderr.contains("note[N0302]"), "{stderr}");
    assert!(stderr.contains("mlc: 1 note"), "{stderr}");
}
