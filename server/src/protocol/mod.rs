//! The Open Inference Protocol v2 inference request and response bodies, JSON with the binary
//! tensor data extension (JSON header, then raw tensors, sized by `Inference-Header-Content-Length`).

mod request;
mod response;

pub use request::{InferenceRequest, RequestedOutput};
pub use response::{OutputTensor, encode_response};

/// Header giving the length of the JSON part of a body that carries binary tensors.
pub const HEADER_CONTENT_LENGTH: &str = "inference-header-content-length";
