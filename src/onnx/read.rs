//! Decoding a model file into an [`OnnxModel`].

use std::collections::BTreeSet;
use std::path::Path;

use super::proto::{
    GraphProto, ModelProto, TensorProto, ValueInfoProto, tensor_shape_proto::dimension, type_proto,
};
use super::{Dim, ExternalFile, OnnxModel, Opset, TensorSig};

/// Why a model file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// The file could not be read (the reason, lower-case).
    Io(String),
    /// The bytes are not an ONNX model (protobuf's reason).
    Decode(String),
    /// The model has no graph.
    NoGraph,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => write!(f, "cannot read the file: {e}"),
            ReadError::Decode(e) => write!(f, "not an ONNX model: {e}"),
            ReadError::NoGraph => f.write_str("the ONNX model has no graph"),
        }
    }
}

/// Reads the model file at `path`; external-data files are looked up beside it.
pub fn read_file(path: &Path) -> Result<OnnxModel, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| ReadError::Io(io_reason(&e)))?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    read_model(&bytes, dir)
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_owned(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        _ => e.to_string().to_lowercase(),
    }
}

/// Reads a model from its bytes; external-data files are looked up in `dir`.
pub fn read_model(bytes: &[u8], dir: &Path) -> Result<OnnxModel, ReadError> {
    let model = ModelProto::decode_bytes(bytes).map_err(|e| ReadError::Decode(e.to_string()))?;
    let graph = model.graph.as_ref().ok_or(ReadError::NoGraph)?;
    let initializers: BTreeSet<&str> = graph.initializer.iter().map(|t| t.name.as_str()).collect();
    let mut weights = Weights::default();
    weights.graph(graph, 0);
    let external = weights
        .locations
        .iter()
        .map(|location| ExternalFile {
            location: location.clone(),
            bytes: std::fs::metadata(dir.join(location))
                .ok()
                .filter(std::fs::Metadata::is_file)
                .map(|m| m.len()),
        })
        .collect();
    let producer = format!("{} {}", model.producer_name, model.producer_version)
        .trim()
        .to_owned();
    let mut opsets: Vec<Opset> = model
        .opset_import
        .iter()
        .map(|o| Opset {
            domain: if o.domain.is_empty() {
                "ai.onnx".to_owned()
            } else {
                o.domain.clone()
            },
            version: o.version,
        })
        .collect();
    opsets.sort_by(|a, b| a.domain.cmp(&b.domain).then(a.version.cmp(&b.version)));
    opsets.dedup();
    Ok(OnnxModel {
        ir_version: model.ir_version,
        producer,
        opsets,
        inputs: graph
            .input
            .iter()
            // Before IR 4, initializers were listed as inputs too; they are not the caller's.
            .filter(|v| !initializers.contains(v.name.as_str()))
            .map(signature)
            .collect(),
        outputs: graph.output.iter().map(signature).collect(),
        weight_bytes: weights.total,
        file_bytes: weights.inline,
        external,
    })
}

/// The weight bytes of a graph and its subgraphs.
#[derive(Default)]
struct Weights {
    total: u64,
    inline: u64,
    locations: BTreeSet<String>,
}

/// Subgraphs nest (`If`, `Loop`, `Scan`); deeper than this is not a real model.
const MAX_DEPTH: usize = 64;

impl Weights {
    fn graph(&mut self, graph: &GraphProto, depth: usize) {
        if depth > MAX_DEPTH {
            return;
        }
        for t in &graph.initializer {
            self.tensor(t);
        }
        for s in &graph.sparse_initializer {
            for t in s.values.iter().chain(&s.indices) {
                self.tensor(t);
            }
        }
        for node in &graph.node {
            for a in &node.attribute {
                for t in a.t.iter().chain(&a.tensors) {
                    self.tensor(t);
                }
                let lists = 4 * a.floats.len() as u64 + 8 * a.ints.len() as u64;
                self.total = self.total.saturating_add(lists);
                self.inline = self.inline.saturating_add(lists);
                for g in a.g.iter().chain(&a.graphs) {
                    self.graph(g, depth + 1);
                }
            }
        }
    }

    fn tensor(&mut self, t: &TensorProto) {
        let numel = t
            .dims
            .iter()
            .try_fold(1u64, |acc, d| acc.checked_mul(u64::try_from(*d).ok()?))
            .unwrap_or(0);
        let bytes = numel.saturating_mul(element_bits(t.data_type)).div_ceil(8);
        // DataLocation EXTERNAL = 1: the bytes are in a file beside the model.
        if t.data_location == 1 {
            let entry = |key: &str| {
                t.external_data
                    .iter()
                    .find(|e| e.key == key)
                    .map(|e| e.value.as_str())
            };
            if let Some(location) = entry("location") {
                self.locations.insert(location.to_owned());
            }
            let length = entry("length").and_then(|l| l.parse::<u64>().ok());
            self.total = self.total.saturating_add(length.unwrap_or(bytes));
        } else {
            self.total = self.total.saturating_add(bytes);
            self.inline = self.inline.saturating_add(bytes);
        }
    }
}

/// Bits per element of a `TensorProto.DataType` (0 for strings and unknown types).
fn element_bits(data_type: i32) -> u64 {
    match data_type {
        2 | 3 | 9 | 17..=20 => 8,
        4 | 5 | 10 | 16 => 16,
        1 | 6 | 12 => 32,
        7 | 11 | 13 | 14 => 64,
        15 => 128,
        21..=23 => 4,
        _ => 0,
    }
}

/// The Open Inference Protocol name of a `TensorProto.DataType` (ONNX's own for the types
/// the protocol does not name).
fn datatype_name(data_type: i32) -> String {
    match data_type {
        1 => "FP32",
        2 => "UINT8",
        3 => "INT8",
        4 => "UINT16",
        5 => "INT16",
        6 => "INT32",
        7 => "INT64",
        8 => "BYTES",
        9 => "BOOL",
        10 => "FP16",
        11 => "FP64",
        12 => "UINT32",
        13 => "UINT64",
        14 => "COMPLEX64",
        15 => "COMPLEX128",
        16 => "BF16",
        17 => "FLOAT8E4M3FN",
        18 => "FLOAT8E4M3FNUZ",
        19 => "FLOAT8E5M2",
        20 => "FLOAT8E5M2FNUZ",
        21 => "UINT4",
        22 => "INT4",
        23 => "FLOAT4E2M1",
        other => return format!("type {other}"),
    }
    .to_owned()
}

fn signature(v: &ValueInfoProto) -> TensorSig {
    let (datatype, shape) = match v.r#type.as_ref().and_then(|t| t.value.as_ref()) {
        Some(type_proto::Value::TensorType(t) | type_proto::Value::SparseTensorType(t)) => (
            datatype_name(t.elem_type),
            t.shape.as_ref().map(|s| {
                s.dim
                    .iter()
                    .map(|d| match &d.value {
                        Some(dimension::Value::DimValue(n)) => Dim::Fixed(*n),
                        Some(dimension::Value::DimParam(p)) => Dim::Dynamic(p.clone()),
                        None => Dim::Dynamic(String::new()),
                    })
                    .collect()
            }),
        ),
        Some(type_proto::Value::SequenceType(_)) => ("sequence".to_owned(), None),
        Some(type_proto::Value::MapType(_)) => ("map".to_owned(), None),
        Some(type_proto::Value::OptionalType(_)) => ("optional".to_owned(), None),
        None => ("unknown".to_owned(), None),
    };
    TensorSig {
        name: v.name.clone(),
        datatype,
        shape,
    }
}
