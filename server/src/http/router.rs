//! The route table.

use std::sync::Arc;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::{get, post};

use super::state::AppState;
use super::{compression, health, infer, metadata, metrics, model_config, repository, stats};
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
        .route("/v2/models/{name}/config", get(model_config::config))
        .route(
            "/v2/models/{name}/versions/{version}/config",
            get(model_config::config),
        )
        .route("/v2/models/{name}/stats", get(stats::stats))
        .route(
            "/v2/models/{name}/versions/{version}/stats",
            get(stats::stats),
        )
        .route("/v2/models/stats", get(stats::all))
        .route("/v2/repository/index", post(repository::index))
        .route("/v2/repository/models/{name}/load", post(repository::load))
        .route(
            "/v2/repository/models/{name}/unload",
            post(repository::unload),
        )
        .route("/metrics", get(metrics::metrics))
        .fallback(|| async { ApiError::not_found("no such endpoint") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed on this endpoint",
            )
        })
        .layer(axum::middleware::from_fn(compression::compress))
        .with_state(state)
}
