//! The runtime configuration file of `mlc-serve` (DESIGN §8.9), shared by the compiler, which
//! emits it, and the runtime, which reads it.
//!
//! The file is YAML (or JSON) with two keys: `server` (listener, limits, timeouts, logging,
//! the ONNX Runtime library) and `models` (what to serve, how to batch, how many sessions).
//! Every object rejects unknown fields, so a typo is an error rather than a silently ignored
//! setting. The JSON Schema of the same format is `schemas/mlc-serve-config.schema.json`; a test
//! keeps the two in step. Semantic rules that serde cannot express (unique model names, non-zero
//! counts) are checked by [`Config::validate`].
//!
//! ```
//! let config: mlc_serve_config::Config = serde_json::from_str(
//!     r#"{"models": [{"name": "iris", "path": "/mnt/models"}]}"#,
//! ).unwrap();
//! assert_eq!(config.server.port, 8080);
//! assert_eq!(config.server.request_timeout.to_string(), "30s");
//! assert!(config.validate().is_empty());
//! ```

mod config;
mod duration;
mod model;
mod server;

pub use config::Config;
pub use duration::{Duration, ParseDurationError};
pub use model::{Batching, ModelConfig, Signature, TensorSignature};
pub use server::{LogFormat, ServerConfig};
