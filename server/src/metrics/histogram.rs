//! A fixed-bucket histogram updated with atomics.

use std::sync::atomic::{AtomicU64, Ordering};

/// Counts of observations per bucket, their sum and their number.
#[derive(Debug)]
pub struct Histogram {
    bounds: &'static [f64],
    /// One count per bound, then the `+Inf` bucket; not cumulative.
    counts: Vec<AtomicU64>,
    /// The sum of observations, as `f64` bits.
    sum: AtomicU64,
}

/// Bucket bounds for durations in seconds, from 100 µs to 30 s.
pub(crate) const SECONDS: &[f64] = &[
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5,
    5.0, 10.0, 30.0,
];

/// Bucket bounds for batch sizes.
pub(crate) const BATCH: &[f64] = &[1.0, 2.0, 4.0, 8.0, 16.0, 32.0, 64.0, 128.0, 256.0];

impl Histogram {
    /// An empty histogram over `bounds` (ascending).
    pub fn new(bounds: &'static [f64]) -> Self {
        Self {
            bounds,
            counts: (0..=bounds.len()).map(|_| AtomicU64::new(0)).collect(),
            sum: AtomicU64::new(0f64.to_bits()),
        }
    }

    /// Records one observation.
    pub fn observe(&self, value: f64) {
        let index = self
            .bounds
            .iter()
            .position(|b| value <= *b)
            .unwrap_or(self.bounds.len());
        if let Some(count) = self.counts.get(index) {
            count.fetch_add(1, Ordering::Relaxed);
        }
        let _ = self
            .sum
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |bits| {
                Some((f64::from_bits(bits) + value).to_bits())
            });
    }

    /// Writes the `_bucket`, `_sum` and `_count` lines of `name` with the label `labels`
    /// (already formatted, such as `model="iris"`).
    pub fn write(&self, out: &mut String, name: &str, labels: &str) {
        use std::fmt::Write as _;
        let mut cumulative = 0u64;
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, count) in self.counts.iter().enumerate() {
            cumulative += count.load(Ordering::Relaxed);
            let le = self
                .bounds
                .get(i)
                .map_or_else(|| "+Inf".to_owned(), f64::to_string);
            let _ = writeln!(
                out,
                "{name}_bucket{{{labels}{sep}le=\"{le}\"}} {cumulative}"
            );
        }
        let sum = f64::from_bits(self.sum.load(Ordering::Relaxed));
        let _ = writeln!(out, "{name}_sum{{{labels}}} {sum}");
        let _ = writeln!(out, "{name}_count{{{labels}}} {cumulative}");
    }
}

#[cfg(test)]
mod tests {
    use super::{BATCH, Histogram};

    #[test]
    fn buckets_are_cumulative() {
        let h = Histogram::new(BATCH);
        for v in [1.0, 3.0, 3.0, 1000.0] {
            h.observe(v);
        }
        let mut out = String::new();
        h.write(&mut out, "b", "model=\"m\"");
        assert!(out.contains("b_bucket{model=\"m\",le=\"1\"} 1\n"));
        assert!(out.contains("b_bucket{model=\"m\",le=\"4\"} 3\n"));
        assert!(out.contains("b_bucket{model=\"m\",le=\"+Inf\"} 4\n"));
        assert!(out.contains("b_sum{model=\"m\"} 1007\n"));
        assert!(out.contains("b_count{model=\"m\"} 4\n"));
    }
}
