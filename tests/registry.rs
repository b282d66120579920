//! The code registry is consistent: every code has its explanation with an erroneous and a
//! fixed example; each erroneous example raises exactly that code, each fixed one checks
//! clean of it; each code appears in a golden case or (00xx) a unit test; codes are unique.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::collections::BTreeSet;

use mlc::diagnostics::{REGISTRY, Severity};

/// Codes no KDL input can raise; covered by unit tests in `src/driver.rs`.
const UNIT_TESTED: &[&str] = &["E0001", "E0002"];

fn kdl_block(markdown: &str, heading: &str) -> Option<String> {
    let start = markdown.find(heading)?;
    let rest = &markdown[start..];
    let open = rest.find("```kdl\n")? + "```kdl\n".len();
    let close = rest[open..].find("```")?;
    Some(rest[open..open + close].to_owned())
}

fn codes_of(source: &str) -> (BTreeSet<&'static str>, BTreeSet<&'static str>, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    std::fs::write(dir.path().join("mlc.kdl"), source).expect("write");
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
            && (info.code.starts_with('E') || info.code.starts_with('W'))
            && info.code[1..].chars().all(|c| c.is_ascii_digit());
        assert!(ok, "{} is not E/W + four digits", info.code);
        assert_eq!(
            info.code.starts_with('W'),
            info.severity == Severity::Warning,
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
            Severity::Warning => errors.is_empty() && all.contains(info.code),
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
        if !in_errors && !in_check {
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
