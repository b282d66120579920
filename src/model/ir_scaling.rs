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
