//! Core workload objects through `k8s-openapi`: the plain Deployment and Service of
//! `serve deployment`, its HPA, and the PodDisruptionBudget and ServiceAccount of any model.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{
    Deployment, DeploymentSpec, DeploymentStrategy, RollingUpdateDeployment,
};
use k8s_openapi::api::autoscaling::v2::{
    CrossVersionObjectReference, HorizontalPodAutoscaler, HorizontalPodAutoscalerSpec, MetricSpec,
    MetricTarget, ResourceMetricSource,
};
use k8s_openapi::api::core::v1::{
    ConfigMapVolumeSource, Container, EmptyDirVolumeSource, EnvFromSource, LocalObjectReference,
    ObjectReference, PersistentVolumeClaimVolumeSource, PodSpec, PodTemplateSpec, SecretEnvSource,
    Service, ServiceAccount, ServicePort, ServiceSpec, Volume, VolumeMount,
};
use k8s_openapi::api::networking::v1::{
    IPBlock, NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::Owner;
use super::pod::{self, CONFIG_DIR, CONFIG_VOLUME, MODEL_DIR, Serving};
use crate::model::plan::{ModelFiles, Plan, ResourceMetric, Scaler, Workload};
use crate::model::{Disruption, Model};

/// Image of the init container that fetches remote artifacts (KServe's storage initializer).
pub(crate) const STORAGE_INITIALIZER: &str = "kserve/storage-initializer:v0.20.0";

fn int_or_string(text: &str) -> IntOrString {
    text.parse::<i32>()
        .map_or_else(|_| IntOrString::String(text.to_owned()), IntOrString::Int)
}

/// The model volume, its mount and the init container that fills it, from the plan's files.
fn model_source(model: &Model, plan: &Plan) -> (Volume, VolumeMount, Option<Container>) {
    let volume_name = "model".to_owned();
    match &plan.files {
        ModelFiles::Claim {
            claim,
            sub_path,
            mount_path,
            ..
        } => {
            let volume = Volume {
                name: volume_name.clone(),
                persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                    claim_name: claim.clone(),
                    read_only: Some(true),
                }),
                ..Volume::default()
            };
            let mount = VolumeMount {
                name: volume_name,
                mount_path: mount_path.clone(),
                read_only: Some(true),
                sub_path: (!sub_path.is_empty()).then(|| sub_path.clone()),
                ..VolumeMount::default()
            };
            (volume, mount, None)
        }
        ModelFiles::Fetched { uri, .. } => {
            let volume = Volume {
                name: volume_name.clone(),
                empty_dir: Some(EmptyDirVolumeSource::default()),
                ..Volume::default()
            };
            let mount = VolumeMount {
                name: volume_name,
                mount_path: MODEL_DIR.into(),
                ..VolumeMount::default()
            };
            let fetch = Container {
                name: "storage-initializer".into(),
                image: Some(STORAGE_INITIALIZER.into()),
                args: Some(vec![uri.clone(), MODEL_DIR.into()]),
                env_from: plan.credentials.storage.as_ref().map(|s| {
                    vec![EnvFromSource {
                        secret_ref: Some(SecretEnvSource {
                            name: s.0.clone(),
                            optional: None,
                        }),
                        ..EnvFromSource::default()
                    }]
                }),
                resources: Some(pod::resources(model, None)),
                security_context: Some(pod::container_security(pod::RUNTIME_USER)),
                volume_mounts: Some(vec![mount.clone()]),
                ..Container::default()
            };
            (volume, mount, Some(fetch))
        }
    }
}

