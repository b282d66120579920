//! HorizontalPodAutoscaler behaviour bounds the API server enforces (facts §4: autoscaling/v2
//! validation; KEDA passes `advanced.horizontalPodAutoscalerConfig.behavior` to the HPA it
//! creates). The published OpenAPI schema has no bounds for them.

use serde_json::Value;

use super::Found;

const SOURCE: &str = "Kubernetes autoscaling/v2 validation (HPAScalingRules: stabilizationWindowSeconds 0..3600, policies[].periodSeconds 1..1800); facts k8s-ml-facts §4";

pub(super) fn check(object: &Value, found: &mut Found<'_>) {
    check_behavior(object, "/spec/behavior", found);
}

pub(super) fn check_scaled_object(object: &Value, found: &mut Found<'_>) {
    check_behavior(
        object,
        "/spec/advanced/horizontalPodAutoscalerConfig/behavior",
        found,
    );
}

fn check_behavior(object: &Value, at: &str, found: &mut Found<'_>) {
    for direction in ["scaleUp", "scaleDown"] {
        let rules = format!("{at}/{direction}");
        let Some(rules_value) = object.pointer(&rules) else {
            continue;
        };
        if let Some(window) = rules_value
            .get("stabilizationWindowSeconds")
            .and_then(Value::as_i64)
            && !(0..=3600).contains(&window)
        {
            found.push(
                "E0414",
                format!("{rules}/stabilizationWindowSeconds"),
                format!(
                    "`{direction}.stabilizationWindowSeconds` is {window}; the API server accepts 0 to 3600"
                ),
                "choose a stabilization window between 0 and 3600 seconds",
                SOURCE,
            );
        }
        let policies = rules_value.get("policies").and_then(Value::as_array);
        for (i, policy) in policies.into_iter().flatten().enumerate() {
            if let Some(period) = policy.get("periodSeconds").and_then(Value::as_i64)
                && !(1..=1800).contains(&period)
            {
                found.push(
                    "E0414",
                    format!("{rules}/policies/{i}/periodSeconds"),
                    format!(
                        "`{direction}` policy `periodSeconds` is {period}; the API server accepts 1 to 1800"
                    ),
                    "choose a policy period between 1 and 1800 seconds",
                    SOURCE,
                );
            }
        }
    }
}
