//! The Open Inference Protocol v2 over real HTTP against the real binary, ONNX Runtime and
//! models: metadata, JSON and binary inference, and the error statuses.

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

use common::{Fixtures, IRIS_ROWS, Server, fixtures, iris_request, request};
use serde_json::json;

fn iris_server(fx: &Fixtures, name: &str) -> Server {
    let config = format!(
        "server:\n  max_body_bytes: 16384\nmodels:\n  - name: iris\n    version: \"3\"\n    path: {}\n  - name: magika\n    path: {}\n",
        fx.model("iris_logreg.onnx").display(),
        fx.model("magika_standard_v3_3.onnx").display()
    );
    Server::start(fx, name, &config)
}

#[test]
fn serves_health_and_server_metadata() {
    let Some(fx) = fixtures() else { return };
    let server = iris_server(&fx, "health");
    assert_eq!(server.get("/v2/health/live").json(), json!({"live": true}));
    assert_eq!(
        server.get("/v2/health/ready").json(),
        json!({"ready": true})
    );
    assert_eq!(
        server.get("/v2/models/iris/ready").json(),
        json!({"name": "iris", "ready": true})
    );
    assert_eq!(server.get("/v2/models/iris/versions/3/ready").status, 200);
    let meta = server.get("/v2").json();
    assert_eq!(meta["name"], "mlc-serve");
    assert_eq!(
        meta["extensions"],
        json!(["binary_tensor_data", "model_configuration", "statistics"])
    );
    assert_eq!(server.get("/v2/").status, 200);
}

#[test]
fn reports_model_metadata_with_dynamic_dimensions() {
    let Some(fx) = fixtures() else { return };
    let server = iris_server(&fx, "metadata");
    let meta = server.get("/v2/models/iris").json();
    assert_eq!(meta["name"], "iris");
    assert_eq!(meta["platform"], "onnx_onnxv1");
    assert_eq!(meta["versions"], json!(["3"]));
    assert_eq!(
        meta["inputs"],
        json!([{"name": "X", "datatype": "FP32", "shape": [-1, 4]}])
    );
    assert_eq!(
        meta["outputs"],
        json!([
            {"name": "label", "datatype": "INT64", "shape": [-1]},
            {"name": "probabilities", "datatype": "FP32", "shape": [-1, 3]}
        ])
    );
    assert_eq!(
        server.get("/v2/models/iris/versions/3").json()["name"],
        "iris"
    );
    assert_eq!(server.get("/v2/models/iris/versions/4").status, 404);
    let magika = server.get("/v2/models/magika").json();
    assert_eq!(magika["inputs"][0]["datatype"], "INT32");
    assert_eq!(magika["inputs"][0]["shape"], json!([-1, 2048]));
}

