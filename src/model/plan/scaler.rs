//! The scaler of a model: the scaling matrix (DESIGN §8.7) decided once, as one enum.

use super::SecretRef;
use super::names::Workload;
use crate::model::ir::{Model, Policy, ServeTarget};

/// A resource-utilisation target (cpu or memory, in percent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResourceMetric {
    /// `cpu` or `memory`.
    pub resource: &'static str,
    /// Target utilisation in percent.
    pub target: u32,
}

/// One ScaledObject mlc emits and the Deployment it scales (of the same name).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScaledTarget {
    /// The ScaledObject name, which is also the scaled Deployment's.
    pub name: String,
    /// Its file stem in the model's output directory.
    pub file: String,
}

/// How KEDA's scaler authenticates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ScalerAuth {
    /// Keys of a Secret handed to the scaler: (parameter, key) pairs.
    Secret {
        /// The Secret.
        secret: SecretRef,
        /// (trigger parameter, Secret key) pairs.
        params: &'static [(&'static str, &'static str)],
    },
    /// The pod identity of a cloud provider.
    PodIdentity {
        /// The provider (`aws`).
        provider: &'static str,
    },
}

/// The TriggerAuthentication of a model's ScaledObjects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerAuth {
    /// Its name (`<model>-<scaler>`).
    pub name: String,
    /// Its file stem.
    pub file: String,
    /// What it hands to the scaler.
    pub auth: ScalerAuth,
}

/// What scales a model's replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scaler {
    /// No policy: `min` replicas (KServe `autoscalerClass: none` on Standard).
    Fixed,
    /// KServe creates an HPA (`autoscalerClass: hpa`).
    KserveHpa(ResourceMetric),
    /// KServe creates a ScaledObject from a Prometheus query (`autoscalerClass: keda`).
    KserveKeda,
    /// Knative's autoscaler on `concurrency` or `rps` (or `cpu`/`memory`, never valid).
    Knative {
        /// The scale metric.
        metric: &'static str,
        /// Its target per replica.
        target: u32,
    },
    /// An HPA mlc emits for a plain Deployment.
    Hpa(ResourceMetric),
    /// ScaledObjects mlc emits on an event source: one per Deployment (KServe
    /// `autoscalerClass: external` on Standard).
    ScaledObjects {
        /// Every ScaledObject.
        targets: Vec<ScaledTarget>,
        /// Its TriggerAuthentication, when the source needs one.
        auth: Option<TriggerAuth>,
    },
    /// The policy is not available on this serve target (`E0311`).
    Unsupported {
        /// Why, and what to use instead.
        help: &'static str,
    },
}

fn resource(policy: &Policy) -> Option<ResourceMetric> {
    match policy {
        Policy::Cpu(t) => Some(ResourceMetric {
            resource: "cpu",
            target: *t,
        }),
        Policy::Memory(t) => Some(ResourceMetric {
            resource: "memory",
            target: *t,
        }),
        _ => None,
    }
}

/// The TriggerAuthentication an event source needs: (scaler suffix, auth).
fn auth_of(policy: &Policy) -> Option<(&'static str, ScalerAuth)> {
    let secret = |name: &str, params| ScalerAuth::Secret {
        secret: SecretRef(name.to_owned()),
        params,
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
        Policy::Sqs { auth: None, .. } => {
            Some(("sqs", ScalerAuth::PodIdentity { provider: "aws" }))
        }
        _ => None,
    }
}

const CPU_ON_KNATIVE: &str =
    "cpu and memory scaling on KServe needs `serve kserve mode=standard` (KServe creates the HPA)";
const KNATIVE_METRIC: &str = "concurrency and rps scaling is Knative's: use `serve kserve mode=knative`, or scale on cpu, Prometheus or a queue";
const KEDA_ON_KNATIVE: &str = "KEDA triggers need `serve kserve mode=standard` or `serve deployment`; Knative scales on concurrency or rps";

impl Scaler {
    /// The scaler of `model` on `workload`, by the scaling matrix.
    pub(super) fn of(model: &Model, workload: &Workload) -> Scaler {
        use ServeTarget::{Deployment, KserveKnative, KserveStandard};
        let Some(policy) = model.autoscale.policy.as_ref().map(|p| &p.value) else {
            return Scaler::Fixed;
        };
        let target = model.serve.value;
        let scaled_objects = || {
            let targets = match workload {
                Workload::Kserve { predictors, .. } => predictors
                    .iter()
                    .map(|p| ScaledTarget {
                        name: p.deployment.clone(),
                        file: match p.canary.and_then(|i| model.canaries.get(i)) {
                            Some(c) => format!("scaledobject-{}", c.name.value),
                            None => "scaledobject".to_owned(),
                        },
                    })
                    .collect(),
                Workload::Deployment { name, .. } => vec![ScaledTarget {
                    name: name.clone(),
                    file: "scaledobject".to_owned(),
                }],
            };
            let auth = auth_of(policy).map(|(suffix, auth)| TriggerAuth {
                name: format!("{}-{suffix}", model.name.value),
                file: format!("triggerauthentication-{suffix}"),
                auth,
            });
            Scaler::ScaledObjects { targets, auth }
        };
        match (policy, target) {
            (Policy::Cpu(_) | Policy::Memory(_), KserveKnative) => Scaler::Unsupported {
                help: CPU_ON_KNATIVE,
            },
            (Policy::Concurrency(_) | Policy::Rps(_), KserveStandard | Deployment) => {
                Scaler::Unsupported {
                    help: KNATIVE_METRIC,
                }
            }
            (_, KserveKnative) if policy.is_event_driven() => Scaler::Unsupported {
                help: KEDA_ON_KNATIVE,
            },
            (Policy::Concurrency(t), KserveKnative) => Scaler::Knative {
                metric: "concurrency",
                target: *t,
            },
            (Policy::Rps(t), KserveKnative) => Scaler::Knative {
                metric: "rps",
                target: *t,
            },
            (Policy::Prometheus { .. }, KserveStandard) => Scaler::KserveKeda,
            (p, KserveStandard) => resource(p).map_or_else(scaled_objects, Scaler::KserveHpa),
            (p, Deployment) => resource(p).map_or_else(scaled_objects, Scaler::Hpa),
            (_, KserveKnative) => Scaler::Unsupported {
                help: KEDA_ON_KNATIVE,
            },
        }
    }

    /// Whether KEDA scales the model (and so creates `keda-hpa-…` HPAs).
    pub fn uses_keda(&self) -> bool {
        matches!(self, Scaler::KserveKeda | Scaler::ScaledObjects { .. })
    }

    /// Whether this scaler can take the model to zero replicas.
    pub fn scales_to_zero(&self) -> bool {
        matches!(self, Scaler::Knative { .. }) || self.uses_keda()
    }

    /// KServe's `autoscalerClass` on Standard mode.
    pub fn kserve_class(&self) -> &'static str {
        match self {
            Scaler::Fixed => "none",
            Scaler::KserveHpa(_) | Scaler::Hpa(_) => "hpa",
            Scaler::KserveKeda => "keda",
            Scaler::ScaledObjects { .. } | Scaler::Knative { .. } | Scaler::Unsupported { .. } => {
                "external"
            }
        }
    }
}
