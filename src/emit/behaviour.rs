//! HPA `behavior` from `autoscale`'s `scale-up` / `scale-down`: on mlc's HPA (`spec.behavior`)
//! and on KEDA's (`advanced.horizontalPodAutoscalerConfig.behavior`).

use k8s_openapi::api::autoscaling::v2::{
    HPAScalingPolicy, HPAScalingRules, HorizontalPodAutoscalerBehavior,
};

use crate::model::{Behaviour, ScalingRules};

fn clamp(n: u32) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

fn rules(r: &ScalingRules) -> HPAScalingRules {
    HPAScalingRules {
        stabilization_window_seconds: r.window_seconds.map(clamp),
        select_policy: r.select.map(str::to_owned),
        policies: (!r.policies.is_empty()).then(|| {
            r.policies
                .iter()
                .map(|p| HPAScalingPolicy {
                    type_: p.kind.to_owned(),
                    value: clamp(p.value),
                    period_seconds: clamp(p.period_seconds),
                })
                .collect()
        }),
        ..HPAScalingRules::default()
    }
}

/// The HPA behaviour, when `scale-up` or `scale-down` is written.
pub(crate) fn hpa_behavior(b: &Behaviour) -> Option<HorizontalPodAutoscalerBehavior> {
    b.has_hpa_behaviour()
        .then(|| HorizontalPodAutoscalerBehavior {
            scale_up: b.scale_up.as_ref().map(rules),
            scale_down: b.scale_down.as_ref().map(rules),
        })
}
