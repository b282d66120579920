//! Cluster-level objects, emitted once per cluster (DESIGN §8.3): the environments'
//! Namespaces and the NVIDIA device-plugin sharing config of time-sliced and MPS pools.

use std::collections::BTreeMap;
use std::sync::Arc;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use serde::Serialize;

use super::meta::Owner;
use crate::canonical::yaml;
use crate::model::{OversubscriptionKind, Pool, Sharing};

/// The Namespace of an environment.
pub(crate) fn namespace(owner: &Owner<'_>, name: &str) -> Namespace {
    let mut metadata = owner.meta("Namespace", name, None);
    let labels = metadata.labels.get_or_insert_with(BTreeMap::new);
    // KServe injects containers mlc does not control: warn and audit, do not enforce.
    labels.insert(
        "pod-security.kubernetes.io/audit".into(),
        "restricted".into(),
    );
    labels.insert(
        "pod-security.kubernetes.io/warn".into(),
        "restricted".into(),
    );
    Namespace {
        metadata,
        ..Namespace::default()
    }
}

/// The NVIDIA device-plugin config file (facts §1.8, §1.9), in its documented key order.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PluginConfig {
    version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    flags: Option<PluginFlags>,
    sharing: BTreeMap<&'static str, PluginSharing>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PluginFlags {
    mig_strategy: &'static str,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PluginSharing {
    rename_by_default: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    fail_requests_greater_than_one: Option<bool>,
    resources: Vec<PluginResource>,
}

#[derive(Serialize)]
struct PluginResource {
    name: String,
    replicas: u32,
}

/// The device-plugin config of one pool, as the YAML text of one key.
fn plugin_config(pool: &Pool) -> Option<String> {
    let over = pool.oversubscription.as_ref()?;
    let resources: Vec<String> = match &pool.sharing {
        Sharing::MigMixed(_) => crate::model::layout_counts(pool)
            .map(|c| {
                c.keys()
                    .map(|p| format!("nvidia.com/mig-{}", p.replace('+', ".")))
                    .collect()
            })
            .unwrap_or_default(),
        _ => vec!["nvidia.com/gpu".to_owned()],
    };
    let flags = match &pool.sharing {
        Sharing::MigMixed(_) => Some(PluginFlags {
            mig_strategy: "mixed",
        }),
        Sharing::MigSingle(_) => Some(PluginFlags {
            mig_strategy: "single",
        }),
        Sharing::Whole => None,
    };
    let (section, time_slicing) = match over.kind {
        OversubscriptionKind::TimeSlicing => ("timeSlicing", true),
        OversubscriptionKind::Mps => ("mps", false),
    };
    let sharing = PluginSharing {
        rename_by_default: over.rename,
        fail_requests_greater_than_one: time_slicing.then_some(true),
        resources: resources
            .into_iter()
            .map(|name| PluginResource {
                name,
                replicas: over.replicas.value,
            })
            .collect(),
    };
    Some(yaml::to_yaml_ordered(&PluginConfig {
        version: "v1",
        flags,
        sharing: BTreeMap::from([(section, sharing)]),
    }))
}

/// The device-plugin ConfigMap of a cluster: one key per shared pool (select it per node
/// with the label `nvidia.com/device-plugin.config=<pool>`), or `None` when no pool shares.
pub(crate) fn device_plugin_config(
    owner: &Owner<'_>,
    pools: &[Arc<Pool>],
    namespace: &str,
) -> Option<ConfigMap> {
    let data: BTreeMap<String, String> = pools
        .iter()
        .filter_map(|p| plugin_config(p).map(|c| (p.name.value.clone(), c)))
        .collect();
    if data.is_empty() {
        return None;
    }
    Some(ConfigMap {
        metadata: owner.meta("ConfigMap", "mlc-device-plugin-config", Some(namespace)),
        data: Some(data),
        ..ConfigMap::default()
    })
}

/// A PriorityClass declared on the cluster.
pub(crate) fn priority_class(owner: &Owner<'_>, pc: &crate::model::PriorityClass) -> PriorityClass {
    PriorityClass {
        metadata: owner.meta("PriorityClass", &pc.name, None),
        value: pc.value,
        preemption_policy: Some(pc.preemption.clone()),
        description: pc.description.clone(),
        global_default: Some(false),
    }
}

/// The ResourceQuota of an environment's namespace.
pub(crate) fn resource_quota(
    owner: &Owner<'_>,
    namespace: &str,
    quota: &crate::model::Quota,
) -> ResourceQuota {
    let mut hard = BTreeMap::new();
    if let Some(cpu) = &quota.cpu {
        hard.insert("requests.cpu".to_owned(), Quantity(cpu.text.clone()));
    }
    if let Some(memory) = &quota.memory {
        hard.insert("requests.memory".to_owned(), Quantity(memory.text.clone()));
    }
    if let Some(gpus) = quota.gpus {
        hard.insert(
            "requests.nvidia.com/gpu".to_owned(),
            Quantity(gpus.to_string()),
        );
    }
    if let Some(pods) = quota.pods {
        hard.insert("pods".to_owned(), Quantity(pods.to_string()));
    }
    ResourceQuota {
        metadata: owner.meta("ResourceQuota", namespace, Some(namespace)),
        spec: Some(ResourceQuotaSpec {
            hard: Some(hard),
            ..ResourceQuotaSpec::default()
        }),
        ..ResourceQuota::default()
    }
}
