//! KServe objects (facts §1, §2): typed `InferenceService` (v1beta1) and `ServingRuntime`
//! (v1alpha1), and the emitter of a model on `serve kserve`.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, ConfigMapVolumeSource, Container, ContainerPort, EnvVar, LocalObjectReference,
    PodSecurityContext, Probe, ResourceRequirements, SecurityContext, Toleration,
    TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::meta::Owner;
use super::pod::{self, CONFIG_DIR, CONFIG_VOLUME, MLC_SERVE_USER, Serving};
use crate::model::plan::{MLC_SERVE_RUNTIME, Plan, Scaler, SharedRuntime, Workload};
use crate::model::{Artifact, Format, Model, Policy, Pool};

/// `serving.kserve.io/v1beta1` InferenceService.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InferenceService {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) metadata: ObjectMeta,
    pub(crate) spec: IsvcSpec,
}

/// InferenceService spec.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct IsvcSpec {
    pub(crate) predictor: Predictor,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) canary: Vec<CanarySpec>,
}

/// A canary predictor with its share of traffic (Standard mode).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CanarySpec {
    pub(crate) predictor: Predictor,
    pub(crate) traffic_percent: i64,
}

/// The model format.
#[derive(Debug, Serialize)]
pub(crate) struct ModelFormat {
    pub(crate) name: String,
}

/// `predictor.model`: format, runtime, storage and the container fields mlc sets.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ModelSpec {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    pub(crate) model_format: ModelFormat,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) runtime: Option<String>,
    pub(crate) storage_uri: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) protocol_version: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) image: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) args: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ports: Option<Vec<ContainerPort>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) env: Option<Vec<EnvVar>>,
    pub(crate) resources: ResourceRequirements,
    pub(crate) readiness_probe: Probe,
    pub(crate) liveness_probe: Probe,
    pub(crate) security_context: SecurityContext,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) volume_mounts: Option<Vec<VolumeMount>>,
}

/// External metric source of KServe's KEDA path.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalMetric {
    pub(crate) backend: &'static str,
    pub(crate) server_address: String,
    pub(crate) query: String,
}

/// Target of an autoscaling metric.
#[derive(Debug, Serialize)]
pub(crate) struct MetricTarget {
    #[serde(rename = "type")]
    pub(crate) type_: &'static str,
    pub(crate) value: String,
}

/// An External metric.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct External {
    pub(crate) metric: ExternalMetric,
    pub(crate) target: MetricTarget,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) authentication_ref: Option<ExternalAuthRef>,
}

/// A reference by name.
#[derive(Debug, Serialize)]
pub(crate) struct NameRef {
    pub(crate) name: String,
}

/// The TriggerAuthentication of KServe's KEDA trigger and the auth modes it enables.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ExternalAuthRef {
    pub(crate) authentication_ref: NameRef,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) auth_modes: Option<String>,
}

/// One `autoScaling.metrics[]` entry.
#[derive(Debug, Serialize)]
pub(crate) struct Metric {
    #[serde(rename = "type")]
    pub(crate) type_: &'static str,
    pub(crate) external: External,
}

/// `predictor.autoScaling`.
#[derive(Debug, Serialize)]
pub(crate) struct AutoScaling {
    pub(crate) metrics: Vec<Metric>,
}

/// A predictor: the model, scaling, and the pod fields KServe inlines.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Predictor {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) name: Option<String>,
    pub(crate) model: ModelSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) min_replicas: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) max_replicas: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scale_metric: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) scale_target: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) auto_scaling: Option<AutoScaling>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) canary_traffic_percent: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) timeout: Option<u64>,
    pub(crate) annotations: BTreeMap<String, String>,
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) automount_service_account_token: bool,
    pub(crate) security_context: PodSecurityContext,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) priority_class_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) runtime_class_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) affinity: Option<Affinity>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) tolerations: Vec<Toleration>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) topology_spread_constraints: Vec<TopologySpreadConstraint>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) volumes: Vec<Volume>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) image_pull_secrets: Vec<LocalObjectReference>,
}

/// `serving.kserve.io/v1alpha1` ServingRuntime.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServingRuntime {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) metadata: ObjectMeta,
    pub(crate) spec: ServingRuntimeSpec,
}

/// A format a runtime serves.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SupportedModelFormat {
    pub(crate) name: &'static str,
    pub(crate) version: &'static str,
    pub(crate) auto_select: bool,
}

/// ServingRuntime spec.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ServingRuntimeSpec {
    pub(crate) supported_model_formats: Vec<SupportedModelFormat>,
    pub(crate) protocol_versions: Vec<&'static str>,
    pub(crate) multi_model: bool,
    pub(crate) containers: Vec<Container>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) image_pull_secrets: Vec<LocalObjectReference>,
}

