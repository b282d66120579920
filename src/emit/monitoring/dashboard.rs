//! The Grafana dashboard of one environment, as a ConfigMap the grafana chart's dashboard
//! sidecar loads (facts §7): the sidecar's label, one `<name>.json` key, the folder
//! annotation when a folder is set. One row per monitored model: request rate, error ratio,
//! latency percentiles, batch sizes and queue time (mlc-serve), replicas against min and max
//! (models with an HPA), GPU utilisation and memory (GPU models). Queries use Grafana's
//! `$__rate_interval` and a `datasource` variable.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;
use serde::Serialize;

use super::promql;
use crate::emit::meta::Owner;
use crate::model::Project;
use crate::model::plan::{MetricsRuntime, MonitoringPlan, Plan};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Dashboard {
    title: String,
    uid: String,
    tags: Vec<&'static str>,
    schema_version: u32,
    editable: bool,
    time: TimeRange,
    templating: Templating,
    panels: Vec<Panel>,
}

#[derive(Debug, Serialize)]
struct TimeRange {
    from: &'static str,
    to: &'static str,
}

#[derive(Debug, Serialize)]
struct Templating {
    list: Vec<Variable>,
}

#[derive(Debug, Serialize)]
struct Variable {
    name: &'static str,
    label: &'static str,
    #[serde(rename = "type")]
    kind: &'static str,
    query: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Panel {
    id: u32,
    #[serde(rename = "type")]
    kind: &'static str,
    title: String,
    grid_pos: GridPos,
    #[serde(skip_serializing_if = "Option::is_none")]
    datasource: Option<Datasource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    targets: Vec<Target>,
    #[serde(skip_serializing_if = "Option::is_none")]
    field_config: Option<FieldConfig>,
}

#[derive(Debug, Serialize)]
struct GridPos {
    h: u32,
    w: u32,
    x: u32,
    y: u32,
}

#[derive(Debug, Serialize)]
struct Datasource {
    #[serde(rename = "type")]
    kind: &'static str,
    uid: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Target {
    expr: String,
    legend_format: String,
    ref_id: String,
}

#[derive(Debug, Serialize)]
struct FieldConfig {
    defaults: FieldDefaults,
}

#[derive(Debug, Serialize)]
struct FieldDefaults {
    unit: &'static str,
}

/// One panel before layout: title, unit and (legend, query) pairs.
struct Graph {
    title: &'static str,
    unit: &'static str,
    queries: Vec<(String, String)>,
}

fn rate_interval(q: &str) -> String {
    q.replace(&format!("[{}]", promql::WINDOW), "[$__rate_interval]")
}

fn graphs(mon: &MonitoringPlan, namespace: &str) -> Vec<Graph> {
    let mut out = Vec::new();
    let sel = promql::series(mon, &[]);
    let w = promql::WINDOW;
    match mon.runtime {
        MetricsRuntime::MlcServe => out.push(Graph {
            title: "Request rate by status",
            unit: "reqps",
            queries: vec![(
                "{{code}}".into(),
                format!("sum by (code) (rate(mlc_serve_requests_total{sel}[{w}]))"),
            )],
        }),
        MetricsRuntime::KserveModelServer => out.push(Graph {
            title: "Request rate",
            unit: "reqps",
            queries: vec![(
                "predict".into(),
                format!("sum(rate(request_predict_seconds_count{sel}[{w}]))"),
            )],
        }),
        _ => {}
    }
    if mon.runtime == MetricsRuntime::MlcServe {
        out.push(Graph {
            title: "Error ratio (5xx)",
            unit: "percentunit",
            queries: vec![("5xx".into(), promql::status_ratio(mon, "code=~\"5..\""))],
        });
    }
    if promql::latency_histogram(mon.runtime).is_some() {
        out.push(Graph {
            title: "Latency percentiles",
            unit: "s",
            queries: [0.5, 0.95, 0.99]
                .iter()
                .filter_map(|q| {
                    promql::latency_quantile(mon, *q)
                        .map(|e| (format!("p{}", promql::number(q * 100.0)), e))
                })
                .collect(),
        });
    }
    if mon.runtime == MetricsRuntime::MlcServe {
        let quantile = |metric: &str, q: f64| {
            format!("histogram_quantile({q}, sum by (le) (rate({metric}_bucket{sel}[{w}])))")
        };
        out.push(Graph {
            title: "Batch size (rows per run)",
            unit: "short",
            queries: vec![
                ("p50".into(), quantile("mlc_serve_batch_size", 0.5)),
                ("p95".into(), quantile("mlc_serve_batch_size", 0.95)),
            ],
        });
        out.push(Graph {
            title: "Queue time and depth",
            unit: "s",
            queries: vec![
                (
                    "p95 queue time".into(),
                    quantile("mlc_serve_queue_duration_seconds", 0.95),
                ),
                (
                    "queued requests".into(),
                    format!("sum(mlc_serve_queue_depth{sel})"),
                ),
            ],
        });
    }
    if !mon.hpas.is_empty() {
        let m = promql::hpa_matchers(mon, namespace);
        out.push(Graph {
            title: "Replicas against min and max",
            unit: "short",
            queries: vec![
                (
                    "current".into(),
                    format!("sum(kube_horizontalpodautoscaler_status_current_replicas{m})"),
                ),
                (
                    "min".into(),
                    format!("sum(kube_horizontalpodautoscaler_spec_min_replicas{m})"),
                ),
                (
                    "max".into(),
                    format!("sum(kube_horizontalpodautoscaler_spec_max_replicas{m})"),
                ),
            ],
        });
    }
    if mon.gpu {
        let m = promql::pod_matchers(mon, namespace);
        out.push(Graph {
            title: "GPU utilisation",
            unit: "percent",
            queries: vec![(
                "{{pod}}".into(),
                format!("avg by (pod) (DCGM_FI_DEV_GPU_UTIL{m})"),
            )],
        });
        out.push(Graph {
            title: "GPU memory used",
            unit: "percentunit",
            queries: vec![("{{pod}}".into(), promql::gpu_memory_ratio(mon, namespace))],
        });
    }
    out
}

/// The dashboard ConfigMap of an environment from its monitored plans (in model order);
/// `None` when none is monitored or the dashboard is turned off. Gives the file and object.
pub(crate) fn dashboard(project: &Project, plans: &[&Plan]) -> Option<(String, ConfigMap)> {
    let monitored: Vec<(&Plan, &MonitoringPlan)> = plans
        .iter()
        .filter_map(|p| p.monitoring.as_deref().map(|m| (*p, m)))
        .collect();
    let settings = monitored.iter().find_map(|(_, m)| m.dashboard.as_ref())?;
    let mut panels = Vec::new();
    let mut id = 0;
    let mut y = 0;
    for (plan, mon) in &monitored {
        let graphs = graphs(mon, &plan.namespace);
        if graphs.is_empty() {
            continue;
        }
        id += 1;
        panels.push(Panel {
            id,
            kind: "row",
            title: mon.rule_name.clone(),
            grid_pos: GridPos {
                h: 1,
                w: 24,
                x: 0,
                y,
            },
            datasource: None,
            targets: Vec::new(),
            field_config: None,
        });
        y += 1;
        for (i, g) in graphs.into_iter().enumerate() {
            id += 1;
            let col = u32::try_from(i % 3).unwrap_or(0);
            if i > 0 && col == 0 {
                y += 8;
            }
            panels.push(Panel {
                id,
                kind: "timeseries",
                title: g.title.to_owned(),
                grid_pos: GridPos {
                    h: 8,
                    w: 8,
                    x: col * 8,
                    y,
                },
                datasource: Some(Datasource {
                    kind: "prometheus",
                    uid: "${datasource}",
                }),
                targets: g
                    .queries
                    .into_iter()
                    .zip('A'..='Z')
                    .map(|((legend, expr), r)| Target {
                        expr: rate_interval(&expr),
                        legend_format: legend,
                        ref_id: r.to_string(),
                    })
                    .collect(),
                field_config: Some(FieldConfig {
                    defaults: FieldDefaults { unit: g.unit },
                }),
            });
        }
        y += 8;
    }
    let env = monitored
        .first()
        .and_then(|(p, _)| p.origin.env.clone())
        .unwrap_or_default();
    let title = format!("{} / {env}", project.name.value);
    let mut uid = format!("mlc-{}-{env}", project.name.value);
    uid.truncate(40);
    let board = Dashboard {
        title,
        uid,
        tags: vec!["mlc"],
        schema_version: 39,
        editable: false,
        time: TimeRange {
            from: "now-6h",
            to: "now",
        },
        templating: Templating {
            list: vec![Variable {
                name: "datasource",
                label: "Data source",
                kind: "datasource",
                query: "prometheus",
            }],
        },
        panels,
    };
    let json = serde_json::to_string_pretty(&board).unwrap_or_default() + "\n";
    let owner = Owner::shared(project, "mlc-dashboard", &settings.name);
    let mut metadata = owner.meta("ConfigMap", &settings.name, Some(&settings.namespace));
    if let Some(l) = metadata.labels.as_mut() {
        l.insert(settings.label.0.clone(), settings.label.1.clone());
    }
    if let (Some(a), Some((key, folder))) = (metadata.annotations.as_mut(), &settings.folder) {
        a.insert(key.clone(), folder.clone());
    }
    let cm = ConfigMap {
        metadata,
        data: Some(BTreeMap::from([(format!("{}.json", settings.name), json)])),
        ..ConfigMap::default()
    };
    Some((format!("_shared/configmap-{}.yaml", settings.name), cm))
}
