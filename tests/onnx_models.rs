//! mlc reads real ONNX models (iris, magika, silero VAD; see `tests/fixtures/models/README.md`)
//! without ONNX Runtime: `mlc inspect` as a table and JSON, and the model-aware checks on a
//! project that serves each, against goldens in `golden/models/<case>/` (`MLC_BLESS=1`
//! rewrites them). The model is copied beside the project, so paths in the output are relative.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::path::Path;

fn golden(case: &str, file: &str, actual: &str) {
    let path = support::repo().join("golden/models").join(case).join(file);
    if support::bless() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with MLC_BLESS=1)", path.display()));
    assert_eq!(expected, actual, "{} differs", path.display());
}

fn mlc(dir: &Path, args: &[&str]) -> (String, String, i32) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
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

/// A temporary directory holding a copy of the test model `file`, or `None` (a counted skip).
fn with_model(file: &str) -> Option<tempfile::TempDir> {
    let Some(model) = support::find_model(file) else {
        support::skip(&format!(
            "test model {file} is missing (run `source .ci/setup` to fetch it)"
        ));
        return None;
    };
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(model, dir.path().join(file)).unwrap();
    Some(dir)
}

fn inspect(case: &str, file: &str) {
    let Some(dir) = with_model(file) else { return };
    let (table, _, status) = mlc(dir.path(), &["inspect", file]);
    assert_eq!(status, 0);
    golden(case, "inspect.txt", &table);
    let (json, _, status) = mlc(dir.path(), &["--format", "json", "inspect", file]);
    assert_eq!(status, 0);
    serde_json::from_str::<serde_json::Value>(&json).expect("inspect prints JSON");
    golden(case, "inspect.json", &json);
}

const PROJECT: &str = r#"project demo {
    kubernetes "1.33"
    image base="debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f" revision="v1"
}
"#;

/// `mlc check` and the emitted runtime config of a project serving `file` as `body`.
fn project(case: &str, file: &str, body: &str) {
    let Some(dir) = with_model(file) else { return };
    std::fs::write(dir.path().join("mlc.kdl"), format!("{PROJECT}\n{body}")).unwrap();
    let (_, stderr, status) = mlc(dir.path(), &["--color", "never", "check", "."]);
    golden(case, "check.txt", &format!("{stderr}exit {status}\n"));
    if status == 0 {
        let (yaml, _, status) = mlc(dir.path(), &["build", "--stdout"]);
        assert_eq!(status, 0);
        let config = yaml
            .split("\n---\n")
            .find(|doc| doc.contains("config.yaml"))
            .expect("a runtime ConfigMap");
        golden(case, "configmap-runtime.yaml", &format!("{config}\n"));
    }
}

#[test]
fn iris() {
    inspect("iris", "iris_logreg.onnx");
    project(
        "iris",
        "iris_logreg.onnx",
        r#"model iris {
    artifact "file://iris_logreg.onnx" sha256="8bc0f3b56de0b972ef9555b6f0d0f1bcf55511eecd08a895a72b82c7d8b777a0"
    format onnx
    serve deployment
    batching max-batch=16 max-delay="2ms"
    autoscale min=2 max=2
}
"#,
    );
}

#[test]
fn magika() {
    inspect("magika", "magika_standard_v3_3.onnx");
    project(
        "magika",
        "magika_standard_v3_3.onnx",
        r#"model magika {
    artifact "file://magika_standard_v3_3.onnx" sha256="fe2d2eb49c5f88a9e0a6c048e15d6ffdf86235519c2afc535044de433169ec8c"
    format onnx
    serve deployment
    resources memory="3Mi"
    autoscale min=2 max=2
}
"#,
    );
}

#[test]
fn silero_vad() {
    inspect("silero-vad", "silero_vad.onnx");
    project(
        "silero-vad",
        "silero_vad.onnx",
        r#"model vad {
    artifact "file://silero_vad.onnx" sha256="1a153a22f4509e292a94e67d6f9b85e8deb25b4988682b7e174c65279d8788e3"
    format onnx
    serve deployment
    batching max-batch=32 max-delay="5ms"
    autoscale min=2 max=2
}
"#,
    );
}

#[test]
fn local_copies_of_remote_artifacts_are_read_when_their_digest_matches() {
    let Some(dir) = with_model("iris_logreg.onnx") else {
        return;
    };
    let copies = dir.path().join("copies/s3/models/iris");
    std::fs::create_dir_all(&copies).unwrap();
    std::fs::rename(
        dir.path().join("iris_logreg.onnx"),
        copies.join("model.onnx"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mlc.kdl"),
        format!(
            "{PROJECT}\nmodel iris {{\n    artifact \"s3://models/iris/model.onnx\" sha256=\"8bc0f3b56de0b972ef9555b6f0d0f1bcf55511eecd08a895a72b82c7d8b777a0\"\n    format onnx\n    resources memory=\"64\"\n    autoscale min=2 max=2\n}}\n"
        ),
    )
    .unwrap();
    // Without the copies, nothing is read; with them, the weights are checked (E0341).
    let (_, stderr, status) = mlc(dir.path(), &["check", "."]);
    assert_eq!(status, 0, "{stderr}");
    let (_, stderr, status) = mlc(
        dir.path(),
        &["--color", "never", "check", "--artifacts", "copies", "."],
    );
    assert_eq!(status, 1, "{stderr}");
    assert!(stderr.contains("[E0341]"), "{stderr}");
}
