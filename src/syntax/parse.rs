//! Parsing one file with the `kdl` crate (KDL v2) into the AST.

use kdl::{KdlDocument, KdlEntry, KdlNode, KdlValue};

use super::ast::{Document, Node, Prop, Value, ValueKind};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::source::{FileId, Span};

/// Parses `text` (the contents of `file`) into a [`Document`].
///
/// On a syntax error the document is empty and every error the `kdl` crate reports is
/// returned as an `E0101` diagnostic.
pub fn parse(file: FileId, text: &str) -> (Document, Diagnostics) {
    if let Some(offset) = too_deep(text) {
        let mut diagnostics = Diagnostics::default();
        diagnostics.push(
            Diagnostic::error("E0101", format!("nodes are nested more than {MAX_DEPTH} levels deep"))
                .label(Span::new(file, offset, offset + 1), "too deep")
                .help("mlc projects nest a few levels (`environment` → `model` → `autoscale` → policy): flatten this"),
        );
        return (
            Document {
                file,
                nodes: Vec::new(),
            },
            diagnostics,
        );
    }
    if let Some(nodes) = super::fast::parse(file, text) {
        return (Document { file, nodes }, Diagnostics::default());
    }
    parse_with_kdl(file, text)
}

/// The deepest `{` nesting accepted: far beyond any project, well within every parser's stack.
pub(crate) const MAX_DEPTH: usize = 16;

