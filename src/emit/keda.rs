//! KEDA objects (facts §3): typed `ScaledObject` and `TriggerAuthentication`, and the
//! triggers of mlc's event-driven policies. Trigger metadata values are strings.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::meta::Owner;
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

/// Reference to a TriggerAuthentication.
#[derive(Debug, Serialize)]
pub(crate) struct AuthenticationRef {
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
    pub(crate) triggers: Vec<Trigger>,
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
    pub(crate) parameter: &'static str,
    pub(crate) name: String,
    pub(crate) key: &'static str,
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

/// The TriggerAuthentication a policy needs, if any: (file suffix, spec).
fn auth_spec(policy: &Policy) -> Option<(&'static str, TriggerAuthenticationSpec)> {
    let secret = |name: &str, params: &[(&'static str, &'static str)]| TriggerAuthenticationSpec {
        secret_target_ref: params
            .iter()
            .map(|(parameter, key)| SecretTargetRef {
                parameter,
                name: name.to_owned(),
                key,
            })
            .collect(),
        pod_identity: None,
    };
    match policy {
        Policy::Kafka { auth: Some(s), .. } => Some((
            "kafka",
            secret(
                s,
                &[
                    ("password", "password"),
                    ("sasl", "sasl"),
                    ("username", "username"),
                ],
            ),
        )),
        Policy::Rabbitmq { auth, .. } => Some(("rabbitmq", secret(auth, &[("host", "host")]))),
        Policy::Sqs { auth: Some(s), .. } => Some((
            "sqs",
            secret(
                s,
                &[
                    ("awsAccessKeyID", "AWS_ACCESS_KEY_ID"),
                    ("awsSecretAccessKey", "AWS_SECRET_ACCESS_KEY"),
                ],
            ),
        )),
        Policy::Sqs { auth: None, .. } => Some((
            "sqs",
            TriggerAuthenticationSpec {
                secret_target_ref: Vec::new(),
                pod_identity: Some(PodIdentity { provider: "aws" }),
            },
        )),
        _ => None,
    }
}

/// The TriggerAuthentication of a model's policy: (file stem suffix, object).
pub(crate) fn trigger_authentication(
    owner: &Owner<'_>,
    model: &Model,
    namespace: &str,
) -> Option<(&'static str, TriggerAuthentication)> {
    let policy = &model.autoscale.policy.as_ref()?.value;
    let (suffix, spec) = auth_spec(policy)?;
    Some((
        suffix,
        TriggerAuthentication {
            api_version: "keda.sh/v1alpha1",
            kind: "TriggerAuthentication",
            metadata: owner.meta(
                "TriggerAuthentication",
                &format!("{}-{suffix}", model.name.value),
                Some(namespace),
            ),
            spec,
        },
    ))
}

fn trigger(model: &Model) -> Option<Trigger> {
    let policy = &model.autoscale.policy.as_ref()?.value;
    let m = |pairs: &[(&str, String)]| {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect()
    };
    let auth = auth_spec(policy).map(|(suffix, _)| AuthenticationRef {
        name: format!("{}-{suffix}", model.name.value),
    });
    let (type_, metadata) = match policy {
        Policy::Kafka {
            bootstrap,
            topic,
            group,
            lag,
            ..
        } => (
            "kafka",
            m(&[
                ("bootstrapServers", bootstrap.clone()),
                ("consumerGroup", group.clone()),
                ("lagThreshold", lag.to_string()),
                ("topic", topic.clone()),
            ]),
        ),
        Policy::Rabbitmq { queue, length, .. } => (
            "rabbitmq",
            m(&[
                ("mode", "QueueLength".into()),
                ("queueName", queue.clone()),
                ("value", length.to_string()),
            ]),
        ),
        Policy::Sqs {
            queue_url,
            region,
            length,
            ..
        } => (
            "aws-sqs-queue",
            m(&[
                ("awsRegion", region.clone()),
                ("queueLength", length.to_string()),
                ("queueURL", queue_url.clone()),
            ]),
        ),
        Policy::Prometheus {
            server,
            query,
            threshold,
        } => (
            "prometheus",
            m(&[
                ("query", query.clone()),
                ("serverAddress", server.clone()),
                ("threshold", threshold.clone()),
            ]),
        ),
        _ => return None,
    };
    Some(Trigger {
        type_,
        metadata,
        authentication_ref: auth,
    })
}

/// A ScaledObject named `name` scaling the Deployment `target`.
pub(crate) fn scaled_object(
    owner: &Owner<'_>,
    model: &Model,
    namespace: &str,
    name: &str,
    target: &str,
) -> Option<ScaledObject> {
    let trigger = trigger(model)?;
    let a = &model.autoscale;
    let clamp = |n: u64| i32::try_from(n).unwrap_or(i32::MAX);
    Some(ScaledObject {
        api_version: "keda.sh/v1alpha1",
        kind: "ScaledObject",
        metadata: owner.meta("ScaledObject", name, Some(namespace)),
        spec: ScaledObjectSpec {
            scale_target_ref: ScaleTargetRef {
                api_version: "apps/v1",
                kind: "Deployment",
                name: target.to_owned(),
            },
            min_replica_count: clamp(u64::from(a.min.value)),
            max_replica_count: clamp(u64::from(a.max.value.max(1))),
            cooldown_period: clamp(a.idle.seconds_ceil()),
            polling_interval: 30,
            triggers: vec![trigger],
        },
    })
}
