//! The pieces of a pod that mlc writes: the serving container (image, port, probes,
//! resources), the restricted security contexts, and GPU placement (DESIGN §8.8, §8.14, §8.16).

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{
    Affinity, Capabilities, ConfigMapKeySelector, Container, ContainerPort, EnvVar, EnvVarSource,
    HTTPGetAction, NodeAffinity, NodeSelector, NodeSelectorRequirement, NodeSelectorTerm,
    PodSecurityContext, Probe, ResourceRequirements, SeccompProfile, SecretKeySelector,
    SecurityContext, Toleration, TopologySpreadConstraint, Volume, VolumeMount,
};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::LabelSelector;
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use crate::model::catalog::MigProfile;
use crate::model::{
    AcceleratorKind, EnvValue, Format, Model, OversubscriptionKind, Pool, ServeTarget, Sharing,
    VolumeSource,
};

/// Numeric user of mlc-serve (the image's `USER`).
pub(crate) const MLC_SERVE_USER: i64 = 65532;
/// Numeric user of TF Serving, Triton and KServe's own runtimes.
pub(crate) const RUNTIME_USER: i64 = 1000;
pub(crate) use crate::model::plan::MODEL_DIR;
/// Where the mlc-serve config is mounted.
pub(crate) const CONFIG_DIR: &str = "/etc/mlc-serve";
/// Name of the config volume.
pub(crate) const CONFIG_VOLUME: &str = "mlc-serve-config";
/// Pinned TF Serving image for `serve deployment` (DESIGN §8.14).
pub(crate) const TF_SERVING_IMAGE: &str = "tensorflow/serving:2.19.0";
/// Pinned Triton image for `serve deployment`.
pub(crate) const TRITON_IMAGE: &str = "nvcr.io/nvidia/tritonserver:25.01-py3";

/// How the serving container of a model runs.
#[derive(Debug, Clone)]
pub(crate) struct Serving {
    /// Image; `None` when a KServe ServingRuntime provides it.
    pub(crate) image: Option<String>,
    /// Container arguments.
    pub(crate) args: Vec<String>,
    /// HTTP port.
    pub(crate) port: u16,
    /// The OIP gRPC port beside it, when the runtime opens one (mlc-serve, from the plan).
    pub(crate) grpc_port: Option<u16>,
    /// Readiness path.
    pub(crate) ready: String,
    /// Liveness path.
    pub(crate) live: String,
    /// Numeric user.
    pub(crate) user: i64,
    /// Whether this is mlc-serve (mounts the runtime config).
    pub(crate) mlc_serve: bool,
}

/// The serving container of `model` on its target; `mlc_serve_image` is the runtime image,
/// `grpc_port` the gRPC port its runtime config opens.
pub(crate) fn serving(model: &Model, mlc_serve_image: &str, grpc_port: Option<u16>) -> Serving {
    let name = &model.name.value;
    let rt = &model.runtime;
    let kserve = model.serve.value != ServeTarget::Deployment;
    if model.uses_mlc_serve() {
        return Serving {
            image: (!kserve).then(|| mlc_serve_image.to_owned()),
            args: vec!["--config".into(), format!("{CONFIG_DIR}/config.yaml")],
            port: crate::model::plan::HTTP_PORT,
            grpc_port,
            ready: "/v2/health/ready".into(),
            live: "/v2/health/live".into(),
            user: MLC_SERVE_USER,
            mlc_serve: true,
        };
    }
    let v2 = || ("/v2/health/ready".to_owned(), "/v2/health/live".to_owned());
    let (image, args, port, (ready, live), user) = match (model.format.value, kserve) {
        (Format::Tensorflow, false) => (
            Some(
                rt.image
                    .clone()
                    .unwrap_or_else(|| TF_SERVING_IMAGE.to_owned()),
            ),
            vec![
                "--rest_api_port=8501".into(),
                format!("--model_name={name}"),
                format!("--model_base_path={MODEL_DIR}"),
            ],
            8501,
            (format!("/v1/models/{name}"), format!("/v1/models/{name}")),
            RUNTIME_USER,
        ),
        (Format::Triton, false) => (
            Some(rt.image.clone().unwrap_or_else(|| TRITON_IMAGE.to_owned())),
            vec![
                "tritonserver".into(),
                format!("--model-repository={MODEL_DIR}"),
                "--http-port=8000".into(),
            ],
            8000,
            v2(),
            RUNTIME_USER,
        ),
        (Format::Custom, _) | (_, false) => {
            let health = rt.health.clone().unwrap_or_else(|| "/healthz".to_owned());
            (
                rt.image.clone(),
                Vec::new(),
                rt.port.unwrap_or(8080),
                (health.clone(), health),
                MLC_SERVE_USER,
            )
        }
        (Format::Tensorflow | Format::Pytorch, true) => (
            rt.image.clone(),
            Vec::new(),
            8080,
            (format!("/v1/models/{name}"), format!("/v1/models/{name}")),
            RUNTIME_USER,
        ),
        (_, true) => (rt.image.clone(), Vec::new(), 8080, v2(), RUNTIME_USER),
    };
    let port = rt.port.unwrap_or(port);
    let (ready, live) = match &rt.health {
        Some(h) => (h.clone(), h.clone()),
        None => (ready, live),
    };
    Serving {
        image,
        args,
        port,
        grpc_port: None,
        ready,
        live,
        user,
        mlc_serve: false,
    }
}

