//! The plans of objects shared by an environment or a cluster (DESIGN §8.3): the mlc-serve
//! ServingRuntime of an environment, and each cluster's Namespaces, PriorityClasses,
//! ResourceQuotas and device-plugin config, with their instance labels.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::SecretRef;
use crate::model::ir::{Cluster, Environment, Pool, PriorityClass, Quota, ServeTarget};
use crate::source::Span;

/// The name of mlc's ServingRuntime.
pub const MLC_SERVE_RUNTIME: &str = "mlc-serve";

/// The mlc-serve ServingRuntime an environment needs when a KServe model runs on mlc-serve.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedRuntime {
    /// Its name.
    pub name: &'static str,
    /// Its `app.kubernetes.io/instance` label.
    pub instance: String,
    /// The image pull secrets of every model that uses it, sorted.
    pub pull_secrets: Vec<SecretRef>,
    /// Whether it declares the OIP gRPC port: only when no Knative model uses it (Knative
    /// accepts one container port).
    pub grpc: bool,
}

impl SharedRuntime {
    /// The ServingRuntime of `env`, if any of its models needs it.
    pub(crate) fn of(env: &Environment) -> Option<SharedRuntime> {
        let users: Vec<_> = env
            .models
            .values()
            .filter(|m| m.uses_mlc_serve() && m.serve.value.is_kserve())
            .collect();
        if users.is_empty() {
            return None;
        }
        let mut pull: Vec<String> = users
            .iter()
            .flat_map(|m| m.image_pull_secrets.clone())
            .collect();
        pull.sort();
        pull.dedup();
        Some(SharedRuntime {
            name: MLC_SERVE_RUNTIME,
            instance: format!("{MLC_SERVE_RUNTIME}-{}", env.name.value),
            pull_secrets: pull.into_iter().map(SecretRef).collect(),
            grpc: users
                .iter()
                .all(|m| m.serve.value != ServeTarget::KserveKnative),
        })
    }
}

/// A cluster-level object's name with its instance label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Named {
    /// The object name.
    pub name: String,
    /// Its `app.kubernetes.io/instance` label.
    pub instance: String,
}

/// The ResourceQuota of an environment's namespace.
#[derive(Debug, Clone, PartialEq)]
pub struct QuotaPlan {
    /// The namespace (and quota name) with its instance label.
    pub namespace: Named,
    /// The quota.
    pub quota: Quota,
    /// The environment node.
    pub span: Span,
}

/// Everything emitted once for one cluster.
#[derive(Debug, Clone)]
pub struct ClusterPlan {
    /// The cluster name.
    pub name: String,
    /// Where it was declared (the project node for an implicit cluster).
    pub span: Span,
    /// The Namespaces of its environments, sorted and unique.
    pub namespaces: Vec<Named>,
    /// Its PriorityClasses, with their instance labels.
    pub priority_classes: Vec<(PriorityClass, String)>,
    /// The ResourceQuotas of its environments.
    pub quotas: Vec<QuotaPlan>,
    /// The namespace of the NVIDIA GPU operator.
    pub gpu_operator_namespace: String,
    /// The device-plugin ConfigMap's instance label.
    pub device_plugin_instance: String,
    /// Its pools.
    pub pools: Vec<Arc<Pool>>,
}

/// The plans of every cluster that has an environment or a pool, by name.
pub(crate) fn plan_clusters(
    project_span: Span,
    clusters: &BTreeMap<String, Cluster>,
    pools: &BTreeMap<String, Arc<Pool>>,
    environments: &BTreeMap<String, Environment>,
) -> Vec<ClusterPlan> {
    let mut by_cluster: BTreeMap<&str, Vec<&Environment>> = BTreeMap::new();
    for env in environments.values() {
        by_cluster
            .entry(env.cluster.value.as_str())
            .or_default()
            .push(env);
    }
    for pool in pools.values() {
        by_cluster.entry(pool.cluster.value.as_str()).or_default();
    }
    by_cluster
        .into_iter()
        .map(|(cluster, envs)| {
            let declared = clusters.get(cluster);
            let mut namespaces: Vec<&str> =
                envs.iter().map(|e| e.namespace.value.as_str()).collect();
            namespaces.sort_unstable();
            namespaces.dedup();
            let named = |ns: &str| Named {
                name: ns.to_owned(),
                instance: format!("{ns}-{cluster}"),
            };
            ClusterPlan {
                name: cluster.to_owned(),
                span: declared.map_or(project_span, |c| c.name.span),
                namespaces: namespaces.into_iter().map(named).collect(),
                priority_classes: declared
                    .map(|c| {
                        c.priority_classes
                            .iter()
                            .map(|pc| (pc.clone(), format!("{}-{cluster}", pc.name)))
                            .collect()
                    })
                    .unwrap_or_default(),
                quotas: envs
                    .iter()
                    .filter_map(|e| {
                        e.quota.clone().map(|quota| QuotaPlan {
                            namespace: named(&e.namespace.value),
                            quota,
                            span: e.name.span,
                        })
                    })
                    .collect(),
                gpu_operator_namespace: declared
                    .map_or("gpu-operator", |c| c.gpu_operator_namespace.as_str())
                    .to_owned(),
                device_plugin_instance: format!("device-plugin-{cluster}"),
                pools: pools
                    .values()
                    .filter(|p| p.cluster.value == cluster)
                    .cloned()
                    .collect(),
            }
        })
        .collect()
}