/// The namespaced ServingRuntime that runs mlc-serve for ONNX models.
pub(crate) fn serving_runtime(
    owner: &Owner<'_>,
    namespace: &str,
    image: &str,
    runtime: &SharedRuntime,
) -> ServingRuntime {
    let container = Container {
        name: "kserve-container".into(),
        image: Some(image.to_owned()),
        args: Some(vec!["--config".into(), format!("{CONFIG_DIR}/config.yaml")]),
        ports: Some(pod::container_ports(
            crate::model::plan::HTTP_PORT,
            runtime.grpc.then_some(crate::model::plan::GRPC_PORT),
        )),
        security_context: Some(pod::container_security(MLC_SERVE_USER)),
        ..Container::default()
    };
    ServingRuntime {
        api_version: "serving.kserve.io/v1alpha1",
        kind: "ServingRuntime",
        metadata: owner.meta("ServingRuntime", runtime.name, Some(namespace)),
        spec: ServingRuntimeSpec {
            supported_model_formats: vec![SupportedModelFormat {
                name: "onnx",
                version: "1",
                auto_select: false,
            }],
            protocol_versions: if runtime.grpc {
                vec!["v2", "grpc-v2"]
            } else {
                vec!["v2"]
            },
            multi_model: false,
            containers: vec![container],
            image_pull_secrets: runtime
                .pull_secrets
                .iter()
                .map(|n| LocalObjectReference { name: n.0.clone() })
                .collect(),
        },
    }
}

fn clamp_i32(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// Everything a predictor needs that does not depend on the artifact.
pub(crate) struct PredictorInputs<'a> {
    pub(crate) model: &'a Model,
    pub(crate) plan: &'a Plan,
    pub(crate) serving: &'a Serving,
    pub(crate) rollout_hash: String,
    pub(crate) pod_labels: BTreeMap<String, String>,
    /// The pool its pods are placed on (a canary's may be its own).
    pub(crate) pool: Option<&'a Pool>,
    /// mlc-serve's image, for a canary's own serving container.
    pub(crate) serving_image: &'a str,
    /// mlc-serve's gRPC port, when its runtime config opens one.
    pub(crate) grpc_port: Option<u16>,
}

