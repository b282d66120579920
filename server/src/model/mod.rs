//! Loaded models: ONNX Runtime sessions, their metadata, and the queue and batcher in front
//! of them.
//!
//! A request's tensors are checked against the [`ModelMetadata`] and take a place in the model's
//! bounded queue. When a session is free and nothing waits, the request runs at once; otherwise
//! it waits in the model's queue, where compatible requests form one batch (`pending`, when the
//! model can batch), and the dispatcher (`batcher`) runs the batch when a session frees up.
//! Batches run on a session of the pool, on that session's own thread, and are split back to
//! each caller.

mod batcher;
mod job;
mod loaded;
mod metadata;
mod path;
mod pending;
mod runner;
mod session_pool;

pub use loaded::{Model, QueueSlot, load};
pub use metadata::{ModelMetadata, TensorSpec};
pub use path::resolve_model_file;
