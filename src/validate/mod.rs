//! Stage 3: semantic rules over the whole resolved project, one file per rule family.
//!
//! Takes a [`Project`], gives diagnostics in the 03xx block (and the `W03xx` warnings).
//! Rules read the IR and the serving plans only; every diagnostic points at the span that caused it.

mod behaviour;
mod capacity;
mod gpu;
mod models;
mod names;
mod notes;
mod resources;
mod scaling;
mod vpa;

use std::path::Path;

use crate::diagnostics::Diagnostics;
use crate::model::Project;

/// Runs every rule over `project`; `root` is the project directory (for `file://` artifacts).
pub fn validate(project: &Project, root: &Path) -> Diagnostics {
    let mut diags = Diagnostics::default();
    gpu::check_pools(project, &mut diags);
    for env in project.environments.values() {
        for (model, plan) in env.planned() {
            gpu::check_accelerator(project, env, model, plan, root, &mut diags);
            scaling::check(model, plan, &mut diags);
            behaviour::check(model, plan, &mut diags);
            vpa::check(model, plan, &mut diags);
            models::check(model, plan, &mut diags);
            notes::check(model, plan, &mut diags);
        }
    }
    names::check(project, &mut diags);
    capacity::check(project, &mut diags);
    models::check_project(project, &mut diags);
    diags
}
