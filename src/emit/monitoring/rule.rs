//! The PrometheusRule (`monitoring.coreos.com/v1`, facts §2.1) of one model in one
//! environment: one group, one alerting rule per alert of the plan, labels on each rule
//! (promtool 2.42 rejects group labels).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::promql;
use crate::emit::meta::Owner;
use crate::model::monitoring::AlertKind;
use crate::model::plan::{Alert, MonitoringPlan, Plan};

/// A PrometheusRule.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct PrometheusRule {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: RuleSpec,
}

#[derive(Debug, Serialize)]
struct RuleSpec {
    groups: Vec<RuleGroup>,
}

#[derive(Debug, Serialize)]
struct RuleGroup {
    name: String,
    rules: Vec<Rule>,
}

#[derive(Debug, Serialize)]
struct Rule {
    alert: &'static str,
    expr: String,
    #[serde(rename = "for")]
    for_: String,
    labels: BTreeMap<String, String>,
    annotations: BTreeMap<String, String>,
}

fn describe(alert: &Alert, model: &str) -> (String, String) {
    let t = promql::number(alert.threshold);
    let pct = promql::number(alert.threshold * 100.0);
    let w = &alert.for_;
    match alert.kind {
        AlertKind::Latency => (
            format!(
                "{model}: p{} latency above {t}s",
                promql::number(alert.quantile * 100.0)
            ),
            format!(
                "The {} quantile of request latency has been above {t}s for {w}: {{{{ $value | humanizeDuration }}}}.",
                promql::number(alert.quantile)
            ),
        ),
        AlertKind::Errors => (
            format!("{model}: more than {pct}% of requests fail"),
            format!(
                "The ratio of 5xx answers has been above {pct}% for {w}: {{{{ $value | humanizePercentage }}}}."
            ),
        ),
        AlertKind::Rejected => (
            format!("{model}: more than {pct}% of requests rejected (queue full)"),
            format!(
                "The ratio of 429 answers has been above {pct}% for {w}: {{{{ $value | humanizePercentage }}}}. Raise the replicas or the queue depth."
            ),
        ),
        AlertKind::Queue => (
            format!("{model}: more than {t} requests queued"),
            format!("A pod has had more than {t} requests waiting for {w}: {{{{ $value }}}}."),
        ),
        AlertKind::Saturation => (
            format!("{model}: replicas pinned at the maximum"),
            format!(
                "The HPA {{{{ $labels.horizontalpodautoscaler }}}} has run at its maximum replicas for {w}: raise `autoscale max` or the capacity."
            ),
        ),
        AlertKind::GpuMemory => (
            format!("{model}: GPU memory above {pct}%"),
            format!(
                "Pod {{{{ $labels.pod }}}} has used more than {pct}% of its GPU memory for {w}: {{{{ $value | humanizePercentage }}}}."
            ),
        ),
    }
}

/// The PrometheusRule of `plan`, or `None` when no alert applies.
pub(crate) fn prometheus_rule(
    owner: &Owner<'_>,
    plan: &Plan,
    mon: &MonitoringPlan,
) -> Option<PrometheusRule> {
    if mon.alerts.is_empty() {
        return None;
    }
    let ns = plan.namespace.as_str();
    let model = &mon.rule_name;
    let rules = mon
        .alerts
        .iter()
        .map(|a| {
            let mut labels = a.labels.clone();
            labels.insert("severity".into(), a.severity.as_str().into());
            labels.insert("namespace".into(), ns.into());
            let (summary, description) = describe(a, model);
            Rule {
                alert: a.name,
                expr: promql::alert_expr(mon, a, ns),
                for_: a.for_.to_string(),
                labels,
                annotations: BTreeMap::from([
                    ("summary".to_owned(), summary),
                    ("description".to_owned(), description),
                ]),
            }
        })
        .collect();
    let mut metadata = owner.meta("PrometheusRule", model, Some(ns));
    if let Some(l) = metadata.labels.as_mut() {
        l.extend(mon.select.clone());
    }
    Some(PrometheusRule {
        api_version: "monitoring.coreos.com/v1",
        kind: "PrometheusRule",
        metadata,
        spec: RuleSpec {
            groups: vec![RuleGroup {
                name: format!("{model}.{}", plan.origin.env.clone().unwrap_or_default()),
                rules,
            }],
        },
    })
}