fn probe(path: &str, port: u16, model: &Model) -> Probe {
    let p = &model.probes;
    let secs =
        |d: crate::model::units::Duration| i32::try_from(d.seconds_ceil()).unwrap_or(i32::MAX);
    Probe {
        http_get: Some(HTTPGetAction {
            path: Some(path.to_owned()),
            port: IntOrString::Int(i32::from(port)),
            ..HTTPGetAction::default()
        }),
        initial_delay_seconds: Some(secs(p.initial_delay)),
        period_seconds: Some(secs(p.period).max(1)),
        timeout_seconds: Some(secs(p.timeout).max(1)),
        failure_threshold: Some(i32::try_from(p.failure_threshold).unwrap_or(3)),
        ..Probe::default()
    }
}

/// The container security context of the restricted Pod Security profile.
pub(crate) fn container_security(user: i64) -> SecurityContext {
    SecurityContext {
        allow_privilege_escalation: Some(false),
        capabilities: Some(Capabilities {
            drop: Some(vec!["ALL".into()]),
            add: None,
        }),
        run_as_non_root: Some(true),
        run_as_user: Some(user),
        run_as_group: Some(user),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            localhost_profile: None,
        }),
        ..SecurityContext::default()
    }
}

/// The pod security context of the restricted Pod Security profile.
pub(crate) fn pod_security(user: i64) -> PodSecurityContext {
    PodSecurityContext {
        run_as_non_root: Some(true),
        run_as_user: Some(user),
        run_as_group: Some(user),
        fs_group: Some(user),
        seccomp_profile: Some(SeccompProfile {
            type_: "RuntimeDefault".into(),
            localhost_profile: None,
        }),
        ..PodSecurityContext::default()
    }
}

/// The extended resource and count a model's accelerator asks for.
pub(crate) fn gpu_resource(model: &Model, pool: &Pool) -> Option<(String, i64)> {
    let shared_name = |base: String| {
        if pool.oversubscription.as_ref().is_some_and(|o| o.rename) {
            format!("{base}.shared")
        } else {
            base
        }
    };
    match &model.accelerator.kind {
        AcceleratorKind::Cpu => None,
        AcceleratorKind::Gpus(n) => Some(("nvidia.com/gpu".into(), i64::from(n.value))),
        AcceleratorKind::Shared => Some((shared_name("nvidia.com/gpu".into()), 1)),
        AcceleratorKind::Mig { profile, shared } => {
            let p: Option<&MigProfile> =
                pool.gpu.value.mig().and_then(|m| m.profile(&profile.value));
            let base = match (&pool.sharing, p) {
                (Sharing::MigSingle(_), _) => "nvidia.com/gpu".to_owned(),
                (_, Some(p)) => p.resource_name(),
                (_, None) => format!("nvidia.com/mig-{}", profile.value.replace('+', ".")),
            };
            Some((if *shared { shared_name(base) } else { base }, 1))
        }
    }
}

fn quantity(q: &crate::model::units::Quantity) -> Quantity {
    Quantity(q.text.clone())
}

/// Requests and limits: CPU and memory (limits default to the requests) plus the GPU.
pub(crate) fn resources(model: &Model, pool: Option<&Pool>) -> ResourceRequirements {
    let r = &model.resources;
    let cpu = r
        .cpu
        .as_ref()
        .map_or_else(|| Quantity("1".into()), |q| quantity(&q.value));
    let memory = r
        .memory
        .as_ref()
        .map_or_else(|| Quantity("2Gi".into()), |q| quantity(&q.value));
    let cpu_limit = r
        .cpu_limit
        .as_ref()
        .map_or_else(|| cpu.clone(), |q| quantity(&q.value));
    let memory_limit = r
        .memory_limit
        .as_ref()
        .map_or_else(|| memory.clone(), |q| quantity(&q.value));
    let mut requests = BTreeMap::from([("cpu".to_owned(), cpu), ("memory".to_owned(), memory)]);
    let mut limits = BTreeMap::from([
        ("cpu".to_owned(), cpu_limit),
        ("memory".to_owned(), memory_limit),
    ]);
    if let Some((name, count)) = pool.and_then(|p| gpu_resource(model, p)) {
        // GPUs are limits; a request, when given, must equal the limit.
        limits.insert(name.clone(), Quantity(count.to_string()));
        requests.insert(name, Quantity(count.to_string()));
    }
    ResourceRequirements {
        requests: Some(requests),
        limits: Some(limits),
        ..ResourceRequirements::default()
    }
}

