//! [`AppState`]: what every handler shares.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use crate::error::ApiError;
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use crate::model::Model;

/// Models, metrics, shutdown state and request limits.
#[derive(Debug)]
pub struct AppState {
    /// Loaded models by name.
    pub models: BTreeMap<String, Arc<Model>>,
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
    /// Whether the server takes traffic: not once shutdown has begun.
    pub fn is_ready(&self) -> bool {
        !self.lifecycle.is_draining()
    }

    /// The model `name` (at `version`, when given), or 404.
    pub fn find(&self, name: &str, version: Option<&str>) -> Result<&Arc<Model>, ApiError> {
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
