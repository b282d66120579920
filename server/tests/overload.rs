//! Back-pressure and timeouts with the real binary and a slow real model (text detection on a
//! 480×480 image, about 0.2 s a run): a full queue answers 429 with `Retry-After`, a
//! request past its deadline answers 504, and the server keeps serving. Loopback only, bounded.

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

use common::{Server, fixtures, metric, request};
use serde_json::json;

fn ocr_body(side: usize) -> (String, Vec<u8>) {
    let bytes = vec![0u8; 3 * side * side * 4];
    let header = json!({
        "inputs": [{"name": "x", "shape": [1, 3, side, side], "datatype": "FP32",
                    "parameters": {"binary_data_size": bytes.len()}}],
        "parameters": {"binary_data_output": true}
    })
    .to_string();
    let mut body = header.clone().into_bytes();
    body.extend_from_slice(&bytes);
    (header.len().to_string(), body)
}

#[test]
fn full_queue_answers_429_with_retry_after() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "server:\n  queue_depth: 1\nmodels:\n  - name: ocr\n    path: {}\n",
        fx.model("ppocrv4_det.onnx").display()
    );
    let server = Arc::new(Server::start(&fx, "overload", &config));
    let (len, body) = ocr_body(480);
    let body = Arc::new(body);
    const CLIENTS: usize = 12;
    let barrier = Arc::new(std::sync::Barrier::new(CLIENTS));
    let handles: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (server, body, len, barrier) = (
                Arc::clone(&server),
                Arc::clone(&body),
                len.clone(),
                Arc::clone(&barrier),
            );
            std::thread::spawn(move || {
                barrier.wait();
                let r = request(
                    server.addr,
                    "POST",
                    "/v2/models/ocr/infer",
                    &[("Inference-Header-Content-Length", &len)],
                    &body,
                );
                (r.status, r.header("Retry-After").map(str::to_owned))
            })
        })
        .collect();
    let results: Vec<(u16, Option<String>)> =
        handles.into_iter().map(|h| h.join().unwrap()).collect();
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let rejected: Vec<_> = results.iter().filter(|(s, _)| *s == 429).collect();
    eprintln!("{ok} served, {} rejected with 429", rejected.len());
    assert!(ok >= 1, "{results:?}");
    assert!(!rejected.is_empty(), "no 429 under overload: {results:?}");
    assert_eq!(ok + rejected.len(), CLIENTS, "{results:?}");
    assert!(
        rejected
            .iter()
            .all(|(_, retry)| retry.as_deref() == Some("1"))
    );
    // Still healthy and serving afterwards.
    assert_eq!(server.get("/v2/health/ready").status, 200);
    let r = request(
        server.addr,
        "POST",
        "/v2/models/ocr/infer",
        &[("Inference-Header-Content-Length", &len)],
        &body,
    );
    assert_eq!(r.status, 200);
    let metrics = server.metrics();
    assert_eq!(
        metric(
            &metrics,
            "mlc_serve_requests_total{model=\"ocr\",code=\"429\"}"
        ),
        rejected.len() as f64
    );
    assert_eq!(
        metric(&metrics, "mlc_serve_queue_depth{model=\"ocr\"}"),
        0.0
    );
    assert_eq!(
        metric(&metrics, "mlc_serve_in_flight_requests{model=\"ocr\"}"),
        0.0
    );
}

#[test]
fn slow_request_times_out_with_504() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "server:\n  request_timeout: 20ms\nmodels:\n  - name: ocr\n    path: {}\n",
        fx.model("ppocrv4_det.onnx").display()
    );
    let server = Server::start(&fx, "timeout", &config);
    let (len, body) = ocr_body(640);
    let r = request(
        server.addr,
        "POST",
        "/v2/models/ocr/infer",
        &[("Inference-Header-Content-Length", &len)],
        &body,
    );
    assert_eq!(r.status, 504, "{}", String::from_utf8_lossy(&r.body));
    assert!(r.error().contains("did not finish"));
    assert_eq!(server.get("/v2/health/live").status, 200);
}
