//! The `server` section: listener, request limits, timeouts, logging and the ONNX Runtime library.

use serde::{Deserialize, Serialize};

use crate::duration::Duration;

/// Settings of the HTTP server, shared by every model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerConfig {
    /// Address to listen on (default `0.0.0.0`, every interface).
    pub host: String,
    /// TCP port for the inference API, health and `/metrics` (default 8080).
    pub port: u16,
    /// TCP port for the Open Inference Protocol gRPC service (`inference.GRPCInferenceService`);
    /// absent or `null`: no gRPC listener.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_port: Option<u16>,
    /// HTTP connections served at once; more wait in the kernel's backlog (default 20000).
    #[serde(skip_serializing_if = "is_default_max_connections")]
    pub max_connections: u32,
    /// Longest a client may take to send a request's headers, and an idle keep-alive connection
    /// may wait for its next request, before the connection is closed (default `30s`).
    #[serde(skip_serializing_if = "is_default_header_read_timeout")]
    pub header_read_timeout: Duration,
    /// Whether the model repository API (`POST /v2/repository/index`,
    /// `/v2/repository/models/{name}/load|unload`) is served (default `false`).
    #[serde(skip_serializing_if = "is_false")]
    pub model_repository: bool,
    /// Largest request body accepted, in bytes; larger bodies get 413 (default 16 MiB).
    pub max_body_bytes: u64,
    /// Requests that may wait for a session per model; when full, 429 (default 256).
    pub queue_depth: u32,
    /// Longest time a request may take from arrival to response; then 504 (default `30s`).
    pub request_timeout: Duration,
    /// After SIGTERM, how long accepted requests may take to finish before exit, counted from
    /// the signal (default `25s`).
    pub shutdown_grace: Duration,
    /// After SIGTERM, how long requests are still served (readiness already false) before new
    /// ones get 503, while load balancers stop routing to the pod (default `0ms`).
    #[serde(skip_serializing_if = "is_zero")]
    pub drain_delay: Duration,
    /// Log line format on stderr (default `text`).
    pub log_format: LogFormat,
    /// Path of `libonnxruntime.so`; when absent, `ORT_DYLIB_PATH`, then the `onnxruntime`
    /// Python package, are tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ort_library: Option<String>,
}

// The fields added after the first release are written only when set, so files written
// before them (and the compiler's output) stay as they were.
const DEFAULT_MAX_CONNECTIONS: u32 = 20_000;
const DEFAULT_HEADER_READ_TIMEOUT: Duration = Duration::from_secs(30);

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's `skip_serializing_if` passes a reference"
)]
fn is_default_max_connections(value: &u32) -> bool {
    *value == DEFAULT_MAX_CONNECTIONS
}

fn is_default_header_read_timeout(value: &Duration) -> bool {
    *value == DEFAULT_HEADER_READ_TIMEOUT
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's `skip_serializing_if` passes a reference"
)]
fn is_false(value: &bool) -> bool {
    !*value
}

fn is_zero(value: &Duration) -> bool {
    value.as_std().is_zero()
}

impl Default for ServerConfig {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".to_owned(),
            port: 8080,
            grpc_port: None,
            max_connections: DEFAULT_MAX_CONNECTIONS,
            model_repository: false,
            header_read_timeout: DEFAULT_HEADER_READ_TIMEOUT,
            max_body_bytes: 16 * 1024 * 1024,
            queue_depth: 256,
            request_timeout: Duration::from_secs(30),
            shutdown_grace: Duration::from_secs(25),
            drain_delay: Duration::from_secs(0),
            log_format: LogFormat::Text,
            ort_library: None,
        }
    }
}

impl ServerConfig {
    /// Checks the rules that the types alone cannot express.
    pub(crate) fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if self.host.is_empty() {
            problems.push("`server.host` is empty".to_owned());
        }
        if self.max_body_bytes == 0 {
            problems.push("`server.max_body_bytes` must be at least 1".to_owned());
        }
        if self.max_connections == 0 {
            problems.push("`server.max_connections` must be at least 1".to_owned());
        }
        if self.header_read_timeout.as_std().is_zero() {
            problems.push("`server.header_read_timeout` must be longer than 0".to_owned());
        }
        if self.queue_depth == 0 {
            problems.push("`server.queue_depth` must be at least 1".to_owned());
        }
        if self.drain_delay >= self.shutdown_grace && !self.shutdown_grace.as_std().is_zero() {
            problems.push(format!(
                "`server.drain_delay` ({}) must be shorter than `server.shutdown_grace` ({})",
                self.drain_delay, self.shutdown_grace
            ));
        }
        if self.request_timeout.as_std().is_zero() {
            problems.push("`server.request_timeout` must be longer than 0".to_owned());
        }
        problems
    }
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}
