//! The route table.

use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use super::state::AppState;
use super::{health, infer, metadata, metrics};
use crate::error::ApiError;

/// Every route of the server, sharing `state`.
pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/v2/health/live", get(health::live))
        .route("/v2/health/ready", get(health::ready))
        .route("/v2", get(metadata::server))
        .route("/v2/", get(metadata::server))
        .route("/v2/models/{name}", get(metadata::model))
        .route("/v2/models/{name}/versions/{version}", get(metadata::model))
        .route("/v2/models/{name}/ready", get(health::model_ready))
        .route(
            "/v2/models/{name}/versions/{version}/ready",
            get(health::model_ready),
        )
        .route("/v2/models/{name}/infer", post(infer::infer))
        .route(
            "/v2/models/{name}/versions/{version}/infer",
            post(infer::infer),
        )
        .route("/metrics", get(metrics::metrics))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .with_state(state)
}
