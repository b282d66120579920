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
                let span = Span::new(file, offset, end);
                let message = d
                    .message
                    .clone()
                    .unwrap_or_else(|| "invalid KDL".to_owned())
                    .to_lowercase();
                let message = message.trim_end_matches('.').to_owned();
                let mut diagnostic = Diagnostic::error("E0101", message)
                    .label(span, d.label.clone().unwrap_or_else(|| "here".to_owned()));
                let help = quantity_help(text, offset).or_else(|| d.help.clone());
                diagnostic = diagnostic.maybe_help(help);
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

/// The bare token around `offset`, as far as KDL's value characters go.
fn token_at(text: &str, offset: usize) -> &str {
    let is_token = |c: char| !c.is_whitespace() && !"{}();=\"".contains(c);
    let offset = offset.min(text.len());
    let start = text[..offset]
        .rfind(|c: char| !is_token(c))
        .map_or(0, |i| i + 1);
    let end = text[offset..]
        .find(|c: char| !is_token(c))
        .map_or(text.len(), |i| offset + i);
    &text[start..end]
}

/// mlc's own help when a syntax error sits on a bare quantity, duration or profile.
fn quantity_help(text: &str, offset: usize) -> Option<String> {
    if !text.is_char_boundary(offset.min(text.len())) {
        return None;
    }
    let token = token_at(text, offset);
    let value = token.split_once('=').map_or(token, |(_, v)| v);
    let (key, value) = match token.split_once('=') {
        Some((k, v)) => (Some(k), v),
        None => (None, value),
    };
    let starts_digit = value
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_digit() || c == '.');
    if value.is_empty() || !(starts_digit || value.contains('/')) || value.contains('"') {
        return None;
    }
    let quoted = match key {
        Some(k) => format!("{k}=\"{value}\""),
        None => format!("\"{value}\""),
    };
    let what = if value.contains('/') {
        "quote values that contain `/`, such as label keys"
    } else if value.contains("g.") && value.contains("gb") {
        "quote MIG profiles"
    } else if value.ends_with("ms") || value.ends_with('s') || value.ends_with('h') {
        "quote durations"
    } else {
        "quote Kubernetes quantities"
    };
    Some(format!(
        "{what}: `{quoted}` (a bare KDL value cannot start with a digit or contain `/`)"
    ))
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
    if entry.name().is_some()
        && let Some(eq) = slice.find('=')
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
