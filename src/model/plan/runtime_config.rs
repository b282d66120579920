//! The mlc-serve runtime config (DESIGN §8.9) of a model: built once as a value, rendered
//! once (on first use, so `mlc check`'s front end pays nothing for it) by the canonical YAML
//! writer; the ConfigMap and the rollout hash both use that text.

use std::sync::OnceLock;

use mlc_serve_config::{
    Batching, Config, Duration, ModelConfig, ServerConfig, Signature, TensorSignature,
};

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

/// The port of mlc-serve's HTTP API (OIP REST, health, `/metrics`) in every emitted runtime
/// config; the container ports, the probes and the image's `EXPOSE` use it.
pub const HTTP_PORT: u16 = 8080;

/// The port of mlc-serve's OIP gRPC service, beside HTTP on [`HTTP_PORT`] (KServe names the
/// predictor Service's ports after the container's, the first one `http`); the image exposes it.
pub const GRPC_PORT: u16 = 8081;

/// How long mlc-serve keeps serving after SIGTERM before it refuses new requests.
const DRAIN_DELAY_SECONDS: u64 = 5;

impl RuntimeConfig {
    /// The OIP gRPC port this runtime config opens, when it opens one.
    pub fn grpc_port(&self) -> Option<u16> {
        self.config.server.grpc_port
    }

    /// The runtime config of `model`, whose main artifact's files are `files`.
    pub(super) fn of(model: &Model, files: &ModelFiles) -> RuntimeConfig {
        // KServe's storage initializer puts the files in the model directory.
        let path = match model.serve.value {
            ServeTarget::Deployment => files.path(),
            // Seldon's storage initializer fills the same directory from `modelUri`.
            ServeTarget::KserveStandard
            | ServeTarget::KserveKnative
            | ServeTarget::SeldonV1
            | ServeTarget::SeldonCore2 => MODEL_DIR,
        };
        let config = Config {
            server: ServerConfig {
                port: HTTP_PORT,
                // Knative serves one container port only; elsewhere OIP gRPC beside HTTP.
                grpc_port: (model.serve.value != ServeTarget::KserveKnative).then_some(GRPC_PORT),
                // Kubernetes keeps routing to a terminating pod for a moment: keep serving
                // that long before refusing (below shutdown_grace, itself below the pod's
                // 30 s terminationGracePeriodSeconds).
                drain_delay: Duration::from_secs(DRAIN_DELAY_SECONDS),
                request_timeout: model.timeout.as_ref().map_or_else(
                    || ServerConfig::default().request_timeout,
                    |t| Duration::from_millis(t.value.millis),
                ),
                ..ServerConfig::default()
            },
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
                signature: None,
            }],
        };
        RuntimeConfig {
            name: format!("{}-runtime", model.name.value),
            config,
            text: OnceLock::new(),
        }
    }

    /// Serves the model under `name` (a canary's own Deployment serves the model's name).
    pub(crate) fn set_model_name(&mut self, name: &str) {
        if let Some(m) = self.config.models.first_mut() {
            name.clone_into(&mut m.name);
        }
        self.text = OnceLock::new();
    }

    /// Writes the I/O signature read from the model file into the config, so mlc-serve
    /// refuses a different file at load (called before the text is first rendered).
    pub(crate) fn set_signature(&mut self, onnx: &crate::onnx::OnnxModel) {
        let tensors = |list: &[crate::onnx::TensorSig]| {
            list.iter()
                .map(|t| TensorSignature {
                    name: t.name.clone(),
                    datatype: t.datatype.clone(),
                    shape: t.shape_i64().unwrap_or_default(),
                })
                .collect()
        };
        // A signature mlc-serve could not compare (non-tensor values, unknown shapes) is left out.
        let comparable = onnx
            .inputs
            .iter()
            .chain(&onnx.outputs)
            .all(|t| t.shape.is_some());
        if let Some(m) = self.config.models.first_mut() {
            m.signature = comparable.then(|| Signature {
                inputs: tensors(&onnx.inputs),
                outputs: tensors(&onnx.outputs),
            });
        }
        self.text = OnceLock::new();
    }

    /// Its canonical YAML text (`config.yaml`), rendered on first use.
    pub fn text(&self) -> &str {
        self.text.get_or_init(|| {
            let value = serde_json::to_value(&self.config).unwrap_or(serde_json::Value::Null);
            crate::canonical::yaml::to_yaml(&value)
        })
    }
}
