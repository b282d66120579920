//! [`InferStats`]: the counters of the statistics extension (`/v2/models/{name}/stats`, as
//! Triton defines it): request outcomes, queue and compute time, and runs per batch size.

use std::collections::BTreeMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::Serialize;

/// A count of events and their total duration in nanoseconds.
#[derive(Debug, Default)]
pub struct Tally {
    count: AtomicU64,
    ns: AtomicU64,
}

impl Tally {
    /// Adds one event that took `took`.
    pub fn add(&self, took: Duration) {
        self.count.fetch_add(1, Ordering::Relaxed);
        let ns = u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        self.ns.fetch_add(ns, Ordering::Relaxed);
    }

    fn snapshot(&self) -> TallySnapshot {
        TallySnapshot {
            count: self.count.load(Ordering::Relaxed),
            ns: self.ns.load(Ordering::Relaxed),
        }
    }
}

/// A tally as the extension writes it.
#[derive(Debug, Clone, Copy, Serialize, PartialEq, Eq)]
pub struct TallySnapshot {
    /// Events.
    pub count: u64,
    /// Their total duration, nanoseconds.
    pub ns: u64,
}

/// The statistics of one model.
#[derive(Debug, Default)]
pub struct InferStats {
    /// Requests answered with 200, arrival to response.
    pub success: Tally,
    /// Requests answered with an error, arrival to response.
    pub fail: Tally,
    /// Time requests waited for a session.
    pub queue: Tally,
    /// ONNX Runtime runs.
    pub compute: Tally,
    /// Rows inferred (a batched request counts its rows).
    inference_count: AtomicU64,
    /// Milliseconds since the Unix epoch of the last run.
    last_inference: AtomicU64,
    /// Runs by batch size in rows.
    batches: Mutex<BTreeMap<usize, (u64, u64)>>,
}

impl InferStats {
    /// Records one run of `rows` rows that took `took`.
    pub fn record_run(&self, rows: usize, took: Duration) {
        self.compute.add(took);
        self.inference_count
            .fetch_add(rows as u64, Ordering::Relaxed);
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX));
        self.last_inference.store(now, Ordering::Relaxed);
        if let Ok(mut batches) = self.batches.lock() {
            let entry = batches.entry(rows).or_insert((0, 0));
            entry.0 += 1;
            entry.1 += u64::try_from(took.as_nanos()).unwrap_or(u64::MAX);
        }
    }

    /// The model's entry of `model_stats`.
    pub fn report(&self, name: &str, version: Option<&str>) -> serde_json::Value {
        let compute = self.compute.snapshot();
        let zero = TallySnapshot { count: 0, ns: 0 };
        let batches: Vec<serde_json::Value> = self
            .batches
            .lock()
            .map(|b| {
                b.iter()
                    .map(|(rows, (count, ns))| {
                        serde_json::json!({
                            "batch_size": rows,
                            "compute_input": zero,
                            "compute_infer": {"count": count, "ns": ns},
                            "compute_output": zero,
                        })
                    })
                    .collect()
            })
            .unwrap_or_default();
        serde_json::json!({
            "name": name,
            "version": version.unwrap_or(""),
            "last_inference": self.last_inference.load(Ordering::Relaxed),
            "inference_count": self.inference_count.load(Ordering::Relaxed),
            "execution_count": compute.count,
            "inference_stats": {
                "success": self.success.snapshot(),
                "fail": self.fail.snapshot(),
                "queue": self.queue.snapshot(),
                "compute_input": zero,
                "compute_infer": compute,
                "compute_output": zero,
            },
            "batch_stats": batches,
        })
    }
}
