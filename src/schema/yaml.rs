//! Manifest text → documents: each a `serde_json::Value` plus a tree of source spans, so
//! that a JSON pointer can be turned back into file:line:column.

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
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

const DECLINED: &str = "left to the located parse";

/// Whether the located parse (serde-saphyr, which resolves plain scalars much as YAML 1.1
/// does) could read a plain scalar with this text as something other than a string, where
/// `yaml_serde` (YAML 1.2) gives a string: `yes`/`no`/`on`/`off`/`y`/`n` in any case, and
/// numbers with a leading zero or underscores.
fn yaml11_ambiguous(s: &str) -> bool {
    if s.len() <= 3
        && ["y", "n", "yes", "no", "on", "off"]
            .iter()
            .any(|word| s.eq_ignore_ascii_case(word))
    {
        return true;
    }
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    let Some(first) = digits.chars().next() else {
        return false;
    };
    if !(first.is_ascii_digit() || first == '.') {
        return false;
    }
    digits.contains('_')
        || (first == '0' && digits.as_bytes().get(1).is_some_and(u8::is_ascii_digit))
}

/// Whether `text[at..at + len]` could be a whole plain scalar: not glued to what comes before
/// or after (`sha256:010…` or `"010"` are not).
fn maybe_plain(text: &[u8], at: usize, len: usize) -> bool {
    let before = match at.checked_sub(1).map(|i| text[i]) {
        None => true,
        Some(b':') => {
            // Flow style allows `"key":value` after a quoted key or a collection.
            at >= 2 && matches!(text[at - 2], b'"' | b'\'' | b']' | b'}')
        }
        Some(c) => c.is_ascii_whitespace() || matches!(c, b'[' | b'{' | b','),
    };
    before
        && text
            .get(at + len)
            .is_none_or(|&c| c.is_ascii_whitespace() || matches!(c, b',' | b']' | b'}' | b':'))
}

/// Accepts a string from the fast parse unless a plain scalar may have given it (see
/// [`yaml11_ambiguous`]). A plain scalar with no blank in it appears in the source literally,
/// as a whole token, so a string found only inside other tokens or quotes was not plain.
fn plain_string<E: de::Error>(text: &str, s: &str) -> Result<(), E> {
    let plain_somewhere = || {
        text.match_indices(s)
            .any(|(at, _)| maybe_plain(text.as_bytes(), at, s.len()))
    };
    if yaml11_ambiguous(s) && plain_somewhere() {
        Err(E::custom(DECLINED))
    } else {
        Ok(())
    }
}

/// Deserializes a value straight into a `Value`, with the scalar and key conversions of
/// [`Raw`]: the fast path, for parsers that give no locations. Holds the source text.
#[derive(Clone, Copy)]
struct Plain<'t>(&'t str);

impl<'de> DeserializeSeed<'de> for Plain<'_> {
    type Value = Value;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Plain<'_> {
    type Value = Value;
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }
    // Beyond 64 bits the located parse reads a float: let it decide.
    fn visit_i128<E: de::Error>(self, v: i128) -> Result<Value, E> {
        i64::try_from(v)
            .map(|n| Value::Number(n.into()))
            .map_err(|_| E::custom(DECLINED))
    }
    fn visit_u128<E: de::Error>(self, v: u128) -> Result<Value, E> {
        u64::try_from(v)
            .map(|n| Value::Number(n.into()))
            .map_err(|_| E::custom(DECLINED))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        // The located parse rejects `.inf` and `.nan`: let it say so.
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom(DECLINED))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        plain_string(self.0, v).map(|()| Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        plain_string(self.0, &v).map(|()| Value::String(v))
    }
    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<Value, E> {
        Ok(Value::String(String::from_utf8_lossy(v).into_owned()))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element_seed(self)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Map::new();
        while let Some(Key(key)) = map.next_key::<Key>()? {
            // The located parse merges `<<` keys and rejects duplicate keys.
            plain_string(self.0, &key)?;
            if key == "<<" {
                return Err(de::Error::custom(DECLINED));
            }
            let value = map.next_value_seed(self)?;
            if entries.insert(key, value).is_some() {
                return Err(de::Error::custom(DECLINED));
            }
        }
        Ok(Value::Object(entries))
    }
}

