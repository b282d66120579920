//! Seldon Core v1 `SeldonDeployment` (`machinelearning.seldon.io/v1`, facts in
//! `docs/facts/pipelines-seldon.md` §2): one predictor per variant with its `traffic`
//! share, a graph unit on the prepackaged server matching the format (or a custom
//! container: mlc-serve for ONNX, the user's image for `custom`), and the pod settings
//! through `componentSpecs` with the scaling the plan decided (`hpaSpec` or `kedaSpec`).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{ConfigMapVolumeSource, Container, PodSpec, Volume, VolumeMount};
use serde::Serialize;

use super::keda::{self, Advanced, HpaConfig, KedaFallback, Trigger};
use super::meta::Owner;
use super::pod::{self, CONFIG_DIR, CONFIG_VOLUME, MLC_SERVE_USER, RUNTIME_USER, Serving};
use crate::model::plan::{HTTP_PORT, Plan, ResourceMetric, Scaler, SeldonVariant, Workload};
use crate::model::{Artifact, Format, Model};

/// The executor's HTTP port in front of a Seldon Core v1 pod (operator `executor.port`).
pub(crate) const EXECUTOR_HTTP_PORT: u16 = 8000;
/// The executor's gRPC port (operator `executor.grpc.port`).
pub(crate) const EXECUTOR_GRPC_PORT: u16 = 5001;

/// The user of Seldon's MLServer images (`USER 1000` in SeldonIO/MLServer's Dockerfile).
const MLSERVER_USER: i64 = 1000;

/// How Seldon runs a model: a prepackaged server or a custom container.
#[derive(Debug, Clone)]
pub(crate) struct SeldonServer {
    /// The prepackaged server (`implementation`), `None` for a custom container.
    pub(crate) implementation: Option<&'static str>,
    /// `spec.protocol` the server speaks.
    pub(crate) protocol: &'static str,
    /// The numeric user its image runs as (or that mlc sets for a root image).
    pub(crate) user: i64,
    /// The custom container, when there is no prepackaged server.
    pub(crate) custom: Option<Serving>,
}

/// The server of `model` on Seldon Core v1 (`None` for a format without one: validate
/// reports `E0318`).
pub(crate) fn server(
    model: &Model,
    mlc_serve_image: &str,
    grpc_port: Option<u16>,
) -> Option<SeldonServer> {
    let prepack = |implementation, protocol, user| SeldonServer {
        implementation: Some(implementation),
        protocol,
        user,
        custom: None,
    };
    if model.uses_mlc_serve() {
        return Some(SeldonServer {
            implementation: None,
            protocol: "v2",
            user: MLC_SERVE_USER,
            custom: Some(Serving {
                image: Some(mlc_serve_image.to_owned()),
                args: vec!["--config".into(), format!("{CONFIG_DIR}/config.yaml")],
                port: HTTP_PORT,
                grpc_port,
                ready: "/v2/health/ready".into(),
                live: "/v2/health/live".into(),
                user: MLC_SERVE_USER,
                mlc_serve: true,
            }),
        });
    }
    Some(match model.format.value {
        Format::Sklearn => prepack("SKLEARN_SERVER", "v2", MLSERVER_USER),
        Format::Xgboost => prepack("XGBOOST_SERVER", "v2", MLSERVER_USER),
        Format::Mlflow => prepack("MLFLOW_SERVER", "v2", MLSERVER_USER),
        Format::Huggingface => prepack("HUGGINGFACE_SERVER", "v2", MLSERVER_USER),
        Format::Triton => prepack("TRITON_SERVER", "v2", RUNTIME_USER),
        Format::Tensorflow => prepack("TENSORFLOW_SERVER", "tensorflow", RUNTIME_USER),
        Format::Custom | Format::Onnx => {
            let rt = &model.runtime;
            let health = rt.health.clone().unwrap_or_else(|| "/healthz".to_owned());
            SeldonServer {
                implementation: None,
                protocol: "v2",
                user: MLC_SERVE_USER,
                custom: Some(Serving {
                    image: rt.image.clone(),
                    args: Vec::new(),
                    port: rt.port.unwrap_or(8080),
                    grpc_port: None,
                    ready: health.clone(),
                    live: health,
                    user: MLC_SERVE_USER,
                    mlc_serve: false,
                }),
            }
        }
        Format::Lightgbm | Format::Pytorch => return None,
    })
}

