//! Seldon Core 2 objects (`mlops.seldon.io/v1alpha1`, facts in
//! `docs/facts/pipelines-seldon.md` §3): a `Model` per variant (storage URI, the
//! capability its format requires, replicas, memory), an `Experiment` splitting traffic
//! between them when the model has canaries, and a `Server` the project declares. Core 2
//! schedules Models onto Servers itself: no pod template is written for a Model.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::meta::Owner;
use super::object::to_value;
use crate::model::plan::{Plan, Scaler, Workload};
use crate::model::{Format, Model};

/// The Server capability a format needs (MLServer's and Triton's default capabilities).
pub(crate) fn requirement(format: Format) -> Option<&'static str> {
    Some(match format {
        Format::Onnx => "onnx",
        Format::Sklearn => "sklearn",
        Format::Xgboost => "xgboost",
        Format::Lightgbm => "lightgbm",
        Format::Mlflow => "mlflow",
        Format::Huggingface => "huggingface",
        Format::Pytorch => "pytorch",
        Format::Tensorflow => "tensorflow",
        Format::Triton => "triton",
        Format::Custom => return None,
    })
}

/// `mlops.seldon.io/v1alpha1` Model.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Core2Model {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: ModelSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ModelSpec {
    storage_uri: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    requirements: Vec<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    min_replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    max_replicas: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    memory: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    secret_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    server: Option<String>,
}

/// `mlops.seldon.io/v1alpha1` Experiment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Experiment {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: ExperimentSpec,
}

#[derive(Debug, Serialize)]
struct ExperimentSpec {
    default: String,
    candidates: Vec<Candidate>,
}

#[derive(Debug, Serialize)]
struct Candidate {
    name: String,
    weight: u32,
}

/// The Models (and the Experiment) of a model on `serve seldon mode=core2`, with their
/// file stems: `model`, `model-<canary>`, `experiment`.
pub(crate) fn model_objects(
    owner: &Owner<'_>,
    model: &Model,
    plan: &Plan,
) -> Vec<(String, serde_json::Value)> {
    let Workload::Seldon { variants, name, .. } = &plan.workload else {
        return Vec::new();
    };
    let a = &model.autoscale;
    let (replicas, min, max) = match plan.scaler {
        Scaler::Core2 => (None, Some(a.min.value), Some(a.max.value)),
        _ => (Some(a.min.value), None, None),
    };
    let mut out = Vec::new();
    for v in variants {
        let canary = v.canary.and_then(|i| model.canaries.get(i));
        let artifact = canary.map_or(&model.artifact, |c| &c.artifact);
        let m = Core2Model {
            api_version: "mlops.seldon.io/v1alpha1",
            kind: "Model",
            metadata: owner.meta("Model", &v.name, Some(&plan.namespace)),
            spec: ModelSpec {
                storage_uri: artifact.uri.value.clone(),
                requirements: requirement(model.format.value).into_iter().collect(),
                replicas,
                min_replicas: min,
                max_replicas: max,
                memory: model
                    .resources
                    .memory
                    .as_ref()
                    .map(|q| q.value.text.clone()),
                secret_name: plan.credentials.storage.as_ref().map(|s| s.0.clone()),
                server: plan.seldon_server.clone(),
            },
        };
        let stem = canary.map_or_else(|| "model".to_owned(), |c| format!("model-{}", c.name.value));
        out.push((stem, to_value(&m)));
    }
    if variants.len() > 1 {
        let total: i64 = model
            .canaries
            .iter()
            .map(|c| c.percent.value.clamp(0, 100))
            .sum();
        let weight = |p: i64| u32::try_from(p.clamp(0, 100)).unwrap_or(0);
        let candidates = variants
            .iter()
            .map(|v| Candidate {
                name: v.name.clone(),
                weight: weight(
                    v.canary
                        .and_then(|i| model.canaries.get(i))
                        .map_or(100 - total, |c| c.percent.value),
                ),
            })
            .collect();
        let e = Experiment {
            api_version: "mlops.seldon.io/v1alpha1",
            kind: "Experiment",
            metadata: owner.meta("Experiment", name, Some(&plan.namespace)),
            spec: ExperimentSpec {
                default: name.clone(),
                candidates,
            },
        };
        out.push(("experiment".to_owned(), to_value(&e)));
    }
    out
}

/// A Core 2 `Server` the project declares.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Server {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: ServerSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ServerSpec {
    server_config: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    replicas: Option<u32>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    extra_capabilities: Vec<String>,
}

/// The Server `server` in `namespace`.
pub(crate) fn server(
    owner: &Owner<'_>,
    namespace: &str,
    server: &crate::model::SeldonServer,
) -> Server {
    let mut extra: Vec<String> = server.capabilities.clone();
    extra.sort();
    Server {
        api_version: "mlops.seldon.io/v1alpha1",
        kind: "Server",
        metadata: owner.meta("Server", &server.name.value, Some(namespace)),
        spec: ServerSpec {
            server_config: server.config.clone(),
            replicas: server.replicas,
            extra_capabilities: extra,
        },
    }
}
