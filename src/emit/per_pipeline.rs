//! The objects of one pipeline in one environment, a function of its plan: the
//! InferenceGraph on KServe, a SeldonDeployment whose graph chains the steps on Seldon
//! Core v1, a `Pipeline` on Seldon Core 2.

use std::collections::BTreeMap;

use serde::Serialize;

use super::meta::Owner;
use super::object::to_value;
use super::{EmitOptions, Object, Scope, graph, seldon};
use crate::model::plan::{PipelinePlan, PlannedTarget, SELDON_MAIN_PREDICTOR};
use crate::model::{Environment, Project, Router, ServeTarget};

/// Every object of the pipeline `plan`, in `<pipeline>/` of its environment.
pub(super) fn emit_pipeline(
    project: &Project,
    env: &Environment,
    plan: &PipelinePlan,
    options: &EmitOptions,
) -> Vec<Object> {
    let owner = Owner::shared(project, &plan.name, &plan.instance);
    let (stem, value) = match plan.target {
        Some(ServeTarget::SeldonV1) => (
            "seldondeployment",
            to_value(&seldon_graph(&owner, env, plan, options)),
        ),
        Some(ServeTarget::SeldonCore2) => ("pipeline", to_value(&core2_pipeline(&owner, plan))),
        _ => (
            "inferencegraph",
            to_value(&graph::inference_graph(&owner, plan)),
        ),
    };
    vec![Object {
        scope: Scope::Env(plan.origin.env.clone().unwrap_or_default()),
        file: format!("{}/{stem}.yaml", plan.name),
        value,
        span: plan.pipeline.span,
        origin: plan.origin.clone(),
    }]
}

/// The root node's model steps, in order (validate allows only a sequence of models here).
fn root_models(plan: &PipelinePlan) -> Vec<(&str, &str)> {
    plan.nodes
        .first()
        .map(|n| {
            n.steps
                .iter()
                .filter_map(|s| match &s.target {
                    PlannedTarget::Model { model, service, .. } => {
                        Some((model.as_str(), service.as_str()))
                    }
                    PlannedTarget::Node(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A SeldonDeployment whose graph chains the steps: each unit's child is the next step.
fn seldon_graph(
    owner: &Owner<'_>,
    env: &Environment,
    plan: &PipelinePlan,
    options: &EmitOptions,
) -> seldon::SeldonDeployment {
    let mut parts = Vec::new();
    let mut user = None;
    let mut protocol = "v2";
    let mut first: Option<(&crate::model::Model, &crate::model::plan::Plan)> = None;
    for (model, _) in root_models(plan) {
        let (Some(m), Some(p)) = (env.models.get(model), env.plans.get(model)) else {
            continue;
        };
        let grpc = p
            .runtime_config
            .as_ref()
            .and_then(crate::model::plan::RuntimeConfig::grpc_port);
        let Some(server) = seldon::server(m, &options.mlc_serve_image, grpc) else {
            continue;
        };
        user.get_or_insert(server.user);
        protocol = server.protocol;
        first.get_or_insert((m, p));
        parts.push(seldon::unit(m, p, &server, &m.artifact));
    }
    let selector = owner.selector();
    let mut labels = selector.clone();
    labels.extend(owner.labels());
    let meta = seldon::ComponentMeta {
        labels,
        annotations: BTreeMap::new(),
    };
    let scale = plan.pipeline.scale.as_ref();
    let (units, mut spec) = match first {
        Some((m, p)) => seldon::component(
            m,
            p,
            user.unwrap_or(super::pod::MLC_SERVE_USER),
            parts,
            meta,
            &selector,
        ),
        None => (
            Vec::new(),
            seldon::ComponentSpec {
                metadata: meta,
                spec: k8s_openapi::api::core::v1::PodSpec::default(),
                hpa_spec: None,
                keda_spec: None,
            },
        ),
    };
    // The pipeline's own `autoscale` sizes the graph's pod, not its first step's.
    spec.keda_spec = None;
    spec.hpa_spec = scale.and_then(|s| {
        s.metric.map(|(resource, target)| seldon::HpaSpec {
            min_replicas: i32::try_from(s.min.value.max(1)).unwrap_or(i32::MAX),
            max_replicas: i32::try_from(s.max.value.max(1)).unwrap_or(i32::MAX),
            metricsv2: vec![serde_json::json!({
                "type": "Resource",
                "resource": {
                    "name": resource,
                    "target": { "type": "Utilization", "averageUtilization": target },
                },
            })],
        })
    });
    let replicas = match scale {
        Some(s) if s.metric.is_none() => i32::try_from(s.min.value).ok(),
        _ => None,
    };
    // Chain: the last unit is the innermost child.
    let graph = units
        .into_iter()
        .rev()
        .fold(None, |child, mut unit: seldon::Unit| {
            if let Some(c) = child {
                unit.children = vec![c];
            }
            Some(unit)
        });
    seldon::SeldonDeployment {
        api_version: "machinelearning.seldon.io/v1",
        kind: "SeldonDeployment",
        metadata: owner.meta("SeldonDeployment", &plan.name, Some(&plan.namespace)),
        spec: seldon::SdepSpec {
            protocol,
            predictors: vec![seldon::Predictor {
                name: SELDON_MAIN_PREDICTOR.to_owned(),
                graph: graph.unwrap_or(seldon::Unit {
                    name: plan.name.clone(),
                    type_: "MODEL",
                    implementation: None,
                    model_uri: None,
                    env_secret_ref_name: None,
                    service_account_name: None,
                    children: Vec::new(),
                }),
                component_specs: vec![spec],
                replicas,
                traffic: None,
                labels: BTreeMap::new(),
            }],
        },
    }
}

/// `mlops.seldon.io/v1alpha1` Pipeline.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Core2Pipeline {
    api_version: &'static str,
    kind: &'static str,
    metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    spec: PipelineSpec,
}

#[derive(Debug, Serialize)]
struct PipelineSpec {
    steps: Vec<PipelineStep>,
    output: PipelineOutput,
}

#[derive(Debug, Serialize)]
struct PipelineStep {
    name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    inputs: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct PipelineOutput {
    steps: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    steps_join: Option<&'static str>,
}

/// A Core 2 Pipeline: a sequence chains each step to the previous one; an ensemble feeds
/// every step the pipeline's input and joins their outputs.
fn core2_pipeline(owner: &Owner<'_>, plan: &PipelinePlan) -> Core2Pipeline {
    let ensemble = plan
        .nodes
        .first()
        .is_some_and(|n| n.router == Router::Ensemble);
    let services: Vec<String> = root_models(plan)
        .into_iter()
        .map(|(_, s)| s.to_owned())
        .collect();
    let steps = services
        .iter()
        .enumerate()
        .map(|(i, s)| PipelineStep {
            name: s.clone(),
            inputs: if ensemble || i == 0 {
                Vec::new()
            } else {
                services.get(i - 1).cloned().into_iter().collect()
            },
        })
        .collect();
    let output = if ensemble {
        PipelineOutput {
            steps: services.clone(),
            steps_join: Some("inner"),
        }
    } else {
        PipelineOutput {
            steps: services.last().cloned().into_iter().collect(),
            steps_join: None,
        }
    };
    Core2Pipeline {
        api_version: "mlops.seldon.io/v1alpha1",
        kind: "Pipeline",
        metadata: owner.meta("Pipeline", &plan.name, Some(&plan.namespace)),
        spec: PipelineSpec { steps, output },
    }
}
