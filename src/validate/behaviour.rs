//! `autoscale`'s behaviour knobs against the scaler that must carry them: KEDA knobs need
//! a KEDA ScaledObject; HPA `scale-up` / `scale-down` need an HPA mlc or KEDA creates.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::model::plan::{Plan, Scaler};

/// Reports behaviour knobs the model's scaler cannot carry (`E0311`).
pub(crate) fn check(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let b = &model.autoscale.behaviour;
    if matches!(plan.scaler, Scaler::Unsupported { .. }) {
        return;
    }
    if let Some(span) = b.keda_span
        && !plan.scaler.uses_keda()
    {
        diags.push(
            Diagnostic::error(Code::E0311, "`keda` knobs need a KEDA trigger")
                .label(span, "polling, idle replicas or fallback")
                .label(model.serve.span, "serve target")
                .help("KEDA reads them from its ScaledObject: scale on a KEDA trigger (prometheus, kafka, rabbitmq, sqs, redis, redis-streams, nats-jetstream, gcp-pubsub, azure-servicebus, cron), or remove `keda`"),
        );
    }
    if let Some(span) = b.hpa_span {
        let help = match plan.scaler {
            Scaler::Fixed => Some(
                "fixed replicas have no autoscaler: add a policy, or remove `scale-up`/`scale-down`",
            ),
            Scaler::KserveHpa(_) => Some(
                "KServe's hpa class takes its HPA from `scaleMetric`/`scaleTarget` only here: use `serve deployment` (mlc's HPA carries the behaviour) or a KEDA trigger",
            ),
            Scaler::SeldonHpa(_) => Some(
                "Seldon's `hpaSpec` has no HPA behaviour: scale on a KEDA trigger (its `kedaSpec` carries it), or remove `scale-up`/`scale-down`",
            ),
            Scaler::Core2 => {
                Some("Seldon Core 2 scales Models itself: remove `scale-up`/`scale-down`")
            }
            Scaler::Knative { .. } => Some(
                "Knative's autoscaler has no HPA behaviour: remove `scale-up`/`scale-down`, or use `serve kserve mode=standard`",
            ),
            _ => None,
        };
        if let Some(help) = help {
            diags.push(
                Diagnostic::error(
                    Code::E0311,
                    "`scale-up` / `scale-down` are not available here",
                )
                .label(span, "HPA behaviour")
                .label(model.serve.span, "serve target")
                .help(help),
            );
        }
    }
}
