//! The code registry is consistent: every code has its explanation with an erroneous and a
//! fixed example; each erroneous example raises exactly that code, each fixed one checks
//! clean of it; each code appears in a golden case or (00xx) a unit test; codes are unique.
//! Codes raised only by `mlc validate` show YAML examples, checked by running `mlc validate`,
//! and are covered by a command-line golden case (`golden/cli/<CODE>-<slug>/`).

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::collections::BTreeSet;

use mlc::diagnostics::{REGISTRY, Severity};

/// Codes no KDL input can raise; covered by unit tests in `src/driver.rs` (E0001, E0002),
/// `tests/cli_init.rs` (E0003) and
/// `src/schema/tests.rs` (E0401: a correct build never raises it).
/// E0406: `image::assemble::tests::unusable_image_inputs_are_e0406`;
/// W0401: `cli::build::tests::missing_kserve_and_keda_apis_are_reported` and tests/argocd_plugin.rs.
/// E0342 (`--artifacts` copies) and E0343 (`mlc inspect`) need a command-line flag or
/// subcommand: their golden cases are in `golden/cli/`.
const UNIT_TESTED: &[&str] = &[
    "E0001", "E0002", "E0003", "E0401", "E0406", "W0401", "E0342", "E0343",
];

fn fenced_block(markdown: &str, heading: &str, lang: &str) -> Option<String> {
    let fence = format!("```{lang}\n");
    let start = markdown.find(heading)?;
    let rest = &markdown[start..];
    let open = rest.find(&fence)? + fence.len();
    let close = rest[open..].find("```")?;
    Some(rest[open..open + close].to_owned())
}

/// The codes `mlc validate` raises on a YAML example (a CustomResourceDefinition is passed
/// with `--crd`), and its output.
fn validate_codes(yaml: &str) -> (BTreeSet<String>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("example.yaml"), yaml).expect("write");
    std::fs::create_dir(dir.path().join("manifests")).expect("mkdir");
    let args: &[&str] = if yaml.contains("kind: CustomResourceDefinition") {
        &[
            "--format",
            "json",
            "validate",
            "--crd",
            "example.yaml",
            "manifests",
        ]
    } else {
        &["--format", "json", "validate", "example.yaml"]
    };
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(dir.path())
        .output()
        .expect("run mlc");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let report: serde_json::Value = serde_json::from_str(&text).unwrap_or_default();
    let codes = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect();
    (codes, text)
}

fn kdl_block(markdown: &str, heading: &str) -> Option<String> {
    let start = markdown.find(heading)?;
    let rest = &markdown[start..];
    let open = rest.find("```kdl\n")? + "```kdl\n".len();
    let close = rest[open..].find("```")?;
    Some(rest[open..open + close].to_owned())
}

/// Copies the small committed test models (`tests/fixtures/models/*.onnx`) beside an
/// example, so the model-aware codes' examples can name them as `file://<name>.onnx`.
fn copy_fixture_models(dir: &std::path::Path) {
    let models = support::repo().join("tests/fixtures/models");
    for entry in std::fs::read_dir(models).expect("fixture models") {
        let path = entry.expect("entry").path();
        if path.extension().is_some_and(|e| e == "onnx") {
            std::fs::copy(&path, dir.join(path.file_name().expect("name"))).expect("copy");
        }
    }
}

fn codes_of(source: &str) -> (BTreeSet<&'static str>, BTreeSet<&'static str>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("mlc.kdl"), source).expect("write");
    copy_fixture_models(dir.path());
    let checked = mlc::driver::check(dir.path());
    let mut errors = BTreeSet::new();
    let mut all = BTreeSet::new();
    for d in checked.diagnostics.iter() {
        all.insert(d.code);
        if d.severity == Severity::Error {
            errors.insert(d.code);
        }
    }
    let text = mlc::diagnostics::render_human(&checked.diagnostics, &checked.sources, false, 100);
    (errors, all, text)
}

