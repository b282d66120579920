//! ScaledObject rules of KEDA v2.20's validating webhook (facts §3.1, §3.4:
//! `apis/keda/v1alpha1/scaledobject_webhook.go`, `scaledobject_types.go`).

use serde_json::Value;

use super::{Found, int_at, text_at};

const ZERO_SOURCE: &str =
    "KEDA v2.20 webhook, verifyCPUMemoryScalers (scaledobject_webhook.go); facts k8s-ml-facts §3.4";
const IDLE_SOURCE: &str =
    "KEDA v2.20 CheckReplicaCountBoundsAreValid (scaledobject_types.go); facts k8s-ml-facts §3.1";
const FALLBACK_SOURCE: &str = "KEDA v2.20 webhook, fallback validation (scaledobject_webhook.go); facts k8s-ml-facts §3.1, §9.8";

/// Whether every trigger is `cpu` or `memory` (and there is at least one).
fn only_resource_triggers(object: &Value) -> bool {
    let triggers = object.pointer("/spec/triggers").and_then(Value::as_array);
    let triggers = triggers.map(Vec::as_slice).unwrap_or_default();
    !triggers.is_empty()
        && triggers.iter().all(|t| {
            matches!(
                t.get("type").and_then(Value::as_str),
                Some("cpu" | "memory")
            )
        })
}

pub(super) fn check(object: &Value, found: &mut Found<'_>) {
    let min = int_at(object, "/spec/minReplicaCount");
    let resource_only = only_resource_triggers(object);
    if resource_only && min.unwrap_or(0) == 0 {
        found.push(
            "E0411",
            if min.is_some() {
                "/spec/minReplicaCount"
            } else {
                "/spec"
            },
            "a ScaledObject with only cpu/memory triggers cannot scale to zero (`minReplicaCount` is 0 or unset)",
            "set `minReplicaCount` to 1 or more, or add a trigger that can wake the workload from zero (kafka, prometheus, …)",
            ZERO_SOURCE,
        );
    }
    if let Some(idle) = int_at(object, "/spec/idleReplicaCount")
        && idle >= min.unwrap_or(0)
    {
        found.push(
            "E0412",
            "/spec/idleReplicaCount",
            format!(
                "`idleReplicaCount` {idle} is not below `minReplicaCount` {}",
                min.unwrap_or(0)
            ),
            "set `idleReplicaCount` below `minReplicaCount` (usually 0 with a minimum of 1), or remove it",
            IDLE_SOURCE,
        );
    }
    let modifiers = text_at(object, "/spec/advanced/scalingModifiers/formula")
        .is_some_and(|f| !f.is_empty())
        || text_at(object, "/spec/fallback/behavior") == Some("scalingModifiers");
    if object.pointer("/spec/fallback").is_some() && resource_only && !modifiers {
        found.push(
            "E0413",
            "/spec/fallback",
            "`fallback` needs at least one trigger that is not cpu or memory",
            "remove `fallback` (the HPA keeps cpu/memory scaling working), or add an external trigger",
            FALLBACK_SOURCE,
        );
    }
}