/// Environment variables, literal or by reference.
pub(crate) fn env(model: &Model) -> Vec<EnvVar> {
    model
        .env
        .iter()
        .map(|(name, value)| match value {
            EnvValue::Literal(v) => EnvVar {
                name: name.clone(),
                value: Some(v.clone()),
                value_from: None,
            },
            EnvValue::Secret { name: secret, key } => EnvVar {
                name: name.clone(),
                value: None,
                value_from: Some(EnvVarSource {
                    secret_key_ref: Some(SecretKeySelector {
                        name: secret.clone(),
                        key: key.clone(),
                        optional: None,
                    }),
                    ..EnvVarSource::default()
                }),
            },
            EnvValue::ConfigMap { name: cm, key } => EnvVar {
                name: name.clone(),
                value: None,
                value_from: Some(EnvVarSource {
                    config_map_key_ref: Some(ConfigMapKeySelector {
                        name: cm.clone(),
                        key: key.clone(),
                        optional: None,
                    }),
                    ..EnvVarSource::default()
                }),
            },
        })
        .collect()
}

/// The serving container (name `kserve-container`, as KServe requires).
pub(crate) fn container(
    model: &Model,
    serving: &Serving,
    pool: Option<&Pool>,
    mounts: Vec<VolumeMount>,
) -> Container {
    let env = env(model);
    Container {
        name: "kserve-container".into(),
        image: serving.image.clone(),
        args: (!serving.args.is_empty()).then(|| serving.args.clone()),
        ports: Some(container_ports(serving.port, serving.grpc_port)),
        env: (!env.is_empty()).then_some(env),
        resources: Some(resources(model, pool)),
        readiness_probe: Some(probe(&serving.ready, serving.port, model)),
        liveness_probe: Some(probe(&serving.live, serving.port, model)),
        security_context: Some(container_security(serving.user)),
        volume_mounts: (!mounts.is_empty()).then_some(mounts),
        ..Container::default()
    }
}

/// Mounts and volumes of the model: the runtime config and the user's extra volumes.
pub(crate) fn extra_volumes(model: &Model) -> (Vec<Volume>, Vec<VolumeMount>) {
    use k8s_openapi::api::core::v1::{
        ConfigMapVolumeSource, EmptyDirVolumeSource, PersistentVolumeClaimVolumeSource,
        SecretVolumeSource,
    };
    let mut volumes = Vec::new();
    let mut mounts = Vec::new();
    for v in &model.volumes {
        let mut volume = Volume {
            name: v.name.clone(),
            ..Volume::default()
        };
        let mut read_only = v.read_only;
        match &v.source {
            VolumeSource::Pvc(claim) => {
                volume.persistent_volume_claim = Some(PersistentVolumeClaimVolumeSource {
                    claim_name: claim.clone(),
                    read_only: Some(v.read_only),
                });
            }
            VolumeSource::Secret(name) => {
                volume.secret = Some(SecretVolumeSource {
                    secret_name: Some(name.clone()),
                    ..SecretVolumeSource::default()
                });
            }
            VolumeSource::ConfigMap(name) => {
                volume.config_map = Some(ConfigMapVolumeSource {
                    name: name.clone(),
                    ..ConfigMapVolumeSource::default()
                });
            }
            VolumeSource::EmptyDir => {
                volume.empty_dir = Some(EmptyDirVolumeSource::default());
                read_only = false;
            }
        }
        volumes.push(volume);
        mounts.push(VolumeMount {
            name: v.name.clone(),
            mount_path: v.mount.clone(),
            read_only: Some(read_only),
            ..VolumeMount::default()
        });
    }
    (volumes, mounts)
}

/// Node placement of a pod on its pool.
#[derive(Debug, Clone, Default)]
pub(crate) struct Placement {
    pub(crate) affinity: Option<Affinity>,
    pub(crate) tolerations: Vec<Toleration>,
    pub(crate) runtime_class: Option<String>,
}

