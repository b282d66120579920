//! The PromQL of alerts and panels: the measured quantity of each alert, and the matchers
//! that pick one model's series.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::model::monitoring::AlertKind;
use crate::model::plan::{Alert, MetricsRuntime, MonitoringPlan};

/// The window of every `rate()`.
pub(crate) const WINDOW: &str = "5m";

/// `{k="v",…}` of `labels` plus `extra` matchers (already written), in order.
pub(crate) fn matchers(labels: &BTreeMap<String, String>, extra: &[String]) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}=\"{}\"", escape(v)))
        .collect();
    parts.extend(extra.iter().cloned());
    format!("{{{}}}", parts.join(","))
}

fn escape(v: &str) -> String {
    v.replace('\\', "\\\\").replace('"', "\\\"")
}

fn alternation(names: &[String]) -> String {
    names.join("|")
}

/// The model's runtime series matchers (`{mlc_model="…",…}`), plus `extra`.
pub(crate) fn series(plan: &MonitoringPlan, extra: &[&str]) -> String {
    matchers(
        &plan.series,
        &extra.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>(),
    )
}

/// The kube-state-metrics matchers of the model's HPAs.
pub(crate) fn hpa_matchers(plan: &MonitoringPlan, namespace: &str) -> String {
    format!(
        "{{namespace=\"{}\",horizontalpodautoscaler=~\"{}\"}}",
        escape(namespace),
        alternation(&plan.hpas)
    )
}

/// The DCGM exporter matchers of the model's pods.
pub(crate) fn pod_matchers(plan: &MonitoringPlan, namespace: &str) -> String {
    format!(
        "{{namespace=\"{}\",pod=~\"({})-.+\"}}",
        escape(namespace),
        alternation(&plan.deployments)
    )
}

/// The latency histogram's bucket series of the runtime, if it has one.
pub(crate) fn latency_histogram(runtime: MetricsRuntime) -> Option<&'static str> {
    match runtime {
        MetricsRuntime::MlcServe => Some("mlc_serve_request_duration_seconds"),
        MetricsRuntime::KserveModelServer => Some("request_predict_seconds"),
        _ => None,
    }
}

/// The `q` latency quantile in seconds.
pub(crate) fn latency_quantile(plan: &MonitoringPlan, q: f64) -> Option<String> {
    let histogram = latency_histogram(plan.runtime)?;
    Some(format!(
        "histogram_quantile({q}, sum by (le) (rate({histogram}_bucket{}[{WINDOW}])))",
        series(plan, &[])
    ))
}

/// The ratio of requests answered with a status matching `code` (a matcher such as
/// `code=~"5.."`) over all requests: 0 while requests come and none has that status (its
/// counter series does not exist then), nothing when no request comes.
pub(crate) fn status_ratio(plan: &MonitoringPlan, code: &str) -> String {
    format!(
        "(sum(rate(mlc_serve_requests_total{}[{WINDOW}])) or vector(0)) / sum(rate(mlc_serve_requests_total{}[{WINDOW}]))",
        series(plan, &[code]),
        series(plan, &[])
    )
}

/// GPU framebuffer memory used as a fraction of the slice or GPU, per pod.
pub(crate) fn gpu_memory_ratio(plan: &MonitoringPlan, namespace: &str) -> String {
    let m = pod_matchers(plan, namespace);
    format!(
        "max by (pod) (DCGM_FI_DEV_FB_USED{m} / (DCGM_FI_DEV_FB_USED{m} + DCGM_FI_DEV_FB_FREE{m}))"
    )
}

/// What an alert measures (its expression is this compared with the threshold).
pub(crate) fn measure(plan: &MonitoringPlan, alert: &Alert, namespace: &str) -> String {
    match alert.kind {
        AlertKind::Latency => latency_quantile(plan, alert.quantile).unwrap_or_default(),
        AlertKind::Errors => status_ratio(plan, "code=~\"5..\""),
        AlertKind::Rejected => status_ratio(plan, "code=\"429\""),
        AlertKind::Queue => format!("max(mlc_serve_queue_depth{})", series(plan, &[])),
        AlertKind::Saturation => {
            let m = hpa_matchers(plan, namespace);
            format!(
                "kube_horizontalpodautoscaler_status_current_replicas{m} >= on (namespace, horizontalpodautoscaler) kube_horizontalpodautoscaler_spec_max_replicas{m}"
            )
        }
        AlertKind::GpuMemory => gpu_memory_ratio(plan, namespace),
    }
}

/// The alert's expression.
pub(crate) fn alert_expr(plan: &MonitoringPlan, alert: &Alert, namespace: &str) -> String {
    let mut expr = measure(plan, alert, namespace);
    if alert.kind != AlertKind::Saturation {
        let _ = write!(expr, " > {}", number(alert.threshold));
    }
    expr
}

/// A number as PromQL and people write it (`0.5`, `1`, `0.01`).
pub(crate) fn number(n: f64) -> String {
    let s = format!("{n:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s.is_empty() {
        "0".to_owned()
    } else {
        s.to_owned()
    }
}
