//! `mlc validate` end to end: multi-document streams, `kind: List`, unknown kinds,
//! `--skip-unknown`, `--crd` with the upstream CRD files, exit statuses and the
//! file:line:column of each error.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::Path;

use serde_json::Value;

fn mlc(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(["--format", "json", "validate"])
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlc");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stdout)
}

/// (code, file, line, column, message) of every diagnostic.
fn found(report: &Value) -> Vec<(String, String, u64, u64, String)> {
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|d| {
            let loc = &d["location"];
            (
                d["code"].as_str().unwrap_or_default().to_owned(),
                loc["file"].as_str().unwrap_or_default().to_owned(),
                loc["line"].as_u64().unwrap_or(0),
                loc["column"].as_u64().unwrap_or(0),
                d["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

const STREAM: &str = "\
apiVersion: v1
kind: ConfigMap
metadata: {name: ok}
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Service
    metadata: {name: s}
    spec:
      ports:
        - port: \"80\"
  - apiVersion: example.com/v1
    kind: Widget
    metadata: {name: w}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  selector: {matchLabels: {a: b}}
  template:
    spec:
      containers:
        - name: c
          image: i
          imagePullPolice: Always
";

#[test]
fn reports_each_error_at_its_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("out/stream.yaml"), STREAM).unwrap();
    std::fs::write(dir.path().join("out/notes.txt"), "not a manifest").unwrap();
    let (status, report, text) = mlc(dir.path(), &["out"]);
    assert_eq!(status, 1, "{text}");
    let found = found(&report);
    let expect = [
        ("E0402", 13, 17, "/spec/ports/0/port: expected integer"),
        (
            "E0404",
            15,
            11,
            "no schema for apiVersion `example.com/v1` kind `Widget`",
        ),
        ("E0402", 29, 11, "unknown field `imagePullPolice`"),
    ];
    assert_eq!(found.len(), expect.len(), "{found:#?}");
    for ((code, file, line, column, message), (c, l, col, m)) in found.iter().zip(expect) {
        assert_eq!((code.as_str(), *line, *column), (c, l, col), "{message}");
        assert_eq!(file, "out/stream.yaml");
        assert!(message.contains(m), "{message} lacks {m}");
    }
}

#[test]
fn skip_unknown_skips_kinds_without_a_schema() {
    let dir = tempfile::tempdir().unwrap();
    let text = "apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
    std::fs::write(dir.path().join("a.yaml"), text).unwrap();
    let (status, report, _) = mlc(dir.path(), &["a.yaml"]);
    assert_eq!(status, 1);
    assert_eq!(found(&report)[0].0, "E0404");
    let (status, report, out) = mlc(dir.path(), &["--skip-unknown", "a.yaml"]);
    assert_eq!(status, 0, "{out}");
    assert_eq!(found(&report), Vec::new());
}

#[test]
fn exit_statuses_distinguish_bad_input_from_a_run_that_cannot_start() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ok.json"),
        r#"{"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "ml"}}"#,
    )
    .unwrap();
    std::fs::write(dir.path().join("broken.yaml"), "a: [1\n").unwrap();
    assert_eq!(mlc(dir.path(), &["ok.json"]).0, 0);
    let (status, report, _) = mlc(dir.path(), &["ok.json", "broken.yaml"]);
    assert_eq!(status, 1);
    assert_eq!(found(&report)[0].0, "E0403");
    assert_eq!(mlc(dir.path(), &["missing.yaml"]).0, 2);
    let (status, report, _) = mlc(dir.path(), &["--crd", "ok.json", "ok.json"]);
    assert_eq!(status, 2);
    assert_eq!(found(&report)[0].0, "E0405");
}

