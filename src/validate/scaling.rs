//! Replica bounds, and the scaling matrix (DESIGN §8.7) as the plan's scaler decided it.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::plan::{Plan, Scaler};
use crate::model::{Model, Policy};

/// Replica bounds, the matrix and scale to zero for one model.
pub(crate) fn check(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let a = &model.autoscale;
    let target = model.serve.value;
    if a.min.value > a.max.value {
        diags.push(
            Diagnostic::error(
                Code::E0309,
                format!("`min={}` is above `max={}`", a.min.value, a.max.value),
            )
            .label(a.min.span, "minimum")
            .label(a.max.span, "maximum")
            .help("make `min` at most `max`"),
        );
        return;
    }
    if a.max.value == 0 {
        diags.push(
            Diagnostic::error(Code::E0309, "`max=0` never runs the model")
                .label(a.max.span, "zero")
                .help("set `max` to at least 1"),
        );
        return;
    }
    let policy = a.policy.as_ref().map(|p| &p.value);
    if let Scaler::Unsupported { help } = plan.scaler {
        let span = a.policy.as_ref().map_or(a.span, |p| p.span);
        diags.push(
            Diagnostic::error(
                Code::E0311,
                format!(
                    "`{}` scaling is not available with {}",
                    policy.map_or("fixed", Policy::keyword),
                    target.describe()
                ),
            )
            .label(span, "this policy")
            .label(model.serve.span, "serve target")
            .help(help),
        );
        return;
    }
    if a.min.value == 0 && !plan.scaler.scales_to_zero() {
        let reason = match policy {
            Some(Policy::Cpu(_) | Policy::Memory(_)) => {
                "an HPA on cpu or memory cannot scale to zero: with no pod there is no utilisation to measure"
            }
            _ => "scale to zero needs Knative or a KEDA event source",
        };
        diags.push(
                Diagnostic::error(Code::E0310, "this model cannot scale to zero")
                    .label(a.min.span, "`min=0`")
                    .note(reason)
                    .help("use `min=1`, or scale on a KEDA event source (Kafka, RabbitMQ, SQS, Redis, NATS JetStream, Pub/Sub, Service Bus, Prometheus or cron), or on concurrency with `serve kserve mode=knative`"),
            );
    }
}
