//! KEDA objects (facts §3): typed `ScaledObject` and `TriggerAuthentication`, and the
//! triggers of mlc's event-driven policies. Trigger metadata values are strings.

use std::collections::BTreeMap;

use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscalerBehavior;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::meta::Owner;
use crate::model::plan::{Plan, ScaledTarget, ScalerAuth, TriggerAuth};
use crate::model::{Model, Policy};

/// `keda.sh/v1alpha1` ScaledObject.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScaledObject {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) metadata: ObjectMeta,
    pub(crate) spec: ScaledObjectSpec,
}

/// The workload a ScaledObject scales.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScaleTargetRef {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) name: String,
}

/// Reference to a TriggerAuthentication or ClusterTriggerAuthentication.
#[derive(Debug, Serialize)]
pub(crate) struct AuthenticationRef {
    /// Omitted for the default, `TriggerAuthentication`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) kind: Option<&'static str>,
    pub(crate) name: String,
}

/// One trigger.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Trigger {
    #[serde(rename = "type")]
    pub(crate) type_: &'static str,
    pub(crate) metadata: BTreeMap<String, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) authentication_ref: Option<AuthenticationRef>,
}

/// ScaledObject spec.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScaledObjectSpec {
    pub(crate) scale_target_ref: ScaleTargetRef,
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

/// `spec.fallback`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct KedaFallback {
    pub(crate) failure_threshold: i32,
    pub(crate) replicas: i32,
}

/// `spec.advanced`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Advanced {
    pub(crate) horizontal_pod_autoscaler_config: HpaConfig,
}

/// `spec.advanced.horizontalPodAutoscalerConfig`.
#[derive(Debug, Serialize)]
pub(crate) struct HpaConfig {
    pub(crate) behavior: HorizontalPodAutoscalerBehavior,
}

/// `keda.sh/v1alpha1` TriggerAuthentication.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TriggerAuthentication {
    pub(crate) api_version: &'static str,
    pub(crate) kind: &'static str,
    pub(crate) metadata: ObjectMeta,
    pub(crate) spec: TriggerAuthenticationSpec,
}

/// A secret key handed to the scaler as a parameter.
#[derive(Debug, Serialize)]
pub(crate) struct SecretTargetRef {
    pub(crate) parameter: String,
    pub(crate) name: String,
    pub(crate) key: String,
}

/// Pod identity of the scaler.
#[derive(Debug, Serialize)]
pub(crate) struct PodIdentity {
    pub(crate) provider: &'static str,
}

/// TriggerAuthentication spec.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TriggerAuthenticationSpec {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub(crate) secret_target_ref: Vec<SecretTargetRef>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) pod_identity: Option<PodIdentity>,
}

/// The TriggerAuthentication of a model's ScaledObjects (not called for a
/// ClusterTriggerAuthentication, which mlc only references).
pub(crate) fn trigger_authentication(
    owner: &Owner<'_>,
    plan: &Plan,
    ta: &TriggerAuth,
) -> TriggerAuthentication {
    let spec = match &ta.auth {
        ScalerAuth::Secret { secret, params } => TriggerAuthenticationSpec {
            secret_target_ref: params
                .iter()
                .map(|(parameter, key)| SecretTargetRef {
                    parameter: parameter.clone(),
                    name: secret.0.clone(),
                    key: key.clone(),
                })
                .collect(),
            pod_identity: None,
        },
        ScalerAuth::PodIdentity { provider } => TriggerAuthenticationSpec {
            secret_target_ref: Vec::new(),
            pod_identity: Some(PodIdentity { provider }),
        },
        ScalerAuth::Cluster => TriggerAuthenticationSpec {
            secret_target_ref: Vec::new(),
            pod_identity: None,
        },
    };
    TriggerAuthentication {
        api_version: "keda.sh/v1alpha1",
        kind: "TriggerAuthentication",
        metadata: owner.meta("TriggerAuthentication", &ta.name, Some(&plan.namespace)),
        spec,
    }
}

