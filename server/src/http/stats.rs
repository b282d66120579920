//! The statistics extension: `GET /v2/models/{name}[/versions/{version}]/stats` and
//! `GET /v2/models/stats` (every model), in Triton's `model_stats` form.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::metadata::ModelPath;
use super::state::AppState;

/// One model's statistics.
pub(crate) async fn stats(
    State(state): State<Arc<AppState>>,
    Path(path): Path<ModelPath>,
) -> Response {
    match state.find(&path.name, path.version.as_deref()) {
        Err(e) => e.into_response(),
        Ok(model) => {
            let entry = state
                .metrics
                .model(&model.name)
                .stats
                .report(&model.name, model.version.as_deref());
            Json(json!({ "model_stats": [entry] })).into_response()
        }
    }
}

/// Every model's statistics, by name.
pub(crate) async fn all(State(state): State<Arc<AppState>>) -> Response {
    let entries: Vec<serde_json::Value> = state
        .loaded()
        .values()
        .map(|model| {
            state
                .metrics
                .model(&model.name)
                .stats
                .report(&model.name, model.version.as_deref())
        })
        .collect();
    Json(json!({ "model_stats": entries })).into_response()
}
