//! IR of the scaling knobs beyond the policy itself: a trigger's credentials (KEDA
//! TriggerAuthentication parameters).

use crate::source::Span;

/// Where a trigger's credentials come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// A Secret in the model's namespace: mlc emits a TriggerAuthentication for it.
    Secret(String),
    /// A ClusterTriggerAuthentication the platform manages (its Secrets live in KEDA's
    /// namespace); mlc only references it.
    Cluster(String),
}

/// The credentials of a KEDA trigger (`auth=` or an `auth` child).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// The Secret or ClusterTriggerAuthentication.
    pub source: CredentialSource,
    /// (KEDA authentication parameter, Secret key) pairs, sorted by parameter.
    pub params: Vec<(String, String)>,
    /// Non-secret trigger metadata the chosen modes need (`authModes`, `sasl`, `tls`).
    pub metadata: Vec<(&'static str, String)>,
    /// Where it was written.
    pub span: Span,
}

impl Credentials {
    /// Credentials from a Secret with fixed (parameter, key) pairs and no metadata.
    pub fn secret(name: String, pairs: &[(&str, &str)], span: Span) -> Credentials {
        let mut params: Vec<(String, String)> = pairs
            .iter()
            .map(|(p, k)| ((*p).to_owned(), (*k).to_owned()))
            .collect();
        params.sort();
        Credentials {
            source: CredentialSource::Secret(name),
            params,
            metadata: Vec::new(),
            span,
        }
    }

    /// The ClusterTriggerAuthentication it names, if any.
    pub fn cluster(&self) -> Option<&str> {
        match &self.source {
            CredentialSource::Cluster(n) => Some(n),
            CredentialSource::Secret(_) => None,
        }
    }
}

/// One HPA scaling policy: change by `value` pods or percent per `period_seconds`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RatePolicy {
    /// `Pods` or `Percent`.
    pub kind: &'static str,
    /// Pods or percent per period (≥ 1).
    pub value: u32,
    /// The period in seconds (1..=1800).
    pub period_seconds: u32,
}

/// HPA scaling rules for one direction (`scale-up` / `scale-down`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScalingRules {
    /// `stabilizationWindowSeconds` (0..=3600).
    pub window_seconds: Option<u32>,
    /// Its policies (none: the HPA defaults).
    pub policies: Vec<RatePolicy>,
    /// `selectPolicy`: `Max`, `Min` or `Disabled`.
    pub select: Option<&'static str>,
}

/// KEDA's fallback when the scaler fails.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fallback {
    /// Failures before the fallback applies.
    pub failures: u32,
    /// Replicas while falling back.
    pub replicas: u32,
}

/// The behaviour knobs of `autoscale`: KEDA's `keda` child and the HPA's `scale-up` /
/// `scale-down`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Behaviour {
    /// KEDA `pollingInterval` in seconds (≥ 1; KEDA's default 30).
    pub polling_seconds: Option<u32>,
    /// KEDA `idleReplicaCount` (< `min`).
    pub idle_replicas: Option<u32>,
    /// KEDA `fallback`.
    pub fallback: Option<Fallback>,
    /// HPA `behavior.scaleUp`.
    pub scale_up: Option<ScalingRules>,
    /// HPA `behavior.scaleDown`.
    pub scale_down: Option<ScalingRules>,
    /// Where the KEDA knobs were written (the `keda` child).
    pub keda_span: Option<Span>,
    /// Where the HPA behaviour was written (the first of `scale-up` / `scale-down`).
    pub hpa_span: Option<Span>,
}

impl Behaviour {
    /// Whether a KEDA-only knob (polling, idle replicas, fallback) is set.
    pub fn has_keda_knobs(&self) -> bool {
        self.keda_span.is_some()
    }

    /// Whether HPA behaviour is set.
    pub fn has_hpa_behaviour(&self) -> bool {
        self.scale_up.is_some() || self.scale_down.is_some()
    }
}

/// A model's `vpa` block: a VerticalPodAutoscaler on its Deployments.
#[derive(Debug, Clone, PartialEq)]
pub struct Vpa {
    /// `updatePolicy.updateMode`: `Off` (default), `Initial`, `Recreate`, `InPlaceOrRecreate`.
    pub mode: &'static str,
    /// `controls=`: the controlled resources as written (`cpu`, `memory`), with its span.
    pub controls: Option<(Vec<&'static str>, Span)>,
    /// `minAllowed` (resource, quantity text).
    pub min_allowed: Vec<(&'static str, String)>,
    /// `maxAllowed` (resource, quantity text).
    pub max_allowed: Vec<(&'static str, String)>,
    /// Where it was written.
    pub span: Span,
}