/// The offset of the first `{` nested deeper than [`MAX_DEPTH`], skipping strings and
/// comments roughly (a false alarm needs dozens of braces inside strings).
fn too_deep(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    let mut in_string = false;
    while i < bytes.len() {
        match (in_string, bytes[i]) {
            (true, b'\\') => i += 1,
            (true, b'"') => in_string = false,
            (false, b'"') => in_string = true,
            (false, b'/') if bytes.get(i + 1) == Some(&b'/') => {
                while i < bytes.len() && bytes[i] != b'\n' {
                    i += 1;
                }
            }
            (false, b'{') => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Some(i);
                }
            }
            (false, b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    None
}

/// Parses with the `kdl` crate alone (the reference the fast path must agree with).
pub fn parse_with_kdl(file: FileId, text: &str) -> (Document, Diagnostics) {
    let mut diagnostics = Diagnostics::default();
    let nodes = match KdlDocument::parse_v2(text) {
        Ok(doc) => doc
            .nodes()
            .iter()
            .map(|n| lower_node(file, text, n))
            .collect(),
        Err(error) => {
            for d in &error.diagnostics {
                let offset = char_to_byte(text, d.span.offset());
                let end = char_to_byte(text, d.span.offset() + d.span.len());
                let message = d
                    .message
                    .clone()
                    .unwrap_or_else(|| "invalid KDL".to_owned())
                    .to_lowercase();
                let message = message.trim_end_matches('.').to_owned();
                let label = d.label.clone().unwrap_or_else(|| "here".to_owned());
                // Look for the culprit in the reported span, then on the rest of its line.
                let line_end = text[end.min(text.len())..]
                    .find('\n')
                    .map_or(text.len(), |i| end + i);
                let diagnostic = match bare_token(text, offset, line_end) {
                    Some((s, e, help)) => Diagnostic::error("E0101", message)
                        .label(Span::new(file, s, e), "bare value")
                        .label(Span::new(file, offset, end), label)
                        .help(help),
                    None => Diagnostic::error("E0101", message)
                        .label(Span::new(file, offset, end), label)
                        .maybe_help(d.help.clone()),
                };
                diagnostics.push(diagnostic);
            }
            if error.diagnostics.is_empty() {
                diagnostics.push(
                    Diagnostic::error("E0101", "invalid KDL document")
                        .label(Span::new(file, 0, 0), "in this file"),
                );
            }
            Vec::new()
        }
    };
    (Document { file, nodes }, diagnostics)
}

/// `kdl` reports offsets in bytes for ASCII and may report characters otherwise: both agree
/// on ASCII text, and a character offset past a multi-byte character is mapped to bytes.
fn char_to_byte(text: &str, offset: usize) -> usize {
    if text.is_ascii() {
        return offset.min(text.len());
    }
    if text.is_char_boundary(offset.min(text.len())) {
        return offset.min(text.len());
    }
    text.char_indices()
        .nth(offset)
        .map_or(text.len(), |(i, _)| i)
}

/// A bare token in `text[start..end]` that KDL v2 cannot take unquoted: a value starting
/// with a digit followed by letters (`8Gi`, `5ms`, `1g.10gb`) or containing `/`.
/// Returns its byte range and mlc's help.
fn bare_token(text: &str, start: usize, end: usize) -> Option<(usize, usize, String)> {
    let region = text.get(start..end.min(text.len()))?;
    let mut in_string = false;
    let mut token_start = None;
    let mut tokens = Vec::new();
    for (i, c) in region.char_indices() {
        if c == '"' {
            in_string = !in_string;
            token_start = None;
            continue;
        }
        let boundary = c.is_whitespace() || "{}();".contains(c);
        match (in_string, boundary, token_start) {
            (false, false, None) => token_start = Some(i),
            (false, true, Some(s)) => {
                tokens.push((s, i));
                token_start = None;
            }
            _ => {}
        }
    }
    if let (false, Some(s)) = (in_string, token_start) {
        tokens.push((s, region.len()));
    }
    tokens.into_iter().find_map(|(s, e)| {
        let token = &region[s..e];
        let (key, value) = match token.split_once('=') {
            Some((k, v)) => (Some(k), v),
            None => (None, token),
        };
        let starts_digit = value.starts_with(|c: char| c.is_ascii_digit() || c == '.');
        let suspicious = (starts_digit && value.contains(|c: char| c.is_ascii_alphabetic()))
            || (value.contains('/') && !value.starts_with("//") && !value.starts_with('#'));
        if value.is_empty() || !suspicious {
            return None;
        }
        let quoted = key.map_or_else(|| format!("\"{value}\""), |k| format!("{k}=\"{value}\""));
        let what = if value.contains('/') {
            "quote values that contain `/`, such as label keys"
        } else if value.contains("g.") && value.contains("gb") {
            "quote MIG profiles"
        } else if value.ends_with("ms")
            || value.ends_with('s')
            || value.ends_with('h')
            || (value.ends_with('m') && !value.contains('.')) && value.len() > 2
        {
            "quote durations and quantities"
        } else {
            "quote Kubernetes quantities"
        };
        let help = format!(
            "{what}: `{quoted}` (a bare KDL value cannot start with a digit or contain `/`)"
        );
        let value_start = start + s + key.map_or(0, |k| k.len() + 1);
        Some((value_start, start + e, help))
    })
}

fn identifier_span(file: FileId, span: miette::SourceSpan) -> Span {
    Span::new(file, span.offset(), span.offset() + span.len())
}

fn lower_value(value: &KdlValue) -> ValueKind {
    match value {
        KdlValue::String(s) => ValueKind::String(s.clone()),
        KdlValue::Integer(i) => ValueKind::Integer(*i),
        KdlValue::Float(f) => ValueKind::Float(*f),
        KdlValue::Bool(b) => ValueKind::Bool(*b),
        KdlValue::Null => ValueKind::Null,
    }
}

/// The span of an entry's value: the entry span minus a leading `key=` and whitespace.
fn value_span(file: FileId, text: &str, entry: &KdlEntry) -> Span {
    let span = entry.span();
    let (mut start, end) = (span.offset(), span.offset() + span.len());
    let slice = text.get(start..end).unwrap_or("");
    let mut skip = slice.len() - slice.trim_start().len();
    // The `=` after the key: a quoted key may itself contain `=`.
    let key_len = entry.name().map_or(0, |n| {
        (n.span().offset() + n.span().len()).saturating_sub(start)
    });
    if entry.name().is_some()
        && let Some(eq) = slice
            .get(key_len..)
            .and_then(|s| s.find('='))
            .map(|i| i + key_len)
    {
        let rest = &slice[eq + 1..];
        skip = eq + 1 + (rest.len() - rest.trim_start().len());
    }
    start += skip;
    let trimmed_end = text
        .get(start..end)
        .map_or(end, |s| start + s.trim_end().len());
    Span::new(file, start, trimmed_end)
}

fn lower_node(file: FileId, text: &str, node: &KdlNode) -> Node {
    let mut args = Vec::new();
    let mut props = Vec::new();
    for entry in node.entries() {
        let value = Value {
            kind: lower_value(entry.value()),
            span: value_span(file, text, entry),
        };
        match entry.name() {
            Some(name) => props.push(Prop {
                key: name.value().to_owned(),
                key_span: identifier_span(file, name.span()),
                value,
            }),
            None => args.push(value),
        }
    }
    let span = node.span();
    let annotation = node
        .ty()
        .map(|t| identifier_span(file, t.span()))
        .or_else(|| {
            node.entries()
                .iter()
                .find_map(|e| e.ty().map(|t| identifier_span(file, t.span())))
        });
    Node {
        name: node.name().value().to_owned(),
        name_span: identifier_span(file, node.name().span()),
        span: Span::new(file, span.offset(), span.offset() + span.len()),
        annotation,
        args,
        props,
        children: node.children().map(|c| {
            c.nodes()
                .iter()
                .map(|n| lower_node(file, text, n))
                .collect()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(text: &str, span: Span) -> &str {
        &text[span.start as usize..span.end as usize]
    }

    #[test]
    fn spans_point_at_names_and_values() {
        let text = "model bert {\n    resources cpu=2 memory=\"8Gi\"\n    format onnx\n}\n";
        let (doc, diags) = parse(FileId(0), text);
        assert!(diags.is_empty());
        let model = &doc.nodes[0];
        assert_eq!(slice(text, model.name_span), "model");
        assert_eq!(slice(text, model.args[0].span), "bert");
        let resources = &model.children()[0];
        assert_eq!(slice(text, resources.props[1].key_span), "memory");
        assert_eq!(slice(text, resources.props[1].value.span), "\"8Gi\"");
        assert_eq!(slice(text, model.children()[1].args[0].span), "onnx");
    }

    #[test]
    fn bare_quantity_gets_quoting_help() {
        let text = "model bert {\n    resources memory=8Gi\n}\n";
        let (_, diags) = parse(FileId(0), text);
        let d = diags.iter().next().expect("a syntax error");
        assert_eq!(d.code, "E0101");
        assert!(
            d.help.as_deref().unwrap_or("").contains("memory=\"8Gi\""),
            "{d:?}"
        );
    }
}
