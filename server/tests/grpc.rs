//! The OIP v2 gRPC service with a real client, `tritonclient[grpc]` from PyPI, against the real
//! binary (`tests/python/grpc_check.py`): health, metadata, inference on every datatype (raw
//! contents as tritonclient sends them, and the typed `contents` fields), BYTES, compression,
//! and errors as gRPC status codes. Skipped with a notice when tritonclient[grpc] or numpy is
//! missing, except under `CI=true`.

#![allow(
    clippy::unwrap_used,
    clippy::format_push_string,
    clippy::float_cmp,
    reason = "test code: a failure panics, counts are exact"
)]

mod common;
#[path = "common/grpc.rs"]
mod grpc_support;

use std::path::Path;
use std::time::Duration;

use common::{Server, fixtures, python_modules, run_python};
use grpc_support::grpc_addr;

const DATATYPES: [&str; 13] = [
    "fp32", "fp64", "fp16", "bf16", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "bool",
];

#[test]
fn tritonclient_grpc_metadata_inference_and_status_codes() {
    let Some(fx) = fixtures() else { return };
    if !python_modules(
        &["tritonclient.grpc", "numpy"],
        "pip install 'tritonclient[grpc]' numpy",
    ) {
        return;
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/models");
    let mut config = format!(
        "server:\n  grpc_port: 0\nmodels:\n  - name: iris\n    path: {}\n    batching:\n      max_batch_size: 32\n      max_queue_delay: 2ms\n  - name: text\n    path: {}\n",
        fx.model("iris_logreg.onnx").display(),
        dir.join("bytes.onnx").display()
    );
    for name in DATATYPES {
        config.push_str(&format!(
            "  - name: {name}\n    path: {}\n",
            dir.join(format!("{name}.onnx")).display()
        ));
    }
    let server = Server::start(&fx, "grpc", &config);
    let addr = grpc_addr(&server);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/grpc_check.py");
    let out = run_python(&script, &[&addr.to_string()], Duration::from_mins(1));
    assert!(out.contains("grpc OK"), "{out}");
    // gRPC inferences count in the same metrics as HTTP ones.
    let metrics = server.metrics();
    let ok = common::metric(
        &metrics,
        "mlc_serve_requests_total{model=\"iris\",code=\"200\"}",
    );
    assert_eq!(ok, 3.0, "{metrics}");
}
