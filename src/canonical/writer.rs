//! The fast canonical YAML writer: block style, two-space indent, sequences at their key's
//! column, `{}`/`[]` for empty collections, straight from a `serde_json::Value` into one
//! buffer. It writes exactly what the reference writer (serde-saphyr, [`super::yaml`]) writes
//! for the same value; a test over every golden file and a fuzz target hold it to that.
//!
//! Scalars it can prove plain (or quoted) by a conservative test are written directly. Any
//! other string or key is spelled by the reference writer in the same position (one small
//! map); a value whose spelling depends on its indentation (a string longer than the fold
//! width or with a line break: folded or literal block scalars) or on a shape this writer
//! does not lay out (a sequence directly inside a sequence, a non-map document) makes the
//! whole document fall back to the reference writer.

use std::fmt::Write as _;

use serde_json::{Map, Number, Value};

/// serde-saphyr's fold width: a longer single-line string may become a folded block scalar.
const FOLD_WIDTH: usize = 80;

/// The writer cannot lay this document out exactly as the reference does.
#[derive(Debug)]
pub(super) struct Fallback;

/// Writes `value` (a map) as one document into `out`, or gives up with [`Fallback`]
/// (`out` may then hold a partial document: the caller discards it).
pub(super) fn write_document(value: &Value, out: &mut String) -> Result<(), Fallback> {
    match value {
        Value::Object(map) if !map.is_empty() => write_map(map, 0, false, out),
        _ => Err(Fallback),
    }
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// A map's entries at column `col`; the first entry continues the current line when
/// `inline` (a map that is a sequence item, after `- `).
fn write_map(
    map: &Map<String, Value>,
    col: usize,
    inline: bool,
    out: &mut String,
) -> Result<(), Fallback> {
    for (i, (key, value)) in map.iter().enumerate() {
        if i > 0 || !inline {
            indent(out, col);
        }
        write_key(key, out)?;
        match value {
            Value::Object(m) if m.is_empty() => out.push_str(": {}\n"),
            Value::Object(m) => {
                out.push_str(":\n");
                write_map(m, col + 2, false, out)?;
            }
            Value::Array(a) if a.is_empty() => out.push_str(": []\n"),
            Value::Array(a) => {
                out.push_str(":\n");
                write_seq(a, col, out)?;
            }
            Value::String(s) if s.contains('\n') => {
                out.push_str(": ");
                write_literal(s, col + 2, out)?;
            }
            scalar => {
                out.push_str(": ");
                write_scalar(scalar, out)?;
                out.push('\n');
            }
        }
    }
    Ok(())
}

/// A multi-line string in value position as the reference writes it: a literal block
/// scalar (`|`, `|-` without a final line break, `|+` with several) whose lines sit at
/// column `body`. Content a literal block cannot hold, or whose first line starts with
/// white space (the reference then adds an indentation indicator), is left to the reference.
fn write_literal(s: &str, body: usize, out: &mut String) -> Result<(), Fallback> {
    let content = s.trim_end_matches('\n');
    let trailing = s.len() - content.len();
    let safe = s.chars().all(|c| match c {
        '\n' | '\t' => true,
        c => matches!(u32::from(c), 0x20..=0x7E | 0xA0..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x0010_FFFF)
            && c != '\u{FEFF}',
    });
    if !safe || content.is_empty() || content.starts_with([' ', '\t', '\n']) {
        return Err(Fallback);
    }
    out.push('|');
    match trailing {
        0 => out.push('-'),
        1 => {}
        _ => out.push('+'),
    }
    out.push('\n');
    for line in content.split('\n') {
        if !line.is_empty() {
            indent(out, body);
            out.push_str(line);
        }
        out.push('\n');
    }
    for _ in 1..trailing {
        out.push('\n');
    }
    Ok(())
}

/// A sequence's items at column `col`, each after `- `.
fn write_seq(items: &[Value], col: usize, out: &mut String) -> Result<(), Fallback> {
    for item in items {
        indent(out, col);
        out.push_str("- ");
        match item {
            Value::Object(m) if m.is_empty() => out.push_str("{}\n"),
            Value::Object(m) => write_map(m, col + 2, true, out)?,
            Value::Array(_) => return Err(Fallback),
            scalar => {
                write_scalar(scalar, out)?;
                out.push('\n');
            }
        }
    }
    Ok(())
}

fn write_key(key: &str, out: &mut String) -> Result<(), Fallback> {
    if is_plain_key(key) {
        out.push_str(key);
        return Ok(());
    }
    // The reference spelling of this key: `KEY: 0` in a one-entry map.
    let mut map = Map::new();
    map.insert(key.to_owned(), Value::Number(0.into()));
    let text = super::yaml::reference(&Value::Object(map));
    match text.strip_suffix(": 0\n") {
        Some(spelled) if !spelled.contains('\n') && !spelled.starts_with('?') => {
            out.push_str(spelled);
            Ok(())
        }
        _ => Err(Fallback),
    }
}

fn write_scalar(value: &Value, out: &mut String) -> Result<(), Fallback> {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(true) => out.push_str("true"),
        Value::Bool(false) => out.push_str("false"),
        Value::Number(n) => write_number(n, out)?,
        Value::String(s) => write_string(s, out)?,
        Value::Array(_) | Value::Object(_) => return Err(Fallback),
    }
    Ok(())
}

