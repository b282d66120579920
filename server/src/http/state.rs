//! [`AppState`]: what every handler shares, and the model table: loaded models, and the ones
//! that failed to load or were unloaded through the repository API.

use std::collections::BTreeMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::http::StatusCode;
use mlc_serve_config::ModelConfig;
use ort::environment::Environment;

use crate::error::ApiError;
use crate::lifecycle::Lifecycle;
use crate::metrics::Metrics;
use crate::model::{Model, load};

/// Why a configured model does not serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unavailable {
    /// It failed to load; the server is not ready while any model is in this state.
    Failed(String),
    /// It was unloaded through the repository API.
    Unloaded,
}

/// What loading a model again needs: the ONNX Runtime environment, every configured model and
/// the queue depth.
pub struct Loader {
    /// The ONNX Runtime environment the sessions belong to.
    pub env: Environment,
    /// The configured models, by name.
    pub configs: BTreeMap<String, ModelConfig>,
    /// Requests that may wait per model.
    pub queue_depth: usize,
    /// Whether the repository API (index, load, unload) is served.
    pub repository_api: bool,
}

impl std::fmt::Debug for Loader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Loader")
            .field("models", &self.configs.keys().collect::<Vec<_>>())
            .field("queue_depth", &self.queue_depth)
            .field("repository_api", &self.repository_api)
            .finish_non_exhaustive()
    }
}

/// Models, metrics, shutdown state and request limits.
#[derive(Debug)]
pub struct AppState {
    /// Loaded models by name.
    models: RwLock<BTreeMap<String, Arc<Model>>>,
    /// Configured models that do not serve, by name, and why.
    unavailable: RwLock<BTreeMap<String, Unavailable>>,
    /// How models are loaded again.
    pub loader: Loader,
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
    /// A state serving `models`; `failed` lists the ones that did not load, with the reason.
    pub fn new(
        models: BTreeMap<String, Arc<Model>>,
        failed: BTreeMap<String, String>,
        loader: Loader,
        metrics: Arc<Metrics>,
        max_body_bytes: usize,
        request_timeout: Duration,
    ) -> Self {
        Self {
            models: RwLock::new(models),
            unavailable: RwLock::new(
                failed
                    .into_iter()
                    .map(|(name, reason)| (name, Unavailable::Failed(reason)))
                    .collect(),
            ),
            loader,
            metrics,
            lifecycle: Arc::new(Lifecycle::default()),
            max_body_bytes,
            request_timeout,
        }
    }

    /// The loaded models, by name.
    pub fn loaded(&self) -> BTreeMap<String, Arc<Model>> {
        self.models.read().map(|m| m.clone()).unwrap_or_default()
    }

    /// The configured models that do not serve, and why.
    pub fn unavailable(&self) -> BTreeMap<String, Unavailable> {
        self.unavailable
            .read()
            .map(|m| m.clone())
            .unwrap_or_default()
    }

    /// Why models failed to load, one message each.
    pub fn failures(&self) -> Vec<String> {
        self.unavailable()
            .into_values()
            .filter_map(|u| match u {
                Unavailable::Failed(reason) => Some(reason),
                Unavailable::Unloaded => None,
            })
            .collect()
    }

    /// Whether the server takes traffic: no model failed to load, and shutdown not begun.
    pub fn is_ready(&self) -> bool {
        self.readiness().is_ok()
    }

    /// Readiness, or why the server is not ready (503).
    pub fn readiness(&self) -> Result<(), ApiError> {
        if self.lifecycle.is_draining() {
            return Err(ApiError::shutting_down());
        }
        let reasons = self.failures();
        if reasons.is_empty() {
            return Ok(());
        }
        Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {}", reasons.join("; ")),
        ))
    }

    /// The model `name` (at `version`, when given); 404 when unknown, 503 when it failed to
    /// load or was unloaded.
    pub fn find(&self, name: &str, version: Option<&str>) -> Result<Arc<Model>, ApiError> {
        let why = self
            .unavailable
            .read()
            .ok()
            .and_then(|u| u.get(name).cloned());
        if let Some(why) = why {
            let message = match why {
                Unavailable::Failed(reason) => reason,
                Unavailable::Unloaded => format!("model `{name}` is unloaded"),
            };
            return Err(ApiError::new(StatusCode::SERVICE_UNAVAILABLE, message));
        }
        let model = self
            .models
            .read()
            .ok()
            .and_then(|m| m.get(name).cloned())
            .ok_or_else(|| ApiError::not_found(format!("unknown model `{name}`")))?;
        match version {
            Some(v) if model.version.as_deref() != Some(v) => Err(ApiError::not_found(format!(
                "model `{name}` has no version `{v}`"
            ))),
            _ => Ok(model),
        }
    }

    /// Loads (or loads again) the configured model `name` from its path; on success it serves
    /// and its old instance finishes the requests it holds. Runs on a blocking thread.
    pub fn load(&self, name: &str) -> Result<(), ApiError> {
        let config = self
            .loader
            .configs
            .get(name)
            .ok_or_else(|| ApiError::not_found(format!("unknown model `{name}`")))?;
        let metrics = self
            .metrics
            .model_handle(name)
            .ok_or_else(|| ApiError::internal(format!("no metrics for model `{name}`")))?;
        match load(&self.loader.env, config, self.loader.queue_depth, metrics) {
            Ok(model) => {
                if let Ok(mut models) = self.models.write() {
                    models.insert(name.to_owned(), Arc::new(model));
                }
                if let Ok(mut unavailable) = self.unavailable.write() {
                    unavailable.remove(name);
                }
                Ok(())
            }
            Err(reason) => {
                if let Ok(mut models) = self.models.write() {
                    models.remove(name);
                }
                if let Ok(mut unavailable) = self.unavailable.write() {
                    unavailable.insert(name.to_owned(), Unavailable::Failed(reason.clone()));
                }
                Err(ApiError::bad_request(reason))
            }
        }
    }

    /// Stops serving the configured model `name`; requests it holds finish.
    pub fn unload(&self, name: &str) -> Result<(), ApiError> {
        if !self.loader.configs.contains_key(name) {
            return Err(ApiError::not_found(format!("unknown model `{name}`")));
        }
        if let Ok(mut models) = self.models.write() {
            models.remove(name);
        }
        if let Ok(mut unavailable) = self.unavailable.write() {
            unavailable.insert(name.to_owned(), Unavailable::Unloaded);
        }
        Ok(())
    }
}
