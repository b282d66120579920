//! The scaling matrix (DESIGN §8.7) and replica bounds.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::{Model, Policy, ServeTarget};

/// Whether `policy` is legal on `target`, and if not, the help line.
fn matrix(target: ServeTarget, policy: Option<&Policy>) -> Result<(), &'static str> {
    use ServeTarget::{Deployment, KserveKnative, KserveStandard};
    match (policy, target) {
        (Some(Policy::Cpu(_) | Policy::Memory(_)), KserveKnative) => Err(
            "cpu and memory scaling on KServe needs `serve kserve mode=standard` (KServe creates the HPA)",
        ),
        (Some(Policy::Concurrency(_) | Policy::Rps(_)), KserveStandard | Deployment) => Err(
            "concurrency and rps scaling is Knative's: use `serve kserve mode=knative`, or scale on cpu, Prometheus or a queue",
        ),
        (
            Some(
                Policy::Prometheus { .. }
                | Policy::Kafka { .. }
                | Policy::Rabbitmq { .. }
                | Policy::Sqs { .. },
            ),
            KserveKnative,
        ) => Err(
            "KEDA triggers need `serve kserve mode=standard` or `serve deployment`; Knative scales on concurrency or rps",
        ),
        _ => Ok(()),
    }
}

/// Replica bounds, the matrix and scale to zero for one model.
pub(crate) fn check(model: &Model, diags: &mut Diagnostics) {
    let a = &model.autoscale;
    let target = model.serve.value;
    if a.min.value > a.max.value {
        diags.push(
            Diagnostic::error(
                "E0309",
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
            Diagnostic::error("E0309", "`max=0` never runs the model")
                .label(a.max.span, "zero")
                .help("set `max` to at least 1"),
        );
        return;
    }
    let policy = a.policy.as_ref().map(|p| &p.value);
    if let Err(help) = matrix(target, policy) {
        let span = a.policy.as_ref().map_or(a.span, |p| p.span);
        diags.push(
            Diagnostic::error(
                "E0311",
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
    if policy.is_none() && a.min.value != a.max.value {
        diags.push(
            Diagnostic::error("E0311", format!("`min={}` and `max={}` differ but no scaling policy is given", a.min.value, a.max.value))
                .label(a.span, "no policy")
                .help("add a policy inside `autoscale { … }` (e.g. `cpu 70`), or set `min` equal to `max` for fixed replicas"),
        );
        return;
    }
    if a.min.value == 0 {
        let ok = match (target, policy) {
            (ServeTarget::KserveKnative, Some(_)) => true,
            (ServeTarget::KserveStandard | ServeTarget::Deployment, Some(p)) => p.is_event_driven(),
            _ => false,
        };
        if !ok {
            let reason = match policy {
                Some(Policy::Cpu(_) | Policy::Memory(_)) => {
                    "an HPA on cpu or memory cannot scale to zero: with no pod there is no utilisation to measure"
                }
                _ => "scale to zero needs Knative or a KEDA event source",
            };
            diags.push(
                Diagnostic::error("E0310", "this model cannot scale to zero")
                    .label(a.min.span, "`min=0`")
                    .note(reason)
                    .help("use `min=1`, or scale on Kafka, RabbitMQ, SQS or Prometheus (KEDA), or on concurrency with `serve kserve mode=knative`"),
            );
        }
    }
}
