//! Cluster-level objects, once per cluster (DESIGN §8.3): Namespaces, PriorityClasses,
//! ResourceQuotas and the device-plugin config, each a function of its cluster's plan.

use super::meta::Owner;
use super::object::to_value;
use super::{Object, Scope, cluster};
use crate::model::Project;
use crate::model::plan::Origin;

/// Every cluster-level object of `project`.
pub(super) fn emit_clusters(project: &Project) -> Vec<Object> {
    let mut objects = Vec::new();
    for plan in &project.cluster_plans {
        let scope = Scope::Cluster(plan.name.clone());
        let object = |file: String, value, span| Object {
            scope: scope.clone(),
            file,
            value,
            span,
            origin: Origin::default(),
        };
        for ns in &plan.namespaces {
            let owner = Owner::shared(project, &ns.name, &ns.instance);
            objects.push(object(
                format!("namespace-{}.yaml", ns.name),
                to_value(&cluster::namespace(&owner, &ns.name)),
                plan.span,
            ));
        }
        for (pc, instance) in &plan.priority_classes {
            let owner = Owner::shared(project, &pc.name, instance);
            objects.push(object(
                format!("priorityclass-{}.yaml", pc.name),
                to_value(&cluster::priority_class(&owner, pc)),
                plan.span,
            ));
        }
        for q in &plan.quotas {
            let ns = &q.namespace;
            let owner = Owner::shared(project, &ns.name, &ns.instance);
            objects.push(object(
                format!("resourcequota-{}.yaml", ns.name),
                to_value(&cluster::resource_quota(&owner, &ns.name, &q.quota)),
                q.span,
            ));
        }
        let owner = Owner::shared(
            project,
            "mlc-device-plugin-config",
            &plan.device_plugin_instance,
        );
        if let Some(cm) =
            cluster::device_plugin_config(&owner, &plan.pools, &plan.gpu_operator_namespace)
        {
            objects.push(object(
                "configmap-mlc-device-plugin-config.yaml".into(),
                to_value(&cm),
                plan.span,
            ));
        }
    }
    objects
}
