//! Derived names as a set (DESIGN §8.18): every object name the plans derive is unique per
//! namespace and kind, across models and canaries (`E0321`).

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::plan::DerivedName;
use crate::model::{Model, Project};
use crate::source::Span;

/// What made a name: the model, and the canary when there is one.
struct Maker {
    model: String,
    canary: Option<String>,
    span: Span,
    pipeline: bool,
}

impl Maker {
    fn of(model: &Model, name: &DerivedName) -> Maker {
        let canary = name.canary.and_then(|i| model.canaries.get(i));
        Maker {
            model: model.name.value.clone(),
            canary: canary.map(|c| c.name.value.clone()),
            span: canary.map_or(model.name.span, |c| c.name.span),
            pipeline: false,
        }
    }

    fn describe(&self) -> String {
        match &self.canary {
            Some(c) => format!("canary `{c}` of model `{}`", self.model),
            None if self.pipeline => format!("pipeline `{}`", self.model),
            None => format!("model `{}`", self.model),
        }
    }
}

/// Reports each pair of definitions whose derived names collide, once over all environments.
pub(crate) fn check(project: &Project, diags: &mut Diagnostics) {
    let mut reported: BTreeSet<(Span, Span)> = BTreeSet::new();
    for env in project.environments.values() {
        // (kind, name) → who derived it first; one namespace per environment.
        let mut seen: BTreeMap<(&'static str, String), Maker> = BTreeMap::new();
        let pipelines = env.pipelines.values().flat_map(|p| {
            p.derived_names().into_iter().map(move |n| {
                let maker = Maker {
                    model: p.name.clone(),
                    canary: None,
                    span: p.pipeline.name.span,
                    pipeline: true,
                };
                (n, maker, p.namespace.as_str())
            })
        });
        let models = env.planned().flat_map(|(model, plan)| {
            plan.derived_names().into_iter().map(move |n| {
                let maker = Maker::of(model, &n);
                (n, maker, plan.namespace.as_str())
            })
        });
        for (name, maker, namespace) in models.chain(pipelines) {
            {
                let key = (name.kind, name.name);
                let Some(first) = seen.get(&key) else {
                    seen.insert(key, maker);
                    continue;
                };
                if first.model == maker.model || !reported.insert((first.span, maker.span)) {
                    continue;
                }
                let (kind, name) = key;
                diags.push(
                    Diagnostic::error(
                        Code::E0321,
                        format!("{kind} `{name}` is derived twice in namespace `{namespace}`"),
                    )
                    .label(maker.span, format!("derived from {}", maker.describe()))
                    .label(
                        first.span,
                        format!("also derived from {}", first.describe()),
                    )
                    .help("rename the model or the canary so that the names they derive differ"),
                );
            }
        }
    }
}
