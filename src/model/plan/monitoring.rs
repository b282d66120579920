//! The monitoring part of a serving plan (DESIGN §8.21): the project's, the environment's and
//! the model's `monitoring` blocks folded, defaults applied, and only the alerts the model's
//! runtime (and its HPA and GPU) can feed. `W0309` for an alert asked for that cannot exist,
//! `E0324` for a scrape timeout above the interval.

use std::collections::BTreeMap;

use super::Plan;
use super::names::Workload;
use super::runtime_metrics::MetricsRuntime;
use super::scaler::Scaler;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::ir::{AcceleratorKind, Environment, Model};
use crate::model::monitoring::{
    AlertKind, AlertSpec, MonitorKind, MonitoringSpec, Severity, Threshold,
};
use crate::model::units::Duration;

/// The label mlc adds to every series of a model's monitor (relabelling): the model.
pub const MODEL_LABEL: &str = "mlc_model";
/// The label mlc adds to every series of a model's monitor: the environment.
pub const ENV_LABEL: &str = "mlc_environment";

/// How the model's `/metrics` is scraped.
#[derive(Debug, Clone, PartialEq)]
pub struct Scrape {
    /// ServiceMonitor or PodMonitor.
    pub kind: MonitorKind,
    /// The monitor's name (the model's).
    pub name: String,
    /// The named port (the Service port for a ServiceMonitor, the container port for a
    /// PodMonitor).
    pub port: &'static str,
    /// The metrics path.
    pub path: &'static str,
    /// Scrape interval.
    pub interval: Duration,
    /// Scrape timeout.
    pub timeout: Duration,
    /// The labels of the Service (ServiceMonitor) or pods (PodMonitor) to scrape.
    pub selector: BTreeMap<String, String>,
    /// Constant labels added to every scraped series (relabelling).
    pub target_labels: BTreeMap<String, String>,
}

/// One alert rule, thresholds in base units.
#[derive(Debug, Clone, PartialEq)]
pub struct Alert {
    /// Which alert.
    pub kind: AlertKind,
    /// The rule's `alert` name.
    pub name: &'static str,
    /// Seconds (latency), a ratio 0..1 (errors, rejected, GPU memory), requests (queue).
    pub threshold: f64,
    /// The latency quantile.
    pub quantile: f64,
    /// How long the condition holds before firing.
    pub for_: Duration,
    /// The `severity` label.
    pub severity: Severity,
    /// Every label of the rule besides `severity`.
    pub labels: BTreeMap<String, String>,
}

/// The environment's Grafana dashboard ConfigMap (the same in every plan of an environment).
#[derive(Debug, Clone, PartialEq)]
pub struct Dashboard {
    /// The ConfigMap name (`<project>-<env>-dashboard`).
    pub name: String,
    /// Its namespace.
    pub namespace: String,
    /// The sidecar's label and value.
    pub label: (String, String),
    /// The folder annotation and folder, when a folder is given.
    pub folder: Option<(String, String)>,
}

/// What mlc emits to watch one model in one environment.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitoringPlan {
    /// The runtime behind `/metrics`.
    pub runtime: MetricsRuntime,
    /// The PrometheusRule name (the model's).
    pub rule_name: String,
    /// Labels the cluster's Prometheus selects rules and monitors on.
    pub select: BTreeMap<String, String>,
    /// Label matchers that pick the model's own series (runtime metrics).
    pub series: BTreeMap<String, String>,
    /// The scrape, when the runtime's metrics can be scraped.
    pub scrape: Option<Scrape>,
    /// The HPAs that scale the model (kube-state-metrics `horizontalpodautoscaler` values).
    pub hpas: Vec<String>,
    /// The Deployments whose pods run the model (DCGM `pod` name prefixes).
    pub deployments: Vec<String>,
    /// Whether the model uses a GPU.
    pub gpu: bool,
    /// Replica bounds (for the dashboard).
    pub replicas: (u32, u32),
    /// The alerts, in [`AlertKind::ALL`] order.
    pub alerts: Vec<Alert>,
    /// The environment's dashboard, unless turned off.
    pub dashboard: Option<Dashboard>,
}

