//! The HTTP API: Open Inference Protocol v2 routes, health, and `/metrics`.

mod body;
mod health;
mod infer;
mod metadata;
mod metrics;
mod router;
mod state;

pub use router::router;
pub use state::AppState;
