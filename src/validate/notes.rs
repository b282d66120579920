//! Notes on decisions the scaling matrix took for a model (`N03xx`): never fatal, they say
//! what mlc chose where the user wrote nothing, or why the output differs from the obvious.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::plan::{Plan, Scaler};
use crate::model::{Model, Policy, ServeTarget};

/// `N0301` when a KServe Prometheus model leaves the `keda` class, `N0302` when a default
/// policy is applied.
pub(crate) fn check(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let a = &model.autoscale;
    let name = &model.name.value;
    if let (Some(policy), ServeTarget::KserveStandard, Scaler::ScaledObjects { auth, .. }) =
        (&a.policy, model.serve.value, &plan.scaler)
        && matches!(policy.value, Policy::Prometheus { .. })
    {
        let b = &a.behaviour;
        let mut d = Diagnostic::notice(
            Code::N0301,
            format!("`{name}` uses `autoscalerClass: external` with mlc's own ScaledObject"),
        )
        .label(policy.span, "Prometheus trigger");
        let mut reasons = Vec::new();
        if let Some(span) = b.keda_span {
            d = d.label(span, "KEDA knobs");
            reasons.push("KEDA knobs (`keda`: polling, idle replicas, fallback)");
        }
        if let Some(span) = b.hpa_span {
            d = d.label(span, "HPA behaviour");
            reasons.push("HPA behaviour (`scale-up` / `scale-down`)");
        }
        if auth.as_ref().is_some_and(|t| !t.emitted()) {
            reasons.push("a ClusterTriggerAuthentication");
        }
        if matches!(
            policy.value,
            Policy::Prometheus {
                activation: Some(_),
                ..
            }
        ) {
            reasons.push("an activation threshold (`activation=`)");
        }
        diags.push(
            d.note(format!(
                "KServe's `keda` class carries only the trigger and a TriggerAuthentication by name, not {}",
                reasons.join(" or ")
            ))
            .help("nothing to do: KServe leaves the predictor's replicas to the ScaledObject mlc emits beside the InferenceService"),
        );
    }
    if a.policy.is_none() && a.min.value < a.max.value {
        let (what, whose) = match plan.scaler {
            Scaler::KserveHpa(m) => (
                format!("{} {} %", m.resource, m.target),
                "KServe's default (the hpa class)",
            ),
            Scaler::Hpa(m) => (
                format!("{} {} %", m.resource, m.target),
                "the HorizontalPodAutoscaler's usual target",
            ),
            Scaler::SeldonHpa(m) => (
                format!("{} {} %", m.resource, m.target),
                "the HorizontalPodAutoscaler's usual target, in Seldon's `hpaSpec`",
            ),
            Scaler::Knative { metric, target } => (
                format!("{metric} {target}"),
                "Knative's default (the KPA's container-concurrency-target-default)",
            ),
            _ => return,
        };
        let example = if matches!(plan.scaler, Scaler::Knative { .. }) {
            "concurrency 10"
        } else {
            "cpu 70"
        };
        diags.push(
            Diagnostic::notice(
                Code::N0302,
                format!("`{name}` has no scaling policy: it scales on {what}"),
            )
            .label(a.span, format!("min={} max={}", a.min.value, a.max.value))
            .note(format!("{what} is {whose}"))
            .help(format!(
                "to choose the signal yourself, write it in `autoscale`, e.g. `autoscale min={} max={} {{ {example} }}`",
                a.min.value, a.max.value
            )),
        );
    }
}