/// GPU product-label values for the pool, with the suffix its strategy implies.
fn product_labels(pool: &Pool) -> Vec<String> {
    let suffix = match (&pool.sharing, &pool.oversubscription) {
        (Sharing::MigSingle(p), _) => format!("-MIG-{}", p.value),
        (Sharing::Whole, Some(o)) if !o.rename && o.kind == OversubscriptionKind::TimeSlicing => {
            "-SHARED".to_owned()
        }
        _ => String::new(),
    };
    pool.gpu
        .value
        .product_labels()
        .into_iter()
        .map(|l| format!("{l}{suffix}"))
        .collect()
}

/// Affinity, tolerations and runtime class for `model` on its resolved `pool` (none for
/// CPU models).
pub(crate) fn placement(model: &Model, pool: Option<&Pool>) -> Placement {
    let user_affinity: Option<Affinity> = model
        .affinity
        .as_ref()
        .and_then(|a| serde_json::from_value(a.clone()).ok());
    let Some(pool) = pool.filter(|_| model.accelerator.kind != AcceleratorKind::Cpu) else {
        return Placement {
            affinity: user_affinity,
            ..Placement::default()
        };
    };
    let mut expressions: Vec<NodeSelectorRequirement> = Vec::new();
    if pool.node_selector.is_empty() {
        let labels = product_labels(pool);
        if !labels.is_empty() {
            expressions.push(NodeSelectorRequirement {
                key: "nvidia.com/gpu.product".into(),
                operator: "In".into(),
                values: Some(labels),
            });
        }
    }
    for (k, v) in pool.node_selector.iter().chain(&pool.node_labels) {
        expressions.push(NodeSelectorRequirement {
            key: k.clone(),
            operator: "In".into(),
            values: Some(vec![v.clone()]),
        });
    }
    let mut affinity = user_affinity.unwrap_or_default();
    if !expressions.is_empty() {
        affinity.node_affinity = Some(NodeAffinity {
            required_during_scheduling_ignored_during_execution: Some(NodeSelector {
                node_selector_terms: vec![NodeSelectorTerm {
                    match_expressions: Some(expressions),
                    match_fields: None,
                }],
            }),
            ..affinity.node_affinity.unwrap_or_default()
        });
    }
    let tolerations = pool
        .taints
        .iter()
        .map(|t| Toleration {
            key: Some(t.key.clone()),
            operator: Some(if t.value.is_some() { "Equal" } else { "Exists" }.into()),
            value: t.value.clone(),
            effect: Some(t.effect.clone()),
            toleration_seconds: None,
        })
        .collect();
    Placement {
        affinity: Some(affinity),
        tolerations,
        runtime_class: pool.runtime_class.clone(),
    }
}

/// Topology spread constraints over the given pod labels.
pub(crate) fn topology(
    model: &Model,
    selector: &BTreeMap<String, String>,
) -> Vec<TopologySpreadConstraint> {
    model
        .topology_spread
        .iter()
        .map(|t| TopologySpreadConstraint {
            topology_key: t.key.clone(),
            max_skew: i32::try_from(t.max_skew).unwrap_or(1),
            when_unsatisfiable: t.when_unsatisfiable.clone(),
            label_selector: Some(LabelSelector {
                match_labels: Some(selector.clone()),
                match_expressions: None,
            }),
            ..TopologySpreadConstraint::default()
        })
        .collect()
}

/// Pod annotations: the rollout hash, and Prometheus scrape hints where the runtime serves
/// `/metrics` on its HTTP port (mlc-serve).
pub(crate) fn pod_annotations(rollout_hash: &str, serving: &Serving) -> BTreeMap<String, String> {
    let mut a = BTreeMap::from([("mlc/rollout-sha256".to_owned(), rollout_hash.to_owned())]);
    if serving.mlc_serve {
        a.insert("prometheus.io/scrape".into(), "true".into());
        a.insert("prometheus.io/port".into(), serving.port.to_string());
        a.insert("prometheus.io/path".into(), "/metrics".into());
    }
    a
}

/// The serving container's ports: `http` first (KServe names the predictor Service's port
/// after the first container port, and monitors select `port: http`), then `grpc` when the
/// runtime opens one.
pub(crate) fn container_ports(http: u16, grpc: Option<u16>) -> Vec<ContainerPort> {
    let port = |number: u16, name: &str| ContainerPort {
        container_port: i32::from(number),
        name: Some(name.into()),
        protocol: Some("TCP".into()),
        ..ContainerPort::default()
    };
    let mut ports = vec![port(http, "http")];
    ports.extend(grpc.map(|g| port(g, "grpc")));
    ports
}
