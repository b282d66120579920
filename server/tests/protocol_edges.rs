//! Protocol edges that real clients hit: gzip and deflate request bodies, compressed responses
//! when asked, JSON error bodies for a wrong method, the model configuration extension and the
//! statistics extension. Real binary on 127.0.0.1.

#![allow(clippy::unwrap_used, reason = "test code: a failed expectation panics")]

mod common;

use std::io::{Read, Write};

use common::{Server, fixtures, iris_request, request};
use serde_json::{Value, json};

fn iris(name: &str, batching: bool) -> Option<Server> {
    let fx = fixtures()?;
    let mut config = format!(
        "models:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    if batching {
        config.push_str("    batching:\n      max_batch_size: 16\n      max_queue_delay: 2ms\n");
    }
    Some(Server::start(&fx, name, &config))
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn zlib(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).unwrap();
    e.finish().unwrap()
}

fn rows() -> Vec<[f32; 4]> {
    vec![[5.1, 3.5, 1.4, 0.2]; 8]
}

#[test]
fn compressed_request_bodies_are_inflated() {
    let Some(server) = iris("gzip-in", false) else {
        return;
    };
    let body = iris_request(&rows()).to_string().into_bytes();
    for (encoding, compressed) in [("gzip", gzip(&body)), ("deflate", zlib(&body))] {
        let r = request(
            server.addr,
            "POST",
            "/v2/models/iris/infer",
            &[
                ("Content-Type", "application/json"),
                ("Content-Encoding", encoding),
            ],
            &compressed,
        );
        assert_eq!(
            r.status,
            200,
            "{encoding}: {}",
            String::from_utf8_lossy(&r.body)
        );
        assert_eq!(r.json()["outputs"][0]["shape"], json!([8]), "{encoding}");
    }
    let r = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[("Content-Encoding", "gzip")],
        b"not gzip at all",
    );
    assert_eq!(r.status, 400);
    assert!(r.error().contains("decompress"), "{}", r.error());
    let r = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[("Content-Encoding", "br")],
        &body,
    );
    assert_eq!(r.status, 415);
    assert!(r.error().contains("Content-Encoding"), "{}", r.error());
}

#[test]
fn a_compressed_body_may_not_inflate_past_the_limit() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "server:\n  max_body_bytes: 4096\nmodels:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Server::start(&fx, "gzip-bomb", &config);
    let bomb = gzip(&vec![b' '; 1 << 20]);
    assert!(bomb.len() < 4096);
    let r = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[("Content-Encoding", "gzip")],
        &bomb,
    );
    assert_eq!(r.status, 413);
    assert!(r.error().contains("limit"), "{}", r.error());
}

#[test]
fn responses_are_compressed_when_asked() {
    let Some(server) = iris("gzip-out", false) else {
        return;
    };
    let body = iris_request(&rows()).to_string().into_bytes();
    let plain = request(server.addr, "POST", "/v2/models/iris/infer", &[], &body);
    assert_eq!(plain.status, 200);
    assert_eq!(plain.header("Content-Encoding"), None);
    let r = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[("Accept-Encoding", "gzip")],
        &body,
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("Content-Encoding"), Some("gzip"));
    let mut text = Vec::new();
    flate2::read::GzDecoder::new(r.body.as_slice())
        .read_to_end(&mut text)
        .unwrap();
    assert_eq!(text, plain.body);
    let r = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[("Accept-Encoding", "deflate")],
        &body,
    );
    assert_eq!(r.header("Content-Encoding"), Some("deflate"));
    let mut text = Vec::new();
    flate2::read::ZlibDecoder::new(r.body.as_slice())
        .read_to_end(&mut text)
        .unwrap();
    assert_eq!(text, plain.body);
}

#[test]
fn every_error_is_a_json_body() {
    let Some(server) = iris("errors", false) else {
        return;
    };
    for (method, path, status) in [
        ("GET", "/v2/models/iris/infer", 405),
        ("DELETE", "/v2/models/iris", 405),
        ("POST", "/v2/health/ready", 405),
        ("GET", "/v2/nothing/here", 404),
        ("GET", "/v2/models/nope/config", 404),
        ("GET", "/v2/models/nope/stats", 404),
    ] {
        let r = request(server.addr, method, path, &[], b"");
        assert_eq!(r.status, status, "{method} {path}");
        assert_eq!(
            r.header("Content-Type"),
            Some("application/json"),
            "{method} {path}"
        );
        assert!(
            !r.error().is_empty(),
            "{method} {path}: {}",
            String::from_utf8_lossy(&r.body)
        );
    }
}

#[test]
fn model_configuration_comes_from_the_onnx_metadata() {
    let Some(server) = iris("config", true) else {
        return;
    };
    let config = server.get("/v2/models/iris/config").json();
    assert_eq!(config["name"], "iris");
    assert_eq!(config["platform"], "onnxruntime_onnx");
    assert_eq!(config["max_batch_size"], 16);
    assert_eq!(
        config["input"],
        json!([{"name": "X", "data_type": "TYPE_FP32", "dims": [4]}])
    );
    assert_eq!(config["output"][0]["name"], "label");
    assert_eq!(config["output"][0]["data_type"], "TYPE_INT64");
    assert_eq!(config["output"][1]["dims"], json!([3]));
    assert_eq!(
        config["dynamic_batching"]["max_queue_delay_microseconds"],
        2000
    );
    assert_eq!(config["instance_group"][0]["count"], 1);
}

#[test]
fn statistics_count_requests_runs_and_batch_sizes() {
    let Some(server) = iris("stats", false) else {
        return;
    };
    for _ in 0..3 {
        let r = server.post_json("/v2/models/iris/infer", &iris_request(&rows()[..2]));
        assert_eq!(r.status, 200);
    }
    let bad = json!({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP64", "data": [1, 2, 3, 4]}]});
    assert_eq!(server.post_json("/v2/models/iris/infer", &bad).status, 400);
    let stats = server.get("/v2/models/iris/stats").json();
    let entry: &Value = &stats["model_stats"][0];
    assert_eq!(entry["name"], "iris");
    assert_eq!(entry["inference_count"], 6);
    assert_eq!(entry["execution_count"], 3);
    assert_eq!(entry["inference_stats"]["success"]["count"], 3);
    assert_eq!(entry["inference_stats"]["fail"]["count"], 1);
    assert_eq!(entry["inference_stats"]["queue"]["count"], 3);
    assert!(
        entry["inference_stats"]["compute_infer"]["ns"]
            .as_u64()
            .unwrap()
            > 0
    );
    assert_eq!(entry["batch_stats"][0]["batch_size"], 2);
    assert_eq!(entry["batch_stats"][0]["compute_infer"]["count"], 3);
    let all = server.get("/v2/models/stats").json();
    assert_eq!(all["model_stats"].as_array().unwrap().len(), 1);
}
