//! Cluster-level objects, once per cluster (DESIGN §8.3): Namespaces, PriorityClasses,
//! ResourceQuotas and the device-plugin config.

use std::collections::BTreeMap;

use super::meta::Owner;
use super::object::to_value;
use super::{Object, Scope, cluster};
use crate::model::plan::Origin;
use crate::model::{Environment, Project};

/// Every cluster-level object of `project`.
pub(super) fn emit_clusters(project: &Project) -> Vec<Object> {
    let mut objects = Vec::new();
    let mut clusters: BTreeMap<&str, Vec<&Environment>> = BTreeMap::new();
    for env in project.environments.values() {
        clusters
            .entry(env.cluster.value.as_str())
            .or_default()
            .push(env);
    }
    for pool in project.pools.values() {
        clusters.entry(pool.cluster.value.as_str()).or_default();
    }
    for (cluster, envs) in clusters {
        let scope = Scope::Cluster(cluster.to_owned());
        let span = project
            .clusters
            .get(cluster)
            .map_or(project.name.span, |c| c.name.span);
        let mut namespaces: Vec<&str> = envs.iter().map(|e| e.namespace.value.as_str()).collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        for ns in namespaces {
            let owner = Owner::shared(project, ns, &format!("{ns}-{cluster}"));
            objects.push(Object {
                scope: scope.clone(),
                file: format!("namespace-{ns}.yaml"),
                value: to_value(&cluster::namespace(&owner, ns)),
                span,
                origin: Origin::default(),
            });
        }
        if let Some(c) = project.clusters.get(cluster) {
            for pc in &c.priority_classes {
                let owner = Owner::shared(project, &pc.name, &format!("{}-{cluster}", pc.name));
                objects.push(Object {
                    scope: scope.clone(),
                    file: format!("priorityclass-{}.yaml", pc.name),
                    value: to_value(&cluster::priority_class(&owner, pc)),
                    span,
                    origin: Origin::default(),
                });
            }
        }
        for env in &envs {
            if let Some(q) = &env.quota {
                let ns = env.namespace.value.as_str();
                let owner = Owner::shared(project, ns, &format!("{ns}-{cluster}"));
                objects.push(Object {
                    scope: scope.clone(),
                    file: format!("resourcequota-{ns}.yaml"),
                    value: to_value(&cluster::resource_quota(&owner, ns, q)),
                    span: env.name.span,
                    origin: Origin::default(),
                });
            }
        }
        let gpu_ns = project
            .clusters
            .get(cluster)
            .map_or("gpu-operator", |c| c.gpu_operator_namespace.as_str());
        let owner = Owner::shared(
            project,
            "mlc-device-plugin-config",
            &format!("device-plugin-{cluster}"),
        );
        if let Some(cm) = cluster::device_plugin_config(&owner, project, cluster, gpu_ns) {
            objects.push(Object {
                scope: scope.clone(),
                file: "configmap-mlc-device-plugin-config.yaml".into(),
                value: to_value(&cm),
                span,
                origin: Origin::default(),
            });
        }
    }
    objects
}
