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
mod onnx;
mod pipelines;
mod resources;
mod scaling;
mod seldon;
mod traffic;
mod vpa;

use std::path::Path;

pub use capacity::{PoolCapacity, PoolUser, report as capacity_report};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Project;

/// Runs every rule over `project`; `root` is the project directory (for `file://` artifacts).
pub fn validate(project: &Project, root: &Path) -> Diagnostics {
    let mut diags = Diagnostics::default();
    gpu::check_pools(project, &mut diags);
    let mut repeats = Repeats::default();
    for env in project.environments.values() {
        // Each model's rules read that model and its plan only: in parallel, in model order.
        let per_model: Vec<Diagnostics> = {
            use rayon::prelude::*;
            let planned: Vec<_> = env.planned().collect();
            planned
                .into_par_iter()
                .map(|(model, plan)| {
                    let mut found = Diagnostics::default();
                    gpu::check_accelerator(project, env, model, plan, root, &mut found);
                    // A canary with an accelerator of its own is placed on its own pool.
                    for v in plan.traffic.iter().flat_map(|t| &t.variants) {
                        let own = v.canary.and_then(|i| model.canaries.get(i));
                        if own.is_some_and(|c| c.accelerator.is_some()) {
                            let mut p = plan.clone();
                            p.pool.clone_from(&v.pool);
                            gpu::check_accelerator(project, env, &v.model, &p, root, &mut found);
                        }
                    }
                    scaling::check(model, plan, &mut found);
                    behaviour::check(model, plan, &mut found);
                    vpa::check(model, plan, &mut found);
                    models::check(model, plan, &mut found);
                    notes::check(model, plan, &mut found);
                    onnx::check(model, plan, &mut found);
                    seldon::check(project, model, plan, &mut found);
                    traffic::check(model, plan, &mut found);
                    found
                })
                .collect()
        };
        let mut found = Diagnostics::default();
        for d in per_model {
            found.extend(d);
        }
        for plan in env.pipelines.values() {
            pipelines::check(plan, &mut found);
            seldon::check_pipeline(plan, &mut found);
        }
        repeats.add(&env.name.value, found);
    }
    diags.extend(repeats.merged(project.environments.len()));
    names::check(project, &mut diags);
    capacity::check(project, &mut diags);
    models::check_project(project, &mut diags);
    diags
}

/// The per-environment rules' findings, each kept once with the environments it was found in:
/// a mistake written once (in a model, before any override) is one diagnostic naming the
/// environments, not one per environment.
#[derive(Default)]
struct Repeats {
    found: Vec<(Diagnostic, Vec<String>)>,
    index:
        std::collections::HashMap<(Option<crate::source::Span>, &'static str, String), Vec<usize>>,
}

impl Repeats {
    fn add(&mut self, env: &str, found: Diagnostics) {
        for d in found {
            let key = (d.primary(), d.code, d.message.clone());
            let same = self.index.entry(key).or_default();
            match same
                .iter()
                .find(|&&i| self.found.get(i).is_some_and(|(f, _)| *f == d))
            {
                Some(&i) => {
                    if let Some((_, envs)) = self.found.get_mut(i)
                        && envs.last().is_none_or(|last| last != env)
                    {
                        envs.push(env.to_owned());
                    }
                }
                None => {
                    same.push(self.found.len());
                    self.found.push((d, vec![env.to_owned()]));
                }
            }
        }
    }

    /// Each finding once, with a note naming its environments when the project has several.
    fn merged(self, environments: usize) -> impl Iterator<Item = Diagnostic> {
        self.found.into_iter().map(move |(d, envs)| {
            if environments < 2 {
                return d;
            }
            let names = envs
                .iter()
                .map(|e| format!("`{e}`"))
                .collect::<Vec<_>>()
                .join(", ");
            let note = match envs.len() {
                n if n == environments => format!("in every environment ({names})"),
                1 => format!("in environment {names}"),
                _ => format!("in environments {names}"),
            };
            d.note(note)
        })
    }
}
