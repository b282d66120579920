//! The `monitoring` block (DESIGN §8.21) as written at one level (project, environment or
//! model): every setting optional, so the levels fold into one ([`MonitoringSpec::merge`],
//! the more specific level winning per setting). The serving plan turns the folded spec into
//! a [`crate::model::plan::MonitoringPlan`]; `lower.rs` reads the KDL.

mod lower;

use std::collections::BTreeMap;

pub(crate) use lower::lower_monitoring;

use super::ir::Spanned;
use super::units::Duration;
use crate::source::Span;

/// The alerts mlc knows, with their KDL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum AlertKind {
    /// A latency percentile above a threshold.
    Latency,
    /// The ratio of 5xx answers above a threshold.
    Errors,
    /// The ratio of 429 (queue full) answers above a threshold.
    Rejected,
    /// Requests waiting in the queue above a threshold.
    Queue,
    /// Current replicas at the HPA's maximum.
    Saturation,
    /// GPU framebuffer memory used above a fraction of the slice or GPU.
    GpuMemory,
}

impl AlertKind {
    /// Every alert with its KDL spelling, in the order rules are emitted.
    pub const ALL: &'static [(&'static str, AlertKind)] = &[
        ("latency", AlertKind::Latency),
        ("errors", AlertKind::Errors),
        ("rejected", AlertKind::Rejected),
        ("queue", AlertKind::Queue),
        ("saturation", AlertKind::Saturation),
        ("gpu-memory", AlertKind::GpuMemory),
    ];

    /// The KDL spelling.
    pub fn as_str(self) -> &'static str {
        AlertKind::ALL
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("latency", |(s, _)| s)
    }
}

/// `severity` label values (the kube-prometheus-stack convention, facts §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// Pages someone.
    Critical,
    /// Needs a look.
    Warning,
    /// For information.
    Info,
}

impl Severity {
    /// Every severity with its spelling.
    pub const ALL: &'static [(&'static str, Severity)] = &[
        ("critical", Severity::Critical),
        ("warning", Severity::Warning),
        ("info", Severity::Info),
    ];

    /// The label value.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::Warning => "warning",
            Severity::Info => "info",
        }
    }
}

/// Which Prometheus Operator object scrapes the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MonitorKind {
    /// A ServiceMonitor on the model's Service.
    ServiceMonitor,
    /// A PodMonitor on the model's pods.
    PodMonitor,
}

impl MonitorKind {
    /// Both kinds with their KDL spelling.
    pub const ALL: &'static [(&'static str, MonitorKind)] = &[
        ("service-monitor", MonitorKind::ServiceMonitor),
        ("pod-monitor", MonitorKind::PodMonitor),
    ];
}

/// A threshold as written: a duration (latency) or a number (everything else).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Threshold {
    /// A duration, for `latency`.
    Duration(Duration),
    /// A number: a percentage, or a count for `queue`.
    Number(f64),
}

/// One `alert` node's settings (all optional).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct AlertSpec {
    /// `enabled=#false` turns the alert off.
    pub enabled: Option<bool>,
    /// The threshold.
    pub threshold: Option<Spanned<Threshold>>,
    /// The latency quantile (0 < q < 1).
    pub quantile: Option<f64>,
    /// How long the condition must hold.
    pub for_: Option<Duration>,
    /// The `severity` label.
    pub severity: Option<Severity>,
    /// Extra labels on the rule (Alertmanager routing).
    pub labels: BTreeMap<String, String>,
    /// The last `alert` node that set it (for diagnostics).
    pub span: Option<Span>,
}

impl AlertSpec {
    fn merge(&mut self, o: &AlertSpec) {
        self.enabled = o.enabled.or(self.enabled);
        self.threshold = o.threshold.clone().or_else(|| self.threshold.clone());
        self.quantile = o.quantile.or(self.quantile);
        self.for_ = o.for_.or(self.for_);
        self.severity = o.severity.or(self.severity);
        self.labels.extend(o.labels.clone());
        self.span = o.span.or(self.span);
    }
}

