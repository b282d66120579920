//! The scaler of a model: the scaling matrix (DESIGN §8.7) decided once, as one enum.

use super::SecretRef;
use super::names::Workload;
use crate::model::CredentialSource;
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
    /// Keys of a Secret handed to the scaler.
    Secret {
        /// The Secret.
        secret: SecretRef,
        /// (trigger parameter, Secret key) pairs, sorted by parameter.
        params: Vec<(String, String)>,
    },
    /// The pod identity of a cloud provider.
    PodIdentity {
        /// The provider (`aws`, `gcp`, `azure-workload`).
        provider: &'static str,
    },
    /// A ClusterTriggerAuthentication the platform manages: referenced, never emitted.
    Cluster,
}

/// The TriggerAuthentication (or ClusterTriggerAuthentication) of a model's triggers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TriggerAuth {
    /// Its name (`<model>-<scaler>`, or the ClusterTriggerAuthentication's).
    pub name: String,
    /// Its file stem.
    pub file: String,
    /// What it hands to the scaler.
    pub auth: ScalerAuth,
    /// Non-secret trigger metadata the credentials need (`authModes`, `sasl`, `tls`).
    pub metadata: Vec<(&'static str, String)>,
}

impl TriggerAuth {
    /// The kind a trigger's `authenticationRef` names.
    pub fn kind(&self) -> &'static str {
        match self.auth {
            ScalerAuth::Cluster => "ClusterTriggerAuthentication",
            ScalerAuth::Secret { .. } | ScalerAuth::PodIdentity { .. } => "TriggerAuthentication",
        }
    }

    /// Whether mlc emits the object (not for a ClusterTriggerAuthentication).
    pub fn emitted(&self) -> bool {
        !matches!(self.auth, ScalerAuth::Cluster)
    }
}

/// What scales a model's replicas.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scaler {
    /// No policy: `min` replicas (KServe `autoscalerClass: none` on Standard).
    Fixed,
    /// KServe creates an HPA (`autoscalerClass: hpa`).
    KserveHpa(ResourceMetric),
    /// KServe creates a ScaledObject from a Prometheus query (`autoscalerClass: keda`).
    KserveKeda {
        /// The TriggerAuthentication KServe's trigger references, when the query needs one.
        auth: Option<TriggerAuth>,
    },
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
    /// Seldon Core v1 makes an HPA from the component's `hpaSpec`.
    SeldonHpa(ResourceMetric),
    /// Seldon Core v1 makes a KEDA ScaledObject from the component's `kedaSpec`.
    SeldonKeda {
        /// The TriggerAuthentication its trigger references, when the source needs one.
        auth: Option<TriggerAuth>,
    },
    /// Seldon Core 2 scales the Model between `minReplicas` and `maxReplicas` itself.
    Core2,
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

/// The TriggerAuthentication of `model`'s event source, named after the model (or the
/// ClusterTriggerAuthentication it references).
fn trigger_auth(model: &Model, policy: &Policy) -> Option<TriggerAuth> {
    let (suffix, creds) = match policy {
        Policy::Prometheus { auth, .. } => ("prometheus", auth.as_ref()),
        Policy::Kafka { auth, .. } => ("kafka", auth.as_ref()),
        Policy::Rabbitmq { auth, .. } => ("rabbitmq", Some(auth)),
        Policy::Sqs { auth, .. } => ("sqs", auth.as_ref()),
        Policy::RedisList { auth, .. } => ("redis", auth.as_ref()),
        Policy::RedisStream { auth, .. } => ("redis-streams", auth.as_ref()),
        Policy::NatsJetstream { auth, .. } => ("nats-jetstream", auth.as_ref()),
        Policy::GcpPubsub { auth, .. } => ("gcp-pubsub", auth.as_ref()),
        Policy::AzureServicebus { auth, .. } => ("azure-servicebus", auth.as_ref()),
        _ => return None,
    };
    let name = format!("{}-{suffix}", model.name.value);
    let file = format!("triggerauthentication-{suffix}");
    let Some(creds) = creds else {
        // Cloud queues without a Secret use the pod identity of their provider.
        let provider = match policy {
            Policy::Sqs { .. } => "aws",
            Policy::GcpPubsub { .. } => "gcp",
            Policy::AzureServicebus { .. } => "azure-workload",
            _ => return None,
        };
        return Some(TriggerAuth {
            name,
            file,
            auth: ScalerAuth::PodIdentity { provider },
            metadata: Vec::new(),
        });
    };
    let (name, auth) = match &creds.source {
        CredentialSource::Secret(secret) => (
            name,
            ScalerAuth::Secret {
                secret: SecretRef(secret.clone()),
                params: creds.params.clone(),
            },
        ),
        CredentialSource::Cluster(cluster) => (cluster.clone(), ScalerAuth::Cluster),
    };
    Some(TriggerAuth {
        name,
        file,
        auth,
        metadata: creds.metadata.clone(),
    })
}