/// `machinelearning.seldon.io/v1` SeldonDeployment.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SeldonDeployment {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) metadata: k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    pub(crate) spec: SdepSpec,
}

/// SeldonDeployment spec.
#[derive(Debug, Serialize)]
pub(crate) struct SdepSpec {
    pub(crate) protocol: &'static str,
    pub(crate) predictors: Vec<Predictor>,
}

/// One predictor: a graph, its pods and its share of traffic.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Predictor {
    pub(crate) name: String,
    pub(crate) graph: Unit,
    pub(crate) component_specs: Vec<ComponentSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) replicas: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) traffic: Option<i64>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub(crate) labels: BTreeMap<String, String>,
}

/// A graph node (PredictiveUnit).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Unit {
    pub(crate) name: String,
    #[serde(rename = "type")]
    pub(crate) type_: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) implementation: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) model_uri: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) env_secret_ref_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) service_account_name: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) children: Vec<Unit>,
}

/// Pod metadata of a component.
#[derive(Debug, Serialize)]
pub(crate) struct ComponentMeta {
    pub(crate) labels: BTreeMap<String, String>,
    pub(crate) annotations: BTreeMap<String, String>,
}

/// One `componentSpecs` entry: a pod and how Seldon scales it.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ComponentSpec {
    pub(crate) metadata: ComponentMeta,
    pub(crate) spec: PodSpec,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) hpa_spec: Option<HpaSpec>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) keda_spec: Option<KedaSpec>,
}

/// `hpaSpec`: the HPA Seldon makes (autoscaling/v2 metrics in `metricsv2`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct HpaSpec {
    pub(crate) min_replicas: i32,
    pub(crate) max_replicas: i32,
    pub(crate) metricsv2: Vec<serde_json::Value>,
}

/// `kedaSpec`: the ScaledObject Seldon makes (KEDA's fields without `scaleTargetRef`).
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KedaSpec {
    pub(crate) min_replica_count: i32,
    pub(crate) max_replica_count: i32,
    pub(crate) cooldown_period: i32,
    pub(crate) polling_interval: i32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) idle_replica_count: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) fallback: Option<KedaFallback>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) advanced: Option<Advanced>,
    pub(crate) triggers: Vec<Trigger>,
}

