//! Loaded models: ONNX Runtime sessions, their metadata, and the queue and batcher in front
//! of them.
//!
//! A request's tensors are checked against the [`ModelMetadata`], queued on the model's bounded
//! queue, grouped with compatible requests into one batch (when the model can batch), run on a
//! free session of the pool on a blocking thread, and split back to each caller.

mod batcher;
mod job;
mod loaded;
mod metadata;
mod path;
mod runner;
mod session_pool;

pub use loaded::{Model, QueueSlot, load};
pub use metadata::{ModelMetadata, TensorSpec};
pub use path::resolve_model_file;
