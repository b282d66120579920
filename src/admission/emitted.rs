//! The admission rules on what `mlc build` emits (after `patch`): a violation points at the
//! patches applied to that object when there are any (its origin) (the likely cause), else at the KDL that
//! produced the object.

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::emit::Object;

/// Every admission violation of the emitted `objects`.
pub fn check_emitted(objects: &[Object]) -> Diagnostics {
    let values: Vec<&serde_json::Value> = objects.iter().map(|o| &o.value).collect();
    let mut diags = Diagnostics::default();
    for v in super::check(&values) {
        let Some(o) = objects.get(v.object) else {
            continue;
        };
        let mut d = Diagnostic::error(
            v.code,
            format!("emitted {} `{}`: {}", o.kind(), o.name(), v.message),
        );
        d = match o.origin.patches.as_slice() {
            [] => d.label(o.span, "emitted from here"),
            patches => patches
                .iter()
                .fold(d, |d, span| d.label(*span, "after this patch")),
        };
        diags.push(
            d.help(v.help)
                .note(format!("at `{}` in {}", v.pointer, o.path()))
                .note(format!("rule: {}", v.source)),
        );
    }
    diags
}
