//! [`TensorData`]: the typed elements of one tensor, and [`Tensor`]: elements with a shape.

use std::ops::Range;

use half::{bf16, f16};
use ort::value::{DynValue, Tensor as OrtTensor};
use serde::{Serialize, Serializer};

use super::bytes::{self, ByteString};
use super::datatype::DataType;
use super::element::Element;
use super::json;

/// A tensor: shape (each dimension ≥ 0, empty for a scalar) and row-major data.
#[derive(Debug, Clone, PartialEq)]
pub struct Tensor {
    /// Dimensions, outermost first.
    pub shape: Vec<i64>,
    /// Elements; their count is the product of `shape`.
    pub data: TensorData,
}

/// Number of elements a shape holds, or `None` when a dimension is negative or the product
/// overflows.
pub(crate) fn element_count(shape: &[i64]) -> Option<usize> {
    shape.iter().try_fold(1usize, |acc, dim| {
        acc.checked_mul(usize::try_from(*dim).ok()?)
    })
}

macro_rules! tensor_data {
    ($($variant:ident($ty:ty)),* $(,)?) => {
        /// The elements of a tensor, one vector type per datatype.
        #[derive(Debug, Clone, PartialEq)]
        pub enum TensorData {
            $(
                #[doc = concat!("`", stringify!($variant), "` elements.")]
                $variant(Vec<$ty>),
            )*
            /// `BYTES` elements, each a byte string (an ONNX string).
            Bytes(Vec<Vec<u8>>),
        }

        impl TensorData {
            /// The protocol datatype of the elements.
            pub fn datatype(&self) -> DataType {
                match self { $(Self::$variant(_) => DataType::$variant,)* Self::Bytes(_) => DataType::Bytes }
            }

            /// Number of elements.
            pub fn len(&self) -> usize {
                match self { $(Self::$variant(v) => v.len(),)* Self::Bytes(v) => v.len() }
            }

            /// Whether there are no elements.
            pub fn is_empty(&self) -> bool {
                self.len() == 0
            }

            /// An empty vector of `datatype` with room for `capacity` elements.
            pub fn with_capacity(datatype: DataType, capacity: usize) -> Result<Self, String> {
                match datatype {
                    $(DataType::$variant => Ok(Self::$variant(Vec::with_capacity(capacity))),)*
                    DataType::Bytes => Ok(Self::Bytes(Vec::with_capacity(capacity))),
                }
            }

            /// Parses the JSON text of a `data` field (flat or nested) as `datatype`.
            pub fn from_json(datatype: DataType, text: &str, expected: usize) -> Result<Self, String> {
                let mut data = Self::with_capacity(datatype, expected)?;
                match &mut data {
                    $(Self::$variant(v) => json::read_into(text, v, datatype.name())?,)*
                    Self::Bytes(v) => bytes::read_json(text, v)?,
                }
                Ok(data)
            }

            /// Reads little-endian elements (the binary tensor extension) of `datatype`.
            pub fn from_le_bytes(datatype: DataType, bytes: &[u8]) -> Result<Self, String> {
                match datatype {
                    $(DataType::$variant => {
                        let size = <$ty as Element>::SIZE;
                        if bytes.len() % size != 0 {
                            return Err(format!(
                                "{} binary data of {} bytes is not a whole number of {size}-byte elements",
                                datatype, bytes.len()
                            ));
                        }
                        Ok(Self::$variant(bytes.chunks_exact(size).map(<$ty as Element>::read_le).collect()))
                    })*
                    DataType::Bytes => bytes::decode(bytes).map(Self::Bytes),
                }
            }

            /// Appends the little-endian encoding of every element (`BYTES`: length-prefixed);
            /// fails only on a `BYTES` element over 4 GiB.
            pub fn write_le_bytes(&self, out: &mut Vec<u8>) -> Result<(), String> {
                match self {
                    $(Self::$variant(v) => {
                        out.reserve(v.len() * <$ty as Element>::SIZE);
                        for x in v {
                            x.write_le(out);
                        }
                        Ok(())
                    })*
                    Self::Bytes(v) => bytes::encode(v, out),
                }
            }

            /// Appends the elements of `other`; `false` (and nothing appended) when the types differ.
            pub fn extend_from(&mut self, other: &Self) -> bool {
                match (self, other) {
                    $((Self::$variant(a), Self::$variant(b)) => {
                        a.extend_from_slice(b);
                        true
                    })*
                    (Self::Bytes(a), Self::Bytes(b)) => {
                        a.extend_from_slice(b);
                        true
                    }
                    _ => false,
                }
            }

            /// The elements in `range`, or `None` when it is out of bounds.
            pub fn slice(&self, range: Range<usize>) -> Option<Self> {
                match self {
                    $(Self::$variant(v) => v.get(range).map(|s| Self::$variant(s.to_vec())),)*
                    Self::Bytes(v) => v.get(range).map(|s| Self::Bytes(s.to_vec())),
                }
            }

            /// Moves the elements into an ONNX Runtime tensor of `shape`.
            pub fn into_ort(self, shape: Vec<i64>) -> ort::Result<DynValue> {
                match self {
                    $(Self::$variant(v) => Ok(OrtTensor::from_array((shape, v))?.into_dyn()),)*
                    Self::Bytes(v) => {
                        let strings: Vec<ByteString> = v.into_iter().map(ByteString).collect();
                        Ok(OrtTensor::from_string_array((shape, strings.as_slice()))?.into_dyn())
                    }
                }
            }

            /// Copies an ONNX Runtime tensor of element type `datatype` out: shape and elements.
            pub fn from_ort(datatype: DataType, value: &DynValue) -> Result<Tensor, String> {
                match datatype {
                    $(DataType::$variant => {
                        let (shape, data) = value.try_extract_tensor::<$ty>().map_err(|e| e.to_string())?;
                        Ok(Tensor { shape: shape.to_vec(), data: Self::$variant(data.to_vec()) })
                    })*
                    DataType::Bytes => {
                        let (shape, strings) = value.try_extract_strings().map_err(|e| e.to_string())?;
                        let data = strings.into_iter().map(String::into_bytes).collect();
                        Ok(Tensor { shape: shape.to_vec(), data: Self::Bytes(data) })
                    }
                }
            }
        }
    };
}

