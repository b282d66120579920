//! The adaptive-batching goals, measured as interleaved pairs: for each setting, `pairs`
//! back-to-back measurements of the two systems (the order alternating from pair to pair, so a
//! drift of the machine's load hits both alike), and the median of the per-pair ratios. This
//! machine's run-to-run spread is larger than the differences the goals are about, so single
//! measurements cannot show them.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use ort::session::Session;

use super::{Body, Model, Sample, WARMUP, direct, http, measure, percentile};

/// One system of a pair.
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

/// The medians of `pairs` interleaved pairs (b against a): (req/s ratio, p50 ratio), and the
/// median figures of each side (req/s, p50 ms, p99 ms).
pub(crate) struct PairResult {
    pub(crate) rate_ratio: f64,
    pub(crate) p50_ratio: f64,
    pub(crate) a: (f64, f64, f64),
    pub(crate) b: (f64, f64, f64),
}

#[expect(
    clippy::too_many_arguments,
    reason = "one measurement setting, spelled out"
)]
pub(crate) fn pairs(
    a: &Side<'_>,
    b: &Side<'_>,
    model: Model,
    body: &Arc<Body>,
    concurrency: usize,
    window: Duration,
    pairs: usize,
    label: &str,
) -> PairResult {
    let mut rate_ratios = Vec::new();
    let mut p50_ratios = Vec::new();
    let mut figures_a = (Vec::new(), Vec::new(), Vec::new());
    let mut figures_b = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..pairs {
        let (sa, sb) = if i % 2 == 0 {
            let sa = run(a, model, body, concurrency, window);
            (sa, run(b, model, body, concurrency, window))
        } else {
            let sb = run(b, model, body, concurrency, window);
            (run(a, model, body, concurrency, window), sb)
        };
        let p50 = |s: &Sample| percentile(&s.times, 0.5).as_secs_f64() * 1e3;
        let p99 = |s: &Sample| percentile(&s.times, 0.99).as_secs_f64() * 1e3;
        rate_ratios.push(sb.rate() / sa.rate());
        p50_ratios.push(p50(&sb) / p50(&sa).max(1e-9));
        figures_a.0.push(sa.rate());
        figures_a.1.push(p50(&sa));
        figures_a.2.push(p99(&sa));
        figures_b.0.push(sb.rate());
        figures_b.1.push(p50(&sb));
        figures_b.2.push(p99(&sb));
        println!(
            "  {label} conc {concurrency:>2} pair {i}: {:>8.0} vs {:>8.0} req/s ({:.3}), p50 {:.3} vs {:.3} ms{}",
            sa.rate(),
            sb.rate(),
            sb.rate() / sa.rate(),
            p50(&sa),
            p50(&sb),
            if sa.errors + sb.errors > 0 {
                format!("  ERRORS {}", sa.errors + sb.errors)
            } else {
                String::new()
            }
        );
    }
    PairResult {
        rate_ratio: median(rate_ratios),
        p50_ratio: median(p50_ratios),
        a: (
            median(figures_a.0),
            median(figures_a.1),
            median(figures_a.2),
        ),
        b: (
            median(figures_b.0),
            median(figures_b.1),
            median(figures_b.2),
        ),
    }
}
