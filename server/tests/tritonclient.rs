//! A real Open Inference Protocol v2 client, `tritonclient[http]` from PyPI, against the real
//! binary: metadata, and inferences with binary data on and off for inputs and outputs
//! (`tests/python/tritonclient_check.py`). Skipped with a notice when tritonclient, numpy or
//! ONNX Runtime is missing, except under `CI=true` (`.ci/setup.d/python-runtime-tools.sh`).

#![allow(
    clippy::unwrap_used,
    clippy::float_cmp,
    reason = "test code: a failure panics, counts are exact"
)]

mod common;

use std::path::Path;
use std::time::Duration;

use common::{Server, fixtures, python_modules, run_python};

#[test]
fn tritonclient_infers_with_binary_data_on_and_off() {
    let Some(fx) = fixtures() else { return };
    if !python_modules(
        &["tritonclient.http", "numpy"],
        "pip install 'tritonclient[http]' numpy",
    ) {
        return;
    }
    let model = fx.model("iris_logreg.onnx");
    let server = Server::spawn(&fx, &["--model", model.to_str().unwrap(), "--name", "iris"]);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/tritonclient_check.py");
    let out = run_python(
        &script,
        &[&server.addr.to_string(), "iris"],
        Duration::from_mins(1),
    );
    assert!(out.contains("inferences OK"), "{out}");
    // Every inference reached the server: 9 succeeded, the wrong shape was a 400.
    let metrics = server.metrics();
    let ok = common::metric(
        &metrics,
        "mlc_serve_requests_total{model=\"iris\",code=\"200\"}",
    );
    let bad = common::metric(
        &metrics,
        "mlc_serve_requests_total{model=\"iris\",code=\"400\"}",
    );
    assert_eq!((ok, bad), (9.0, 1.0), "{metrics}");
}
