//! `autoscaling.k8s.io/v1` VerticalPodAutoscaler (facts: observability-traffic §1), one per
//! Deployment of the model, from the plan's `VpaPlan`.

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::Serialize;

use super::keda::ScaleTargetRef;
use super::meta::Owner;
use crate::model::plan::{Plan, ScaledTarget, VpaPlan};

/// The VerticalPodAutoscaler object.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct VerticalPodAutoscaler {
    api_version: &'static str,
    kind: &'static str,
    metadata: ObjectMeta,
    spec: VpaSpec,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct VpaSpec {
    target_ref: ScaleTargetRef,
    update_policy: UpdatePolicy,
    resource_policy: ResourcePolicy,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct UpdatePolicy {
    update_mode: &'static str,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ResourcePolicy {
    container_policies: Vec<ContainerPolicy>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct ContainerPolicy {
    container_name: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    controlled_resources: Vec<&'static str>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    min_allowed: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    max_allowed: BTreeMap<&'static str, String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    mode: Option<&'static str>,
}

/// The VPA of `target`; every other container (the storage initializer, sidecars) is
/// excluded with `containerName: "*"`, `mode: Off`.
pub(crate) fn vpa(
    owner: &Owner<'_>,
    plan: &Plan,
    v: &VpaPlan,
    target: &ScaledTarget,
) -> VerticalPodAutoscaler {
    let main = ContainerPolicy {
        container_name: v.container.to_owned(),
        controlled_resources: v.controlled.clone(),
        min_allowed: v.min_allowed.iter().cloned().collect(),
        max_allowed: v.max_allowed.iter().cloned().collect(),
        mode: None,
    };
    let others = ContainerPolicy {
        container_name: "*".to_owned(),
        controlled_resources: Vec::new(),
        min_allowed: BTreeMap::new(),
        max_allowed: BTreeMap::new(),
        mode: Some("Off"),
    };
    VerticalPodAutoscaler {
        api_version: "autoscaling.k8s.io/v1",
        kind: "VerticalPodAutoscaler",
        metadata: owner.meta("VerticalPodAutoscaler", &target.name, Some(&plan.namespace)),
        spec: VpaSpec {
            target_ref: ScaleTargetRef {
                api_version: "apps/v1",
                kind: "Deployment",
                name: target.name.clone(),
            },
            update_policy: UpdatePolicy {
                update_mode: v.mode,
            },
            resource_policy: ResourcePolicy {
                container_policies: vec![main, others],
            },
        },
    }
}