/// `metadata` with the activation threshold `key` when one is written.
fn with_activation(
    mut metadata: BTreeMap<String, String>,
    key: &str,
    value: Option<String>,
) -> BTreeMap<String, String> {
    if let Some(v) = value {
        metadata.insert(key.to_owned(), v);
    }
    metadata
}

pub(crate) fn trigger(model: &Model, auth: Option<&TriggerAuth>) -> Option<Trigger> {
    let policy = &model.autoscale.policy.as_ref()?.value;
    let m = |pairs: &[(&str, String)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    let auth_ref = auth.map(|a| AuthenticationRef {
        kind: (!a.emitted()).then(|| a.kind()),
        name: a.name.clone(),
    });
    let (type_, metadata) = match policy {
        Policy::Kafka {
            bootstrap,
            topic,
            group,
            lag,
            activation,
            ..
        } => (
            "kafka",
            with_activation(
                m(&[
                    ("bootstrapServers", bootstrap.clone()),
                    ("consumerGroup", group.clone()),
                    ("lagThreshold", lag.to_string()),
                    ("topic", topic.clone()),
                ]),
                "activationLagThreshold",
                activation.map(|a| a.to_string()),
            ),
        ),
        Policy::Rabbitmq {
            queue,
            length,
            activation,
            ..
        } => (
            "rabbitmq",
            with_activation(
                m(&[
                    ("mode", "QueueLength".into()),
                    ("queueName", queue.clone()),
                    ("value", length.to_string()),
                ]),
                "activationValue",
                activation.map(|a| a.to_string()),
            ),
        ),
        Policy::Sqs {
            queue_url,
            region,
            length,
            activation,
            ..
        } => (
            "aws-sqs-queue",
            with_activation(
                m(&[
                    ("awsRegion", region.clone()),
                    ("queueLength", length.to_string()),
                    ("queueURL", queue_url.clone()),
                ]),
                "activationQueueLength",
                activation.map(|a| a.to_string()),
            ),
        ),
        Policy::Prometheus {
            server,
            query,
            threshold,
            activation,
            ..
        } => (
            "prometheus",
            with_activation(
                m(&[
                    ("query", query.clone()),
                    ("serverAddress", server.clone()),
                    ("threshold", threshold.clone()),
                ]),
                "activationThreshold",
                activation.clone(),
            ),
        ),
        Policy::Cron {
            timezone,
            start,
            end,
            replicas,
        } => (
            "cron",
            m(&[
                ("desiredReplicas", replicas.to_string()),
                ("end", end.clone()),
                ("start", start.clone()),
                ("timezone", timezone.clone()),
            ]),
        ),
        other => {
            let (type_, pairs) = super::triggers::queue_trigger(other)?;
            (type_, m(&pairs))
        }
    };
    let mut metadata: BTreeMap<String, String> = metadata;
    for (k, v) in auth.map(|a| a.metadata.as_slice()).unwrap_or_default() {
        metadata.insert((*k).to_owned(), v.clone());
    }
    Some(Trigger {
        type_,
        metadata,
        authentication_ref: auth_ref,
    })
}

/// The ScaledObject `target` scaling the Deployment of the same name.
pub(crate) fn scaled_object(
    owner: &Owner<'_>,
    model: &Model,
    plan: &Plan,
    target: &ScaledTarget,
    auth: Option<&TriggerAuth>,
) -> Option<ScaledObject> {
    let trigger = trigger(model, auth)?;
    let a = &model.autoscale;
    let b = &a.behaviour;
    let clamp = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
    Some(ScaledObject {
        api_version: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: owner.meta("ScaledObject", &target.name, Some(&plan.namespace)),
        spec: ScaledObjectSpec {
            scale_target_ref: ScaleTargetRef {
                api_version: "apps/v1",
                kind: "Deployment",
                name: target.name.clone(),
            },
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
        },
    })
}
