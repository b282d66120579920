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
    /// The inputs and outputs the model file was compiled against; when present, the
    /// runtime refuses at load a file whose signature differs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<Signature>,
}

/// A model's inputs and outputs, in graph order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Signature {
    /// The inputs a caller gives.
    pub inputs: Vec<TensorSignature>,
    /// The outputs.
    pub outputs: Vec<TensorSignature>,
}

/// One input or output: name, datatype and shape (`-1` for a dynamic dimension).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TensorSignature {
    /// Its name in the graph.
    pub name: String,
    /// The Open Inference Protocol datatype, such as `FP32`.
    pub datatype: String,
    /// Dimensions, `-1` where the graph leaves one free.
    pub shape: Vec<i64>,
}

impl Signature {
    /// The first difference between the expected signature `self` and `actual`, if any.
    pub fn difference(&self, actual: &Signature) -> Option<String> {
        for (kind, want, got) in [
            ("input", &self.inputs, &actual.inputs),
            ("output", &self.outputs, &actual.outputs),
        ] {
            let names =
                |list: &[TensorSignature]| list.iter().map(|t| t.name.clone()).collect::<Vec<_>>();
            if names(want) != names(got) {
                return Some(format!(
                    "{kind}s are {:?}, expected {:?}",
                    names(got),
                    names(want)
                ));
            }
            for (w, g) in want.iter().zip(got) {
                if w.datatype != g.datatype {
                    return Some(format!(
                        "{kind} `{}` is {}, expected {}",
                        w.name, g.datatype, w.datatype
                    ));
                }
                if w.shape != g.shape {
                    return Some(format!(
                        "{kind} `{}` has shape {:?}, expected {:?}",
                        w.name, g.shape, w.shape
                    ));
                }
            }
        }
        None
    }
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
