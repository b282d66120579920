//! `mlc diff` on two revisions of a project (`golden/diff/<case>/`): text, JSON and Markdown
//! goldens (`MLC_BLESS=1` rewrites them), the fallback to BASE's committed `manifests/` when
//! BASE no longer compiles, and `--git` revisions giving the same diff as directories.
//! `mlc capacity` of the same projects has text and JSON goldens beside them.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::Path;
use std::process::Command;

fn mlc(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(dir)
        .env_remove("CI")
        .output()
        .expect("run mlc");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

fn golden(case: &Path, file: &str, actual: &str) {
    let path = case.join(file);
    if support::bless() {
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with MLC_BLESS=1)", path.display()));
    assert_eq!(expected, actual, "{} differs", path.display());
}

fn case(name: &str) -> std::path::PathBuf {
    support::repo().join("golden/diff").join(name)
}

fn check_formats(dir: &Path, base: &str, head: &str) {
    let (text, stderr, status) = mlc(dir, &["--color", "never", "diff", base, head]);
    assert_eq!(status, 0, "{stderr}");
    golden(dir, "diff.txt", &text);
    golden(dir, "stderr.txt", &stderr);
    let (json, _, status) = mlc(dir, &["--format", "json", "diff", base, head]);
    assert_eq!(status, 0);
    serde_json::from_str::<serde_json::Value>(&json).expect("JSON");
    golden(dir, "diff.json", &json);
    let (md, _, status) = mlc(dir, &["diff", base, head, "--markdown"]);
    assert_eq!(status, 0);
    golden(dir, "diff.md", &md);
}

#[test]
fn scale_up_shows_objects_and_the_slice_delta() {
    let dir = case("scale-up");
    check_formats(&dir, "base", "head");
    let text = std::fs::read_to_string(dir.join("diff.txt")).unwrap();
    assert!(text.contains("spec.predictor.maxReplicas: 4 → 6"), "{text}");
    assert!(text.contains("+ InferenceService reranker"), "{text}");
    assert!(
        text.contains("1g.10gb slices: capacity 32, at min 4, at max 6 → 8, free at max 24"),
        "{text}"
    );
    for (project, file) in [("base", "capacity-base"), ("head", "capacity-head")] {
        let (table, _, status) = mlc(&dir, &["capacity", project]);
        assert_eq!(status, 0);
        golden(&dir, &format!("{file}.txt"), &table);
        let (json, _, _) = mlc(&dir, &["--format", "json", "capacity", project]);
        golden(&dir, &format!("{file}.json"), &json);
    }
}

#[test]
fn a_base_that_no_longer_compiles_is_read_from_its_manifests() {
    let dir = case("base-broken");
    check_formats(&dir, "base", "../scale-up/head");
    let stderr = std::fs::read_to_string(dir.join("stderr.txt")).unwrap();
    assert!(stderr.contains("BASE does not compile"), "{stderr}");
    assert!(
        stderr.contains("[E0102]") || stderr.contains("E0102"),
        "{stderr}"
    );
    let text = std::fs::read_to_string(dir.join("diff.txt")).unwrap();
    assert!(text.starts_with("BASE did not compile"), "{text}");
    assert!(text.contains("spec.predictor.maxReplicas: 4 → 6"), "{text}");
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for (rel, bytes) in support::read_tree(from) {
        let path = to.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

#[test]
fn git_revisions_diff_like_directories() {
    if Command::new("git").arg("--version").output().is_err() {
        support::skip("git is not on PATH");
        return;
    }
    let repo = tempfile::tempdir().unwrap();
    let project = repo.path().join("deploy");
    git(repo.path(), &["init", "-q"]);
    copy_tree(&case("scale-up").join("base"), &project);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "base"]);
    std::fs::remove_dir_all(&project).unwrap();
    copy_tree(&case("scale-up").join("head"), &project);
    let expected = std::fs::read_to_string(case("scale-up").join("diff.txt")).unwrap();
    // The working tree against a revision, then two revisions.
    let (text, stderr, status) = mlc(&project, &["diff", "--git", "HEAD"]);
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(text, expected);
    git(repo.path(), &["add", "-A"]);
    git(repo.path(), &["commit", "-qm", "head"]);
    let (text, stderr, status) = mlc(
        repo.path(),
        &["diff", "--git", "HEAD~1", "HEAD", "--project", "deploy"],
    );
    assert_eq!(status, 0, "{stderr}");
    assert_eq!(text, expected);
}
