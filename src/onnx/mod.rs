//! Reading an ONNX model file without ONNX Runtime (STYLE.md: the compiler never loads it):
//! its I/O signature (inputs, outputs, element types, shapes), opsets, and the bytes of its
//! weights, counted from the initializers' and constant nodes' shapes, with the external-data
//! files beside the model (protobuf caps one file at 2 GB, so larger models keep their
//! weights there). Decoding uses prost over the message subset in `proto.rs`.

mod proto;
mod read;

pub use read::{ReadError, read_file, read_model};

use serde::Serialize;

/// What mlc knows of one ONNX model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OnnxModel {
    /// The model file's IR version.
    pub ir_version: i64,
    /// The producer (`producer_name producer_version`), when the file names it.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub producer: String,
    /// The imported operator sets: (domain, version), `ai.onnx` for the default domain.
    pub opsets: Vec<Opset>,
    /// Inputs the caller gives (graph inputs that are not initializers), in graph order.
    pub inputs: Vec<TensorSig>,
    /// Outputs, in graph order.
    pub outputs: Vec<TensorSig>,
    /// Bytes of the weights (initializers and constant tensors) as loaded in memory.
    pub weight_bytes: u64,
    /// Bytes of the weights stored inside the model file itself.
    pub file_bytes: u64,
    /// The external-data files the weights refer to, with their sizes.
    pub external: Vec<ExternalFile>,
}

/// An imported operator set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Opset {
    /// `ai.onnx`, `ai.onnx.ml`, …
    pub domain: String,
    /// The opset version.
    pub version: i64,
}

/// One input or output.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorSig {
    /// Its name in the graph.
    pub name: String,
    /// The element type as the Open Inference Protocol names it (`FP32`, `INT64`, …), or
    /// the kind of a non-tensor value (`sequence`, `map`, `optional`).
    pub datatype: String,
    /// Dimensions, `None` for a dynamic (symbolic or unknown) one; `None` for the whole
    /// shape when the graph gives none.
    pub shape: Option<Vec<Dim>>,
}

/// One dimension of a shape.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Dim {
    /// A fixed size.
    Fixed(i64),
    /// A symbolic name (such as `N` or `batch_size`), or empty when unnamed.
    Dynamic(String),
}

/// An external-data file beside the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExternalFile {
    /// Its path relative to the model's directory.
    pub location: String,
    /// Its size in bytes, or `None` when it is missing.
    pub bytes: Option<u64>,
}

impl TensorSig {
    /// The shape as mlc-serve reports it: `-1` for a dynamic dimension (`None` when unknown).
    pub fn shape_i64(&self) -> Option<Vec<i64>> {
        self.shape.as_ref().map(|dims| {
            dims.iter()
                .map(|d| match d {
                    Dim::Fixed(n) => *n,
                    Dim::Dynamic(_) => -1,
                })
                .collect()
        })
    }

    /// The shape as text: `[N,4]`, `[]` for a scalar, `?` when unknown.
    pub fn shape_text(&self) -> String {
        match &self.shape {
            None => "?".to_owned(),
            Some(dims) => {
                let parts: Vec<String> = dims
                    .iter()
                    .map(|d| match d {
                        Dim::Fixed(n) => n.to_string(),
                        Dim::Dynamic(s) if s.is_empty() => "?".to_owned(),
                        Dim::Dynamic(s) => s.clone(),
                    })
                    .collect();
                format!("[{}]", parts.join(","))
            }
        }
    }
}

impl OnnxModel {
    /// Why the model cannot batch along dimension 0, if it cannot: every input and output
    /// needs a dynamic first dimension (mlc-serve's rule, and Triton's).
    pub fn batching_obstacle(&self) -> Option<String> {
        let inputs = self.inputs.iter().map(|s| ("input", s));
        let outputs = self.outputs.iter().map(|s| ("output", s));
        inputs
            .chain(outputs)
            .find_map(|(kind, sig)| match &sig.shape {
                None => None,
                Some(dims) => match dims.first() {
                    Some(Dim::Dynamic(_)) => None,
                    Some(Dim::Fixed(_)) => Some(format!(
                        "{kind} `{}` has a fixed first dimension {}",
                        sig.name,
                        sig.shape_text()
                    )),
                    None => Some(format!("{kind} `{}` is a scalar", sig.name)),
                },
            })
    }

    /// Bytes of the weights in external-data files that are missing.
    pub fn missing_external(&self) -> Vec<&str> {
        self.external
            .iter()
            .filter(|e| e.bytes.is_none())
            .map(|e| e.location.as_str())
            .collect()
    }
}

/// A size in bytes, written in the largest binary unit that keeps it at or above 1.
pub fn size_text(bytes: u64) -> String {
    #[expect(clippy::cast_precision_loss, reason = "sizes far below 2^52 bytes")]
    let b = bytes as f64;
    if b >= f64::from(1u32 << 30) {
        format!("{:.2} GiB", b / f64::from(1u32 << 30))
    } else if b >= f64::from(1u32 << 20) {
        format!("{:.1} MiB", b / f64::from(1u32 << 20))
    } else if b >= 1024.0 {
        format!("{:.1} KiB", b / 1024.0)
    } else {
        format!("{bytes} B")
    }
}

#[cfg(test)]
mod tests;
