//! Start-up failures are clear messages and exit status 1, never panics; `--check` validates.

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

mod common;

use std::process::{Command, Output};

use common::{binary, fixtures, write_config};

fn run(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(binary());
    command.args(args).env_clear().env("PATH", "/nonexistent");
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn missing_onnx_runtime_says_how_to_install_it() {
    // No ORT_DYLIB_PATH, no python3 on PATH: nothing to find.
    let output = run(&["--model", "/nonexistent/model.onnx", "--port", "0"], &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(
        text.contains("cannot find the ONNX Runtime library"),
        "{text}"
    );
    assert!(text.contains("pip install onnxruntime==1.32.0"), "{text}");
    assert!(text.contains("ORT_DYLIB_PATH="), "{text}");
}

#[test]
fn bad_onnx_runtime_paths_are_errors_not_panics() {
    let output = run(
        &["--model", "m.onnx"],
        &[("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so.1.32.0")],
    );
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("`ORT_DYLIB_PATH` `/nonexistent/libonnxruntime.so.1.32.0` does not exist"),
        "{text}"
    );

    let not_a_library = env!("CARGO_MANIFEST_DIR").to_owned() + "/Cargo.toml";
    let output = run(&["--model", "m.onnx", "--ort-lib", &not_a_library], &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("cannot load the ONNX Runtime library"),
        "{text}"
    );
    assert!(!text.contains("panicked"), "{text}");
}

#[test]
fn invalid_configuration_is_reported() {
    let path = write_config(
        "bad",
        "models:\n  - name: iris\n    path: x\n    sesions: 2\n",
    );
    let output = run(&["--config", path.to_str().unwrap()], &[]);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(text.contains("sesions"), "{text}");
    let missing = run(&["--config", "/nonexistent/config.yaml"], &[]);
    assert!(stderr(&missing).contains("cannot read the configuration file"));
    let twice = write_config(
        "twice",
        "models:\n  - {name: a, path: x}\n  - {name: a, path: y}\n",
    );
    let output = run(&["--config", twice.to_str().unwrap()], &[]);
    assert!(
        stderr(&output).contains("model `a` is listed twice"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn check_loads_a_model_directory() {
    let Some(fx) = fixtures() else { return };
    let dir = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("mlc-serve-tests/model-dir");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::copy(fx.model("iris_logreg.onnx"), dir.join("iris.onnx")).unwrap();
    let config = write_config(
        "check",
        &format!("models:\n  - name: iris\n    path: {}\n", dir.display()),
    );
    let output = run(
        &["--config", config.to_str().unwrap(), "--check"],
        &[("ORT_DYLIB_PATH", fx.ort_library.to_str().unwrap())],
    );
    assert!(output.status.success(), "{}", stderr(&output));

    let missing = write_config(
        "check-missing",
        "models:\n  - name: iris\n    path: /nonexistent/models\n",
    );
    let output = run(
        &["--config", missing.to_str().unwrap(), "--check"],
        &[("ORT_DYLIB_PATH", fx.ort_library.to_str().unwrap())],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("cannot read model path `/nonexistent/models`"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn json_logs_are_one_object_per_line() {
    let Some(fx) = fixtures() else { return };
    let model = fx.model("iris_logreg.onnx");
    let server = common::Server::spawn(
        &fx,
        &["--model", model.to_str().unwrap(), "--log-format", "json"],
    );
    let log = server.log_text();
    let lines: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(
        lines.iter().any(|l| l["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("listening on http://"))),
        "{log}"
    );
    assert!(
        lines
            .iter()
            .any(|l| l["model"] == "iris_logreg" && l["level"] == "INFO"),
        "{log}"
    );
}

/// The signature mlc writes for iris (`golden/models/iris/configmap-runtime.yaml`).
const IRIS_SIGNATURE: &str = "    signature:
      inputs:
      - {name: X, datatype: FP32, shape: [-1, 4]}
      outputs:
      - {name: label, datatype: INT64, shape: [-1]}
      - {name: probabilities, datatype: FP32, shape: [-1, 3]}
";

#[test]
fn a_model_file_with_another_signature_is_refused_at_load() {
    let Some(fx) = fixtures() else { return };
    let ort = [("ORT_DYLIB_PATH", fx.ort_library.to_str().unwrap())];
    let config = |name: &str, file: &str, signature: &str| {
        write_config(
            name,
            &format!(
                "models:\n  - name: iris\n    path: {}\n{signature}",
                fx.model(file).display()
            ),
        )
    };
    // The file the config was compiled for loads.
    let same = config("signature-same", "iris_logreg.onnx", IRIS_SIGNATURE);
    let output = run(&["--config", same.to_str().unwrap(), "--check"], &ort);
    assert!(output.status.success(), "{}", stderr(&output));
    // Another model behind the same path is refused, with what differs.
    let swapped = config(
        "signature-swapped",
        "magika_standard_v3_3.onnx",
        IRIS_SIGNATURE,
    );
    let output = run(&["--config", swapped.to_str().unwrap(), "--check"], &ort);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(!text.contains("panicked"), "{text}");
    assert!(
        text.contains("is not the model this configuration was compiled for: inputs are [\"bytes\"], expected [\"X\"]"),
        "{text}"
    );
    // A change of shape alone is found too.
    let reshaped = config(
        "signature-reshaped",
        "iris_logreg.onnx",
        &IRIS_SIGNATURE.replace("[-1, 3]", "[-1, 4]"),
    );
    let output = run(&["--config", reshaped.to_str().unwrap(), "--check"], &ort);
    let text = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "{text}");
    assert!(
        text.contains("output `probabilities` has shape [-1, 3], expected [-1, 4]"),
        "{text}"
    );
}

#[test]
fn signatures_mlc_writes_for_silero_match_onnx_runtime() {
    let Some(fx) = fixtures() else { return };
    // As `mlc build` writes it for silero_vad.onnx (a scalar input, symbolic output dims).
    let signature = "    signature:
      inputs:
      - {name: input, datatype: FP32, shape: [-1, -1]}
      - {name: state, datatype: FP32, shape: [2, -1, 128]}
      - {name: sr, datatype: INT64, shape: []}
      outputs:
      - {name: output, datatype: FP32, shape: [-1, 1]}
      - {name: stateN, datatype: FP32, shape: [-1, -1, -1]}
";
    let config = write_config(
        "signature-silero",
        &format!(
            "models:\n  - name: vad\n    path: {}\n{signature}",
            fx.model("silero_vad.onnx").display()
        ),
    );
    let output = run(
        &["--config", config.to_str().unwrap(), "--check"],
        &[("ORT_DYLIB_PATH", fx.ort_library.to_str().unwrap())],
    );
    assert!(output.status.success(), "{}", stderr(&output));
}
