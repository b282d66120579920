//! Pipelines in each environment: every step's model is served by the pipeline's target
//! (`E0330`). Steps share the environment's namespace by construction.

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::ServeTarget;
use crate::model::plan::{PipelinePlan, PlannedTarget};

/// Whether `serve` can be a step of a graph on `target`.
fn same_family(target: ServeTarget, serve: ServeTarget) -> bool {
    match target {
        ServeTarget::KserveStandard | ServeTarget::KserveKnative => {
            matches!(
                serve,
                ServeTarget::KserveStandard | ServeTarget::KserveKnative
            )
        }
        ServeTarget::SeldonV1 => serve == ServeTarget::SeldonV1,
        ServeTarget::SeldonCore2 => serve == ServeTarget::SeldonCore2,
        ServeTarget::Deployment => false,
    }
}

/// Checks one pipeline's plan.
pub(super) fn check(plan: &PipelinePlan, diags: &mut Diagnostics) {
    let Some(target) = plan.target else {
        return;
    };
    let mut first: Option<(&str, ServeTarget, crate::source::Span)> = None;
    for step in plan.nodes.iter().flat_map(|n| &n.steps) {
        let PlannedTarget::Model {
            model, serve, span, ..
        } = &step.target
        else {
            continue;
        };
        if same_family(target, *serve) {
            first.get_or_insert((model, *serve, *span));
            continue;
        }
        let mut d = Diagnostic::error(
            Code::E0330,
            format!(
                "step `{}` of pipeline `{}` calls model `{model}`, served by {}",
                step.name,
                plan.name,
                serve.describe()
            ),
        )
        .label(*span, format!("served by {}", serve.describe()));
        if let Some((m, s, at)) = first {
            d = d.label(at, format!("`{m}` is served by {}", s.describe()));
        }
        let help = if *serve == ServeTarget::Deployment && first.is_none() {
            "an InferenceGraph calls InferenceServices: serve the model with `serve kserve`"
                .to_owned()
        } else {
            "every step of a pipeline is served by the same target in its namespace: change the model's `serve` (or its environment override)".to_owned()
        };
        diags.push(d.help(help));
    }
}
