//! The adaptive-batching goals, measured as interleaved rounds: for each setting, `rounds`
//! back-to-back measurements of every system (the order rotating from round to round, so a
//! drift of the machine's load hits all alike), and the median of the per-round ratios against
//! the first system. This machine's run-to-run spread is larger than the differences the goals
//! are about, so single measurements cannot show them. For an mlc-serve system, the runs its
//! measurements made are counted by requests per run (the `mlc_serve_batch_requests`
//! histogram), over all rounds.

use std::fmt::Write as _;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ort::session::Session;

use super::{Body, Client, Model, Sample, WARMUP, direct, http, measure, percentile};

/// One system of a round.
pub(crate) enum Side<'a> {
    /// In-process `Session::run`.
    Direct(&'a Arc<Mutex<Session>>),
    /// An mlc-serve process.
    Serve(SocketAddr),
}

fn run(
    side: &Side<'_>,
    model: Model,
    body: &Arc<Body>,
    concurrency: usize,
    window: Duration,
) -> Sample {
    let warmup = WARMUP.max(Duration::from_millis(match model {
        Model::Iris => 0,
        Model::Magika => 10 * concurrency as u64,
    }));
    let infer = format!("/v2/models/{}/infer", model.name());
    match side {
        Side::Direct(session) => measure(concurrency, warmup, window, || direct(session, model, 1)),
        Side::Serve(addr) => measure(concurrency, warmup, window, || http(*addr, &infer, body)),
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(f64::NAN)
}

/// The `mlc_serve_batch_requests` buckets (upper bound, cumulative count) of a server now.
fn batch_buckets(addr: SocketAddr) -> Vec<(String, f64)> {
    let text = Client::connect(addr).get("/metrics").1;
    text.lines()
        .filter(|l| l.starts_with("mlc_serve_batch_requests_bucket{"))
        .filter_map(|l| {
            let le = l.split("le=\"").nth(1)?.split('"').next()?.to_owned();
            let count = l.rsplit(' ').next()?.parse().ok()?;
            Some((le, count))
        })
        .collect()
}

/// Session runs by requests per run: (bucket label, runs), buckets in ascending order.
#[derive(Default)]
pub(crate) struct RunHistogram(Vec<(String, f64)>);

impl RunHistogram {
    /// Adds the runs between two snapshots of the cumulative buckets.
    fn add(&mut self, before: &[(String, f64)], after: &[(String, f64)]) {
        let mut previous = (String::from("0"), 0.0);
        for ((le, b), (_, a)) in before.iter().zip(after) {
            let lower: f64 = previous.0.parse().unwrap_or(0.0) + 1.0;
            let label = if le == "+Inf" {
                format!("{lower}+")
            } else if le.parse::<f64>().is_ok_and(|upper| upper <= lower) {
                le.clone()
            } else {
                format!("{lower}-{le}")
            };
            let runs = (a - b) - previous.1;
            previous = (le.clone(), a - b);
            match self.0.iter_mut().find(|(l, _)| *l == label) {
                Some((_, total)) => *total += runs,
                None => self.0.push((label, runs)),
            }
        }
    }

    /// `requests/run: runs (share)` for each non-empty bucket.
    pub(crate) fn render(&self) -> String {
        let total: f64 = self.0.iter().map(|(_, runs)| runs).sum();
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|(_, runs)| *runs > 0.0)
            .map(|(label, runs)| format!("{label}: {runs:.0} ({:.1} %)", 100.0 * runs / total))
            .collect();
        if parts.is_empty() {
            "no runs".to_owned()
        } else {
            format!("{} runs; requests/run {}", total, parts.join(", "))
        }
    }
}

/// What the rounds found for one system: its req/s, p50 and p99 (ms) in each round, and its
/// runs (mlc-serve only).
pub(crate) struct SideResult {
    rates: Vec<f64>,
    p50s: Vec<f64>,
    p99s: Vec<f64>,
    pub(crate) runs: Option<RunHistogram>,
}

impl SideResult {
    /// Median req/s.
    pub(crate) fn rate(&self) -> f64 {
        median(self.rates.clone())
    }
    /// Median p50, ms.
    pub(crate) fn p50(&self) -> f64 {
        median(self.p50s.clone())
    }
    /// Median p99, ms.
    pub(crate) fn p99(&self) -> f64 {
        median(self.p99s.clone())
    }
    /// The median of the per-round req/s ratios of `self` against `base`.
    pub(crate) fn rate_ratio(&self, base: &SideResult) -> f64 {
        ratios(&self.rates, &base.rates)
    }
    /// The median of the per-round p50 ratios of `self` against `base`.
    pub(crate) fn p50_ratio(&self, base: &SideResult) -> f64 {
        ratios(&self.p50s, &base.p50s)
    }
}

fn ratios(values: &[f64], base: &[f64]) -> f64 {
    median(
        values
            .iter()
            .zip(base)
            .map(|(v, b)| v / b.max(1e-9))
            .collect(),
    )
}

/// `rounds` interleaved rounds of `sides` (label, system); one result per side, in order.
pub(crate) fn rounds(
    sides: &[(&str, Side<'_>)],
    model: Model,
    body: &Arc<Body>,
    concurrency: usize,
    window: Duration,
    rounds: usize,
    label: &str,
) -> Vec<SideResult> {
    let mut results: Vec<SideResult> = sides
        .iter()
        .map(|(_, side)| SideResult {
            rates: Vec::new(),
            p50s: Vec::new(),
            p99s: Vec::new(),
            runs: matches!(side, Side::Serve(_)).then(RunHistogram::default),
        })
        .collect();
    let n = sides.len();
    for round in 0..rounds {
        let mut line = format!("  {label} conc {concurrency:>2} round {round}:");
        for k in 0..n {
            let index = (round + k) % n;
            let (name, side) = &sides[index];
            let before = match side {
                Side::Serve(addr) => Some(batch_buckets(*addr)),
                Side::Direct(_) => None,
            };
            let sample = run(side, model, body, concurrency, window);
            let result = &mut results[index];
            if let (Side::Serve(addr), Some(before), Some(h)) = (side, before, &mut result.runs) {
                h.add(&before, &batch_buckets(*addr));
            }
            let p50 = percentile(&sample.times, 0.5).as_secs_f64() * 1e3;
            result.rates.push(sample.rate());
            result.p50s.push(p50);
            result
                .p99s
                .push(percentile(&sample.times, 0.99).as_secs_f64() * 1e3);
            let _ = write!(
                line,
                " {name} {:.0} req/s p50 {p50:.3} ms{};",
                sample.rate(),
                if sample.errors > 0 {
                    format!(" ERRORS {}", sample.errors)
                } else {
                    String::new()
                }
            );
        }
        println!("{}", line.trim_end_matches(';'));
    }
    results
}
