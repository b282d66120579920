//! `GET /metrics`: the Prometheus text exposition.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};

use super::state::AppState;
use crate::metrics::Gauges;

/// Renders every metric, reading queue depths and readiness now.
pub(crate) async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let ready = state.is_ready();
    let text = state.metrics.render(|name| {
        state.loaded().get(name).map(|m| Gauges {
            queue_depth: m.queue_depth(),
            ready,
        })
    });
    let mut response = text.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/plain; version=0.0.4; charset=utf-8"),
    );
    response
}