tensor_data!(
    Bool(bool),
    Uint8(u8),
    Uint16(u16),
    Uint32(u32),
    Uint64(u64),
    Int8(i8),
    Int16(i16),
    Int32(i32),
    Int64(i64),
    Fp16(f16),
    Fp32(f32),
    Fp64(f64),
    Bf16(bf16),
);

impl Serialize for TensorData {
    /// Writes a flat JSON array; half-precision values are written as their `f32` values,
    /// `BYTES` elements as strings (invalid UTF-8 replaced).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Bool(v) => v.serialize(serializer),
            Self::Uint8(v) => v.serialize(serializer),
            Self::Uint16(v) => v.serialize(serializer),
            Self::Uint32(v) => v.serialize(serializer),
            Self::Uint64(v) => v.serialize(serializer),
            Self::Int8(v) => v.serialize(serializer),
            Self::Int16(v) => v.serialize(serializer),
            Self::Int32(v) => v.serialize(serializer),
            Self::Int64(v) => v.serialize(serializer),
            Self::Fp16(v) => serializer.collect_seq(v.iter().map(|x| x.to_f32())),
            Self::Fp32(v) => v.serialize(serializer),
            Self::Fp64(v) => v.serialize(serializer),
            Self::Bf16(v) => serializer.collect_seq(v.iter().map(|x| x.to_f32())),
            Self::Bytes(v) => serializer.collect_seq(v.iter().map(|b| String::from_utf8_lossy(b))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{DataType, TensorData, element_count};

    #[test]
    fn binary_round_trip_for_every_type() {
        for name in [
            "BOOL", "UINT8", "UINT16", "UINT32", "UINT64", "INT8", "INT16", "INT32", "INT64",
            "FP16", "FP32", "FP64", "BF16",
        ] {
            let dt = DataType::parse(name).unwrap();
            let json = if dt == DataType::Bool {
                "[true, false, true]"
            } else {
                "[1, 0, 2]"
            };
            let data = TensorData::from_json(dt, json, 3).unwrap();
            let mut bytes = Vec::new();
            data.write_le_bytes(&mut bytes).unwrap();
            assert_eq!(bytes.len(), 3 * dt.element_size().unwrap());
            assert_eq!(
                TensorData::from_le_bytes(dt, &bytes).unwrap(),
                data,
                "{name}"
            );
        }
    }

    #[test]
    fn refuses_partial_elements() {
        assert!(TensorData::from_le_bytes(DataType::Fp32, &[0, 0, 0]).is_err());
    }

    #[test]
    fn counts_elements() {
        assert_eq!(element_count(&[]), Some(1));
        assert_eq!(element_count(&[2, 0, 3]), Some(0));
        assert_eq!(element_count(&[-1, 3]), None);
        assert_eq!(element_count(&[i64::MAX, i64::MAX]), None);
    }
}
