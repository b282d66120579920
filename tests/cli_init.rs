//! `mlc init` writes a project that `mlc check` and `mlc build` accept, and refuses (E0003) to
//! overwrite one or to use a name that is not a DNS-1035 label.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::Path;
use std::process::{Command, Output};

fn mlc(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlc")
}

#[test]
fn init_writes_a_project_that_checks_and_builds_clean() {
    let tmp = tempfile::tempdir().unwrap();
    let out = mlc(tmp.path(), &["init", "Fraud_Team"]);
    assert!(out.status.success(), "{out:?}");
    let text = std::fs::read_to_string(tmp.path().join("Fraud_Team/mlc.kdl")).unwrap();
    assert!(text.contains("project fraud-team {"), "{text}");
    let out = mlc(tmp.path(), &["check", "--deny-warnings", "Fraud_Team"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = mlc(tmp.path(), &["build", "Fraud_Team"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(tmp.path().join("Fraud_Team/manifests/mlc.lock").is_file());
    let out = mlc(tmp.path(), &["validate", "Fraud_Team/manifests"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn init_refuses_to_overwrite_a_project_e0003() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("mlc.kdl"), "project keep {}\n").unwrap();
    let out = mlc(tmp.path(), &["init", "--color", "never"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E0003") && err.contains("already exists"),
        "{err}"
    );
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("mlc.kdl")).unwrap(),
        "project keep {}\n"
    );
    let names: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert_eq!(names.len(), 1, "nothing else is written");
}

#[test]
fn init_rejects_a_name_that_is_not_a_dns_label_e0003() {
    let tmp = tempfile::tempdir().unwrap();
    let out = mlc(
        tmp.path(),
        &["init", "--name", "Bad_Name", "--color", "never", "p"],
    );
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("E0003") && err.contains("DNS-1035"), "{err}");
    assert!(!tmp.path().join("p").exists());
}
