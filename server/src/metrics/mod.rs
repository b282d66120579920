//! Prometheus metrics, served as text at `/metrics`, and the counters of the statistics
//! extension ([`InferStats`]).
//!
//! Every model gets its own [`ModelMetrics`] at start-up, so recording is a few atomic
//! operations and the label sets are bounded by the configuration, never by request input.

mod exposition;
mod histogram;
mod model;
mod stats;

pub use exposition::{Gauges, Metrics};
pub use histogram::Histogram;
pub use model::ModelMetrics;
pub use stats::{InferStats, Tally, TallySnapshot};