/// Beyond this flow nesting, the fast parse is not tried (the located parse allows 64 levels).
const MAX_FAST_FLOW_DEPTH: usize = 64;

/// Whether `[`/`{` nest deeper than `limit` anywhere in `text`, counted roughly (brackets
/// inside quotes and comments are skipped; a bracket inside a plain scalar counts, which only
/// sends such a file to the located parse).
fn flow_depth_above(text: &str, limit: usize) -> bool {
    let mut depth: usize = 0;
    let mut quote: Option<u8> = None;
    let mut comment = false;
    let mut previous = b'\n';
    for &b in text.as_bytes() {
        match (quote, b) {
            (_, b'\n') => comment = false,
            (Some(q), _) if !comment && b == q => quote = None,
            (None, b'"' | b'\'') if !comment => quote = Some(b),
            (None, b'#') if !comment && previous.is_ascii_whitespace() => comment = true,
            (None, b'[' | b'{') if !comment => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            (None, b']' | b'}') if !comment => depth = depth.saturating_sub(1),
            _ => {}
        }
        previous = b;
    }
    false
}

/// Parses a YAML (or JSON) stream into its non-empty documents quickly, without locations
/// (`yaml_serde`, about 2.6 times faster than the located parse). `None` when it cannot or
/// when a scalar might read differently there: the caller then uses [`parse`], whose values,
/// verdicts and error locations are authoritative.
pub(crate) fn parse_values(text: &str) -> Option<Vec<Value>> {
    // libyaml's scanner, under `yaml_serde`, takes time quadratic in the flow nesting depth
    // (10,000 levels: seconds) before any limit applies; such input is left to the located
    // parse, which stops at its depth limit.
    if flow_depth_above(text, MAX_FAST_FLOW_DEPTH) {
        return None;
    }
    let mut docs = Vec::new();
    for document in serde_yaml::Deserializer::from_str(text) {
        let value = Plain(text).deserialize(document).ok()?;
        if !value.is_null() {
            docs.push(value);
        }
    }
    Some(docs)
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

/// The parser's limits for `text`: counts that a legitimate stream can only reach with more
/// input (documents, nodes, events, aliases) are proportional to its length, so a stream of
/// any number of documents loads, while alias expansion stays bounded per input byte. Nesting
/// depth and scalar bytes keep serde-saphyr's fixed defaults (64 levels, 64 MiB).
fn options_for(text: &str) -> serde_saphyr::Options {
    // Without aliases a node or event takes at least a byte or two of input; allow each byte
    // 16 (aliases may legitimately repeat a block a few times) on top of a small floor. An
    // alias bomb, whose expansion grows exponentially with its length, stops early.
    let scaled = text.len().saturating_mul(16).saturating_add(10_000);
    let mut budget = serde_saphyr::Budget::default();
    // A document takes at least 4 bytes (`---` and a line break).
    budget.max_documents = budget.max_documents.max(text.len() / 4 + 1);
    budget.max_nodes = scaled;
    budget.max_events = scaled;
    budget.max_aliases = budget.max_aliases.max(text.len() / 2 + 1);
    budget.max_anchors = budget.max_anchors.max(text.len() / 2 + 1);
    budget.max_recorded_anchor_events = scaled;
    let mut options = serde_saphyr::Options::default();
    options.budget = Some(budget);
    options
}

/// Parses a YAML (or JSON) stream into its non-empty documents.
pub(crate) fn parse(text: &str) -> Result<Vec<Document>, ParseError> {
    match serde_saphyr::from_multiple_with_options::<Spanned<Raw>>(text, options_for(text)) {
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
    fn deep_flow_nesting_skips_the_fast_parse() {
        assert!(flow_depth_above(&"[".repeat(65), 64));
        assert!(!flow_depth_above(&"[".repeat(64), 64));
        assert!(!flow_depth_above(
            &format!("x: \"{}\"\n# {}", "[".repeat(99), "{".repeat(99)),
            64
        ));
        assert!(parse_values(&format!("{}{}", "[".repeat(100), "]".repeat(100))).is_none());
    }

    #[test]
    fn a_stream_of_thousands_of_documents_loads() {
        let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n";
        let text = format!("---\n{doc}").repeat(5001);
        assert_eq!(parse(&text).map_or(0, |d| d.len()), 5001);
    }

    #[test]
    fn alias_expansion_stays_bounded_by_the_input_length() {
        let mut text = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let prev = i - 1;
            let refs = vec![format!("*a{prev}"); 10].join(", ");
            let line = format!("a{i}: &a{i} [{refs}]\n");
            text.push_str(&line);
        }
        let error = parse(&text).err().map(|e| e.message).unwrap_or_default();
        assert!(error.contains("budget"), "{error}");
    }

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

    /// The fast parse gives the same values as the located one, tricky scalars included, or
    /// declines (and the located parse decides).
    #[test]
    fn the_fast_parse_agrees_with_the_located_one() {
        let scalars = [
            "yes",
            "no",
            "on",
            "off",
            "y",
            "n",
            "Yes",
            "NO",
            "true",
            "True",
            "TRUE",
            "false",
            "null",
            "Null",
            "~",
            "",
            "010",
            "0o10",
            "0x1F",
            "0b101",
            "1_000",
            "+1",
            "-0",
            "1.0",
            "1e3",
            "1E3",
            "1.5e-3",
            ".5",
            "5.",
            "-.inf",
            ".inf",
            ".NaN",
            "12:30",
            "12:30:00",
            "2001-12-14",
            "1Gi",
            "500m",
            "\"80\"",
            "'80'",
            "0",
            "-1",
            "18446744073709551615",
            "18446744073709551616",
            "99999999999999999999999",
            "-9223372036854775809",
            "0.1",
            "1.",
            "0777",
            "08",
            "+.5",
            "!!str 12",
            "!!int \"12\"",
            "\"\\u00e9\"",
            "\"a\\tb\"",
            "|\n  block\n  text\n",
            ">\n  folded\n",
        ];
        let mut mismatches = Vec::new();
        let mut compare = |text: &str| {
            let located = parse(text).map(|d| d.into_iter().map(|d| d.value).collect::<Vec<_>>());
            match (located, parse_values(text)) {
                (Ok(a), Some(b)) if a != b => mismatches.push(format!("{text:?}: {a:?} vs {b:?}")),
                (Err(e), Some(b)) => {
                    mismatches.push(format!("{text:?}: located fails ({e:?}), fast {b:?}"));
                }
                _ => {}
            }
        };
        for scalar in scalars {
            compare(&format!("k: {scalar}\n"));
            compare(&format!("- {scalar}\n"));
            compare(&format!("{{k: [{scalar}]}}\n"));
        }
        for text in [
            "true: 1\n1: 2\n~: 3\n1.5: 4\n",
            "a: &x {b: 1}\nc: *x\n",
            "a: 1\na: 2\n",
            "---\n---\nkind: K\n...\n",
            "",
            "# only a comment\n",
            "[1, 2]\n",
            "{\"a\": [1, {\"b\": null}]}",
            "a: !custom 1\n",
            "a:\n  <<: {b: 1}\n  c: 2\n",
            "a: \"010\"\nb: '0777'\nc: \"yes\"\n\"on\": 1\n",
            "a: \"010\"\nb: 010\n",
            "a: x\"010\"\nb: [\"010\", 010]\n",
            "a: |\n  010\nb: 010\n",
            "a: \"010\"\nb: x:010\nc: sha256:010\n",
            "{\"a\":010, \"b\": \"010\"}\n",
            "[010]\n",
            "{a: [\"yes\",yes]}\n",
            "a: 'yes'\nb: - yes\n",
        ] {
            compare(text);
        }
        assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
        // Quoted look-alikes keep the fast path; plain ones leave it.
        assert!(parse_values("a: \"010\"\nb: 'yes'\n\"1_0\": 1\nc: sha256:010\n").is_some());
        for plain in [
            "a: 010\n",
            "a: yes\n",
            "on: 1\n",
            "a: [\"010\", 010]\n",
            "{\"a\":010}",
            "- yes",
        ] {
            assert!(parse_values(plain).is_none(), "{plain}");
        }
    }
}
