//! Server liveness and readiness, and model readiness.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::metadata::ModelPath;
use super::state::AppState;
use crate::error::ApiError;

/// `GET /v2/health/live`: 200 while the process serves HTTP.
pub(crate) async fn live() -> Response {
    Json(json!({ "live": true })).into_response()
}

/// `GET /v2/health/ready`: 200 once models are loaded, 503 from the start of shutdown.
pub(crate) async fn ready(State(state): State<Arc<AppState>>) -> Response {
    if let Err(error) = state.readiness() {
        return error.into_response();
    }
    Json(json!({ "ready": true })).into_response()
}

/// `GET /v2/models/{name}[/versions/{version}]/ready`.
pub(crate) async fn model_ready(
    State(state): State<Arc<AppState>>,
    Path(path): Path<ModelPath>,
) -> Response {
    match state.find(&path.name, path.version.as_deref()) {
        Err(e) => e.into_response(),
        Ok(_) if state.lifecycle.is_draining() => ApiError::shutting_down().into_response(),
        Ok(model) => Json(json!({ "name": model.name, "ready": true })).into_response(),
    }
}
