//! The model repository API with the real binary: off by default; on, it lists the configured
//! models with their state, unloads one (503 until loaded again, the server stays ready), and
//! loads a model that failed at start once its file is fixed (the server turns ready).

#![allow(clippy::unwrap_used, reason = "test code: a failed expectation panics")]

mod common;

use std::path::Path;

use common::{IRIS_ROWS, Server, fixtures, iris_request, request};
use serde_json::{Value, json};

fn post(server: &Server, path: &str, body: &str) -> common::Response {
    request(server.addr, "POST", path, &[], body.as_bytes())
}

#[test]
fn the_repository_api_is_off_by_default() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "models:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Server::start(&fx, "repository-off", &config);
    for path in [
        "/v2/repository/index",
        "/v2/repository/models/iris/unload",
        "/v2/repository/models/iris/load",
    ] {
        let r = post(&server, path, "");
        assert_eq!(r.status, 403, "{path}");
        assert!(r.error().contains("model_repository"), "{}", r.error());
    }
    let r = server.post_json("/v2/models/iris/infer", &iris_request(&[IRIS_ROWS[0].0]));
    assert_eq!(r.status, 200);
}

#[test]
fn models_are_listed_unloaded_and_loaded() {
    let Some(fx) = fixtures() else { return };
    let late = Path::new(env!("CARGO_TARGET_TMPDIR")).join("repository-late.onnx");
    std::fs::write(&late, b"not a model yet").unwrap();
    let config = format!(
        "server:\n  model_repository: true\nmodels:\n  - name: iris\n    version: \"2\"\n    path: {}\n  - name: late\n    path: {}\n",
        fx.model("iris_logreg.onnx").display(),
        late.display()
    );
    let server = Server::start(&fx, "repository", &config);
    assert_eq!(server.get("/v2/health/ready").status, 503);
    let index: Value = post(&server, "/v2/repository/index", "").json();
    assert_eq!(index[0]["name"], "iris");
    assert_eq!(index[0]["version"], "2");
    assert_eq!(index[0]["state"], "READY");
    assert_eq!(index[1]["name"], "late");
    assert_eq!(index[1]["state"], "UNAVAILABLE");
    assert!(index[1]["reason"].as_str().unwrap().contains("cannot load"));
    let ready_only: Value = post(&server, "/v2/repository/index", r#"{"ready": true}"#).json();
    assert_eq!(ready_only.as_array().unwrap().len(), 1);

    // Unloaded: 503 with the reason, not ready in the index, the server's readiness unchanged.
    let r = post(&server, "/v2/repository/models/iris/unload", "");
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), json!({"name": "iris", "unload": true}));
    let r = server.post_json("/v2/models/iris/infer", &iris_request(&[IRIS_ROWS[0].0]));
    assert_eq!(r.status, 503);
    assert!(r.error().contains("unloaded"), "{}", r.error());
    let index: Value = post(&server, "/v2/repository/index", "").json();
    assert_eq!(index[0]["state"], "UNAVAILABLE");
    assert_eq!(index[0]["reason"], "unloaded");
    let r = post(&server, "/v2/repository/models/iris/load", "");
    assert_eq!(r.status, 200, "{}", r.error());
    let r = server.post_json("/v2/models/iris/infer", &iris_request(&[IRIS_ROWS[2].0]));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["outputs"][0]["data"], json!([2]));

    // The broken file is fixed: loading it makes the server ready.
    let r = post(&server, "/v2/repository/models/late/load", "");
    assert_eq!(r.status, 400);
    assert!(r.error().contains("cannot load"), "{}", r.error());
    std::fs::copy(fx.model("iris_logreg.onnx"), &late).unwrap();
    let r = post(&server, "/v2/repository/models/late/load", "");
    assert_eq!(r.status, 200, "{}", r.error());
    assert_eq!(server.get("/v2/health/ready").status, 200);
    let r = server.post_json("/v2/models/late/infer", &iris_request(&[IRIS_ROWS[1].0]));
    assert_eq!(r.status, 200);

    let r = post(&server, "/v2/repository/models/nope/load", "");
    assert_eq!(r.status, 404);
    let r = post(&server, "/v2/repository/index", "{not json");
    assert_eq!(r.status, 400);
}
