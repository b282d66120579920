//! The AST as written: names, values and spans, no meaning yet.

use crate::source::{FileId, Span};

/// A parsed file.
#[derive(Debug, Clone)]
pub struct Document {
    /// The file it came from.
    pub file: FileId,
    /// Top-level nodes in source order.
    pub nodes: Vec<Node>,
}

/// A scalar value as written.
#[derive(Debug, Clone, PartialEq)]
pub enum ValueKind {
    /// A string (quoted or bare identifier).
    String(String),
    /// An integer.
    Integer(i128),
    /// A floating-point number.
    Float(f64),
    /// `#true` or `#false`.
    Bool(bool),
    /// `#null`.
    Null,
}

/// A value with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Value {
    /// What was written.
    pub kind: ValueKind,
    /// Where it was written.
    pub span: Span,
}

impl Value {
    /// The KDL type name, for messages.
    pub fn type_name(&self) -> &'static str {
        match self.kind {
            ValueKind::String(_) => "string",
            ValueKind::Integer(_) => "integer",
            ValueKind::Float(_) => "number",
            ValueKind::Bool(_) => "boolean",
            ValueKind::Null => "null",
        }
    }

    /// The string, if it is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ValueKind::String(s) => Some(s),
            _ => None,
        }
    }

    /// The value as written in KDL, for messages.
    pub fn display(&self) -> String {
        match &self.kind {
            ValueKind::String(s) => format!("{s:?}"),
            ValueKind::Integer(i) => i.to_string(),
            ValueKind::Float(f) => f.to_string(),
            ValueKind::Bool(b) => format!("#{b}"),
            ValueKind::Null => "#null".to_owned(),
        }
    }
}

/// A property `key=value`.
#[derive(Debug, Clone, PartialEq)]
pub struct Prop {
    /// The key.
    pub key: String,
    /// The key's span.
    pub key_span: Span,
    /// The value.
    pub value: Value,
}

impl Prop {
    /// The span of the whole `key=value`.
    pub fn span(&self) -> Span {
        Span {
            end: self.value.span.end.max(self.key_span.end),
            ..self.key_span
        }
    }
}

/// A node: name, arguments, properties and optional children.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node name.
    pub name: String,
    /// The name's span.
    pub name_span: Span,
    /// The whole node, children included.
    pub span: Span,
    /// A type annotation on the node, if written (`(t)node`): rejected later.
    pub annotation: Option<Span>,
    /// Arguments in order.
    pub args: Vec<Value>,
    /// Properties in order (duplicates kept, so they can be reported).
    pub props: Vec<Prop>,
    /// Children, when a `{ }` block was written.
    pub children: Option<Vec<Node>>,
}

impl Node {
    /// The first property named `key`.
    pub fn prop(&self, key: &str) -> Option<&Prop> {
        self.props.iter().find(|p| p.key == key)
    }

    /// The children, or an empty slice.
    pub fn children(&self) -> &[Node] {
        self.children.as_deref().unwrap_or(&[])
    }

    /// The span of the node's head: name, arguments and properties, without children.
    pub fn head_span(&self) -> Span {
        let end = self
            .args
            .iter()
            .map(|a| a.span)
            .chain(self.props.iter().map(Prop::span))
            .filter(|s| s.file == self.name_span.file)
            .map(|s| s.end)
            .fold(self.name_span.end, u32::max);
        Span {
            end,
            ..self.name_span
        }
    }
}
