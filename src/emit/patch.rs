//! `patch` nodes: RFC 7386 JSON merge patches on a model's emitted objects, each recorded in
//! the origin of the object it changes.

use serde_json::Value;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::model::Patch;
use crate::source::Span;

/// An object of one model before it is placed: its file stem, value and patches applied.
pub(super) struct Draft {
    pub(super) stem: String,
    pub(super) value: Value,
    pub(super) patches: Vec<Span>,
}

/// Applies every patch to the draft it targets; `E0203` for a target that is not emitted.
pub(super) fn apply(drafts: &mut [Draft], patches: &[Patch], diags: &mut Diagnostics) {
    for patch in patches {
        if let Some(d) = drafts.iter_mut().find(|d| d.stem == patch.target.value) {
            merge_patch(&mut d.value, &patch.patch);
            d.patches.push(patch.target.span);
            continue;
        }
        let stems: Vec<&str> = drafts.iter().map(|d| d.stem.as_str()).collect();
        let help = did_you_mean(&patch.target.value, stems.iter().copied()).unwrap_or_else(|| {
            format!(
                "objects emitted for this model: {}",
                stems
                    .iter()
                    .map(|s| format!("`{s}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        });
        diags.push(
            Diagnostic::error(
                Code::E0203,
                format!(
                    "`patch` targets `{}`, which is not emitted for this model",
                    patch.target.value
                ),
            )
            .label(patch.target.span, "no such object")
            .help(help),
        );
    }
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = target {
        for (k, v) in patch_map {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc7386() {
        let mut v = serde_json::json!({"a": {"b": 1, "c": 2}, "d": [1]});
        merge_patch(
            &mut v,
            &serde_json::json!({"a": {"b": null, "e": 3}, "d": [2]}),
        );
        assert_eq!(v, serde_json::json!({"a": {"c": 2, "e": 3}, "d": [2]}));
    }
}
