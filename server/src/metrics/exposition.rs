//! [`Metrics`]: every model's metrics, written in the Prometheus text format.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Arc;

use super::model::ModelMetrics;

/// The metrics of the whole server.
#[derive(Debug, Default)]
pub struct Metrics {
    models: BTreeMap<String, Arc<ModelMetrics>>,
    /// Requests naming no configured model, counted under `model=""`.
    unknown: ModelMetrics,
}

/// A value read at scrape time from outside the registry.
#[derive(Debug, Clone, Copy)]
pub struct Gauges {
    /// Requests waiting in the model's queue.
    pub queue_depth: usize,
    /// Whether the model takes requests.
    pub ready: bool,
}

impl Metrics {
    /// A registry with one entry per model name.
    pub fn new<'a>(names: impl IntoIterator<Item = &'a str>) -> Self {
        let models = names
            .into_iter()
            .map(|n| (n.to_owned(), Arc::default()))
            .collect();
        Self {
            models,
            unknown: ModelMetrics::default(),
        }
    }

    /// The metrics of `model`, or of the unknown-model bucket.
    pub fn model(&self, model: &str) -> &ModelMetrics {
        self.models.get(model).map_or(&self.unknown, |m| m)
    }

    /// A shared handle on the metrics of a configured model.
    pub fn model_handle(&self, model: &str) -> Option<Arc<ModelMetrics>> {
        self.models.get(model).cloned()
    }

    /// Writes the text exposition; `gauges` gives the live values of each model.
    pub fn render(&self, gauges: impl Fn(&str) -> Option<Gauges>) -> String {
        let mut out = String::with_capacity(8192);
        let all: Vec<(&str, &ModelMetrics)> = self
            .models
            .iter()
            .map(|(name, m)| (name.as_str(), m.as_ref()))
            .chain(std::iter::once(("", &self.unknown)))
            .collect();

        header(
            &mut out,
            "mlc_serve_requests_total",
            "counter",
            "Inference requests by model and HTTP status code.",
        );
        for (name, m) in &all {
            for (code, count) in m.request_counts() {
                let _ = writeln!(
                    out,
                    "mlc_serve_requests_total{{model=\"{}\",code=\"{code}\"}} {count}",
                    escape(name)
                );
            }
        }
        header(
            &mut out,
            "mlc_serve_in_flight_requests",
            "gauge",
            "Inference requests being handled.",
        );
        for (name, m) in &all {
            let _ = writeln!(
                out,
                "mlc_serve_in_flight_requests{{model=\"{}\"}} {}",
                escape(name),
                m.in_flight()
            );
        }
        let configured = &all[..all.len().saturating_sub(1)];
        header(
            &mut out,
            "mlc_serve_queue_depth",
            "gauge",
            "Requests waiting in the model's queue.",
        );
        for (name, _) in configured {
            let depth = gauges(name).map_or(0, |g| g.queue_depth);
            let _ = writeln!(
                out,
                "mlc_serve_queue_depth{{model=\"{}\"}} {depth}",
                escape(name)
            );
        }
        header(
            &mut out,
            "mlc_serve_model_ready",
            "gauge",
            "1 when the model takes inference requests.",
        );
        for (name, _) in configured {
            let ready = gauges(name).is_some_and(|g| g.ready);
            let _ = writeln!(
                out,
                "mlc_serve_model_ready{{model=\"{}\"}} {}",
                escape(name),
                u8::from(ready)
            );
        }
        let histograms: [(&str, &str, HistogramOf); 5] = [
            (
                "mlc_serve_request_duration_seconds",
                "Inference request latency, arrival to response.",
                |m| &m.request_duration,
            ),
            (
                "mlc_serve_queue_duration_seconds",
                "Time a request waited in the queue before its batch ran.",
                |m| &m.queue_duration,
            ),
            (
                "mlc_serve_inference_duration_seconds",
                "Duration of one ONNX Runtime run (one batch).",
                |m| &m.inference_duration,
            ),
            (
                "mlc_serve_batch_size",
                "Rows (dimension 0) per ONNX Runtime run.",
                |m| &m.batch_size,
            ),
            (
                "mlc_serve_batch_requests",
                "Requests per ONNX Runtime run.",
                |m| &m.batch_requests,
            ),
        ];
        for (metric, help, get) in histograms {
            header(&mut out, metric, "histogram", help);
            for (name, m) in configured {
                get(m).write(&mut out, metric, &format!("model=\"{}\"", escape(name)));
            }
        }
        out
    }
}

/// Picks one histogram out of a model's metrics.
type HistogramOf = fn(&ModelMetrics) -> &super::Histogram;

fn header(out: &mut String, name: &str, kind: &str, help: &str) {
    let _ = writeln!(out, "# HELP {name} {help}");
    let _ = writeln!(out, "# TYPE {name} {kind}");
}

/// Escapes a label value (model names are restricted, but the format demands it).
fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
