//! Dynamic batching with the real binary: concurrent requests share runs, results go back to
//! the right caller, and a model that cannot batch (silero VAD) serves with batching off.

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

use std::sync::Arc;

use common::{IRIS_ROWS, Server, fixtures, iris_request, metric};
use serde_json::json;

#[test]
fn concurrent_requests_form_batches_and_get_their_own_rows() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "models:\n  - name: iris\n    path: {}\n    batching:\n      max_batch_size: 64\n      max_queue_delay: 200ms\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Arc::new(Server::start(&fx, "batching", &config));
    const CLIENTS: usize = 16;
    let handles: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let server = Arc::clone(&server);
            std::thread::spawn(move || {
                let (row, class) = IRIS_ROWS[i % IRIS_ROWS.len()];
                let response = server.post_json("/v2/models/iris/infer", &iris_request(&[row]));
                assert_eq!(
                    response.status,
                    200,
                    "{}",
                    String::from_utf8_lossy(&response.body)
                );
                let out = response.json();
                assert_eq!(out["outputs"][0]["shape"], json!([1]));
                assert_eq!(
                    out["outputs"][0]["data"],
                    json!([class]),
                    "client {i} got another row"
                );
                assert_eq!(out["outputs"][1]["shape"], json!([1, 3]));
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let metrics = server.metrics();
    let runs = metric(&metrics, "mlc_serve_batch_requests_count{model=\"iris\"}");
    let rows = metric(&metrics, "mlc_serve_batch_size_sum{model=\"iris\"}");
    let single = metric(
        &metrics,
        "mlc_serve_batch_size_bucket{model=\"iris\",le=\"1\"}",
    );
    eprintln!("{CLIENTS} requests ran in {runs} batches ({single} of one row)");
    assert_eq!(rows, CLIENTS as f64);
    assert!(runs < CLIENTS as f64, "no batch formed: {runs} runs");
    assert!(single < runs, "every run had one row");
    assert_eq!(
        metric(
            &metrics,
            "mlc_serve_requests_total{model=\"iris\",code=\"200\"}"
        ),
        CLIENTS as f64
    );
    assert_eq!(
        metric(
            &metrics,
            "mlc_serve_queue_duration_seconds_count{model=\"iris\"}"
        ),
        CLIENTS as f64
    );
}

#[test]
fn silero_vad_serves_with_batching_off() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "models:\n  - name: vad\n    path: {}\n    batching:\n      max_batch_size: 8\n      max_queue_delay: 5ms\n",
        fx.model("silero_vad.onnx").display()
    );
    let server = Server::start(&fx, "silero", &config);
    assert!(
        server.log_text().contains("dynamic batching is off"),
        "{}",
        server.log_text()
    );
    let meta = server.get("/v2/models/vad").json();
    assert!(meta.get("parameters").is_none(), "{meta}");
    assert_eq!(
        meta["inputs"][2],
        json!({"name": "sr", "datatype": "INT64", "shape": []})
    );
    let audio: Vec<f32> = (0..512).map(|i| (i as f32 * 0.05).sin() * 0.3).collect();
    let body = json!({"inputs": [
        {"name": "input", "shape": [1, 512], "datatype": "FP32", "data": audio},
        {"name": "state", "shape": [2, 1, 128], "datatype": "FP32", "data": vec![0.0f32; 256]},
        {"name": "sr", "shape": [], "datatype": "INT64", "data": 16000}
    ]});
    let response = server.post_json("/v2/models/vad/infer", &body);
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let out = response.json();
    assert_eq!(out["outputs"][0]["name"], "output");
    assert_eq!(out["outputs"][0]["shape"], json!([1, 1]));
    let p = out["outputs"][0]["data"][0].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&p), "speech probability {p}");
    assert_eq!(out["outputs"][1]["shape"], json!([2, 1, 128]));
}