/// The default target of an HPA on cpu (KServe's and Kubernetes').
const DEFAULT_CPU: ResourceMetric = ResourceMetric {
    resource: "cpu",
    target: 80,
};

const CPU_ON_KNATIVE: &str =
    "cpu and memory scaling on KServe needs `serve kserve mode=standard` (KServe creates the HPA)";
const KNATIVE_METRIC: &str = "concurrency and rps scaling is Knative's: use `serve kserve mode=knative`, or scale on cpu, Prometheus or a queue";
const SELDON_KNATIVE_METRIC: &str = "Seldon Core v1 scales on cpu or memory (`hpaSpec`) or on a KEDA trigger (`kedaSpec`); concurrency and rps are Knative's";
const CORE2_POLICY: &str = "Seldon Core 2 scales Models itself between `min` and `max`: remove the policy, or use `serve seldon` (Core v1: hpaSpec or kedaSpec)";
const KEDA_ON_KNATIVE: &str = "KEDA triggers need `serve kserve mode=standard` or `serve deployment`; Knative scales on concurrency or rps";

impl Scaler {
    /// The scaler of `model` on `workload`, by the scaling matrix.
    pub(super) fn of(model: &Model, workload: &Workload) -> Scaler {
        use ServeTarget::{Deployment, KserveKnative, KserveStandard, SeldonCore2, SeldonV1};
        let Some(policy) = model.autoscale.policy.as_ref().map(|p| &p.value) else {
            return Scaler::default_of(model);
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
                Workload::Seldon { .. } => Vec::new(),
                Workload::Deployment { name, .. } => vec![ScaledTarget {
                    name: name.clone(),
                    file: "scaledobject".to_owned(),
                }],
            };
            Scaler::ScaledObjects {
                targets,
                auth: trigger_auth(model, policy),
            }
        };
        match (policy, target) {
            (_, SeldonCore2) => Scaler::Unsupported { help: CORE2_POLICY },
            (Policy::Concurrency(_) | Policy::Rps(_), SeldonV1) => Scaler::Unsupported {
                help: SELDON_KNATIVE_METRIC,
            },
            (p, SeldonV1) => resource(p).map_or_else(
                || Scaler::SeldonKeda {
                    auth: trigger_auth(model, policy),
                },
                Scaler::SeldonHpa,
            ),
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
            // KServe's trigger references a TriggerAuthentication by name only: a
            // ClusterTriggerAuthentication needs mlc's own ScaledObject.
            // KEDA knobs, HPA behaviour and an activation threshold, which KServe does not
            // copy, need it too (`N0301` says so).
            (
                Policy::Prometheus {
                    auth, activation, ..
                },
                KserveStandard,
            ) if auth.as_ref().is_none_or(|a| a.cluster().is_none())
                && activation.is_none()
                && !model.autoscale.behaviour.has_keda_knobs()
                && !model.autoscale.behaviour.has_hpa_behaviour() =>
            {
                Scaler::KserveKeda {
                    auth: trigger_auth(model, policy),
                }
            }
            (p, KserveStandard) => resource(p).map_or_else(scaled_objects, Scaler::KserveHpa),
            (p, Deployment) => resource(p).map_or_else(scaled_objects, Scaler::Hpa),
            (_, KserveKnative) => Scaler::Unsupported {
                help: KEDA_ON_KNATIVE,
            },
        }
    }

    /// Without a policy: fixed replicas when `min` = `max`, else the serve target's
    /// documented default (DESIGN §8.7 as changed in ARCHITECTURE.md): KServe's hpa class
    /// on cpu 80 % (`constants.DefaultCPUUtilization`), Knative's KPA on concurrency 100
    /// (`container-concurrency-target-default`), and for a Deployment an HPA on cpu 80 %
    /// (the HPA's own default target).
    fn default_of(model: &Model) -> Scaler {
        let a = &model.autoscale;
        if a.min.value >= a.max.value {
            return Scaler::Fixed;
        }
        match model.serve.value {
            ServeTarget::KserveStandard => Scaler::KserveHpa(DEFAULT_CPU),
            ServeTarget::Deployment => Scaler::Hpa(DEFAULT_CPU),
            ServeTarget::SeldonV1 => Scaler::SeldonHpa(DEFAULT_CPU),
            ServeTarget::SeldonCore2 => Scaler::Core2,
            ServeTarget::KserveKnative => Scaler::Knative {
                metric: "concurrency",
                target: 100,
            },
        }
    }

    /// Whether KEDA scales the model (and so creates `keda-hpa-…` HPAs).
    pub fn uses_keda(&self) -> bool {
        matches!(
            self,
            Scaler::KserveKeda { .. } | Scaler::ScaledObjects { .. } | Scaler::SeldonKeda { .. }
        )
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
            Scaler::KserveKeda { .. } => "keda",
            Scaler::ScaledObjects { .. }
            | Scaler::Knative { .. }
            | Scaler::Unsupported { .. }
            | Scaler::SeldonHpa(_)
            | Scaler::SeldonKeda { .. }
            | Scaler::Core2 => "external",
        }
    }
}
