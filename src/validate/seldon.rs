//! Rules of the Seldon targets (`docs/facts/pipelines-seldon.md`): what a SeldonDeployment
//! or a Core 2 Model cannot carry (`E0331`), the Core 2 Server a model pins (`E0203`), and
//! pipelines on Seldon, whose graphs know fewer routers than KServe's (`E0332`).

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::plan::{PipelinePlan, Plan, SELDON_MAIN_PREDICTOR};
use crate::model::{AcceleratorKind, Model, Project, Router, ServeTarget};

/// Rules for one model on a Seldon target.
pub(super) fn check(project: &Project, model: &Model, _plan: &Plan, diags: &mut Diagnostics) {
    let target = model.serve.value;
    if !target.is_seldon() {
        return;
    }
    let na = |what: &str, span, help: &str| {
        Diagnostic::error(
            Code::E0331,
            format!("{what} is not available with {}", target.describe()),
        )
        .label(span, what.to_owned())
        .label(model.serve.span, "serve target")
        .help(help.to_owned())
    };
    if let Some(c) = model
        .canaries
        .iter()
        .find(|c| target == ServeTarget::SeldonV1 && c.name.value == SELDON_MAIN_PREDICTOR)
    {
        diags.push(na(
            "a canary named `default`",
            c.name.span,
            "the main predictor of a SeldonDeployment is `default`: rename the canary",
        ));
    }
    if model.runtime.name.is_some() {
        diags.push(na(
            "a KServe ServingRuntime (`runtime name=`)",
            model.span,
            "Seldon picks its server from the format: remove `name`, or give a custom `image`",
        ));
    }
    if target == ServeTarget::SeldonCore2 {
        if model.accelerator.kind != AcceleratorKind::Cpu {
            diags.push(na(
                "GPU placement on a Model",
                model.accelerator.span,
                "Core 2 runs Models on its Servers: place the Server's pods on GPUs (its podSpec), keep the model on `accelerator cpu`, or use `serve seldon` (Core v1)",
            ));
        }
        // Pod settings have no pod to go to: Core 2's Servers own the pods.
        let pod_settings = [
            (model.disruption.is_some(), "`disruption`"),
            (!model.env.is_empty(), "`env`"),
            (!model.volumes.is_empty(), "`volume`"),
            (model.affinity.is_some(), "`affinity`"),
            (!model.topology_spread.is_empty(), "`topology-spread`"),
            (!model.allow_from.is_empty(), "`allow-from`"),
            (model.priority_class.is_some(), "`priority-class`"),
            (!model.image_pull_secrets.is_empty(), "`image-pull-secret`"),
        ];
        for (_, what) in pod_settings.iter().filter(|(set, _)| *set) {
            diags.push(na(
                what,
                model.span,
                "Core 2 runs Models on its Servers' pods, which mlc does not write for a Model: set it on the Server, remove it, or use `serve seldon` (Core v1)",
            ));
        }
        if let Some(s) = &model.seldon_server {
            crate::model::check_ref("Seldon server", s, project.seldon_servers.keys(), diags);
        }
    }
}

/// Rules for a pipeline whose steps run on Seldon.
pub(super) fn check_pipeline(plan: &PipelinePlan, diags: &mut Diagnostics) {
    let Some(target) = plan.target.filter(|t| t.is_seldon()) else {
        return;
    };
    let p = &plan.pipeline;
    for node in &p.nodes {
        let nested = node
            .steps
            .iter()
            .find(|s| matches!(s.target, crate::model::StepTarget::Node(_)));
        let router_ok = match target {
            // A SeldonDeployment graph chains units: a sequence.
            ServeTarget::SeldonV1 => node.router.value == Router::Sequence,
            // A Core 2 Pipeline chains steps or joins them: a sequence or an ensemble.
            _ => matches!(node.router.value, Router::Sequence | Router::Ensemble),
        };
        if !router_ok {
            diags.push(
                Diagnostic::error(
                    Code::E0332,
                    format!(
                        "a {} router is not available with {}",
                        node.router.value.keyword(),
                        target.describe()
                    ),
                )
                .label(node.router.span, "router")
                .help(match target {
                    ServeTarget::SeldonV1 => "a SeldonDeployment graph runs its units in sequence: use `router=sequence`, or serve the steps with `serve kserve` (InferenceGraph)",
                    _ => "a Core 2 Pipeline chains or joins steps (sequence, ensemble); split traffic with a canary (an Experiment), or serve the steps with `serve kserve`",
                }),
            );
        }
        for step in &node.steps {
            let unsupported = [
                (step.dependency.is_some(), "`dependency`"),
                (
                    step.data
                        .as_deref()
                        .is_some_and(|d| d.starts_with("$request")),
                    "`data=\"$request\"`",
                ),
            ];
            for (_, what) in unsupported.iter().filter(|(set, _)| *set) {
                diags.push(
                    Diagnostic::error(
                        Code::E0332,
                        format!("{what} is not available with {}", target.describe()),
                    )
                    .label(step.span, "this step")
                    .help("a Seldon graph hands each step the previous step's response and fails on any step's failure: remove it, or serve the steps with `serve kserve` (InferenceGraph)"),
                );
            }
        }
        if let Some(s) = nested {
            diags.push(
                Diagnostic::error(
                    Code::E0332,
                    format!("nested router nodes are not available with {}", target.describe()),
                )
                .label(s.span, "calls another node")
                .help("write the steps in the pipeline itself, or serve the steps with `serve kserve` (InferenceGraph)"),
            );
        }
    }
}
