//! KServe `InferenceGraph` (`serving.kserve.io/v1alpha1`) of a pipeline on `serve kserve`,
//! a function of its [`PipelinePlan`]. The spec has no pod security context: the router
//! pod's security comes from KServe's own configuration (`docs/pipelines.md`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ResourceRequirements;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::meta::Owner;
use crate::model::plan::{PipelinePlan, PlannedTarget};
use crate::model::{Dependency, Router};
use crate::model::{Resources, ServeTarget};

/// `serving.kserve.io/v1alpha1` InferenceGraph.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InferenceGraph {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: GraphSpec,
}

/// InferenceGraph spec.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphSpec {
    nodes: BTreeMap<String, RouterNode>,
    #[serde(skip_serializing_if = "Option::is_none")]
    resources: Option<ResourceRequirements>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scale_metric: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    scale_target: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    timeout: Option<u32>,
}

/// One router node.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct RouterNode {
    router_type: &'static str,
    steps: Vec<GraphStep>,
}

/// One step: a name, exactly one target, and the router's per-step fields.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct GraphStep {
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    service_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    node_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    weight: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    condition: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    dependency: Option<&'static str>,
}

fn router_type(r: Router) -> &'static str {
    match r {
        Router::Sequence => "Sequence",
        Router::Switch => "Switch",
        Router::Ensemble => "Ensemble",
        Router::Splitter => "Splitter",
    }
}

/// Requests and limits as written (limits default to the requests); `None` when the
/// pipeline gives no `resources`, so KServe's router defaults apply.
pub(crate) fn router_resources(r: &Resources) -> Option<ResourceRequirements> {
    let q = |v: &Option<crate::model::Spanned<crate::model::units::Quantity>>| {
        v.as_ref().map(|q| Quantity(q.value.text.clone()))
    };
    let mut requests = BTreeMap::new();
    let mut limits = BTreeMap::new();
    for (key, request, limit) in [
        ("cpu", q(&r.cpu), q(&r.cpu_limit)),
        ("memory", q(&r.memory), q(&r.memory_limit)),
    ] {
        if let Some(l) = limit.clone().or_else(|| request.clone()) {
            limits.insert(key.to_owned(), l);
        }
        if let Some(req) = request {
            requests.insert(key.to_owned(), req);
        }
    }
    (!limits.is_empty()).then(|| ResourceRequirements {
        requests: (!requests.is_empty()).then_some(requests),
        limits: Some(limits),
        ..ResourceRequirements::default()
    })
}

/// The InferenceGraph of `plan`.
pub(crate) fn inference_graph(owner: &Owner<'_>, plan: &PipelinePlan) -> InferenceGraph {
    let mut metadata = owner.meta("InferenceGraph", &plan.name, Some(&plan.namespace));
    let mode = if plan.target == Some(ServeTarget::KserveKnative) {
        "Knative"
    } else {
        "Standard"
    };
    metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .insert("serving.kserve.io/deploymentMode".into(), mode.into());
    let nodes = plan
        .nodes
        .iter()
        .map(|n| {
            let steps = n
                .steps
                .iter()
                .map(|s| {
                    let (service_name, node_name) = match &s.target {
                        PlannedTarget::Model { service, .. } => (Some(service.clone()), None),
                        PlannedTarget::Node(node) => (None, Some(node.clone())),
                    };
                    GraphStep {
                        name: s.name.clone(),
                        service_name,
                        node_name,
                        data: s.data.clone(),
                        weight: s.weight,
                        condition: s.condition.clone(),
                        dependency: s.dependency.map(|d| match d {
                            Dependency::Hard => "Hard",
                            Dependency::Soft => "Soft",
                        }),
                    }
                })
                .collect();
            (
                n.name.clone(),
                RouterNode {
                    router_type: router_type(n.router),
                    steps,
                },
            )
        })
        .collect();
    let p = &plan.pipeline;
    let scale = p.scale.as_ref();
    InferenceGraph {
        api_version: "serving.kserve.io/v1alpha1",
        kind: "InferenceGraph",
        metadata,
        spec: GraphSpec {
            nodes,
            resources: router_resources(&p.resources),
            min_replicas: scale.map(|s| s.min.value),
            max_replicas: scale.map(|s| s.max.value),
            scale_metric: scale.and_then(|s| s.metric.map(|m| m.0)),
            scale_target: scale.and_then(|s| s.metric.map(|m| m.1)),
            timeout: p.timeout,
        },
    }
}
