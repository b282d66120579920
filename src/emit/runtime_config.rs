//! The mlc-serve runtime config (DESIGN §8.9), emitted as `configmap-runtime.yaml` and
//! mounted at `/etc/mlc-serve`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use mlc_serve_config::{Batching, Config, Duration, ModelConfig, ServerConfig};

use super::meta::Owner;
use super::pod::MODEL_DIR;
use crate::model::Model;

/// The config file text for `model`, whose files are at `model_path`.
pub(crate) fn config_text(model: &Model, model_path: &str) -> String {
    let config = Config {
        server: ServerConfig::default(),
        models: vec![ModelConfig {
            name: model.name.value.clone(),
            version: model.version.clone(),
            path: model_path.to_owned(),
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
    crate::render::yaml::to_yaml(&super::object::to_value(&config))
}

/// The ConfigMap `<model>-runtime` holding `config.yaml`.
pub(crate) fn config_map(
    owner: &Owner<'_>,
    model: &Model,
    namespace: &str,
    model_path: Option<&str>,
) -> ConfigMap {
    let text = config_text(model, model_path.unwrap_or(MODEL_DIR));
    ConfigMap {
        metadata: owner.meta("ConfigMap", &runtime_config_name(model), Some(namespace)),
        data: Some(BTreeMap::from([("config.yaml".to_owned(), text)])),
        ..ConfigMap::default()
    }
}

/// The name of a model's runtime ConfigMap.
pub(crate) fn runtime_config_name(model: &Model) -> String {
    format!("{}-runtime", model.name.value)
}
