//! One entry of `models`: an ONNX model, its batching and its session pool.

use serde::{Deserialize, Serialize};

use crate::duration::Duration;

/// A model served under `/v2/models/{name}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelConfig {
    /// Name in the inference URLs: letters, digits, `_`, `.` and `-`, starting with a letter
    /// or digit.
    pub name: String,
    /// Optional version; when set, `/v2/models/{name}/versions/{version}` is served too.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// An `.onnx` file, or a directory (such as `/mnt/models` under `KServe`) holding `model.onnx`
    /// or exactly one `.onnx` file.
    pub path: String,
    /// Dynamic batching; absent means every request runs alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub batching: Option<Batching>,
    /// Number of ONNX Runtime sessions, so of inferences that run at once (default 1).
    #[serde(default = "one")]
    pub sessions: u32,
    /// Threads each session uses inside one operator (default 1).
    #[serde(default = "one")]
    pub intra_op_threads: u32,
}

/// Dynamic batching: compatible queued requests are run as one batch along dimension 0.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batching {
    /// Most rows (sum of the requests' dimension 0) in one run.
    pub max_batch_size: u32,
    /// Longest a request waits for others to join its batch (default `0ms`: take what is queued).
    #[serde(default)]
    pub max_queue_delay: Duration,
}

const fn one() -> u32 {
    1
}

impl ModelConfig {
    /// Checks the rules that the types alone cannot express.
    pub(crate) fn validate(&self) -> Vec<String> {
        let mut problems = Vec::new();
        if !is_valid_name(&self.name) {
            problems.push(format!(
                "model name `{}` is not valid: use letters, digits, `_`, `.` and `-`, \
                 starting with a letter or digit",
                self.name
            ));
        }
        if let Some(version) = &self.version
            && !is_valid_name(version)
        {
            problems.push(format!(
                "version `{version}` of model `{}` is not valid",
                self.name
            ));
        }
        if self.path.is_empty() {
            problems.push(format!("model `{}` has an empty `path`", self.name));
        }
        if self.sessions == 0 {
            problems.push(format!(
                "model `{}`: `sessions` must be at least 1",
                self.name
            ));
        }
        if self.intra_op_threads == 0 {
            problems.push(format!(
                "model `{}`: `intra_op_threads` must be at least 1",
                self.name
            ));
        }
        if let Some(batching) = &self.batching
            && batching.max_batch_size == 0
        {
            problems.push(format!(
                "model `{}`: `batching.max_batch_size` must be at least 1",
                self.name
            ));
        }
        problems
    }
}

/// The name rule of the schema: `^[A-Za-z0-9][A-Za-z0-9_.-]*$`, at most 128 characters.
fn is_valid_name(name: &str) -> bool {
    let mut chars = name.chars();
    name.len() <= 128
        && chars.next().is_some_and(|c| c.is_ascii_alphanumeric())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}
