//! Per-object verdicts of mlc's schemas agree with the upstream schemas: the embedded
//! schemas, and the upstream CRD files loaded as `--crd --strict`, against
//! `check.py --strict` on its examples and on `tests/schema_cases/*.yaml`.
//!
//! Uses the committed upstream fixtures (`tests/fixtures/upstream/`); needs python3 with PyYAML
//! and jsonschema; skipped with a notice when missing, except under `CI=true`.
//! Excluded from the comparison, by choice of the cases: the stricter quantity pattern of the
//! embedded core schemas, KEDA's `stabilizationWindowSeconds` bound (absent from the CRD
//! bases) and webhook-only rules the embedded schemas add.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests"
)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use mlc::schema::{CrdSchemas, embedded};
use serde_json::Value;

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// check.py's verdict for each document label (`0`, `3.items[1]`), or `None` when it cannot run.
fn upstream_verdicts(check: &Path, file: &Path) -> Option<BTreeMap<String, bool>> {
    upstream_verdicts_in(check, file, true)
}

/// check.py's verdicts in strict or default mode.
fn upstream_verdicts_in(check: &Path, file: &Path, strict: bool) -> Option<BTreeMap<String, bool>> {
    let out = std::process::Command::new("python3")
        .arg(check)
        .args(strict.then_some("--strict"))
        .arg(file)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    if out.status.code() == Some(2) && !text.contains('#') {
        return None;
    }
    let prefix = format!("{}#", file.display());
    let mut verdicts = BTreeMap::new();
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(&prefix) else {
            continue;
        };
        let label = rest
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        verdicts.insert(label, line.ends_with(": OK"));
    }
    Some(verdicts)
}

/// The documents of `file` labelled as check.py labels them.
fn documents(file: &Path) -> Vec<(String, Value)> {
    let text = std::fs::read_to_string(file).expect("read");
    let docs: Vec<Value> = serde_saphyr::from_multiple(&text).expect("parse");
    let mut out = Vec::new();
    for (i, doc) in docs.into_iter().filter(|d| !d.is_null()).enumerate() {
        if doc["kind"] == "List" && doc["apiVersion"] == "v1" {
            for (j, item) in doc["items"].as_array().into_iter().flatten().enumerate() {
                out.push((format!("{i}.items[{j}]"), item.clone()));
            }
        } else {
            out.push((i.to_string(), doc));
        }
    }
    out
}

fn cases(upstream: &Path) -> Vec<PathBuf> {
    let examples = upstream.join("examples");
    let mut files = vec![
        examples.join("good.yaml"),
        examples.join("bad-type.yaml"),
        examples.join("bad-unknown.yaml"),
    ];
    let mine = support::repo().join("tests/schema_cases");
    let mut own: Vec<PathBuf> = std::fs::read_dir(mine)
        .expect("tests/schema_cases")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    own.sort();
    files.extend(own);
    files
}

fn upstream_crds(upstream: &Path) -> CrdSchemas {
    crds_from(&[upstream.join("crds")], true)
}

/// Every CRD in `dirs`, as `mlc validate --crd` loads them; panics naming any it refuses.
fn crds_from(dirs: &[PathBuf], strict: bool) -> CrdSchemas {
    let mut crds = CrdSchemas::default();
    for dir in dirs {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
            .expect("crds")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).expect("read crd");
            let docs: Vec<Value> = serde_saphyr::from_multiple(&text).expect("parse crd");
            for doc in docs.iter().filter(|d| !d.is_null()) {
                crds.add(doc, strict)
                    .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            }
        }
    }
    crds
}

#[test]
fn verdicts_agree_with_the_upstream_schemas() {
    let upstream = support::upstream_dir();
    let check = upstream.join("check.py");
    let crds = upstream_crds(&upstream);
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for file in cases(&upstream) {
        let Some(upstream) = upstream_verdicts(&check, &file) else {
            assert!(
                !ci(),
                "check.py cannot run (python3 with PyYAML and jsonschema needed)"
            );
            eprintln!("notice: check.py cannot run here; skipping the agreement test");
            return;
        };
        for (label, doc) in documents(&file) {
            let Some(&expected) = upstream.get(&label) else {
                disagreements.push(format!(
                    "{}#{label}: no verdict from check.py",
                    file.display()
                ));
                continue;
            };
            let embedded_verdict = embedded().validate(&doc);
            let crd_verdict = crds
                .validate(&doc)
                .map_or_else(|| embedded_verdict.is_ok(), |e| e.is_empty());
            if embedded_verdict.is_ok() != expected {
                disagreements.push(format!(
                    "{}#{label}: embedded says {embedded_verdict:?}, check.py says {}",
                    file.display(),
                    if expected { "valid" } else { "invalid" }
                ));
            }
            if crd_verdict != expected {
                disagreements.push(format!(
                    "{}#{label}: with --crd says {crd_verdict}, check.py says {expected}",
                    file.display()
                ));
            }
            compared += 1;
        }
    }
    assert!(compared >= 50, "only {compared} documents compared");
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}

/// `--crd crds/ --crd crds-extra/` (Prometheus Operator, Istio, Gateway API, VPA, Seldon v1 and
/// Core 2) loads every CRD and gives check.py's verdict on every document of the extra
/// examples, in default and in strict mode.
#[test]
fn extra_crds_load_and_agree_with_check_py_in_both_modes() {
    let upstream = support::upstream_dir();
    let check = upstream.join("check.py");
    let dirs = [upstream.join("crds"), upstream.join("crds-extra")];
    let mut disagreements = Vec::new();
    let mut compared = 0;
    for strict in [false, true] {
        let crds = crds_from(&dirs, strict);
        for name in [
            "good-extra.yaml",
            "bad-extra.yaml",
            "bad-unknown-extra.yaml",
        ] {
            let file = upstream.join("examples").join(name);
            let Some(verdicts) = upstream_verdicts_in(&check, &file, strict) else {
                assert!(
                    !ci(),
                    "check.py cannot run (python3 with PyYAML and jsonschema needed)"
                );
                eprintln!(
                    "notice: check.py cannot run here; skipping the extra CRD agreement test"
                );
                return;
            };
            for (label, doc) in documents(&file) {
                let Some(errors) = crds.validate(&doc) else {
                    disagreements.push(format!("{name}#{label}: no CRD for this kind"));
                    continue;
                };
                let expected = verdicts.get(&label).copied();
                if expected != Some(errors.is_empty()) {
                    disagreements.push(format!(
                        "{name}#{label} (strict: {strict}): check.py says {expected:?}, mlc says {errors:?}"
                    ));
                }
                compared += 1;
            }
        }
    }
    assert_eq!(compared, 2 * (14 + 14 + 5));
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
}