#[test]
fn codes_are_unique_and_well_formed() {
    let mut seen = BTreeSet::new();
    for info in REGISTRY {
        assert!(seen.insert(info.code), "{} registered twice", info.code);
        let ok = info.code.len() == 5
            && info.code.starts_with(['E', 'W', 'N'])
            && info.code[1..].chars().all(|c| c.is_ascii_digit());
        assert!(ok, "{} is not E/W/N + four digits", info.code);
        assert_eq!(
            info.code.starts_with('W'),
            info.severity == Severity::Warning,
            "{}",
            info.code
        );
        assert_eq!(
            info.code.starts_with('N'),
            info.severity == Severity::Note,
            "{}",
            info.code
        );
        assert!(
            info.explanation.starts_with(&format!("# {}", info.code)),
            "{}.md must start with `# {}`",
            info.code,
            info.code
        );
    }
}

#[test]
fn every_explanation_has_examples_that_behave() {
    let mut failures = Vec::new();
    for info in REGISTRY {
        if UNIT_TESTED.contains(&info.code) {
            continue;
        }
        if let (Some(bad), Some(good)) = (
            fenced_block(info.explanation, "## Erroneous example", "yaml"),
            fenced_block(info.explanation, "## Fixed example", "yaml"),
        ) {
            let (codes, text) = validate_codes(&bad);
            if codes != BTreeSet::from([info.code.to_owned()]) {
                failures.push(format!(
                    "{}: erroneous example raised {codes:?}\n{text}",
                    info.code
                ));
            }
            let (codes, text) = validate_codes(&good);
            if !codes.is_empty() {
                failures.push(format!(
                    "{}: fixed example raised {codes:?}\n{text}",
                    info.code
                ));
            }
            continue;
        }
        let Some(bad) = kdl_block(info.explanation, "## Erroneous example") else {
            failures.push(format!("{}: no erroneous ```kdl example", info.code));
            continue;
        };
        let Some(good) = kdl_block(info.explanation, "## Fixed example") else {
            failures.push(format!("{}: no fixed ```kdl example", info.code));
            continue;
        };
        let (errors, all, text) = codes_of(&bad);
        let raised = match info.severity {
            Severity::Error => errors == BTreeSet::from([info.code]),
            Severity::Warning | Severity::Note => errors.is_empty() && all.contains(info.code),
        };
        if !raised {
            failures.push(format!(
                "{}: erroneous example raised {all:?}\n{text}",
                info.code
            ));
        }
        let (errors, all, text) = codes_of(&good);
        if !errors.is_empty() || all.contains(info.code) {
            failures.push(format!(
                "{}: fixed example raised {all:?}\n{text}",
                info.code
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn every_code_has_a_golden_case() {
    let dir = support::repo().join("golden").join("errors");
    let cases: Vec<String> = std::fs::read_dir(&dir)
        .map(|rd| {
            rd.filter_map(Result::ok)
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let check_cases = support::read_tree(&support::repo().join("golden").join("check"));
    let cli_cases: Vec<String> = std::fs::read_dir(support::repo().join("golden").join("cli"))
        .map(|rd| {
            rd.filter_map(Result::ok)
                .filter(|e| e.path().join("cmd").is_file())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .collect()
        })
        .unwrap_or_default();
    let mut missing = Vec::new();
    for info in REGISTRY {
        if UNIT_TESTED.contains(&info.code) {
            continue;
        }
        let in_errors = cases
            .iter()
            .any(|c| c.starts_with(&format!("{}-", info.code)));
        let in_check = check_cases.iter().any(|(p, bytes)| {
            p.ends_with("diagnostics.txt")
                && String::from_utf8_lossy(bytes).contains(&format!("[{}]", info.code))
        });
        let in_cli = cli_cases
            .iter()
            .any(|c| c.starts_with(&format!("{}-", info.code)));
        if !in_errors && !in_check && !in_cli {
            missing.push(info.code);
        }
    }
    assert!(
        missing.is_empty(),
        "codes without a golden case: {missing:?}"
    );
}

#[test]
fn explain_list_names_every_code() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(["explain", "--list"])
        .output()
        .expect("run mlc");
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    for info in REGISTRY {
        assert!(
            text.contains(info.code),
            "{} missing from `mlc explain --list`",
            info.code
        );
    }
}
