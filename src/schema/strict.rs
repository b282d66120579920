//! The strict transform: close every object schema that lists its `properties`.
//!
//! Kubernetes rejects unknown fields of built-in kinds, and a CRD prunes them silently; both
//! mean a misspelt field never takes effect, so mlc's schemas forbid them. The walk is
//! structural: it visits sub-schemas only (never a `properties` map itself as a schema).

use serde_json::Value;

/// Adds `additionalProperties: false` to every schema object that has `properties` and neither
/// `additionalProperties` nor `x-kubernetes-preserve-unknown-fields: true`.
pub fn close_objects(schema: &mut Value) {
    walk(schema, &mut |node| {
        let open = node.get("properties").is_some()
            && node.get("additionalProperties").is_none()
            && node.get("unevaluatedProperties").is_none()
            && node.get("x-kubernetes-preserve-unknown-fields") != Some(&Value::Bool(true));
        if open && let Value::Object(map) = node {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
    });
}

/// Rewrites OpenAPI v3 `nullable: true` as a JSON Schema null type (CRD schemas use it).
pub(crate) fn openapi_nullable(schema: &mut Value) {
    walk(schema, &mut |node| {
        if node.get("nullable") == Some(&Value::Bool(true))
            && let Some(Value::String(ty)) = node.get("type")
        {
            let types = Value::Array(vec![Value::String(ty.clone()), Value::from("null")]);
            if let Value::Object(map) = node {
                map.insert("type".into(), types);
            }
        }
    });
}

/// Calls `f` on `node` and on every sub-schema below it (`$defs` and `definitions` included).
pub fn walk(node: &mut Value, f: &mut impl FnMut(&mut Value)) {
    if !node.is_object() {
        return;
    }
    f(node);
    let Value::Object(map) = node else { return };
    for key in ["properties", "patternProperties", "$defs", "definitions"] {
        if let Some(Value::Object(children)) = map.get_mut(key) {
            for child in children.values_mut() {
                walk(child, f);
            }
        }
    }
    for key in [
        "items",
        "additionalProperties",
        "unevaluatedProperties",
        "not",
        "allOf",
        "anyOf",
        "oneOf",
        "prefixItems",
    ] {
        match map.get_mut(key) {
            Some(Value::Array(list)) => list.iter_mut().for_each(|s| walk(s, f)),
            Some(child @ Value::Object(_)) => walk(child, f),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn closes_nested_objects_but_not_property_maps_or_preserved_ones() {
        let mut s = json!({
            "properties": {
                "properties": {"type": "object", "properties": {"a": {"type": "string"}}},
                "free": {"type": "object", "properties": {}, "x-kubernetes-preserve-unknown-fields": true},
                "map": {"type": "object", "additionalProperties": {"type": "string"}}
            },
            "$defs": {"D": {"properties": {"x": {}}}}
        });
        close_objects(&mut s);
        assert_eq!(s["additionalProperties"], json!(false));
        assert_eq!(
            s["properties"]["properties"]["additionalProperties"],
            json!(false)
        );
        assert!(
            s["properties"]["free"]
                .get("additionalProperties")
                .is_none()
        );
        assert_eq!(
            s["properties"]["map"]["additionalProperties"],
            json!({"type": "string"})
        );
        assert_eq!(s["$defs"]["D"]["additionalProperties"], json!(false));
    }
}