/// The `dashboard` node (project and environment levels).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DashboardSpec {
    /// `enabled=#false`: no dashboard.
    pub enabled: Option<bool>,
    /// Namespace of the ConfigMap (the sidecar's search namespace).
    pub namespace: Option<Spanned<String>>,
    /// The label the sidecar selects on.
    pub label: Option<String>,
    /// Its value.
    pub label_value: Option<String>,
    /// The target folder.
    pub folder: Option<String>,
    /// The name of the folder annotation.
    pub folder_annotation: Option<String>,
}

impl DashboardSpec {
    fn merge(&mut self, o: &DashboardSpec) {
        self.enabled = o.enabled.or(self.enabled);
        self.namespace = o.namespace.clone().or_else(|| self.namespace.clone());
        self.label = o.label.clone().or_else(|| self.label.clone());
        self.label_value = o.label_value.clone().or_else(|| self.label_value.clone());
        self.folder = o.folder.clone().or_else(|| self.folder.clone());
        self.folder_annotation = o
            .folder_annotation
            .clone()
            .or_else(|| self.folder_annotation.clone());
    }
}

/// One `monitoring` block, or several folded into one.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MonitoringSpec {
    /// ServiceMonitor or PodMonitor.
    pub monitor: Option<MonitorKind>,
    /// Scrape interval.
    pub interval: Option<Spanned<Duration>>,
    /// Scrape timeout.
    pub scrape_timeout: Option<Spanned<Duration>>,
    /// Labels the cluster's Prometheus selects rules and monitors on (`release=…`).
    pub select: BTreeMap<String, String>,
    /// Extra labels on every rule.
    pub labels: BTreeMap<String, String>,
    /// Per-alert settings.
    pub alerts: BTreeMap<AlertKind, AlertSpec>,
    /// Dashboard settings.
    pub dashboard: DashboardSpec,
    /// The `monitoring` node (the most specific one after folding).
    pub span: Option<Span>,
}

impl MonitoringSpec {
    /// Folds `more` (a more specific level) over `self`.
    pub fn merge(&mut self, more: &MonitoringSpec) {
        self.monitor = more.monitor.or(self.monitor);
        self.interval = more.interval.clone().or_else(|| self.interval.clone());
        self.scrape_timeout = more
            .scrape_timeout
            .clone()
            .or_else(|| self.scrape_timeout.clone());
        self.select.extend(more.select.clone());
        self.labels.extend(more.labels.clone());
        for (kind, alert) in &more.alerts {
            self.alerts.entry(*kind).or_default().merge(alert);
        }
        self.dashboard.merge(&more.dashboard);
        self.span = more.span.or(self.span);
    }

    /// The levels folded in order (least specific first); `None` when none is declared.
    pub fn fold<'a>(levels: impl IntoIterator<Item = &'a MonitoringSpec>) -> Option<Self> {
        let mut out: Option<MonitoringSpec> = None;
        for level in levels {
            match &mut out {
                Some(o) => o.merge(level),
                None => out = Some(level.clone()),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn level(alert: AlertSpec, select: &[(&str, &str)]) -> MonitoringSpec {
        MonitoringSpec {
            select: select
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            alerts: BTreeMap::from([(AlertKind::Latency, alert)]),
            ..MonitoringSpec::default()
        }
    }

    #[test]
    fn the_more_specific_level_wins_per_setting_and_maps_merge() {
        let project = level(
            AlertSpec {
                for_: Some(Duration { millis: 600_000 }),
                severity: Some(Severity::Warning),
                ..AlertSpec::default()
            },
            &[("release", "kps"), ("team", "a")],
        );
        let model = level(
            AlertSpec {
                severity: Some(Severity::Critical),
                enabled: Some(false),
                ..AlertSpec::default()
            },
            &[("team", "b")],
        );
        let folded = MonitoringSpec::fold([&project, &model]).unwrap();
        let latency = &folded.alerts[&AlertKind::Latency];
        assert_eq!(latency.severity, Some(Severity::Critical));
        assert_eq!(latency.for_, Some(Duration { millis: 600_000 }));
        assert_eq!(latency.enabled, Some(false));
        assert_eq!(folded.select["release"], "kps");
        assert_eq!(folded.select["team"], "b");
        assert!(MonitoringSpec::fold([]).is_none());
    }
}