/// Sets `plan.monitoring` on every plan of `env` whose model has `monitoring` at some level.
pub fn plan_monitoring(
    env: &mut Environment,
    project: Option<&MonitoringSpec>,
    project_name: &str,
    diags: &mut Diagnostics,
) {
    let env_name = env.name.value.clone();
    let env_spec = env.monitoring.clone();
    for (key, plan) in &mut env.plans {
        // A Core 2 Model runs on its Servers' pods, which mlc neither writes nor watches.
        let Some(model) = env
            .models
            .get(key)
            .filter(|m| m.serve.value != crate::model::ServeTarget::SeldonCore2)
        else {
            continue;
        };
        let levels = [project, env_spec.as_ref(), model.monitoring.as_ref()];
        let Some(spec) = MonitoringSpec::fold(levels.into_iter().flatten()) else {
            continue;
        };
        plan.monitoring = Some(Box::new(MonitoringPlan::new(
            &spec,
            model,
            plan,
            (project_name, &env_name),
            diags,
        )));
    }
}

fn alert_name(kind: AlertKind) -> &'static str {
    match kind {
        AlertKind::Latency => "ModelLatencyHigh",
        AlertKind::Errors => "ModelErrorRatioHigh",
        AlertKind::Rejected => "ModelRequestsRejected",
        AlertKind::Queue => "ModelQueueBacklog",
        AlertKind::Saturation => "ModelReplicasAtMaximum",
        AlertKind::GpuMemory => "ModelGpuMemoryHigh",
    }
}

impl MonitoringPlan {
    fn new(
        spec: &MonitoringSpec,
        model: &Model,
        plan: &Plan,
        (project, env): (&str, &str),
        diags: &mut Diagnostics,
    ) -> MonitoringPlan {
        let name = model.name.value.clone();
        let runtime = MetricsRuntime::of(model);
        let (hpas, deployments): (Vec<String>, Vec<String>) = match &plan.workload {
            Workload::Deployment { name, keda_hpa } => (
                match plan.scaler {
                    Scaler::Hpa(_) => vec![name.clone()],
                    Scaler::ScaledObjects { .. } => vec![keda_hpa.clone()],
                    _ => Vec::new(),
                },
                vec![name.clone()],
            ),
            // Seldon names its Deployments and HPAs itself.
            Workload::Seldon { .. } => (Vec::new(), Vec::new()),
            Workload::Kserve { predictors, .. } => (
                predictors
                    .iter()
                    .filter_map(|p| match plan.scaler {
                        // KServe names the HPA it makes after the predictor's Deployment.
                        Scaler::KserveHpa(_) => Some(p.deployment.clone()),
                        Scaler::KserveKeda { .. } | Scaler::ScaledObjects { .. } => {
                            Some(p.keda_hpa.clone())
                        }
                        _ => None,
                    })
                    .collect(),
                predictors.iter().map(|p| p.deployment.clone()).collect(),
            ),
        };
        let gpu = model.accelerator.kind != AcceleratorKind::Cpu;
        let target_labels = BTreeMap::from([
            (MODEL_LABEL.to_owned(), name.clone()),
            (ENV_LABEL.to_owned(), env.to_owned()),
        ]);
        let mut series = target_labels.clone();
        if runtime == MetricsRuntime::MlcServe {
            series.insert("model".to_owned(), name.clone());
        }
        let interval = spec
            .interval
            .as_ref()
            .map_or(Duration { millis: 30_000 }, |d| d.value);
        let timeout = spec
            .scrape_timeout
            .as_ref()
            .map_or(Duration { millis: 10_000 }.min(interval), |d| d.value);
        if let Some(t) = &spec.scrape_timeout
            && t.value > interval
        {
            diags.push(
                Diagnostic::error(
                    Code::E0324,
                    format!("scrape timeout {} is longer than the interval {interval}", t.value),
                )
                .label(t.span, "longer than the scrape interval")
                .help(format!(
                    "the Prometheus Operator rejects such a monitor: make `scrape-timeout` at most `\"{interval}\"`"
                )),
            );
        }
        // Knative's and Seldon's Services carry no labels of mlc's: watch the pods.
        let knative = matches!(
            plan.workload,
            Workload::Kserve { knative: true, .. } | Workload::Seldon { .. }
        );
        let selector = match &plan.workload {
            Workload::Kserve { name, .. } => BTreeMap::from([(
                "serving.kserve.io/inferenceservice".to_owned(),
                name.clone(),
            )]),
            Workload::Deployment { .. } | Workload::Seldon { .. } => BTreeMap::from([
                ("app.kubernetes.io/name".to_owned(), name.clone()),
                (
                    "app.kubernetes.io/instance".to_owned(),
                    plan.instance.clone(),
                ),
            ]),
        };
        let scrape = runtime.scraped().then(|| Scrape {
            kind: spec.monitor.unwrap_or(if knative {
                MonitorKind::PodMonitor
            } else {
                MonitorKind::ServiceMonitor
            }),
            name: name.clone(),
            port: "http",
            path: "/metrics",
            interval,
            timeout,
            selector,
            target_labels: target_labels.clone(),
        });
        let queue_depth = plan
            .runtime_config
            .as_ref()
            .map_or(256, |rc| rc.config.server.queue_depth);
        let mut alerts = Vec::new();
        for (_, kind) in AlertKind::ALL {
            let asked = spec.alerts.get(kind).cloned().unwrap_or_default();
            if asked.enabled == Some(false) {
                continue;
            }
            let missing = runtime.supports(*kind).err().or(match kind {
                AlertKind::Saturation if hpas.is_empty() => {
                    Some("no HPA scales this model (fixed replicas or Knative's autoscaler)")
                }
                AlertKind::GpuMemory if !gpu => Some("the model uses no GPU"),
                _ => None,
            });
            if let Some(why) = missing {
                if let Some(span) = asked.span {
                    diags.push(
                        Diagnostic::warning(
                            Code::W0309,
                            format!(
                                "alert `{}` is not emitted for model `{name}`",
                                kind.as_str()
                            ),
                        )
                        .label(span, "this alert cannot be computed here")
                        .help(format!(
                            "{why}; remove the alert or write `alert {} enabled=#false`",
                            kind.as_str()
                        )),
                    );
                }
                continue;
            }
            alerts.push(alert(*kind, &asked, spec, &target_labels, queue_depth));
        }
        let dash = &spec.dashboard;
        let dashboard = (dash.enabled != Some(false)).then(|| Dashboard {
            name: format!("{project}-{env}-dashboard"),
            namespace: dash
                .namespace
                .as_ref()
                .map_or_else(|| plan.namespace.clone(), |n| n.value.clone()),
            label: (
                dash.label
                    .clone()
                    .unwrap_or_else(|| "grafana_dashboard".to_owned()),
                dash.label_value.clone().unwrap_or_else(|| "1".to_owned()),
            ),
            folder: dash.folder.clone().map(|f| {
                (
                    dash.folder_annotation
                        .clone()
                        .unwrap_or_else(|| "k8s-sidecar-target-directory".to_owned()),
                    f,
                )
            }),
        });
        MonitoringPlan {
            runtime,
            rule_name: name,
            select: spec.select.clone(),
            series,
            scrape,
            hpas,
            deployments,
            gpu,
            replicas: (model.autoscale.min.value, model.autoscale.max.value),
            alerts,
            dashboard,
        }
    }
}

