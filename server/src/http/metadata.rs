//! Server and model metadata.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::json;

use super::state::AppState;

/// The `{name}` and optional `{version}` segments of a model URL.
#[derive(Debug, Deserialize)]
pub(crate) struct ModelPath {
    pub name: String,
    pub version: Option<String>,
}

/// The protocol extensions served, as server metadata lists them.
pub const EXTENSIONS: [&str; 3] = ["binary_tensor_data", "model_configuration", "statistics"];

/// `GET /v2`: name, version and protocol extensions.
pub(crate) async fn server() -> Response {
    Json(json!({
        "name": "mlc-serve",
        "version": env!("CARGO_PKG_VERSION"),
        "extensions": EXTENSIONS,
    }))
    .into_response()
}

/// `GET /v2/models/{name}[/versions/{version}]`: inputs and outputs, `-1` for dynamic dims.
pub(crate) async fn model(
    State(state): State<Arc<AppState>>,
    Path(path): Path<ModelPath>,
) -> Response {
    match state.find(&path.name, path.version.as_deref()) {
        Err(e) => e.into_response(),
        Ok(model) => {
            let mut body = json!({
                "name": model.name,
                "platform": "onnx_onnxv1",
                "inputs": model.metadata.inputs,
                "outputs": model.metadata.outputs,
            });
            if let (Some(version), Some(map)) = (&model.version, body.as_object_mut()) {
                map.insert("versions".to_owned(), json!([version]));
            }
            if let (Some(max), Some(map)) = (model.max_batch_size, body.as_object_mut()) {
                map.insert("parameters".to_owned(), json!({ "max_batch_size": max }));
            }
            Json(body).into_response()
        }
    }
}