#[test]
fn infers_iris_classes_with_json_tensors() {
    let Some(fx) = fixtures() else { return };
    let server = iris_server(&fx, "json");
    let rows: Vec<[f32; 4]> = IRIS_ROWS.iter().map(|(r, _)| *r).collect();
    let mut body = iris_request(&rows);
    body["id"] = json!("req-42");
    let response = server.post_json("/v2/models/iris/infer", &body);
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let out = response.json();
    assert_eq!(out["model_name"], "iris");
    assert_eq!(out["model_version"], "3");
    assert_eq!(out["id"], "req-42");
    let label = &out["outputs"][0];
    assert_eq!(label["name"], "label");
    assert_eq!(label["datatype"], "INT64");
    assert_eq!(label["shape"], json!([3]));
    let expected: Vec<i64> = IRIS_ROWS.iter().map(|(_, c)| *c).collect();
    assert_eq!(label["data"], json!(expected));
    let probs = &out["outputs"][1];
    assert_eq!(probs["shape"], json!([3, 3]));
    let values: Vec<f64> = probs["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap())
        .collect();
    for (row, (_, class)) in values.chunks(3).zip(IRIS_ROWS) {
        let sum: f64 = row.iter().sum();
        assert!((sum - 1.0).abs() < 1e-4, "probabilities sum to {sum}");
        let argmax = row
            .iter()
            .enumerate()
            .max_by(|a, b| a.1.total_cmp(b.1))
            .unwrap()
            .0;
        assert_eq!(argmax as i64, class);
        assert!(row.iter().all(|p| (0.0..=1.0).contains(p)));
    }
    assert!(values[0] > 0.9, "setosa is confident: {}", values[0]);
}

#[test]
fn accepts_nested_data_and_filters_outputs() {
    let Some(fx) = fixtures() else { return };
    let server = iris_server(&fx, "nested");
    let body = json!({
        "inputs": [{"name": "X", "shape": [2, 4], "datatype": "FP32",
                    "data": [[5.1, 3.5, 1.4, 0.2], [6.7, 3, 5.2, 2.3]]}],
        "outputs": [{"name": "label"}]
    });
    let out = server
        .post_json("/v2/models/iris/versions/3/infer", &body)
        .json();
    assert_eq!(out["outputs"].as_array().unwrap().len(), 1);
    assert_eq!(out["outputs"][0]["data"], json!([0, 2]));
    assert!(out.get("id").is_none());
}

#[test]
fn rejects_wrong_datatypes_shapes_and_values_with_400() {
    let Some(fx) = fixtures() else { return };
    let server = iris_server(&fx, "errors");
    let cases = [
        (
            json!({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP64", "data": [1, 2, 3, 4]}]}),
            "FP64",
        ),
        (
            json!({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "INT64", "data": [1, 2, 3, 4]}]}),
            "INT64",
        ),
        (
            json!({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, "x", 4]}]}),
            "invalid type",
        ),
        (
            json!({"inputs": [{"name": "X", "shape": [1, 5], "datatype": "FP32", "data": [1, 2, 3, 4, 5]}]}),
            "shape",
        ),
        (
            json!({"inputs": [{"name": "X", "shape": [2, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}),
            "elements",
        ),
        (
            json!({"inputs": [{"name": "Y", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}]}),
            "unknown input",
        ),
        (json!({"inputs": []}), "missing input"),
        (
            json!({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FLOAT", "data": [1, 2, 3, 4]}]}),
            "unknown datatype",
        ),
        (
            json!({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "data": [1, 2, 3, 4]}], "outputs": [{"name": "nope"}]}),
            "unknown output",
        ),
        (
            json!({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "data": [1e300, 2, 3, 4]}]}),
            "not a valid",
        ),
    ];
    for (body, needle) in cases {
        let response = server.post_json("/v2/models/iris/infer", &body);
        assert_eq!(response.status, 400, "{body}");
        assert!(
            response.error().contains(needle),
            "{body}: {}",
            response.error()
        );
    }
    let magika_float =
        json!({"inputs": [{"name": "bytes", "shape": [1, 1], "datatype": "INT32", "data": [1.5]}]});
    let response = server.post_json("/v2/models/magika/infer", &magika_float);
    assert_eq!(response.status, 400);
    assert!(response.error().contains("1.5"), "{}", response.error());
}

#[test]
fn rejects_malformed_json_unknown_models_and_large_bodies() {
    let Some(fx) = fixtures() else { return };
    let server = iris_server(&fx, "status");
    let malformed = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[],
        b"{\"inputs\": [",
    );
    assert_eq!(malformed.status, 400);
    assert!(malformed.error().contains("malformed"));
    let unknown = server.post_json("/v2/models/nope/infer", &iris_request(&[IRIS_ROWS[0].0]));
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.error(), "unknown model `nope`");
    assert_eq!(server.get("/v2/models/nope").status, 404);
    assert_eq!(server.get("/nowhere").status, 404);
    let big = vec![b' '; 20000];
    let too_large = request(server.addr, "POST", "/v2/models/iris/infer", &[], &big);
    assert_eq!(too_large.status, 413);
    assert!(too_large.error().contains("16384"));
    let metrics = server.metrics();
    assert_eq!(
        common::metric(
            &metrics,
            "mlc_serve_requests_total{model=\"iris\",code=\"413\"}"
        ),
        1.0
    );
    assert_eq!(
        common::metric(
            &metrics,
            "mlc_serve_requests_total{model=\"\",code=\"404\"}"
        ),
        1.0
    );
}

