//! Canonical YAML, the one writer of every YAML byte mlc writes: keys sorted (the JSON
//! value's maps are ordered), two-space indent, YAML 1.1-ambiguous strings quoted
//! (DESIGN §8.6), trailing newline. Files with a fixed key order (the lock file, the
//! device-plugin config) go through [`to_yaml_ordered`] with the same settings. Objects are
//! written by the fast writer of `writer.rs`, held byte-identical to this reference.

use serde::Serialize;
use serde::ser::SerializeMap;
use serde_json::Value;

/// Renders one document: the fast writer (`writer.rs`), or the reference writer where the
/// fast one cannot prove its spelling; both give the same bytes.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::with_capacity(2048);
    match super::writer::write_document(value, &mut out) {
        Ok(()) => out,
        Err(super::writer::Fallback) => reference(value),
    }
}

/// Renders one document with the reference writer (serde-saphyr) only: what [`to_yaml`]
/// must equal byte for byte.
pub fn reference(value: &Value) -> String {
    to_yaml_ordered(value)
}

/// Renders one document of a typed value, keeping its field order.
pub fn to_yaml_ordered<T: Serialize>(value: &T) -> String {
    let mut text = serde_saphyr::to_string(value).unwrap_or_default();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// A map that serializes its entries in the order given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrderedMap<K, V>(pub Vec<(K, V)>);

impl<K: Serialize, V: Serialize> Serialize for OrderedMap<K, V> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Renders a multi-document stream, each document starting with `---`.
pub fn to_stream<'a>(values: impl IntoIterator<Item = &'a Value>) -> String {
    let mut out = String::new();
    for value in values {
        out.push_str("---\n");
        out.push_str(&to_yaml(value));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_1_1_ambiguous_strings_are_quoted() {
        let value = serde_json::json!({
            "a": "yes", "b": "on", "c": "off", "d": "no", "e": "y", "f": "12:30",
            "g": "1_000", "h": "2001-12-14", "i": "true", "j": "null", "k": "010", "l": "NO",
            "m": "plain", "count": 5
        });
        let text = to_yaml(&value);
        for key in ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l"] {
            let line = text
                .lines()
                .find(|l| l.starts_with(&format!("{key}:")))
                .unwrap();
            let v = line.split_once(": ").unwrap().1;
            assert!(
                v.starts_with('"') || v.starts_with('\''),
                "{line} is not quoted"
            );
        }
        assert!(text.contains("m: plain\n"));
        assert!(text.contains("count: 5\n"), "{text}");
    }
}
