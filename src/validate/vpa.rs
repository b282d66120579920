//! A model's `vpa` against its scaler: never a resource an HPA scales on (`E0323`), and
//! only on Deployments of stable names (Knative is `E0311`).

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::Model;
use crate::model::plan::{Plan, Workload};

/// Reports a VPA that would fight the HPA, or that has nothing stable to target.
pub(crate) fn check(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let Some(vpa) = &model.vpa else { return };
    if matches!(plan.workload, Workload::Kserve { knative: true, .. }) {
        diags.push(
            Diagnostic::error(Code::E0311, "`vpa` is not available with Knative")
                .label(vpa.span, "vpa")
                .label(model.serve.span, "serve target")
                .help("Knative makes a new Deployment per revision: use `serve kserve mode=standard` or `serve deployment`, or remove `vpa`"),
        );
        return;
    }
    if matches!(plan.workload, Workload::Seldon { .. }) {
        diags.push(
            Diagnostic::error(Code::E0311, format!("`vpa` is not available with {}", model.serve.value.describe()))
                .label(vpa.span, "vpa")
                .label(model.serve.span, "serve target")
                .help("Seldon names and owns the Deployments it makes: use `serve kserve mode=standard` or `serve deployment`, or remove `vpa`"),
        );
        return;
    }
    let (Some(v), Some((_, span))) = (&plan.vpa, &vpa.controls) else {
        return;
    };
    if let Some(res) = v.hpa_resource.filter(|r| v.controlled.contains(r)) {
        let other = if res == "cpu" { "memory" } else { "cpu" };
        diags.push(
            Diagnostic::error(
                Code::E0323,
                format!("the VPA controls `{res}`, which the HPA scales on"),
            )
            .label(*span, format!("controls {res}"))
            .label(model.serve.span, "serve target")
            .help(format!(
                "a VPA and an HPA on the same resource fight each other: write `controls={other}` (the default here)"
            )),
        );
    }
}