/// The binary extension as tritonclient writes it: JSON header, then raw little-endian tensors.
#[test]
fn round_trips_binary_tensors() {
    let Some(fx) = fixtures() else { return };
    let server = iris_server(&fx, "binary");
    let rows = [IRIS_ROWS[0].0, IRIS_ROWS[2].0];
    let raw: Vec<u8> = rows
        .iter()
        .flatten()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    let header = json!({
        "id": "bin",
        "inputs": [{"name": "X", "shape": [2, 4], "datatype": "FP32", "parameters": {"binary_data_size": raw.len()}}],
        "outputs": [{"name": "probabilities", "parameters": {"binary_data": true}}, {"name": "label", "parameters": {"binary_data": false}}]
    })
    .to_string();
    let mut body = header.clone().into_bytes();
    body.extend_from_slice(&raw);
    let len = header.len().to_string();
    let response = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[
            ("Inference-Header-Content-Length", &len),
            ("Content-Type", "application/octet-stream"),
        ],
        &body,
    );
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let json_len: usize = response
        .header("Inference-Header-Content-Length")
        .unwrap()
        .parse()
        .unwrap();
    let out: serde_json::Value = serde_json::from_slice(&response.body[..json_len]).unwrap();
    assert_eq!(out["id"], "bin");
    let probs = &out["outputs"][0];
    assert_eq!(probs["name"], "probabilities");
    assert!(probs.get("data").is_none());
    let size = probs["parameters"]["binary_data_size"].as_u64().unwrap() as usize;
    assert_eq!(size, 2 * 3 * 4);
    let binary = &response.body[json_len..];
    assert_eq!(binary.len(), size);
    let values: Vec<f32> = binary
        .chunks_exact(4)
        .map(|c| f32::from_le_bytes(c.try_into().unwrap()))
        .collect();
    assert_eq!(out["outputs"][1]["data"], json!([0, 2]));

    let json_out = server
        .post_json("/v2/models/iris/infer", &iris_request(&rows))
        .json();
    let expected: Vec<f32> = json_out["outputs"][1]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_f64().unwrap() as f32)
        .collect();
    assert_eq!(values, expected);

    // All outputs binary via binary_data_output; INT32 binary input on magika.
    let bytes: Vec<u8> = (0..2048)
        .flat_map(|i: i32| (i % 256).to_le_bytes())
        .collect();
    let header = json!({
        "parameters": {"binary_data_output": true},
        "inputs": [{"name": "bytes", "shape": [1, 2048], "datatype": "INT32", "parameters": {"binary_data_size": bytes.len()}}]
    })
    .to_string();
    let mut body = header.clone().into_bytes();
    body.extend_from_slice(&bytes);
    let len = header.len().to_string();
    let response = request(
        server.addr,
        "POST",
        "/v2/models/magika/infer",
        &[("Inference-Header-Content-Length", &len)],
        &body,
    );
    assert_eq!(
        response.status,
        200,
        "{}",
        String::from_utf8_lossy(&response.body)
    );
    let json_len: usize = response
        .header("Inference-Header-Content-Length")
        .unwrap()
        .parse()
        .unwrap();
    let out: serde_json::Value = serde_json::from_slice(&response.body[..json_len]).unwrap();
    assert_eq!(out["outputs"][0]["shape"], json!([1, 214]));
    assert_eq!(response.body.len() - json_len, 214 * 4);
}

#[test]
fn rejects_inconsistent_binary_framing() {
    let Some(fx) = fixtures() else { return };
    let server = iris_server(&fx, "framing");
    let header = json!({"inputs": [{"name": "X", "shape": [1, 4], "datatype": "FP32", "parameters": {"binary_data_size": 16}}]}).to_string();
    let mut body = header.clone().into_bytes();
    body.extend_from_slice(&[0u8; 8]);
    let len = header.len().to_string();
    let short = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[("Inference-Header-Content-Length", &len)],
        &body,
    );
    assert_eq!(short.status, 400, "{}", short.error());
    let bad_len = request(
        server.addr,
        "POST",
        "/v2/models/iris/infer",
        &[("Inference-Header-Content-Length", "x")],
        &body,
    );
    assert_eq!(bad_len.status, 400);
}
