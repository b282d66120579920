//! Outputs equal Python onnxruntime's within 1e-5 on the shared models (iris, magika, silero
//! VAD, the PP-OCRv4 detector at 32×32): the fixed inputs and the reference outputs are in
//! `tests/refs/*.json`, written by `tests/refs/make_refs.py`. Each reference goes once as JSON
//! tensors and once as binary tensors with binary outputs.

#![allow(
    clippy::unwrap_used,
    clippy::print_stderr,
    clippy::format_push_string,
    reason = "test code: a failed expectation panics"
)]

mod common;

use std::path::Path;

use common::{Server, fixtures, infer_binary};
use serde_json::Value;

const TOLERANCE: f64 = 1e-5;

fn reference(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/refs/{name}.json"));
    serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
}

fn check_outputs(name: &str, how: &str, reference: &Value, got: &Value) {
    for expected in reference["outputs"].as_array().unwrap() {
        let output_name = expected["name"].as_str().unwrap();
        let actual = got["outputs"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["name"] == output_name)
            .unwrap_or_else(|| panic!("{name} ({how}): output `{output_name}` missing: {got}"));
        assert_eq!(actual["datatype"], expected["datatype"], "{name} {how}");
        assert_eq!(actual["shape"], expected["shape"], "{name} {how}");
        let want = expected["data"].as_array().unwrap();
        let have = actual["data"].as_array().unwrap();
        assert_eq!(have.len(), want.len(), "{name} {how} `{output_name}`");
        let mut worst = 0.0_f64;
        for (i, (h, w)) in have.iter().zip(want).enumerate() {
            let (h, w) = (h.as_f64().unwrap(), w.as_f64().unwrap());
            let diff = (h - w).abs();
            assert!(
                diff <= TOLERANCE * w.abs().max(1.0),
                "{name} ({how}) `{output_name}`[{i}]: {h} vs onnxruntime {w}"
            );
            worst = worst.max(diff);
        }
        eprintln!("{name} ({how}) `{output_name}`: max abs difference {worst:e}");
    }
}

#[test]
fn outputs_equal_python_onnxruntime() {
    let Some(fx) = fixtures() else { return };
    let names = ["iris", "magika", "silero", "ocr"];
    let mut config = String::from("models:\n");
    for name in names {
        let file = reference(name)["model"].as_str().unwrap().to_owned();
        config.push_str(&format!(
            "  - name: {name}\n    path: {}\n",
            fx.model(&file).display()
        ));
    }
    let server = Server::start(&fx, "reference", &config);
    for name in names {
        let reference = reference(name);
        let path = format!("/v2/models/{name}/infer");
        let body = serde_json::json!({"inputs": reference["inputs"]});
        let response = server.post_json(&path, &body);
        assert_eq!(
            response.status,
            200,
            "{name}: {}",
            String::from_utf8_lossy(&response.body)
        );
        check_outputs(name, "JSON", &reference, &response.json());
        let got = infer_binary(server.addr, &path, reference["inputs"].as_array().unwrap());
        check_outputs(name, "binary", &reference, &got);
    }
}
