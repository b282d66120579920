//! CRD `pattern`s with the API server's regular-expression semantics.
//!
//! The API server evaluates a CRD's `pattern` with Go's `regexp` package (RE2 syntax:
//! `(?i)` flags, no look-around or backreferences, unanchored), while JSON Schema validators
//! take ECMA 262 patterns and reject a schema whose pattern is not one (the Prometheus
//! Operator's `^(?i)(abort|warn)?$`). So each `pattern` of a CRD schema is moved to the
//! keyword [`KEYWORD`], which compiles it with the `regex` crate (RE2-like: linear time, the
//! same syntax; `\d` and `\w` also match non-ASCII digits and letters, where Go's are ASCII
//! only).

use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError, ValidationOptions};
use regex::Regex;
use serde_json::{Map, Value};

use super::error::{is_quantity_pattern, not_a_quantity};
use super::strict::walk;

/// The keyword a CRD's `pattern` is moved to.
pub(crate) const KEYWORD: &str = "x-mlc-re2-pattern";

/// The start of the message of a value that does not match (the rest names the pattern).
const MISMATCH: &str = "does not match the pattern";

/// Moves every `pattern` of `schema` to [`KEYWORD`] (the structural walk: never a `properties`
/// map itself).
pub(crate) fn move_patterns(schema: &mut Value) {
    walk(schema, &mut |node| {
        if let Value::Object(map) = node
            && let Some(pattern) = map.remove("pattern")
        {
            map.insert(KEYWORD.into(), pattern);
        }
    });
}

/// Draft 4 options (the CRD dialect) with the [`KEYWORD`] keyword.
pub(crate) fn draft4_options<'a>() -> ValidationOptions<'a> {
    jsonschema::draft4::options().with_keyword(KEYWORD, compile)
}

struct Pattern {
    regex: Regex,
}

#[allow(
    clippy::needless_pass_by_value,
    reason = "the signature of a jsonschema keyword factory"
)]
fn compile<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    location: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let at = schema_pointer(&location);
    let Some(pattern) = value.as_str() else {
        return Err(ValidationError::custom(format!(
            "`pattern` at `{at}` is not a string"
        )));
    };
    match Regex::new(pattern) {
        Ok(regex) => Ok(Box::new(Pattern { regex })),
        Err(e) => {
            let reason = e.to_string();
            let reason = reason.lines().last().unwrap_or("invalid").trim();
            let reason = reason.strip_prefix("error: ").unwrap_or(reason);
            Err(ValidationError::custom(format!(
                "the pattern `{pattern}` at `{at}` is not a valid RE2 expression ({reason})"
            )))
        }
    }
}

/// The schema pointer of a keyword's location, without the keyword itself.
fn schema_pointer(location: &Location) -> String {
    let text = location.as_str();
    let text = text.strip_suffix(KEYWORD).unwrap_or(text);
    let text = text.strip_suffix('/').unwrap_or(text);
    if text.is_empty() {
        "/".to_owned()
    } else {
        text.to_owned()
    }
}

fn snippet(text: &str) -> String {
    if text.chars().count() > 60 {
        format!("{}...", text.chars().take(57).collect::<String>())
    } else {
        text.to_owned()
    }
}

impl<'i> Keyword<'i> for Pattern {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        match instance.as_str() {
            Some(text) if !self.regex.is_match(text) => Err(ValidationError::custom(
                if is_quantity_pattern(self.regex.as_str()) {
                    not_a_quantity(instance)
                } else {
                    format!(
                        "`\"{}\"` {MISMATCH} `{}`",
                        snippet(text),
                        self.regex.as_str()
                    )
                },
            )),
            _ => Ok(()),
        }
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance
            .as_str()
            .is_none_or(|text| self.regex.is_match(text))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn validator(schema: &Value) -> Result<jsonschema::Validator, String> {
        let mut schema = schema.clone();
        move_patterns(&mut schema);
        draft4_options().build(&schema).map_err(|e| e.to_string())
    }

    #[test]
    fn re2_flags_compile_and_match_as_go_does() {
        let v = validator(
            &json!({"properties": {"s": {"type": "string", "pattern": "^(?i)(abort|warn)?$"}}}),
        )
        .unwrap();
        assert!(v.is_valid(&json!({"s": "WARN"})));
        assert!(v.is_valid(&json!({"s": ""})));
        assert!(!v.is_valid(&json!({"s": "retry"})));
        // Unanchored, as Go's MatchString.
        let v = validator(&json!({"pattern": "b+"})).unwrap();
        assert!(v.is_valid(&json!("abbbc")));
    }

    #[test]
    fn a_pattern_re2_refuses_names_itself_and_its_pointer() {
        let error = validator(&json!({"properties": {"s": {"pattern": "(?<=a)b"}}})).unwrap_err();
        assert!(error.contains("`(?<=a)b`"), "{error}");
        assert!(error.contains("/properties/s"), "{error}");
        assert!(!error.contains("properties\":"), "no schema dump: {error}");
    }
}
