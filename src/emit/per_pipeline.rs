//! The objects of one pipeline in one environment, a function of its plan: the
//! InferenceGraph on KServe.

use super::meta::Owner;
use super::object::to_value;
use super::{Object, Scope, graph};
use crate::model::Project;
use crate::model::plan::PipelinePlan;

/// Every object of the pipeline `plan`, in `<pipeline>/` of its environment.
pub(super) fn emit_pipeline(project: &Project, plan: &PipelinePlan) -> Vec<Object> {
    let owner = Owner::shared(project, &plan.name, &plan.instance);
    let value = to_value(&graph::inference_graph(&owner, plan));
    vec![Object {
        scope: Scope::Env(plan.origin.env.clone().unwrap_or_default()),
        file: format!("{}/inferencegraph.yaml", plan.name),
        value,
        span: plan.pipeline.span,
        origin: plan.origin.clone(),
    }]
}
