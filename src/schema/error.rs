//! Schema errors as mlc reports them: a JSON pointer and what was expected there.

use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::{ValidationError, Validator};
use serde_json::Value;

/// One violation of a schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct SchemaError {
    /// JSON pointer (RFC 6901) to the offending value, or to the unknown field itself.
    pub pointer: String,
    /// What is wrong: the expected type, the allowed values or the violated bound.
    pub message: String,
}

/// Why an object is not valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidateError {
    /// No schema covers this apiVersion and kind.
    UnknownKind {
        /// The object's `apiVersion` (empty when missing).
        api_version: String,
        /// The object's `kind` (empty when missing).
        kind: String,
    },
    /// The object breaks its schema; sorted by pointer.
    Invalid(Vec<SchemaError>),
}

impl std::fmt::Display for SchemaError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let at = if self.pointer.is_empty() {
            "/"
        } else {
            &self.pointer
        };
        write!(f, "{at}: {}", self.message)
    }
}

/// Every error of `validator` on `object`, sorted and without duplicates.
pub(crate) fn collect_errors(validator: &Validator, object: &Value) -> Vec<SchemaError> {
    if validator.is_valid(object) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for error in validator.iter_errors(object) {
        describe(&error, &mut out);
    }
    drop_shadowed_unknowns(&mut out);
    out.sort();
    out.dedup();
    out
}

/// `unevaluatedProperties` reports a known field as unknown when that field's own schema
/// failed (its annotations are dropped); keep only the real error then.
fn drop_shadowed_unknowns(errors: &mut Vec<SchemaError>) {
    let real: Vec<String> = errors
        .iter()
        .filter(|e| !e.message.starts_with("unknown field"))
        .map(|e| e.pointer.clone())
        .collect();
    errors.retain(|e| {
        !e.message.starts_with("unknown field")
            || !real
                .iter()
                .any(|p| p == &e.pointer || p.starts_with(&format!("{}/", e.pointer)))
    });
}

/// The apiserver rule check.py also applies: an object needs a name or a generateName.
pub(crate) fn name_rule(object: &Value) -> Option<SchemaError> {
    let meta = object.get("metadata");
    let named = |key: &str| {
        meta.and_then(|m| m.get(key))
            .and_then(Value::as_str)
            .is_some_and(|s| !s.is_empty())
    };
    (!named("name") && !named("generateName")).then(|| SchemaError {
        pointer: if meta.is_some_and(Value::is_object) {
            "/metadata".into()
        } else {
            String::new()
        },
        message: "missing required field `name` (or `generateName`)".into(),
    })
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn snippet(value: &Value) -> String {
    let text = value.to_string();
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(57).collect();
        format!("{cut}...")
    } else {
        text
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

fn expected_types(kind: &TypeKind) -> String {
    match kind {
        TypeKind::Single(t) => format!("{t}"),
        TypeKind::Multiple(set) => {
            let names: Vec<String> = set.iter().map(|t| format!("{t}")).collect();
            names.join(" or ")
        }
    }
}

fn one_of(options: &Value) -> String {
    match options {
        Value::Array(list) => list
            .iter()
            .map(|v| {
                format!(
                    "`{}`",
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                )
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => other.to_string(),
    }
}

/// Whether `pattern` is the Kubernetes quantity pattern (whose text says nothing to a user).
pub(crate) fn is_quantity_pattern(pattern: &str) -> bool {
    pattern.starts_with(r"^(\+|-)?(([0-9]+")
}

/// The message for a value that is not a Kubernetes quantity.
pub(crate) fn not_a_quantity(value: &Value) -> String {
    format!(
        "expected a Kubernetes quantity such as `500m`, `4Gi` or `1.5`, found `{}`",
        snippet(value)
    )
}

fn describe(error: &ValidationError<'_>, out: &mut Vec<SchemaError>) {
    let pointer = error.instance_path().as_str().to_owned();
    let value = error.instance();
    let message = match error.kind() {
        ValidationErrorKind::AdditionalProperties { unexpected }
        | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
            for key in unexpected {
                out.push(SchemaError {
                    pointer: format!("{pointer}/{}", escape(key)),
                    message: format!("unknown field `{key}`"),
                });
            }
            return;
        }
        ValidationErrorKind::PropertyNames { error } => {
            let key = error.instance();
            let key = key.as_str().map_or_else(|| key.to_string(), str::to_owned);
            out.push(SchemaError {
                pointer: format!("{pointer}/{}", escape(&key)),
                message: format!("unknown field `{key}`"),
            });
            return;
        }
        ValidationErrorKind::Required { property } => format!(
            "missing required field `{}`",
            property
                .as_str()
                .map_or_else(|| property.to_string(), str::to_owned)
        ),
        ValidationErrorKind::Type { kind } => format!(
            "expected {}, found {} `{}`",
            expected_types(kind),
            type_name(value),
            snippet(value)
        ),
        ValidationErrorKind::Enum { options } => format!(
            "expected one of {}, found `{}`",
            one_of(options),
            snippet(value)
        ),
        ValidationErrorKind::Constant { expected_value } => {
            format!("expected `{expected_value}`, found `{}`", snippet(value))
        }
        ValidationErrorKind::Minimum { limit } => {
            format!("expected a value >= {limit}, found `{}`", snippet(value))
        }
        ValidationErrorKind::Maximum { limit } => {
            format!("expected a value <= {limit}, found `{}`", snippet(value))
        }
        ValidationErrorKind::ExclusiveMinimum { limit } => {
            format!("expected a value > {limit}, found `{}`", snippet(value))
        }
        ValidationErrorKind::ExclusiveMaximum { limit } => {
            format!("expected a value < {limit}, found `{}`", snippet(value))
        }
        ValidationErrorKind::MinLength { limit } => {
            format!(
                "expected at least {limit} character(s), found `{}`",
                snippet(value)
            )
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!(
                "expected at most {limit} character(s), found `{}`",
                snippet(value)
            )
        }
        ValidationErrorKind::MinItems { limit } => {
            format!("expected at least {limit} item(s)")
        }
        ValidationErrorKind::MaxItems { limit } => format!("expected at most {limit} item(s)"),
        ValidationErrorKind::Custom { message, .. } => message.clone(),
        ValidationErrorKind::Pattern { pattern } if is_quantity_pattern(pattern) => {
            not_a_quantity(value)
        }
        ValidationErrorKind::Pattern { pattern } => {
            format!(
                "`{}` does not match the pattern `{pattern}`",
                snippet(value)
            )
        }
        _ => {
            let text = error.to_string();
            let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
            if text.chars().count() > 200 {
                format!("{}...", text.chars().take(197).collect::<String>())
            } else {
                text
            }
        }
    };
    out.push(SchemaError { pointer, message });
}
