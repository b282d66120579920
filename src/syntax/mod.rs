//! Stage 1: KDL text → the AST "as written", every node, entry and value with its span.
//!
//! Takes one source file, gives a [`Document`] and the KDL syntax diagnostics (`E0101`),
//! with mlc's own help added where a bare Kubernetes quantity or duration is the cause.
//! No KDL type leaves this module.

mod ast;
mod fast;
mod parse;

pub use ast::{Document, Node, Prop, Value, ValueKind};
pub use parse::{parse, parse_with_kdl};

/// The fast parser alone: `None` when the text needs the `kdl` crate (tests compare both).
pub fn parse_fast(file: crate::source::FileId, text: &str) -> Option<Vec<Node>> {
    fast::parse(file, text)
}
