//! The metrics of one model.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI64, Ordering};

use super::histogram::{BATCH, Histogram, SECONDS};
use super::stats::InferStats;

/// Counters, gauges and histograms of one model.
#[derive(Debug)]
pub struct ModelMetrics {
    /// Inference requests by HTTP status code.
    requests: Mutex<BTreeMap<u16, u64>>,
    /// Arrival to response of inference requests, seconds.
    pub request_duration: Histogram,
    /// Time a request waited in the queue before its batch started, seconds.
    pub queue_duration: Histogram,
    /// Duration of one ONNX Runtime run (one batch), seconds.
    pub inference_duration: Histogram,
    /// Rows (dimension 0) per run.
    pub batch_size: Histogram,
    /// Requests per run.
    pub batch_requests: Histogram,
    /// Inference requests being handled.
    in_flight: AtomicI64,
    /// The statistics extension's counters.
    pub stats: InferStats,
}

impl Default for ModelMetrics {
    fn default() -> Self {
        Self {
            requests: Mutex::new(BTreeMap::new()),
            request_duration: Histogram::new(SECONDS),
            queue_duration: Histogram::new(SECONDS),
            inference_duration: Histogram::new(SECONDS),
            batch_size: Histogram::new(BATCH),
            batch_requests: Histogram::new(BATCH),
            in_flight: AtomicI64::new(0),
            stats: InferStats::default(),
        }
    }
}

impl ModelMetrics {
    /// Counts one finished request with its status code.
    pub fn count_request(&self, code: u16) {
        if let Ok(mut requests) = self.requests.lock() {
            *requests.entry(code).or_insert(0) += 1;
        }
    }

    /// A snapshot of the request counts by code.
    pub fn request_counts(&self) -> BTreeMap<u16, u64> {
        self.requests.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Marks a request as started; the guard marks it finished when dropped.
    pub fn track_in_flight(&self) -> InFlight<'_> {
        self.in_flight.fetch_add(1, Ordering::Relaxed);
        InFlight(self)
    }

    /// Requests being handled now.
    pub fn in_flight(&self) -> i64 {
        self.in_flight.load(Ordering::Relaxed)
    }
}

/// Decrements the in-flight gauge when dropped.
#[derive(Debug)]
pub struct InFlight<'a>(&'a ModelMetrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::Relaxed);
    }
}
