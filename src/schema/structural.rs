//! What the API server does with a CRD's structural schema before it validates an object,
//! for `mlc validate --crd`: close the skeleton (`--strict`), allow the root fields, fill in
//! defaults and prune nulls.
//!
//! - Pruning (what `--strict` turns into errors) removes unknown fields only in the
//!   structural skeleton: `properties` below `allOf`/`anyOf`/`oneOf`/`not` only restrict
//!   values (Gateway API `spec.addresses[]`), so they stay open.
//! - `apiVersion`, `kind` and `metadata` are never pruned at a resource's root or in an
//!   `x-kubernetes-embedded-resource` object, even where the schema omits them (Istio):
//!   `k8s.io/apiextensions-apiserver/pkg/apiserver/schema/pruning`, `PruneWithOptions`.
//! - Structural defaulting fills each missing field that has a `default` (along
//!   `properties`, `items` and `additionalProperties`), and a `null` in a field that is not
//!   `nullable` takes its default or is pruned; under `--strict` a null without a default is
//!   kept and so reported.

use serde_json::{Map, Value};

const ROOT_FIELDS: [&str; 3] = ["apiVersion", "kind", "metadata"];

/// Closes every object schema of the skeleton that lists its `properties` and neither closes
/// itself nor preserves unknown fields; the root (and each embedded resource) keeps its root
/// fields open.
pub(crate) fn close_skeleton(schema: &mut Value) {
    close(schema, false, true);
}

fn close(node: &mut Value, in_junctor: bool, root: bool) {
    let Value::Object(map) = node else { return };
    let open = map.contains_key("properties")
        && !map.contains_key("additionalProperties")
        && map.get("x-kubernetes-preserve-unknown-fields") != Some(&Value::Bool(true));
    if open && !in_junctor {
        map.insert("additionalProperties".into(), Value::Bool(false));
        let embedded = map.get("x-kubernetes-embedded-resource") == Some(&Value::Bool(true));
        if (root || embedded)
            && let Some(Value::Object(properties)) = map.get_mut("properties")
        {
            for field in ROOT_FIELDS {
                properties
                    .entry(field)
                    .or_insert_with(|| Value::Object(Map::new()));
            }
        }
    }
    for key in ["properties", "patternProperties"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            for child in children.values_mut() {
                close(child, in_junctor, false);
            }
        }
    }
    for (key, junctor) in [
        ("items", in_junctor),
        ("additionalProperties", in_junctor),
        ("not", true),
        ("allOf", true),
        ("anyOf", true),
        ("oneOf", true),
    ] {
        match map.get_mut(key) {
            Some(Value::Array(list)) => list.iter_mut().for_each(|s| close(s, junctor, false)),
            Some(child @ Value::Object(_)) => close(child, junctor, false),
            _ => {}
        }
    }
}

/// Applies `schema`'s defaults to `object` and prunes its non-nullable nulls, as the API
/// server does before validating a custom resource.
pub(crate) fn apply_defaults(object: &mut Value, schema: &Value, strict: bool) {
    let Some(schema) = schema.as_object() else {
        return;
    };
    match object {
        Value::Object(map) => {
            let properties = schema.get("properties").and_then(Value::as_object);
            for (key, sub) in properties.into_iter().flatten() {
                let Some(sub_map) = sub.as_object() else {
                    continue;
                };
                let nullable = sub_map.get("nullable") == Some(&Value::Bool(true));
                if map.get(key) == Some(&Value::Null) && !nullable {
                    if sub_map.contains_key("default") {
                        map.remove(key);
                    } else if !strict {
                        map.remove(key);
                        continue;
                    }
                }
                if !map.contains_key(key)
                    && let Some(default) = sub_map.get("default")
                {
                    map.insert(key.clone(), default.clone());
                }
                if let Some(child) = map.get_mut(key) {
                    apply_defaults(child, sub, strict);
                }
            }
            if let Some(extra @ Value::Object(_)) = schema.get("additionalProperties") {
                for (key, value) in map.iter_mut() {
                    if !properties.is_some_and(|p| p.contains_key(key)) {
                        apply_defaults(value, extra, strict);
                    }
                }
            }
        }
        Value::Array(items) => {
            if let Some(item @ Value::Object(_)) = schema.get("items") {
                for value in items {
                    apply_defaults(value, item, strict);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn closes_the_skeleton_only_and_keeps_root_fields_open() {
        let mut s = json!({
            "type": "object",
            "properties": {
                "spec": {
                    "type": "object",
                    "properties": {"a": {"type": "string"}},
                    "oneOf": [{"properties": {"a": {"enum": ["x"]}}}],
                },
            },
        });
        close_skeleton(&mut s);
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(s["properties"]["metadata"], json!({}));
        assert_eq!(
            s["properties"]["spec"]["additionalProperties"],
            json!(false)
        );
        assert!(
            s["properties"]["spec"]["oneOf"][0]
                .get("additionalProperties")
                .is_none()
        );
        assert!(s["properties"]["spec"]["properties"].get("kind").is_none());
    }

    #[test]
    fn fills_defaults_and_prunes_nulls_unless_strict() {
        let schema = json!({"properties": {
            "spec": {"properties": {
                "mode": {"type": "string", "default": "Auto"},
                "gone": {"type": "string"},
                "list": {"items": {"properties": {"type": {"default": "IPAddress"}}}},
            }},
        }});
        let mut object = json!({"spec": {"gone": null, "list": [{}]}});
        apply_defaults(&mut object, &schema, false);
        assert_eq!(
            object,
            json!({"spec": {"mode": "Auto", "list": [{"type": "IPAddress"}]}})
        );
        let mut object = json!({"spec": {"gone": null}});
        apply_defaults(&mut object, &schema, true);
        assert_eq!(object["spec"]["gone"], Value::Null);
    }
}