fn clamp(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn hpa_spec(model: &Model, m: ResourceMetric) -> HpaSpec {
    let a = &model.autoscale;
    HpaSpec {
        min_replicas: clamp(u64::from(a.min.value.max(1))),
        max_replicas: clamp(u64::from(a.max.value.max(1))),
        metricsv2: vec![serde_json::json!({
            "type": "Resource",
            "resource": {
                "name": m.resource,
                "target": { "type": "Utilization", "averageUtilization": m.target },
            },
        })],
    }
}

fn keda_spec(model: &Model, plan: &Plan) -> Option<KedaSpec> {
    let Scaler::SeldonKeda { auth } = &plan.scaler else {
        return None;
    };
    let trigger = keda::trigger(model, auth.as_ref())?;
    let a = &model.autoscale;
    let b = &a.behaviour;
    Some(KedaSpec {
        min_replica_count: clamp(u64::from(a.min.value)),
        max_replica_count: clamp(u64::from(a.max.value.max(1))),
        cooldown_period: clamp(a.idle.seconds_ceil()),
        polling_interval: clamp(u64::from(b.polling_seconds.unwrap_or(30))),
        idle_replica_count: b.idle_replicas.map(|n| clamp(u64::from(n))),
        fallback: b.fallback.map(|f| KedaFallback {
            failure_threshold: clamp(u64::from(f.failures)),
            replicas: clamp(u64::from(f.replicas)),
        }),
        advanced: super::behaviour::hpa_behavior(b).map(|behavior| Advanced {
            horizontal_pod_autoscaler_config: HpaConfig { behavior },
        }),
        triggers: vec![trigger],
    })
}

/// What one model contributes to a predictor: its graph unit and its container.
pub(crate) struct UnitParts {
    pub(crate) unit: Unit,
    pub(crate) container: Container,
    pub(crate) volumes: Vec<Volume>,
}

/// The unit and container of `model` serving `artifact` (the main one or a canary's).
pub(crate) fn unit(
    model: &Model,
    plan: &Plan,
    server: &SeldonServer,
    artifact: &Artifact,
) -> UnitParts {
    let name = model.name.value.clone();
    let pool = plan.pool.as_deref();
    let (mut volumes, mut mounts) = pod::extra_volumes(model);
    if let Some(rc) = &plan.runtime_config {
        mounts.push(VolumeMount {
            name: CONFIG_VOLUME.into(),
            mount_path: CONFIG_DIR.into(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
        volumes.push(Volume {
            name: CONFIG_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: rc.name.clone(),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    // The container named like the unit: Seldon fills in a prepackaged server's image and
    // ports, and keeps what is set here (resources, security, env).
    let container = match &server.custom {
        Some(serving) => Container {
            name: name.clone(),
            ..pod::container(model, serving, pool, mounts)
        },
        None => {
            let env = pod::env(model);
            Container {
                name: name.clone(),
                env: (!env.is_empty()).then_some(env),
                resources: Some(pod::resources(model, pool)),
                security_context: Some(pod::container_security(server.user)),
                volume_mounts: (!mounts.is_empty()).then_some(mounts),
                ..Container::default()
            }
        }
    };
    let needs_uri = server.implementation != Some("HUGGINGFACE_SERVER")
        || !artifact.uri.value.starts_with("hf://");
    UnitParts {
        unit: Unit {
            name,
            type_: "MODEL",
            implementation: server.implementation,
            model_uri: needs_uri.then(|| artifact.uri.value.clone()),
            env_secret_ref_name: plan.credentials.storage.as_ref().map(|s| s.0.clone()),
            service_account_name: None,
            children: Vec::new(),
        },
        container,
        volumes,
    }
}

/// The pod spec around `containers`, with the model's placement and security defaults.
pub(crate) fn pod_spec(
    model: &Model,
    plan: &Plan,
    user: i64,
    containers: Vec<Container>,
    volumes: Vec<Volume>,
    selector: &BTreeMap<String, String>,
) -> PodSpec {
    let placement = pod::placement(model, plan.pool.as_deref());
    PodSpec {
        automount_service_account_token: Some(false),
        service_account_name: Some(plan.service_account.clone()),
        security_context: Some(pod::pod_security(user)),
        containers,
        volumes: (!volumes.is_empty()).then_some(volumes),
        affinity: placement.affinity,
        tolerations: (!placement.tolerations.is_empty()).then_some(placement.tolerations),
        runtime_class_name: placement.runtime_class,
        priority_class_name: model.priority_class.clone(),
        topology_spread_constraints: Some(pod::topology(model, selector)).filter(|t| !t.is_empty()),
        image_pull_secrets: Some(super::workload::pull_secrets(plan)).filter(|v| !v.is_empty()),
        termination_grace_period_seconds: Some(30),
        ..PodSpec::default()
    }
}

/// The component spec of one predictor: the pod, and Seldon's scaler for it.
pub(crate) fn component(
    model: &Model,
    plan: &Plan,
    user: i64,
    parts: Vec<UnitParts>,
    meta: ComponentMeta,
    selector: &BTreeMap<String, String>,
) -> (Vec<Unit>, ComponentSpec) {
    let mut containers = Vec::new();
    let mut volumes: Vec<Volume> = Vec::new();
    let mut units = Vec::new();
    for p in parts {
        containers.push(p.container);
        for v in p.volumes {
            if !volumes.iter().any(|x| x.name == v.name) {
                volumes.push(v);
            }
        }
        units.push(p.unit);
    }
    let spec = ComponentSpec {
        metadata: meta,
        spec: pod_spec(model, plan, user, containers, volumes, selector),
        hpa_spec: match plan.scaler {
            Scaler::SeldonHpa(m) => Some(hpa_spec(model, m)),
            _ => None,
        },
        keda_spec: keda_spec(model, plan),
    };
    (units, spec)
}

/// The inputs of one model's SeldonDeployment.
pub(crate) struct SdepInputs<'a> {
    pub(crate) model: &'a Model,
    pub(crate) plan: &'a Plan,
    pub(crate) server: &'a SeldonServer,
    pub(crate) pod_labels: BTreeMap<String, String>,
    pub(crate) pod_annotations: BTreeMap<String, String>,
}

/// The SeldonDeployment of a model on `serve seldon`: one predictor per variant.
pub(crate) fn seldon_deployment(owner: &Owner<'_>, inputs: &SdepInputs<'_>) -> SeldonDeployment {
    let SdepInputs {
        model,
        plan,
        server,
        ..
    } = inputs;
    let variants: &[SeldonVariant] = match &plan.workload {
        Workload::Seldon { variants, .. } => variants,
        _ => &[],
    };
    let canary_total: i64 = model
        .canaries
        .iter()
        .map(|c| c.percent.value.clamp(0, 100))
        .sum();
    let split = !model.canaries.is_empty();
    let fixed = matches!(plan.scaler, Scaler::Fixed);
    let predictors = variants
        .iter()
        .map(|v| {
            let canary = v.canary.and_then(|i| model.canaries.get(i));
            let artifact = canary.map_or(&model.artifact, |c| &c.artifact);
            let version = canary.map_or(model.version.clone(), |c| c.version.clone());
            // A canary runs with its own minimum, resources, accelerator and env.
            let planned = plan
                .traffic
                .as_ref()
                .and_then(|t| t.variants.iter().find(|pv| pv.canary == v.canary));
            let own_plan = planned.filter(|pv| pv.canary.is_some()).map(|pv| {
                let mut p = (*plan).clone();
                p.pool.clone_from(&pv.pool);
                p
            });
            let model = planned.map_or(&**model, |pv| pv.model.as_ref());
            let plan = own_plan.as_ref().unwrap_or(plan);
            let replicas = fixed.then(|| clamp(u64::from(model.autoscale.min.value)));
            let parts = unit(model, plan, server, artifact);
            // A canary's pods carry its own version, not the model's.
            let mut labels = inputs.pod_labels.clone();
            if canary.is_some() {
                labels.remove("app.kubernetes.io/version");
                if let Some(ver) = &version {
                    labels.insert("app.kubernetes.io/version".into(), ver.clone());
                }
            }
            let meta = ComponentMeta {
                labels,
                annotations: inputs.pod_annotations.clone(),
            };
            let (mut units, spec) = component(
                model,
                plan,
                server.user,
                vec![parts],
                meta,
                &owner.selector(),
            );
            let graph = units.pop().unwrap_or(Unit {
                name: model.name.value.clone(),
                type_: "MODEL",
                implementation: None,
                model_uri: None,
                env_secret_ref_name: None,
                service_account_name: None,
                children: Vec::new(),
            });
            let traffic = split.then(|| canary.map_or(100 - canary_total, |c| c.percent.value));
            Predictor {
                name: v.name.clone(),
                graph,
                component_specs: vec![spec],
                replicas,
                traffic,
                labels: version
                    .map(|ver| BTreeMap::from([("version".to_owned(), ver)]))
                    .unwrap_or_default(),
            }
        })
        .collect();
    SeldonDeployment {
        api_version: "machinelearning.seldon.io/v1",
        kind: "SeldonDeployment",
        metadata: owner.meta(
            "SeldonDeployment",
            plan.workload.name(),
            Some(&plan.namespace),
        ),
        spec: SdepSpec {
            protocol: server.protocol,
            predictors,
        },
    }
}