#[test]
fn crd_files_replace_the_embedded_schemas_and_strict_closes_them() {
    let upstream = support::upstream_dir();
    let crds = upstream.join("crds");
    let crds = crds.to_str().unwrap();
    let examples = upstream.join("examples");
    let examples = examples.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let good = format!("{examples}/good.yaml");
    let unknown = format!("{examples}/bad-unknown.yaml");
    assert_eq!(mlc(dir.path(), &["--crd", crds, &good]).0, 0);
    // The CRDs prune unknown fields: only the Deployment fails without --strict.
    let (status, report, _) = mlc(dir.path(), &["--crd", crds, &unknown]);
    assert_eq!(status, 1);
    let messages: Vec<String> = found(&report).into_iter().map(|f| f.4).collect();
    assert_eq!(messages.len(), 1, "{messages:?}");
    assert!(messages[0].contains("imagePullPolice"));
    let (status, report, _) = mlc(dir.path(), &["--crd", crds, "--strict", &unknown]);
    assert_eq!(status, 1);
    let found = found(&report);
    let lines: Vec<u64> = found.iter().map(|f| f.2).collect();
    assert_eq!(lines, [11, 24, 46], "{found:#?}");
}

#[test]
fn sarif_output_carries_each_error_with_its_region() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("out")).unwrap();
    std::fs::write(dir.path().join("out/stream.yaml"), STREAM).unwrap();
    let run = |path: &str| {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
            .args(["--format", "sarif", "validate", path])
            .current_dir(dir.path())
            .output()
            .expect("run mlc");
        let log: Value = serde_json::from_slice(&out.stdout).expect("a SARIF log on stdout");
        (out.status.code(), log)
    };
    let (status, log) = run("out");
    assert_eq!(status, Some(1));
    assert_eq!(log["version"], "2.1.0");
    let results = log["runs"][0]["results"].as_array().expect("results");
    let found: Vec<(&str, &str, u64, u64)> = results
        .iter()
        .map(|r| {
            let at = &r["locations"][0]["physicalLocation"];
            (
                r["ruleId"].as_str().unwrap_or_default(),
                at["artifactLocation"]["uri"].as_str().unwrap_or_default(),
                at["region"]["startLine"].as_u64().unwrap_or(0),
                at["region"]["startColumn"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        found,
        [
            ("E0402", "out/stream.yaml", 13, 17),
            ("E0404", "out/stream.yaml", 15, 11),
            ("E0402", "out/stream.yaml", 29, 11),
        ]
    );
    assert!(results.iter().all(|r| r["level"] == "error"));
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    assert!(rules.iter().any(|r| r["id"] == "E0402"));

    std::fs::write(
        dir.path().join("ok.yaml"),
        "apiVersion: v1\nkind: Namespace\nmetadata: {name: ml}\n",
    )
    .unwrap();
    let (status, log) = run("ok.yaml");
    assert_eq!(status, Some(0));
    assert_eq!(log["runs"][0]["results"], Value::Array(Vec::new()));
}

/// The fast parse (no locations) leaves YAML 1.1 look-alikes to the located parse, so a plain
/// `yes` is still a boolean where a string is expected, and a quoted one still a string.
#[test]
fn yaml_1_1_scalars_read_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let config = |value: &str| {
        format!(
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {{name: c}}\ndata:\n  flag: {value}\n  digest: sha256:0{value}\n"
        )
    };
    std::fs::write(dir.path().join("plain.yaml"), config("yes")).unwrap();
    std::fs::write(dir.path().join("zero.yaml"), config("010")).unwrap();
    std::fs::write(dir.path().join("quoted.yaml"), config("\"yes\"")).unwrap();
    let (status, report, out) = mlc(dir.path(), &["."]);
    assert_eq!(status, 1, "{out}");
    let found: Vec<(String, String, u64, u64)> = found(&report)
        .into_iter()
        .map(|(code, file, line, column, _)| (code, file, line, column))
        .collect();
    assert_eq!(
        found,
        [
            ("E0402".to_owned(), "plain.yaml".to_owned(), 5, 9),
            ("E0402".to_owned(), "zero.yaml".to_owned(), 5, 9),
        ]
    );
}

/// Runs `mlc` with `args` (human output) and gives (status, stderr).
fn mlc_human(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run mlc");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_example_builds_to_a_tree_that_mlc_validate_accepts() {
    let examples = support::repo().join("examples");
    let mut projects: Vec<_> = std::fs::read_dir(&examples)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("mlc.kdl").is_file())
        .collect();
    projects.sort();
    assert!(
        !projects.is_empty(),
        "no example under {}",
        examples.display()
    );
    for project in projects {
        let out = tempfile::tempdir().unwrap();
        let manifests = out.path().join("manifests");
        let (status, stderr) = mlc_human(
            &project,
            &["build", ".", "--out", manifests.to_str().unwrap()],
        );
        assert_eq!(status, 0, "{}: build failed:\n{stderr}", project.display());
        let (status, stderr) = mlc_human(out.path(), &["validate", "manifests/"]);
        assert_eq!(status, 0, "{}: {stderr}", project.display());
        assert!(stderr.contains(" 0 invalid"), "{stderr}");
        assert!(
            stderr.contains("manifests/images/mlc-serve/image-config.json"),
            "the image spec is skipped by name: {stderr}"
        );
        // The kustomizations are checked, not skipped: a typo in one is an error.
        let kustomization = std::fs::read_dir(manifests.join("envs"))
            .unwrap()
            .filter_map(Result::ok)
            .map(|e| e.path().join("kustomization.yaml"))
            .find(|p| p.is_file())
            .unwrap();
        let text = std::fs::read_to_string(&kustomization).unwrap();
        std::fs::write(&kustomization, text.replace("resources:", "resource:")).unwrap();
        let (status, report, _) = mlc(out.path(), &["manifests/"]);
        assert_eq!(status, 1, "{report}");
        let errors = found(&report);
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].0, "E0402");
        assert!(
            errors[0].4.contains("unknown field `resource`"),
            "{errors:?}"
        );
    }
}

