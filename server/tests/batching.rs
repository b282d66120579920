//! Adaptive batching with the real binary: a request to an idle model runs at once, requests
//! that arrive while the session is busy share the next run and get their own rows back, and a
//! model that cannot batch (silero VAD) serves with batching off.

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

/// One magika request of one row whose bytes all equal `value`.
fn magika_request(value: i32) -> serde_json::Value {
    json!({"inputs": [{"name": "bytes", "shape": [1, 2048], "datatype": "INT32",
                       "data": vec![value; 2048]}]})
}

#[test]
fn requests_arriving_during_a_run_form_one_batch_and_get_their_own_rows() {
    let Some(fx) = fixtures() else { return };
    // Magika runs for milliseconds: requests sent together find the session busy and wait.
    let config = format!(
        "models:\n  - name: magika\n    path: {}\n    batching:\n      max_batch_size: 64\n      max_queue_delay: 1s\n",
        fx.model("magika_standard_v3_3.onnx").display()
    );
    let server = Arc::new(Server::start(&fx, "batching", &config));
    const CLIENTS: usize = 16;
    let value = |i: usize| i32::try_from(i * 16).unwrap();
    // Alone, one at a time: each runs at once in its own batch, and gives the expected answer.
    let alone: Vec<serde_json::Value> = (0..CLIENTS)
        .map(|i| {
            let response = server.post_json("/v2/models/magika/infer", &magika_request(value(i)));
            assert_eq!(response.status, 200, "{}", response.error());
            response.json()["outputs"][0]["data"].clone()
        })
        .collect();
    let alone = Arc::new(alone);
    let barrier = Arc::new(std::sync::Barrier::new(CLIENTS));
    let handles: Vec<_> = (0..CLIENTS)
        .map(|i| {
            let (server, alone, barrier) = (
                Arc::clone(&server),
                Arc::clone(&alone),
                Arc::clone(&barrier),
            );
            std::thread::spawn(move || {
                barrier.wait();
                let response =
                    server.post_json("/v2/models/magika/infer", &magika_request(value(i)));
                assert_eq!(response.status, 200, "{}", response.error());
                let out = response.json();
                assert_eq!(out["outputs"][0]["shape"], json!([1, 214]));
                let got = out["outputs"][0]["data"].as_array().unwrap().clone();
                let want = alone[i].as_array().unwrap();
                for (g, w) in got.iter().zip(want) {
                    let (g, w) = (g.as_f64().unwrap(), w.as_f64().unwrap());
                    assert!(
                        (g - w).abs() <= 1e-4,
                        "client {i} got another row: {g} vs {w}"
                    );
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    let metrics = server.metrics();
    let runs = metric(&metrics, "mlc_serve_batch_requests_count{model=\"magika\"}");
    let rows = metric(&metrics, "mlc_serve_batch_size_sum{model=\"magika\"}");
    let single = metric(
        &metrics,
        "mlc_serve_batch_size_bucket{model=\"magika\",le=\"1\"}",
    );
    let total = 2 * CLIENTS;
    eprintln!("{total} requests ran in {runs} batches ({single} of one row)");
    assert_eq!(rows, total as f64);
    assert!(
        single >= CLIENTS as f64,
        "a lone request waited for a batch"
    );
    assert!(runs < total as f64, "no batch formed: {runs} runs");
    assert_eq!(
        metric(
            &metrics,
            "mlc_serve_requests_total{model=\"magika\",code=\"200\"}"
        ),
        total as f64
    );
    assert_eq!(
        metric(
            &metrics,
            "mlc_serve_queue_duration_seconds_count{model=\"magika\"}"
        ),
        total as f64
    );
}

#[test]
fn a_request_to_an_idle_model_never_waits_out_the_queue_delay() {
    let Some(fx) = fixtures() else { return };
    // A delay far above the request timeout: any request that waited it out would be a 504.
    let config = format!(
        "server:\n  request_timeout: 10s\nmodels:\n  - name: iris\n    path: {}\n    batching:\n      max_batch_size: 32\n      max_queue_delay: 1h\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Server::start(&fx, "idle-batching", &config);
    for (row, class) in IRIS_ROWS.iter().cycle().take(20) {
        let response = server.post_json("/v2/models/iris/infer", &iris_request(&[*row]));
        assert_eq!(response.status, 200, "{}", response.error());
        assert_eq!(response.json()["outputs"][0]["data"], json!([class]));
    }
    let metrics = server.metrics();
    assert_eq!(
        metric(
            &metrics,
            "mlc_serve_batch_size_bucket{model=\"iris\",le=\"1\"}"
        ),
        20.0
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
