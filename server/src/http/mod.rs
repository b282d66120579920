//! The HTTP API: Open Inference Protocol v2 routes, health, `/metrics`, the model
//! configuration and statistics extensions, and compressed bodies.

mod body;
mod compression;
mod drain;
mod health;
mod infer;
pub mod listener;
mod metadata;
mod metrics;
mod model_config;
mod repository;
mod router;
mod state;
mod stats;

pub use metadata::EXTENSIONS;
pub use router::router;
pub use state::{AppState, Loader, Unavailable};