#[test]
fn a_document_without_kind_is_an_error_outside_kustomization_files() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("mlc.lock"), "not: [yaml\n").unwrap();
    std::fs::create_dir(dir.path().join("images")).unwrap();
    std::fs::write(dir.path().join("images/image-config.json"), "{}").unwrap();
    std::fs::write(dir.path().join("kindless.yaml"), "metadata: {name: x}\n").unwrap();
    std::fs::write(
        dir.path().join("kustomization.yaml"),
        "resources: [kindless.yaml]\n",
    )
    .unwrap();
    let (status, report, _) = mlc(dir.path(), &["."]);
    assert_eq!(status, 1);
    let errors = found(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(
        (errors[0].0.as_str(), errors[0].1.as_str()),
        ("E0404", "kindless.yaml")
    );
    // Without the `mlc.lock` beside it, `images/` is an ordinary directory of manifests.
    std::fs::remove_file(dir.path().join("mlc.lock")).unwrap();
    let (_, report, _) = mlc(dir.path(), &["."]);
    let files: Vec<String> = found(&report).into_iter().map(|f| f.1).collect();
    assert_eq!(files, ["images/image-config.json", "kindless.yaml"]);
}

#[test]
fn a_stream_of_5001_documents_loads_and_its_one_error_is_located() {
    let dir = tempfile::tempdir().unwrap();
    let doc = "---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n";
    let mut text = doc.repeat(5000);
    text.push_str("---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata: [x]\n");
    std::fs::write(dir.path().join("stream.yaml"), text).unwrap();
    let (status, report, _) = mlc(dir.path(), &["stream.yaml"]);
    assert_eq!(status, 1, "{report}");
    let errors = found(&report);
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].0.as_str(), errors[0].2), ("E0402", 25_006));
}

#[test]
fn every_golden_build_output_passes_the_schemas_and_the_admission_rules() {
    let golden = support::repo().join("golden").join("build");
    let mut trees: Vec<String> = std::fs::read_dir(&golden)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("expected"))
        .filter(|p| p.is_dir())
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    trees.sort();
    assert!(trees.len() >= 10, "{trees:?}");
    // Each tree is one project's output, applied on its own.
    for tree in &trees {
        let (status, report, _) = mlc(&golden, &[tree.as_str()]);
        assert_eq!(status, 0, "{tree}: {:#?}", found(&report));
    }
}
