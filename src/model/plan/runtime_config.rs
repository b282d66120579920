//! The mlc-serve runtime config (DESIGN §8.9) of a model: built once as a value, rendered
//! once (on first use, so `mlc check`'s front end pays nothing for it) by the canonical YAML
//! writer; the ConfigMap and the rollout hash both use that text.

use std::sync::OnceLock;

use mlc_serve_config::{Batching, Config, Duration, ModelConfig, ServerConfig};

use super::files::{MODEL_DIR, ModelFiles};
use crate::model::ir::{Model, ServeTarget};

/// A model's runtime config and the ConfigMap that holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct RuntimeConfig {
    /// The ConfigMap name (`<model>-runtime`).
    pub name: String,
    /// The config value.
    pub config: Config,
    /// Its canonical YAML text, once rendered.
    text: OnceLock<String>,
}

impl RuntimeConfig {
    /// The runtime config of `model`, whose main artifact's files are `files`.
    pub(super) fn of(model: &Model, files: &ModelFiles) -> RuntimeConfig {
        // KServe's storage initializer puts the files in the model directory.
        let path = match model.serve.value {
            ServeTarget::Deployment => files.path(),
            ServeTarget::KserveStandard | ServeTarget::KserveKnative => MODEL_DIR,
        };
        let config = Config {
            server: ServerConfig::default(),
            models: vec![ModelConfig {
                name: model.name.value.clone(),
                version: model.version.clone(),
                path: path.to_owned(),
                batching: model
                    .batching
                    .as_ref()
                    .filter(|b| b.max_batch > 1)
                    .map(|b| Batching {
                        max_batch_size: b.max_batch,
                        max_queue_delay: Duration::from_millis(b.max_delay.millis),
                    }),
                sessions: 1,
                intra_op_threads: 1,
            }],
        };
        RuntimeConfig {
            name: format!("{}-runtime", model.name.value),
            config,
            text: OnceLock::new(),
        }
    }

    /// Its canonical YAML text (`config.yaml`), rendered on first use.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let value = serde_json::to_value(&self.config).unwrap_or(serde_json::Value::Null);
            crate::canonical::yaml::to_yaml(&value)
        })
    }
}
