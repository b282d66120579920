//! `mlc build` end to end through the binary: writing, idempotence, `--check`, atomic
//! replacement on errors, and `--stdout` selection.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::Path;
use std::process::{Command, Output};

fn mlc(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("run mlc")
}

fn copy_example(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, bytes) in support::read_tree(&support::repo().join("examples").join(name)) {
        if rel.starts_with("manifests/") {
            continue;
        }
        let path = dir.path().join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
    dir
}

#[test]
fn build_writes_the_tree_and_rebuilding_changes_nothing() {
    let dir = copy_example("environments");
    let out = mlc(&["build", "."], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first = support::read_tree(&dir.path().join("manifests"));
    assert!(
        first
            .iter()
            .any(|(p, _)| p == "envs/prod/query-encoder/inferenceservice.yaml")
    );
    assert!(
        first
            .iter()
            .any(|(p, _)| p == "clusters/prod-gpu/kustomization.yaml")
    );
    assert!(first.iter().any(|(p, _)| p == "mlc.lock"));
    let out = mlc(&["build", "."], dir.path());
    assert!(out.status.success());
    assert_eq!(
        first,
        support::read_tree(&dir.path().join("manifests")),
        "a no-op build changed the tree"
    );
    let out = mlc(&["build", "--check", "."], dir.path());
    assert!(
        out.status.success(),
        "fresh tree reported stale: {}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn check_reports_changed_missing_and_extra_files_with_a_diff() {
    let dir = copy_example("bert-kafka-mig");
    assert!(mlc(&["build"], dir.path()).status.success());
    let manifests = dir.path().join("manifests");
    let isvc = manifests.join("envs/prod/bert-sentiment/inferenceservice.yaml");
    let text = std::fs::read_to_string(&isvc)
        .unwrap()
        .replace("maxReplicas: 7", "maxReplicas: 9");
    std::fs::write(&isvc, text).unwrap();
    std::fs::remove_file(manifests.join("envs/prod/bert-sentiment/scaledobject.yaml")).unwrap();
    std::fs::write(manifests.join("stray.yaml"), "x: 1\n").unwrap();
    let out = mlc(&["build", "--check"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let diff = String::from_utf8_lossy(&out.stdout);
    assert!(
        diff.contains("-    maxReplicas: 9") && diff.contains("+    maxReplicas: 7"),
        "{diff}"
    );
    assert!(
        diff.contains("+++ b/manifests/envs/prod/bert-sentiment/scaledobject.yaml"),
        "{diff}"
    );
    assert!(diff.contains("--- a/manifests/stray.yaml"), "{diff}");
}

#[test]
fn errors_leave_the_previous_tree_untouched() {
    let dir = copy_example("bert-kafka-mig");
    assert!(mlc(&["build"], dir.path()).status.success());
    let before = support::read_tree(&dir.path().join("manifests"));
    let model = dir.path().join("models/bert-sentiment.kdl");
    let text = std::fs::read_to_string(&model)
        .unwrap()
        .replace("mig=\"1g.10gb\"", "mig=\"1g.5gb\"");
    std::fs::write(&model, text).unwrap();
    let out = mlc(&["build"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("E0301"));
    assert_eq!(before, support::read_tree(&dir.path().join("manifests")));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.file_name())
        .filter(|n| n.to_string_lossy().starts_with(".manifests"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "temporary directories left behind: {leftovers:?}"
    );
}

#[test]
fn stdout_prints_one_environment_as_a_stream() {
    let dir = copy_example("environments");
    let out = mlc(&["build", "--stdout"], dir.path());
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("`dev`") && err.contains("`prod`") && err.contains("`staging`"),
        "{err}"
    );
    assert!(out.stdout.is_empty());

    let out = mlc(&["build", "--env", "prod"], dir.path());
    assert_eq!(
        out.status.code(),
        Some(2),
        "--env without --stdout must be refused"
    );

    let out = mlc(&["build", "--stdout", "--env", "prod"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stream = String::from_utf8(out.stdout).unwrap();
    assert!(mlc(&["build"], dir.path()).status.success());
    let mut expected = String::new();
    for (path, bytes) in support::read_tree(&dir.path().join("manifests/envs/prod")) {
        if path != "kustomization.yaml" {
            expected.push_str("---\n");
            expected.push_str(&String::from_utf8(bytes).unwrap());
        }
    }
    assert_eq!(stream, expected);

    let out = mlc(&["build", "--stdout", "--env", "nope"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "never exit with partial output");
}

#[test]
fn a_patch_that_breaks_an_object_fails_schema_validation_and_writes_nothing() {
    let dir = copy_example("bert-kafka-mig");
    let model = dir.path().join("models/bert-sentiment.kdl");
    let text = std::fs::read_to_string(&model).unwrap().replace(
        "    storage secret=s3-models\n",
        "    storage secret=s3-models\n    patch \"inferenceservice\" #\"{\"spec\": {\"predictor\": {\"minReplica\": 3}}}\"#\n",
    );
    std::fs::write(&model, text).unwrap();
    let out = mlc(&["build"], dir.path());
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("E0401") && err.contains("after this patch") && err.contains("minReplica"),
        "{err}"
    );
    assert!(!dir.path().join("manifests").exists());

    let text = std::fs::read_to_string(&model)
        .unwrap()
        .replace("minReplica\": 3", "minReplicas\": 3");
    std::fs::write(&model, text).unwrap();
    let out = mlc(&["build"], dir.path());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let isvc = std::fs::read_to_string(
        dir.path()
            .join("manifests/envs/prod/bert-sentiment/inferenceservice.yaml"),
    )
    .unwrap();
    assert!(isvc.contains("minReplicas: 3"));
}
