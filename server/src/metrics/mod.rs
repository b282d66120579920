//! Prometheus metrics, served as text at `/metrics`.
//!
//! Every model gets its own [`ModelMetrics`] at start-up, so recording is a few atomic
//! operations and the label sets are bounded by the configuration, never by request input.

mod exposition;
mod histogram;
mod model;

pub use exposition::{Gauges, Metrics};
pub use histogram::Histogram;
pub use model::ModelMetrics;
