//! Tensors as the protocol carries them: a datatype name, a shape and flat row-major data.
//!
//! [`DataType`] names the Open Inference Protocol element types; [`TensorData`] holds the
//! elements, converts them from and to JSON and the little-endian binary extension, and moves
//! them in and out of ONNX Runtime values; `BYTES` elements (ONNX strings) are byte strings,
//! strings in JSON and length-prefixed in binary.

mod bytes;
mod data;
mod datatype;
mod element;
mod json;

pub(crate) use bytes::check_elements;
pub(crate) use data::element_count;
pub use data::{Tensor, TensorData};
pub use datatype::DataType;