fn alert(
    kind: AlertKind,
    asked: &AlertSpec,
    spec: &MonitoringSpec,
    target_labels: &BTreeMap<String, String>,
    queue_depth: u32,
) -> Alert {
    let minutes = |m: u64| Duration { millis: m * 60_000 };
    let (threshold, for_, severity) = match kind {
        AlertKind::Latency => (0.5, minutes(5), Severity::Warning),
        AlertKind::Errors => (0.01, minutes(5), Severity::Critical),
        AlertKind::Rejected => (0.01, minutes(5), Severity::Warning),
        AlertKind::Queue => (
            (f64::from(queue_depth) * 0.8).floor().max(1.0),
            minutes(5),
            Severity::Warning,
        ),
        AlertKind::Saturation => (1.0, minutes(15), Severity::Warning),
        AlertKind::GpuMemory => (0.9, minutes(5), Severity::Warning),
    };
    let threshold = match asked.threshold.as_ref().map(|t| t.value) {
        Some(Threshold::Duration(d)) => {
            f64::from(u32::try_from(d.millis).unwrap_or(u32::MAX)) / 1000.0
        }
        Some(Threshold::Number(n)) if kind == AlertKind::Queue => n,
        Some(Threshold::Number(n)) => n / 100.0,
        None => threshold,
    };
    let mut labels = spec.labels.clone();
    labels.extend(asked.labels.clone());
    labels.extend(target_labels.clone());
    Alert {
        kind,
        name: alert_name(kind),
        threshold,
        quantile: asked.quantile.unwrap_or(0.95),
        for_: asked.for_.unwrap_or(for_),
        severity: asked.severity.unwrap_or(severity),
        labels,
    }
}