fn model_spec(inputs: &PredictorInputs<'_>, artifact: &Artifact, canary: bool) -> ModelSpec {
    let model = inputs.model;
    let pool = inputs.pool;
    let mut mounts = Vec::new();
    if inputs.serving.mlc_serve {
        mounts.push(VolumeMount {
            name: CONFIG_VOLUME.into(),
            mount_path: CONFIG_DIR.into(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
    }
    let (_, extra_mounts) = pod::extra_volumes(model);
    mounts.extend(extra_mounts);
    let container = pod::container(model, inputs.serving, pool, mounts);
    let runtime = if inputs.serving.mlc_serve {
        Some(MLC_SERVE_RUNTIME.to_owned())
    } else {
        model.runtime.name.clone()
    };
    let protocol = match model.format.value {
        Format::Onnx | Format::Triton => Some("v2"),
        _ => None,
    };
    ModelSpec {
        name: canary.then(|| "kserve-container".to_owned()),
        model_format: ModelFormat {
            name: model.format.value.as_str().to_owned(),
        },
        runtime,
        storage_uri: artifact.uri.value.clone(),
        protocol_version: protocol,
        image: container.image,
        args: if inputs.serving.mlc_serve {
            None
        } else {
            container.args
        },
        ports: if inputs.serving.mlc_serve {
            None
        } else {
            container.ports
        },
        env: container.env,
        resources: container.resources.unwrap_or_default(),
        readiness_probe: container.readiness_probe.unwrap_or_default(),
        liveness_probe: container.liveness_probe.unwrap_or_default(),
        security_context: container.security_context.unwrap_or_default(),
        volume_mounts: container.volume_mounts,
    }
}

fn predictor(
    inputs: &PredictorInputs<'_>,
    artifact: &Artifact,
    name: Option<String>,
    canary: bool,
) -> Predictor {
    let model = inputs.model;
    let placement = pod::placement(model, inputs.pool);
    let mut volumes = Vec::new();
    if let Some(rc) = &inputs.plan.runtime_config {
        volumes.push(Volume {
            name: CONFIG_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: rc.name.clone(),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    volumes.extend(pod::extra_volumes(model).0);
    Predictor {
        model: model_spec(inputs, artifact, canary),
        name,
        min_replicas: None,
        max_replicas: None,
        scale_metric: None,
        scale_target: None,
        auto_scaling: None,
        canary_traffic_percent: None,
        timeout: model.timeout.as_ref().map(|t| t.value.millis / 1000),
        annotations: pod::pod_annotations(&inputs.rollout_hash, inputs.serving),
        labels: inputs.pod_labels.clone(),
        automount_service_account_token: false,
        security_context: pod::pod_security(inputs.serving.user),
        service_account_name: Some(inputs.plan.service_account.clone()),
        priority_class_name: model.priority_class.clone(),
        runtime_class_name: placement.runtime_class,
        affinity: placement.affinity,
        tolerations: placement.tolerations,
        topology_spread_constraints: pod::topology(model, &inputs.pod_labels),
        volumes,
        image_pull_secrets: super::workload::pull_secrets(inputs.plan),
    }
}

/// The InferenceService of a model in one environment.
pub(crate) fn inference_service(
    owner: &Owner<'_>,
    inputs: &PredictorInputs<'_>,
) -> InferenceService {
    let model = inputs.model;
    let plan = inputs.plan;
    let a = &model.autoscale;
    let knative = matches!(plan.workload, Workload::Kserve { knative: true, .. });
    // Knative splits traffic between the latest revision (this spec) and the previous one.
    let (main_artifact, knative_canary) = match (knative, model.canaries.first()) {
        (true, Some(c)) => (&c.artifact, Some(c.percent.value)),
        _ => (&model.artifact, None),
    };
    let stable = model.stable.as_ref().map(|s| s.value.clone());
    let mut p = predictor(inputs, main_artifact, stable, false);
    p.min_replicas = Some(clamp_i32(a.min.value));
    p.max_replicas = Some(clamp_i32(a.max.value));
    p.canary_traffic_percent = knative_canary;
    match &plan.scaler {
        Scaler::KserveHpa(m) => {
            (p.scale_metric, p.scale_target) = (Some(m.resource), Some(clamp_i32(m.target)));
        }
        Scaler::Knative { metric, target } => {
            (p.scale_metric, p.scale_target) = (Some(*metric), Some(clamp_i32(*target)));
            // `idle` is read per revision as the scale-to-zero pod retention period (the
            // grace period is cluster-wide only: `config-autoscaler`).
            if a.min.value == 0 {
                p.annotations.insert(
                    "autoscaling.knative.dev/scale-to-zero-pod-retention-period".into(),
                    format!("{}s", a.idle.seconds_ceil()),
                );
            }
        }
        Scaler::KserveKeda { auth } => {
            if let Some(Policy::Prometheus {
                server,
                query,
                threshold,
                ..
            }) = a.policy.as_ref().map(|p| &p.value)
            {
                p.auto_scaling = Some(AutoScaling {
                    metrics: vec![Metric {
                        type_: "External",
                        external: External {
                            metric: ExternalMetric {
                                backend: "prometheus",
                                server_address: server.clone(),
                                query: query.clone(),
                            },
                            target: MetricTarget {
                                type_: "Value",
                                value: threshold.clone(),
                            },
                            authentication_ref: auth.as_ref().map(|ta| ExternalAuthRef {
                                authentication_ref: NameRef {
                                    name: ta.name.clone(),
                                },
                                auth_modes: ta
                                    .metadata
                                    .iter()
                                    .find(|(k, _)| *k == "authModes")
                                    .map(|(_, v)| v.clone()),
                            }),
                        },
                    }],
                });
            }
        }
        Scaler::Fixed
        | Scaler::Hpa(_)
        | Scaler::ScaledObjects { .. }
        | Scaler::SeldonHpa(_)
        | Scaler::SeldonKeda { .. }
        | Scaler::Core2
        | Scaler::Unsupported { .. } => {}
    }
    let canary = if knative {
        Vec::new()
    } else {
        let variants = plan
            .traffic
            .as_ref()
            .map_or(&[][..], |t| t.variants.as_slice());
        variants
            .iter()
            .filter_map(|v| Some((v, model.canaries.get(v.canary?)?)))
            .map(|(v, c)| {
                let canary_model = v.model.as_ref();
                let serving = pod::serving(canary_model, inputs.serving_image, inputs.grpc_port);
                let canary_inputs = PredictorInputs {
                    model: canary_model,
                    plan,
                    serving: &serving,
                    rollout_hash: inputs.rollout_hash.clone(),
                    pod_labels: inputs.pod_labels.clone(),
                    pool: v.pool.as_deref(),
                    serving_image: inputs.serving_image,
                    grpc_port: inputs.grpc_port,
                };
                let name = Some(c.name.value.clone());
                let mut cp = predictor(&canary_inputs, &c.artifact, name, true);
                // Canary predictors take no scaling fields but minReplicas (≤ the stable one).
                cp.min_replicas = Some(clamp_i32(canary_model.autoscale.min.value));
                if let Some(v) = &c.version {
                    cp.labels
                        .insert("app.kubernetes.io/version".into(), v.clone());
                }
                CanarySpec {
                    predictor: cp,
                    traffic_percent: c.percent.value,
                }
            })
            .collect()
    };
    let mut metadata = owner.meta(
        "InferenceService",
        plan.workload.name(),
        Some(&plan.namespace),
    );
    let annotations = metadata.annotations.get_or_insert_with(BTreeMap::new);
    annotations.insert(
        "serving.kserve.io/deploymentMode".into(),
        if knative { "Knative" } else { "Standard" }.into(),
    );
    if !knative {
        annotations.insert(
            "serving.kserve.io/autoscalerClass".into(),
            plan.scaler.kserve_class().into(),
        );
    }
    InferenceService {
        api_version: "serving.kserve.io/v1beta1",
        kind: "InferenceService",
        metadata,
        spec: IsvcSpec {
            predictor: p,
            canary,
        },
    }
}
