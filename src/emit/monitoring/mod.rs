//! Observability objects (DESIGN §8.21), a function of each plan's
//! [`crate::model::plan::MonitoringPlan`]: a PrometheusRule per model and environment
//! (`rule.rs`), a ServiceMonitor or PodMonitor per model (`monitor.rs`), and a Grafana
//! dashboard ConfigMap per environment for the dashboard sidecar (`dashboard.rs`). The PromQL
//! they share is in `promql.rs`; it names only the metrics of the runtime table
//! (`model::plan::runtime_metrics`) and the exporters of facts §9.

mod dashboard;
mod monitor;
pub(crate) mod promql;
mod rule;

pub(super) use dashboard::dashboard;
pub(super) use monitor::monitor;
pub(super) use rule::prometheus_rule;
