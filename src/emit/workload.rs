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
    NetworkPolicy, NetworkPolicyIngressRule, NetworkPolicyPeer, NetworkPolicyPort,
    NetworkPolicySpec,
};
use k8s_openapi::api::policy::v1::{PodDisruptionBudget, PodDisruptionBudgetSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::{LabelSelector, ObjectMeta};
use k8s_openapi::apimachinery::pkg::util::intstr::IntOrString;

use super::meta::Owner;
use super::pod::{self, CONFIG_DIR, CONFIG_VOLUME, MODEL_DIR, Serving};
use super::runtime_config::runtime_config_name;
use crate::model::{Disruption, Model, Policy, Project};

/// Image of the init container that fetches remote artifacts (KServe's storage initializer).
pub(crate) const STORAGE_INITIALIZER: &str = "kserve/storage-initializer:v0.20.0";

fn int_or_string(text: &str) -> IntOrString {
    text.parse::<i32>()
        .map_or_else(|_| IntOrString::String(text.to_owned()), IntOrString::Int)
}

/// Where a `serve deployment` model's files come from, and the path mlc-serve reads.
pub(crate) fn model_source(model: &Model) -> (Volume, VolumeMount, Option<Container>, String) {
    let uri = &model.artifact.uri.value;
    let volume_name = "model".to_owned();
    if let Some(rest) = uri.strip_prefix("pvc://") {
        let (claim, path) = rest.split_once('/').unwrap_or((rest, ""));
        let (sub_path, file) = if path.is_empty() || path.ends_with('/') {
            (path.trim_end_matches('/').to_owned(), None)
        } else {
            match path.rsplit_once('/') {
                Some((dir, file)) => (dir.to_owned(), Some(file.to_owned())),
                None => (String::new(), Some(path.to_owned())),
            }
        };
        let volume = Volume {
            name: volume_name.clone(),
            persistent_volume_claim: Some(PersistentVolumeClaimVolumeSource {
                claim_name: claim.to_owned(),
                read_only: Some(true),
            }),
            ..Volume::default()
        };
        // TF Serving reads numbered version directories below its base path: a URI that
        // names one version directory is mounted as that version below `/mnt/models`.
        let version_dir = sub_path
            .rsplit('/')
            .next()
            .filter(|v| !v.is_empty() && v.chars().all(|c| c.is_ascii_digit()));
        let mount_path = match (model.format.value, version_dir, &file) {
            (crate::model::Format::Tensorflow, Some(v), None) => format!("{MODEL_DIR}/{v}"),
            _ => MODEL_DIR.to_owned(),
        };
        let mount = VolumeMount {
            name: volume_name,
            mount_path,
            read_only: Some(true),
            sub_path: (!sub_path.is_empty()).then_some(sub_path),
            ..VolumeMount::default()
        };
        let path = file.map_or_else(|| MODEL_DIR.to_owned(), |f| format!("{MODEL_DIR}/{f}"));
        return (volume, mount, None, path);
    }
    let volume = Volume {
        name: volume_name.clone(),
        empty_dir: Some(EmptyDirVolumeSource::default()),
        ..Volume::default()
    };
    let mount = VolumeMount {
        name: volume_name.clone(),
        mount_path: MODEL_DIR.into(),
        ..VolumeMount::default()
    };
    let fetch = Container {
        name: "storage-initializer".into(),
        image: Some(STORAGE_INITIALIZER.into()),
        args: Some(vec![uri.clone(), MODEL_DIR.into()]),
        env_from: model.storage_secret.as_ref().map(|s| {
            vec![EnvFromSource {
                secret_ref: Some(SecretEnvSource {
                    name: s.clone(),
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
    let file = uri
        .rsplit('/')
        .next()
        .filter(|f| f.ends_with(".onnx"))
        .map(str::to_owned);
    let path = file.map_or_else(|| MODEL_DIR.to_owned(), |f| format!("{MODEL_DIR}/{f}"));
    (volume, mount, Some(fetch), path)
}

/// The Deployment of a `serve deployment` model.
#[expect(
    clippy::too_many_arguments,
    reason = "each input is a distinct part of the pod"
)]
pub(crate) fn deployment(
    owner: &Owner<'_>,
    project: &Project,
    model: &Model,
    namespace: &str,
    serving: &Serving,
    rollout_hash: &str,
    service_account: Option<String>,
    scaled: bool,
) -> Deployment {
    let pool = model
        .accelerator
        .pool
        .as_ref()
        .and_then(|p| project.pools.get(&p.value));
    let (model_volume, model_mount, fetch, _) = model_source(model);
    let mut mounts = vec![model_mount];
    let mut volumes = vec![model_volume];
    if serving.mlc_serve {
        mounts.push(VolumeMount {
            name: CONFIG_VOLUME.into(),
            mount_path: CONFIG_DIR.into(),
            read_only: Some(true),
            ..VolumeMount::default()
        });
        volumes.push(Volume {
            name: CONFIG_VOLUME.into(),
            config_map: Some(ConfigMapVolumeSource {
                name: runtime_config_name(model),
                ..ConfigMapVolumeSource::default()
            }),
            ..Volume::default()
        });
    }
    let (extra_volumes, extra_mounts) = pod::extra_volumes(model);
    mounts.extend(extra_mounts);
    volumes.extend(extra_volumes);
    let placement = pod::placement(project, model);
    let selector = owner.selector();
    let mut pod_labels = owner.labels();
    pod_labels.extend(selector.clone());
    let mut template_meta = ObjectMeta {
        labels: Some(pod_labels),
        ..ObjectMeta::default()
    };
    template_meta.annotations = Some(pod::pod_annotations(rollout_hash, serving));
    let replicas = (!scaled).then(|| i32::try_from(model.autoscale.min.value).unwrap_or(i32::MAX));
    Deployment {
        metadata: owner.meta("Deployment", &model.name.value, Some(namespace)),
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
                    service_account_name: service_account,
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
                    image_pull_secrets: Some(
                        model
                            .image_pull_secrets
                            .iter()
                            .map(|n| LocalObjectReference { name: n.clone() })
                            .collect::<Vec<_>>(),
                    )
                    .filter(|v| !v.is_empty()),
                    termination_grace_period_seconds: Some(30),
                    ..PodSpec::default()
                }),
            },
            ..DeploymentSpec::default()
        }),
        ..Deployment::default()
    }
}

/// The Service in front of a `serve deployment` model.
pub(crate) fn service(owner: &Owner<'_>, model: &Model, namespace: &str) -> Service {
    Service {
        metadata: owner.meta("Service", &model.name.value, Some(namespace)),
        spec: Some(ServiceSpec {
            selector: Some(owner.selector()),
            ports: Some(vec![ServicePort {
                name: Some("http".into()),
                port: 80,
                target_port: Some(IntOrString::String("http".into())),
                protocol: Some("TCP".into()),
                ..ServicePort::default()
            }]),
            type_: Some("ClusterIP".into()),
            ..ServiceSpec::default()
        }),
        ..Service::default()
    }
}

/// The HPA of a `serve deployment` model scaled on cpu or memory.
pub(crate) fn hpa(
    owner: &Owner<'_>,
    model: &Model,
    namespace: &str,
) -> Option<HorizontalPodAutoscaler> {
    let (resource, target) = match model.autoscale.policy.as_ref().map(|p| &p.value) {
        Some(Policy::Cpu(t)) => ("cpu", *t),
        Some(Policy::Memory(t)) => ("memory", *t),
        _ => return None,
    };
    let clamp = |n: u32| i32::try_from(n).unwrap_or(i32::MAX);
    Some(HorizontalPodAutoscaler {
        metadata: owner.meta(
            "HorizontalPodAutoscaler",
            &model.name.value,
            Some(namespace),
        ),
        spec: Some(HorizontalPodAutoscalerSpec {
            scale_target_ref: CrossVersionObjectReference {
                api_version: Some("apps/v1".into()),
                kind: "Deployment".into(),
                name: model.name.value.clone(),
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
            ..HorizontalPodAutoscalerSpec::default()
        }),
        ..HorizontalPodAutoscaler::default()
    })
}

/// The PodDisruptionBudget of a model (DESIGN §8.16), selecting `selector`.
pub(crate) fn pdb(
    owner: &Owner<'_>,
    model: &Model,
    namespace: &str,
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
        metadata: owner.meta("PodDisruptionBudget", &model.name.value, Some(namespace)),
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
pub(crate) fn service_account(
    owner: &Owner<'_>,
    model: &Model,
    namespace: &str,
) -> Option<ServiceAccount> {
    let name = model
        .service_account
        .clone()
        .unwrap_or_else(|| model.name.value.clone());
    let mut metadata = owner.meta("ServiceAccount", &name, Some(namespace));
    metadata
        .annotations
        .get_or_insert_with(BTreeMap::new)
        .extend(model.service_account_annotations.clone());
    Some(ServiceAccount {
        metadata,
        automount_service_account_token: Some(false),
        image_pull_secrets: Some(
            model
                .image_pull_secrets
                .iter()
                .map(|n| LocalObjectReference { name: n.clone() })
                .collect::<Vec<_>>(),
        )
        .filter(|v| !v.is_empty()),
        secrets: model.storage_secret.as_ref().map(|s| {
            vec![ObjectReference {
                name: Some(s.clone()),
                ..ObjectReference::default()
            }]
        }),
    })
}

/// The NetworkPolicy admitting the serving port from the model's namespace and the
/// namespaces of `allow-from` (plus, for Knative, its activator and queue-proxy ports).
pub(crate) fn network_policy(
    owner: &Owner<'_>,
    model: &Model,
    namespace: &str,
    pod_selector: BTreeMap<String, String>,
    port: u16,
) -> NetworkPolicy {
    let knative = model.serve.value == crate::model::ServeTarget::KserveKnative;
    let mut from = vec![NetworkPolicyPeer {
        pod_selector: Some(LabelSelector::default()),
        ..NetworkPolicyPeer::default()
    }];
    let mut namespaces = model.allow_from.clone();
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
    let mut ports = vec![i32::from(port)];
    if knative {
        // queue-proxy: 8012 HTTP, 8013 HTTP/2, 9090/9091 metrics.
        ports.extend([8012, 8013, 9090, 9091]);
    }
    ports.sort_unstable();
    ports.dedup();
    NetworkPolicy {
        metadata: owner.meta("NetworkPolicy", &model.name.value, Some(namespace)),
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
