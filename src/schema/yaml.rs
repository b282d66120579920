//! Manifest text → documents: each a `serde_json::Value` plus a tree of source spans, so
//! that a JSON pointer can be turned back into file:line:column.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};
use serde_saphyr::Spanned;

/// A byte range in the manifest text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct ByteSpan {
    pub(crate) start: usize,
    pub(crate) len: usize,
}

/// Where each value of a document was written.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub(crate) span: ByteSpan,
    pub(crate) kind: NodeKind,
}

/// The shape of a located value.
#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Scalar,
    Seq(Vec<Node>),
    /// Entries in source order: key, the key's span, the value.
    Map(Vec<(String, ByteSpan, Node)>),
}

/// One parsed document.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    pub(crate) value: Value,
    pub(crate) node: Node,
}

/// A parse failure with its byte offset when known.
#[derive(Debug, Clone)]
pub(crate) struct ParseError {
    pub(crate) message: String,
    pub(crate) span: Option<ByteSpan>,
}

/// The value as deserialized, before it is split into a `Value` and a span tree.
enum Raw {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Seq(Vec<Spanned<Raw>>),
    Map(Vec<(Spanned<Key>, Spanned<Raw>)>),
}

/// A mapping key: any scalar, as a string (as check.py and the apiserver's JSON see it).
struct Key(String);

impl<'de> Deserialize<'de> for Key {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl Visitor<'_> for KeyVisitor {
            type Value = Key;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a scalar mapping key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key, E> {
                Ok(Key(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key, E> {
                Ok(Key(v))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Key, E> {
                Ok(Key(if v { "True" } else { "False" }.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Key, E> {
                Ok(Key(v.to_string()))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Key, E> {
                Ok(Key("None".to_owned()))
            }
        }
        deserializer.deserialize_any(KeyVisitor)
    }
}

impl<'de> Deserialize<'de> for Raw {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = Raw;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any YAML value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Raw, E> {
                Ok(Raw::Null)
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Raw, D::Error> {
                Raw::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Raw, E> {
                Ok(Raw::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Raw, E> {
                Ok(Raw::Number(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Raw, E> {
                Ok(Raw::Number(v.into()))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<Raw, E> {
                Ok(i64::try_from(v)
                    .map_or_else(|_| Raw::String(v.to_string()), |n| Raw::Number(n.into())))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<Raw, E> {
                Ok(u64::try_from(v)
                    .map_or_else(|_| Raw::String(v.to_string()), |n| Raw::Number(n.into())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Raw, E> {
                // `.inf` and `.nan` have no JSON form: keep them as text, which no numeric
                // field accepts.
                Ok(Number::from_f64(v).map_or_else(|| Raw::String(v.to_string()), Raw::Number))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Raw, E> {
                Ok(Raw::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Raw, E> {
                Ok(Raw::String(v))
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Raw, E> {
                Ok(Raw::String(String::from_utf8_lossy(v).into_owned()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Raw, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<Spanned<Raw>>()? {
                    items.push(item);
                }
                Ok(Raw::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Raw, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<Spanned<Key>>()? {
                    let value = map.next_value::<Spanned<Raw>>()?;
                    entries.push((key, value));
                }
                Ok(Raw::Map(entries))
            }
        }
        deserializer.deserialize_any(RawVisitor)
    }
}

/// The byte offset of a one-based line and (character) column.
fn offset_of(text: &str, line: u64, column: u64) -> usize {
    let line_start = text
        .split_inclusive('\n')
        .take(usize::try_from(line.saturating_sub(1)).unwrap_or(usize::MAX))
        .map(str::len)
        .sum::<usize>();
    let rest = text.get(line_start..).unwrap_or("");
    let skip = usize::try_from(column.saturating_sub(1)).unwrap_or(0);
    line_start + rest.char_indices().nth(skip).map_or(rest.len(), |(i, _)| i)
}

fn span_of(location: &serde_saphyr::Location, text: &str) -> ByteSpan {
    let text_len = text.len();
    let span = location.span();
    let start = span
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or_else(|| offset_of(text, location.line(), location.column()))
        .min(text_len);
    let len = span
        .byte_len()
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or(0)
        .min(text_len - start);
    ByteSpan { start, len }
}

fn split(raw: Spanned<Raw>, text: &str) -> (Value, Node) {
    let span = span_of(&raw.referenced, text);
    let (value, kind) = match raw.value {
        Raw::Null => (Value::Null, NodeKind::Scalar),
        Raw::Bool(b) => (Value::Bool(b), NodeKind::Scalar),
        Raw::Number(n) => (Value::Number(n), NodeKind::Scalar),
        Raw::String(s) => (Value::String(s), NodeKind::Scalar),
        Raw::Seq(items) => {
            let (values, nodes) = items.into_iter().map(|i| split(i, text)).unzip();
            (Value::Array(values), NodeKind::Seq(nodes))
        }
        Raw::Map(entries) => {
            let mut map = Map::new();
            let mut nodes = Vec::with_capacity(entries.len());
            for (key, value) in entries {
                let key_span = span_of(&key.referenced, text);
                let (value, node) = split(value, text);
                map.insert(key.value.0.clone(), value);
                nodes.push((key.value.0, key_span, node));
            }
            (Value::Object(map), NodeKind::Map(nodes))
        }
    };
    (value, Node { span, kind })
}

/// Parses a YAML (or JSON) stream into its non-empty documents.
pub(crate) fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    match serde_saphyr::from_multiple::<Spanned<Raw>>(text) {
        Ok(docs) => Ok(docs
            .into_iter()
            .filter(|d| !matches!(d.value, Raw::Null))
            .map(|d| {
                let (value, node) = split(d, text);
                Document { value, node }
            })
            .collect()),
        Err(error) => {
            let span = error.location().map(|l| span_of(&l, text));
            let message = error.to_string();
            let first = message
                .trim_start_matches("error: ")
                .lines()
                .next()
                .unwrap_or("invalid YAML")
                .trim();
            // The position is shown by the label; keep only the reason.
            let first = match first.split_once(": ") {
                Some((at, reason)) if at.starts_with("line ") => reason,
                _ => first,
            }
            .to_owned();
            Err(ParseError {
                message: first,
                span,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_documents_with_spans() {
        let text = "a: 1\nb:\n  - x\n  - {c: true}\n---\n---\nkind: K\n";
        let docs = parse(text).unwrap();
        assert_eq!(docs.len(), 2);
        assert_eq!(docs[0].value["b"][1]["c"], Value::Bool(true));
        let NodeKind::Map(entries) = &docs[0].node.kind else {
            panic!("map")
        };
        assert_eq!(entries[1].0, "b");
        assert_eq!(&text[entries[1].1.start..=entries[1].1.start], "b");
        let NodeKind::Seq(items) = &entries[1].2.kind else {
            panic!("seq")
        };
        assert_eq!(
            &text[items[0].span.start..items[0].span.start + items[0].span.len],
            "x"
        );
    }

    #[test]
    fn reports_where_the_syntax_breaks() {
        let error = parse("a: [1, 2\nb: 3\n").unwrap_err();
        assert!(error.span.is_some(), "{error:?}");
    }
}