fn write_number(n: &Number, out: &mut String) -> Result<(), Fallback> {
    if let Some(i) = n.as_i64() {
        let _ = write!(out, "{i}");
    } else if let Some(u) = n.as_u64() {
        let _ = write!(out, "{u}");
    } else {
        reference_value(&Value::Number(n.clone()), out)?;
    }
    Ok(())
}

fn write_string(s: &str, out: &mut String) -> Result<(), Fallback> {
    if s.len() > FOLD_WIDTH || s.contains(['\n', '\r']) {
        return Err(Fallback);
    }
    match classify(s) {
        Spelling::Plain => out.push_str(s),
        Spelling::DoubleQuoted => {
            out.push('"');
            out.push_str(s);
            out.push('"');
        }
        Spelling::Reference => reference_value(&Value::String(s.to_owned()), out)?,
    }
    Ok(())
}

/// The reference spelling of a scalar in value position: `k: VALUE` in a one-entry map.
fn reference_value(value: &Value, out: &mut String) -> Result<(), Fallback> {
    let mut map = Map::new();
    map.insert("k".to_owned(), value.clone());
    let text = super::yaml::reference(&Value::Object(map));
    match text.strip_prefix("k: ").and_then(|t| t.strip_suffix('\n')) {
        Some(spelled) if !spelled.contains('\n') => {
            out.push_str(spelled);
            Ok(())
        }
        _ => Err(Fallback),
    }
}

/// How the reference writer spells a short single-line string, where this writer can tell.
#[derive(Debug, PartialEq, Eq)]
enum Spelling {
    /// As it is.
    Plain,
    /// In double quotes, with nothing to escape (a number-like string).
    DoubleQuoted,
    /// Ask the reference writer.
    Reference,
}

/// Words a YAML 1.1 or 1.2 reader may take for a boolean, null or special float (any case).
const AMBIGUOUS_WORDS: [&str; 11] = [
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "nan", "inf",
];

fn is_ambiguous_word(s: &str) -> bool {
    AMBIGUOUS_WORDS.iter().any(|w| s.eq_ignore_ascii_case(w))
}

fn classify(s: &str) -> Spelling {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.first() else {
        return Spelling::Reference;
    };
    if first.is_ascii_alphabetic() || first == b'/' {
        // Not numeric, not a timestamp, not an indicator, not a document marker. Printable
        // ASCII inside is plain in block style unless it makes a mapping indicator (`: `, a
        // final `:`), a comment (` #`) or loses its edges (a final space).
        let printable = bytes.iter().all(|b| (b' '..=b'~').contains(b));
        let plain = printable
            && !s.ends_with([' ', ':'])
            && !s.contains(": ")
            && !s.contains(" #")
            && !is_ambiguous_word(s);
        return if plain {
            Spelling::Plain
        } else {
            Spelling::Reference
        };
    }
    if first.is_ascii_digit() {
        // Digits and dots only: an integer or a YAML 1.1 float, always quoted.
        if bytes.iter().all(|b| b.is_ascii_digit() || *b == b'.') {
            return Spelling::DoubleQuoted;
        }
        // Digits and letters: numeric only in radix (`0x…`, `0o…`, `0b…`) or exponent
        // (`1e5`) spellings, which are left to the reference.
        if bytes.iter().all(u8::is_ascii_alphanumeric) {
            let radix = first == b'0'
                && bytes
                    .get(1)
                    .is_some_and(|b| matches!(b.to_ascii_lowercase(), b'x' | b'o' | b'b'));
            let exponent = bytes.iter().any(|b| matches!(b, b'e' | b'E'))
                && bytes
                    .iter()
                    .all(|b| b.is_ascii_digit() || matches!(b, b'e' | b'E'));
            if !radix && !exponent {
                return Spelling::Plain;
            }
        }
    }
    Spelling::Reference
}

/// Keys the reference writes plain: the value rule, without `=`-only or `:` concerns.
fn is_plain_key(key: &str) -> bool {
    let bytes = key.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'/' | b'-'))
        && !is_ambiguous_word(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings() {
        for plain in [
            "a",
            "8Gi",
            "100m",
            "/metrics",
            "nvidia.com/gpu",
            "a=b",
            "9f2c1b",
        ] {
            assert_eq!(classify(plain), Spelling::Plain, "{plain}");
        }
        for quoted in ["2", "8080", "2.1.0", "010"] {
            assert_eq!(classify(quoted), Spelling::DoubleQuoted, "{quoted}");
        }
        for other in [
            "yes", "On", "1e5", "0x1f", "0b1", "", "a: b", "a:", "a #b", "a ", "-a", "1.0-rc1", "é",
        ] {
            assert_eq!(classify(other), Spelling::Reference, "{other}");
        }
    }
}
