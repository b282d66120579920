//! [`AppState`]: what every handler shares.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;

use crate::error::ApiError;
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use crate::model::Model;

/// Models, metrics, shutdown state and request limits.
#[derive(Debug)]
pub struct AppState {
    /// Loaded models by name.
    pub models: BTreeMap<String, Arc<Model>>,
    /// Models that failed to load, by name, with the reason; they answer 503 and keep the
    /// server not ready.
    pub failed: BTreeMap<String, String>,
    /// The metrics registry.
    pub metrics: Arc<Metrics>,
    /// Readiness and in-flight requests.
    pub lifecycle: Arc<Lifecycle>,
    /// Largest accepted body, bytes.
    pub max_body_bytes: usize,
    /// Longest time for one inference request.
    pub request_timeout: Duration,
}

impl AppState {
    /// Whether the server takes traffic: every model loaded, and shutdown not begun.
    pub fn is_ready(&self) -> bool {
        self.readiness().is_ok()
    }

    /// Readiness, or why the server is not ready (503).
    pub fn readiness(&self) -> Result<(), ApiError> {
        if self.lifecycle.is_draining() {
            return Err(ApiError::shutting_down());
        }
        if self.failed.is_empty() {
            return Ok(());
        }
        let reasons: Vec<String> = self.failed.values().cloned().collect();
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {}", reasons.join("; ")),
        ))
    }

    /// The model `name` (at `version`, when given), or 404.
    pub fn find(&self, name: &str, version: Option<&str>) -> Result<&Arc<Model>, ApiError> {
        if let Some(reason) = self.failed.get(name) {
            return Err(ApiError::new(
                StatusCode::SERVICE_UNAVAILABLE,
                reason.clone(),
            ));
        }
        let model = self
            .models
            .get(name)
            .ok_or_else(|| ApiError::not_found(format!("unknown model `{name}`")))?;
        match version {
            Some(v) if model.version.as_deref() != Some(v) => Err(ApiError::not_found(format!(
                "model `{name}` has no version `{v}`"
            ))),
            _ => Ok(model),
        }
    }
}
