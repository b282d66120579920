//! Cluster-level objects, emitted once per cluster (DESIGN §8.3): the environments'
//! Namespaces and the NVIDIA device-plugin sharing config of time-sliced and MPS pools.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{ConfigMap, Namespace, ResourceQuota, ResourceQuotaSpec};
use k8s_openapi::api::scheduling::v1::PriorityClass;
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::meta::Owner;
use crate::model::{OversubscriptionKind, Pool, Project, Sharing};

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

/// The device-plugin config of one pool (facts §1.8, §1.9), as the YAML text of one key.
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
    let mut text = String::from("version: v1\n");
    match &pool.sharing {
        Sharing::MigMixed(_) => text.push_str("flags:\n  migStrategy: mixed\n"),
        Sharing::MigSingle(_) => text.push_str("flags:\n  migStrategy: single\n"),
        Sharing::Whole => {}
    }
    let section = match over.kind {
        OversubscriptionKind::TimeSlicing => "timeSlicing",
        OversubscriptionKind::Mps => "mps",
    };
    let _ = write!(
        text,
        "sharing:\n  {section}:\n    renameByDefault: {}\n",
        over.rename
    );
    if over.kind == OversubscriptionKind::TimeSlicing {
        text.push_str("    failRequestsGreaterThanOne: true\n");
    }
    text.push_str("    resources:\n");
    for r in resources {
        let _ = write!(
            text,
            "    - name: {r}\n      replicas: {}\n",
            over.replicas.value
        );
    }
    Some(text)
}

/// The device-plugin ConfigMap of a cluster: one key per shared pool (select it per node
/// with the label `nvidia.com/device-plugin.config=<pool>`), or `None` when no pool shares.
pub(crate) fn device_plugin_config(
    owner: &Owner<'_>,
    project: &Project,
    cluster: &str,
    namespace: &str,
) -> Option<ConfigMap> {
    let data: BTreeMap<String, String> = project
        .pools
        .values()
        .filter(|p| p.cluster.value == cluster)
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
