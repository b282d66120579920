//! The admission rules on what `mlc build` emits (after `patch`): a violation points at the
//! model's patch of that object when there is one (the likely cause), else at the KDL that
//! produced the object.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::emit::Object;
use crate::model::Project;

/// Every admission violation of the emitted `objects`.
pub fn check_emitted(project: &Project, objects: &[Object]) -> Diagnostics {
    let values: Vec<&serde_json::Value> = objects.iter().map(|o| &o.value).collect();
    let mut diags = Diagnostics::default();
    for v in super::check(&values) {
        let Some(o) = objects.get(v.object) else {
            continue;
        };
        let model = o.file.split('/').next().unwrap_or_default();
        let patch = project.models.get(model).and_then(|m| {
            m.patches
                .iter()
                .find(|p| o.file.ends_with(&format!("/{}.yaml", p.target.value)))
        });
        let mut d = Diagnostic::error(
            v.code,
            format!("emitted {} `{}`: {}", o.kind(), o.name(), v.message),
        );
        d = match patch {
            Some(p) => d.label(p.target.span, "after this patch"),
            None => d.label(o.span, "emitted from here"),
        };
        diags.push(
            d.help(v.help)
                .note(format!("at `{}` in {}", v.pointer, o.path()))
                .note(format!("rule: {}", v.source)),
        );
    }
    diags
}
