//! The Open Inference Protocol datatypes and their ONNX Runtime counterparts.

use ort::value::TensorElementType;

/// An element type, as written in the protocol's `datatype` fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DataType {
    /// `BOOL`, one byte (0 or 1) in binary form.
    Bool,
    /// `UINT8`.
    Uint8,
    /// `UINT16`.
    Uint16,
    /// `UINT32`.
    Uint32,
    /// `UINT64`.
    Uint64,
    /// `INT8`.
    Int8,
    /// `INT16`.
    Int16,
    /// `INT32`.
    Int32,
    /// `INT64`.
    Int64,
    /// `FP16`, IEEE half precision.
    Fp16,
    /// `FP32`.
    Fp32,
    /// `FP64`.
    Fp64,
    /// `BF16`, bfloat16.
    Bf16,
    /// `BYTES`: ONNX string tensors; listed in metadata, not accepted for inference.
    Bytes,
}

const NAMES: [(DataType, &str); 14] = [
    (DataType::Bool, "BOOL"),
    (DataType::Uint8, "UINT8"),
    (DataType::Uint16, "UINT16"),
    (DataType::Uint32, "UINT32"),
    (DataType::Uint64, "UINT64"),
    (DataType::Int8, "INT8"),
    (DataType::Int16, "INT16"),
    (DataType::Int32, "INT32"),
    (DataType::Int64, "INT64"),
    (DataType::Fp16, "FP16"),
    (DataType::Fp32, "FP32"),
    (DataType::Fp64, "FP64"),
    (DataType::Bf16, "BF16"),
    (DataType::Bytes, "BYTES"),
];

impl DataType {
    /// The protocol name, such as `FP32`.
    pub fn name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(dt, _)| *dt == self)
            .map_or("BYTES", |(_, name)| name)
    }

    /// Parses a protocol name (case-sensitive, as the protocol says).
    pub fn parse(name: &str) -> Option<Self> {
        NAMES.iter().find(|(_, n)| *n == name).map(|(dt, _)| *dt)
    }

    /// Bytes per element in the binary encoding; `None` for `BYTES`.
    pub fn element_size(self) -> Option<usize> {
        match self {
            Self::Bool | Self::Uint8 | Self::Int8 => Some(1),
            Self::Uint16 | Self::Int16 | Self::Fp16 | Self::Bf16 => Some(2),
            Self::Uint32 | Self::Int32 | Self::Fp32 => Some(4),
            Self::Uint64 | Self::Int64 | Self::Fp64 => Some(8),
            Self::Bytes => None,
        }
    }

    /// The protocol type of an ONNX tensor element type, if it has one.
    pub fn from_onnx(ty: TensorElementType) -> Option<Self> {
        Some(match ty {
            TensorElementType::Bool => Self::Bool,
            TensorElementType::Uint8 => Self::Uint8,
            TensorElementType::Uint16 => Self::Uint16,
            TensorElementType::Uint32 => Self::Uint32,
            TensorElementType::Uint64 => Self::Uint64,
            TensorElementType::Int8 => Self::Int8,
            TensorElementType::Int16 => Self::Int16,
            TensorElementType::Int32 => Self::Int32,
            TensorElementType::Int64 => Self::Int64,
            TensorElementType::Float16 => Self::Fp16,
            TensorElementType::Float32 => Self::Fp32,
            TensorElementType::Float64 => Self::Fp64,
            TensorElementType::Bfloat16 => Self::Bf16,
            TensorElementType::String => Self::Bytes,
            _ => return None,
        })
    }
}

impl std::fmt::Display for DataType {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::DataType;

    #[test]
    fn names_round_trip() {
        for name in [
            "BOOL", "UINT8", "INT64", "FP16", "FP32", "FP64", "BF16", "BYTES",
        ] {
            assert_eq!(DataType::parse(name).unwrap().name(), name);
        }
        assert_eq!(DataType::parse("fp32"), None);
    }
}