/// The Deployment of a `serve deployment` model.
pub(crate) fn deployment(
    owner: &Owner<'_>,
    model: &Model,
    plan: &Plan,
    serving: &Serving,
    rollout_hash: &str,
) -> Deployment {
    let pool = plan.pool.as_deref();
    let namespace = plan.namespace.as_str();
    let (model_volume, model_mount, fetch) = model_source(model, plan);
    let mut mounts = vec![model_mount];
    let mut volumes = vec![model_volume];
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
    let (extra_volumes, extra_mounts) = pod::extra_volumes(model);
    mounts.extend(extra_mounts);
    volumes.extend(extra_volumes);
    let placement = pod::placement(model, pool);
    let selector = owner.selector();
    let mut pod_labels = owner.labels();
    pod_labels.extend(selector.clone());
    let mut template_meta = ObjectMeta {
        labels: Some(pod_labels),
        ..ObjectMeta::default()
    };
    template_meta.annotations = Some(pod::pod_annotations(rollout_hash, serving));
    let replicas = matches!(plan.scaler, Scaler::Fixed)
        .then(|| i32::try_from(model.autoscale.min.value).unwrap_or(i32::MAX));
    Deployment {
        metadata: owner.meta("Deployment", plan.workload.name(), Some(namespace)),
        spec: Some(DeploymentSpec {
            replicas,
            selector: LabelSelector {
                match_labels: Some(selector.clone()),
                match_expressions: None,
            },
            strategy: Some(DeploymentStrategy {
                type_: Some("RollingUpdate".into()),
                rolling_update: Some(RollingUpdateDeployment {
                    max_surge: Some(IntOrString::Int(1)),
                    max_unavailable: Some(IntOrString::Int(0)),
                }),
            }),
            revision_history_limit: Some(5),
            template: PodTemplateSpec {
                metadata: Some(template_meta),
                spec: Some(PodSpec {
                    automount_service_account_token: Some(false),
                    service_account_name: Some(plan.service_account.clone()),
                    security_context: Some(pod::pod_security(serving.user)),
                    containers: vec![Container {
                        name: "model-server".into(),
                        ..pod::container(model, serving, pool, mounts)
                    }],
                    init_containers: fetch.map(|f| vec![f]),
                    volumes: Some(volumes),
                    affinity: placement.affinity,
                    tolerations: (!placement.tolerations.is_empty())
                        .then_some(placement.tolerations),
                    runtime_class_name: placement.runtime_class,
                    priority_class_name: model.priority_class.clone(),
                    topology_spread_constraints: Some(pod::topology(model, &selector))
                        .filter(|t| !t.is_empty()),
                    image_pull_secrets: Some(pull_secrets(plan)).filter(|v| !v.is_empty()),
                    termination_grace_period_seconds: Some(30),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

/// The Service in front of a `serve deployment` model: `http` on port 80, and `grpc` on the
/// runtime's gRPC port when it opens one.
pub(crate) fn service(
    owner: &Owner<'_>,
    plan: &Plan,
    name: &str,
    selector: BTreeMap<String, String>,
    serving: &Serving,
    type_: &str,
) -> Service {
    let port = |name: &str, number: u16| ServicePort {
        name: Some(name.into()),
        port: i32::from(number),
        target_port: Some(IntOrString::String(name.into())),
        protocol: Some("TCP".into()),
        ..ServicePort::default()
    };
    let mut ports = vec![port("http", crate::model::plan::SERVICE_PORT)];
    ports.extend(serving.grpc_port.map(|g| port("grpc", g)));
    Service {
        metadata: owner.meta("Service", name, Some(&plan.namespace)),
        spec: Some(ServiceSpec {
            selector: Some(selector),
            ports: Some(ports),
            type_: Some(type_.into()),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// The HPA of a `serve deployment` model scaled on cpu or memory.
pub(crate) fn hpa(
    owner: &Owner<'_>,
    model: &Model,
    plan: &Plan,
    metric: ResourceMetric,
) -> HorizontalPodAutoscaler {
    let (resource, target) = (metric.resource, metric.target);
    let name = plan.workload.name();
    let clamp = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    HorizontalPodAutoscaler {
        metadata: owner.meta("HorizontalPodAutoscaler", name, Some(&plan.namespace)),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: name.to_owned(),
            },
            min_replicas: Some(clamp(model.autoscale.min.value.max(1))),
            max_replicas: clamp(model.autoscale.max.value),
            metrics: Some(vec![MetricSpec {
                type_: "Resource".into(),
                resource: Some(ResourceMetricSource {
                    name: resource.into(),
                    target: MetricTarget {
                        type_: "Utilization".into(),
                        average_utilization: Some(clamp(target)),
                        ..MetricTarget::default()
                    },
                }),
                ..MetricSpec::default()
            }]),
            behavior: super::behaviour::hpa_behavior(&model.autoscale.behaviour),
        }),
        ..HorizontalPodAutoscaler::default()
    }
}

/// The PodDisruptionBudget of a model (DESIGN §8.16), selecting `selector`.
pub(crate) fn pdb(
    owner: &Owner<'_>,
    model: &Model,
    plan: &Plan,
    selector: BTreeMap<String, String>,
) -> Option<PodDisruptionBudget> {
    let min = model.autoscale.min.value;
    let budget = match &model.disruption {
        Some(d) if d.value.allows_eviction(min) => d.value.clone(),
        None if min >= 2 => Disruption::MaxUnavailable("1".into()),
        Some(_) | None => return None,
    };
    let (max_unavailable, min_available) = match budget {
        Disruption::MaxUnavailable(v) => (Some(int_or_string(&v)), None),
        Disruption::MinAvailable(v) => (None, Some(int_or_string(&v))),
    };
    Some(PodDisruptionBudget {
        metadata: owner.meta(
            "PodDisruptionBudget",
            plan.workload.name(),
            Some(&plan.namespace),
        ),
        spec: Some(PodDisruptionBudgetSpec {
            max_unavailable,
            min_available,
            selector: Some(LabelSelector {
                match_labels: Some(selector),
                match_expressions: None,
            }),
            ..PodDisruptionBudgetSpec::default()
        }),
        ..PodDisruptionBudget::default()
    })
}

/// The ServiceAccount of a model: no token mounted, with the cloud-identity annotations,
/// storage credentials and image pull secrets the KDL declares.
pub(crate) fn service_account(owner: &Owner<'_>, model: &Model, plan: &Plan) -> ServiceAccount {
    let mut metadata = owner.meta(
        "ServiceAccount",
        &plan.service_account,
        Some(&plan.namespace),
    );
    metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .extend(model.service_account_annotations.clone());
    ServiceAccount {
        metadata,
        automount_service_account_token: Some(false),
        image_pull_secrets: Some(pull_secrets(plan)).filter(|v| !v.is_empty()),
        secrets: plan.credentials.storage.as_ref().map(|s| {
            vec![ObjectReference {
                name: Some(s.0.clone()),
                ..ObjectReference::default()
            }]
        }),
    }
}

/// The image pull secrets of a model's pods and ServiceAccount.
pub(crate) fn pull_secrets(plan: &Plan) -> Vec<LocalObjectReference> {
    plan.credentials
        .image_pull
        .iter()
        .map(|s| LocalObjectReference { name: s.0.clone() })
        .collect()
}

/// Who else a model's NetworkPolicy admits: the namespaces of the ingress controller or
/// gateway that fronts it, and any address when a LoadBalancer or NodePort Service does.
#[derive(Debug, Clone, Default)]
pub(crate) struct Admit {
    pub(crate) namespaces: Vec<String>,
    pub(crate) external: bool,
}

/// The NetworkPolicy admitting the serving port from the model's namespace and the
/// namespaces of `allow-from` (plus, for Knative, its activator and queue-proxy ports).
pub(crate) fn network_policy(
    owner: &Owner<'_>,
    model: &Model,
    plan: &Plan,
    pod_selector: BTreeMap<String, String>,
    serving: &Serving,
    extra_ports: &[u16],
    admit: &Admit,
) -> NetworkPolicy {
    let knative = matches!(plan.workload, Workload::Kserve { knative: true, .. });
    let mut from = vec![NetworkPolicyPeer {
        pod_selector: Some(LabelSelector::default()),
        ..NetworkPolicyPeer::default()
    }];
    let mut namespaces = model.allow_from.clone();
    namespaces.extend(admit.namespaces.iter().cloned());
    if knative {
        // Knative's activator and the ingress gateway call the queue-proxy.
        namespaces.push("knative-serving".into());
    }
    namespaces.sort();
    namespaces.dedup();
    for ns in namespaces {
        from.push(NetworkPolicyPeer {
            namespace_selector: Some(LabelSelector {
                match_labels: Some(BTreeMap::from([(
                    "kubernetes.io/metadata.name".to_owned(),
                    ns,
                )])),
                match_expressions: None,
            }),
            ..NetworkPolicyPeer::default()
        });
    }
    if admit.external {
        // A LoadBalancer or NodePort Service brings callers from outside the cluster.
        from.push(NetworkPolicyPeer {
            ip_block: Some(IPBlock {
                cidr: "0.0.0.0/0".into(),
                except: None,
            }),
            ..NetworkPolicyPeer::default()
        });
    }
    let mut ports = vec![i32::from(serving.port)];
    ports.extend(serving.grpc_port.map(i32::from));
    ports.extend(extra_ports.iter().copied().map(i32::from));
    if knative {
        // queue-proxy: 8012 HTTP, 8013 HTTP/2, 9090/9091 metrics.
        ports.extend([8012, 8013, 9090, 9091]);
    }
    ports.sort_unstable();
    ports.dedup();
    NetworkPolicy {
        metadata: owner.meta("NetworkPolicy", plan.workload.name(), Some(&plan.namespace)),
        spec: Some(NetworkPolicySpec {
            pod_selector: Some(LabelSelector {
                match_labels: Some(pod_selector),
                match_expressions: None,
            }),
            policy_types: Some(vec!["Ingress".into()]),
            ingress: Some(vec![NetworkPolicyIngressRule {
                from: Some(from),
                ports: Some(
                    ports
                        .into_iter()
                        .map(|p| NetworkPolicyPort {
                            port: Some(IntOrString::Int(p)),
                            protocol: Some("TCP".into()),
                            end_port: None,
                        })
                        .collect(),
                ),
            }]),
            ..NetworkPolicySpec::default()
        }),
    }
}
