//! The back end of `check` and `build`, streamed per unit of emission (one model in one
//! environment, an environment's shared objects, a cluster's objects): on the worker that
//! made a unit, each object is checked against its embedded schema and the admission rules
//! that read one object, written to canonical bytes and hashed, and its tree dropped. What
//! survives is the bytes, the diagnostics and a summary per object (the traffic rules, which
//! read the unit's objects together, run first); the rule that needs every object (one
//! scaler per workload) then runs once over the summaries. The result is sorted by output
//! path, so it does not depend on the thread count.

use rayon::prelude::*;

use crate::admission::{self, Scaler, Violation};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::emit::{EmitOptions, Object};
use crate::model::Project;
use crate::render::Rendered;
use crate::schema::{Schemas, ValidateError};

/// What the back end keeps of a project: its written objects (sorted by path) and the
/// diagnostics of emission, schemas and admission rules (sorted).
pub(crate) struct Back {
    pub(crate) rendered: Vec<Rendered>,
    pub(crate) diagnostics: Diagnostics,
}

/// One unit, done.
struct Unit {
    items: Vec<(Rendered, Option<Box<Scaler>>)>,
    diagnostics: Diagnostics,
}

/// Emits, checks and (when `write`) writes every object of `project`.
pub(crate) fn run(project: &Project, options: &EmitOptions, write: bool) -> Back {
    let schemas = crate::schema::embedded();
    let finish = |objects: Vec<Object>| finish_unit(objects, schemas, write);
    let (units, mut diagnostics) = crate::emit::emit_units(project, options, &finish);
    let mut items = Vec::new();
    for unit in units {
        diagnostics.extend(unit.diagnostics);
        items.extend(unit.items);
    }
    items.par_sort_unstable_by(|a, b| a.0.path.cmp(&b.0.path));
    let scalers: Vec<(usize, &Scaler)> = items
        .iter()
        .enumerate()
        .filter_map(|(i, (_, s))| s.as_deref().map(|s| (i, s)))
        .collect();
    for v in admission::check_scalers(&scalers) {
        if let Some((r, _)) = items.get(v.object) {
            diagnostics.push(violation(r, &v));
        }
    }
    diagnostics.sort();
    Back {
        rendered: items.into_iter().map(|(r, _)| r).collect(),
        diagnostics,
    }
}

fn finish_unit(objects: Vec<Object>, schemas: &Schemas, write: bool) -> Unit {
    let mut diagnostics = Diagnostics::default();
    let mut items = Vec::with_capacity(objects.len());
    let values: Vec<&serde_json::Value> = objects.iter().map(|o| &o.value).collect();
    let traffic = admission::check_traffic(&values);
    for (index, object) in objects.into_iter().enumerate() {
        if let Some(d) = schema_failure(&object, schemas) {
            diagnostics.push(d);
        }
        let violations = admission::check_object(0, &object.value);
        let scaler = admission::scaler_of(&object.value).map(Box::new);
        let rendered = Rendered::of(object, write);
        let of_unit = traffic.iter().filter(|v| v.object == index);
        for v in violations.iter().chain(of_unit) {
            diagnostics.push(violation(&rendered, v));
        }
        items.push((rendered, scaler));
    }
    Unit { items, diagnostics }
}

/// `E0401` for an object that fails its embedded schema. A failure on an object a `patch`
/// changed points at that patch, wherever it was written (an environment's override
/// included); otherwise it is an mlc bug.
pub(crate) fn schema_failure(o: &Object, schemas: &Schemas) -> Option<Diagnostic> {
    let problems = match schemas.validate(&o.value) {
        Ok(()) => return None,
        Err(ValidateError::UnknownKind { api_version, kind }) => {
            vec![format!("no schema for `{api_version}` `{kind}`")]
        }
        Err(ValidateError::Invalid(errors)) => errors
            .iter()
            .map(|e| format!("at `{}`: {}", e.pointer, e.message))
            .collect(),
    };
    let mut d = Diagnostic::error(
        Code::E0401,
        format!(
            "emitted {} `{}` ({}) fails its schema",
            o.kind(),
            o.name(),
            o.path()
        ),
    );
    d = match o.origin.patches.as_slice() {
        [] => d
            .label(o.span, "emitted from here")
            .help("this is an mlc bug: please report it with this message"),
        patches => {
            for span in patches {
                d = d.label(*span, "after this patch");
            }
            d.help("fix the JSON merge patch so the object stays valid")
        }
    };
    for problem in problems {
        d = d.note(problem);
    }
    Some(d)
}

/// An admission violation of a written object: it points at the patches applied to that
/// object when there are any (the likely cause), else at the KDL that produced it.
fn violation(r: &Rendered, v: &Violation) -> Diagnostic {
    let mut d = Diagnostic::error(
        v.code,
        format!("emitted {} `{}`: {}", r.kind, r.name, v.message),
    );
    d = match r.origin.patches.as_slice() {
        [] => d.label(r.span, "emitted from here"),
        patches => patches
            .iter()
            .fold(d, |d, span| d.label(*span, "after this patch")),
    };
    d.help(v.help.clone())
        .note(format!("at `{}` in {}", v.pointer, r.path))
        .note(format!("rule: {}", v.source))
}

#[cfg(test)]
#[path = "back_traffic_tests.rs"]
mod traffic_tests;
