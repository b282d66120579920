//! The ServiceMonitor or PodMonitor (`monitoring.coreos.com/v1`, facts §2.2) that scrapes one
//! model's `/metrics`: the Service or pods by the labels mlc and KServe put on them, the
//! named `http` port, and relabellings that add the model and environment to every series
//! (the labels the rules select on).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use crate::emit::meta::Owner;
use crate::model::monitoring::MonitorKind;
use crate::model::plan::{MonitoringPlan, Plan, Scrape};

/// A ServiceMonitor or PodMonitor.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Monitor {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: MonitorSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct MonitorSpec {
    selector: Selector,
    namespace_selector: NamespaceSelector,
    #[serde(skip_serializing_if = "Option::is_none")]
    endpoints: Option<Vec<Endpoint>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pod_metrics_endpoints: Option<Vec<Endpoint>>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Selector {
    match_labels: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct NamespaceSelector {
    match_names: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Endpoint {
    port: &'static str,
    path: &'static str,
    interval: String,
    scrape_timeout: String,
    relabelings: Vec<Relabeling>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Relabeling {
    action: &'static str,
    target_label: String,
    replacement: String,
}

/// The file stem of the monitor of `scrape`.
pub(crate) fn stem(scrape: &Scrape) -> &'static str {
    match scrape.kind {
        MonitorKind::ServiceMonitor => "servicemonitor",
        MonitorKind::PodMonitor => "podmonitor",
    }
}

/// The monitor of `plan` (file stem and object), when its runtime can be scraped.
pub(crate) fn monitor(
    owner: &Owner<'_>,
    plan: &Plan,
    mon: &MonitoringPlan,
) -> Option<(&'static str, Monitor)> {
    let scrape = mon.scrape.as_ref()?;
    let kind = match scrape.kind {
        MonitorKind::ServiceMonitor => "ServiceMonitor",
        MonitorKind::PodMonitor => "PodMonitor",
    };
    let endpoint = Endpoint {
        port: scrape.port,
        path: scrape.path,
        interval: scrape.interval.to_string(),
        scrape_timeout: scrape.timeout.to_string(),
        relabelings: scrape
            .target_labels
            .iter()
            .map(|(k, v)| Relabeling {
                action: "replace",
                target_label: k.clone(),
                replacement: v.clone(),
            })
            .collect(),
    };
    let (endpoints, pod_metrics_endpoints) = match scrape.kind {
        MonitorKind::ServiceMonitor => (Some(vec![endpoint]), None),
        MonitorKind::PodMonitor => (None, Some(vec![endpoint])),
    };
    let mut metadata = owner.meta(kind, &scrape.name, Some(&plan.namespace));
    if let Some(l) = metadata.labels.as_mut() {
        l.extend(mon.select.clone());
    }
    Some((
        stem(scrape),
        Monitor {
            api_version: "monitoring.coreos.com/v1",
            kind,
            metadata,
            spec: MonitorSpec {
                selector: Selector {
                    match_labels: scrape.selector.clone(),
                },
                namespace_selector: NamespaceSelector {
                    match_names: vec![plan.namespace.clone()],
                },
                endpoints,
                pod_metrics_endpoints,
            },
        },
    ))
}
