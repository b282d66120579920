//! Reading one AST node against what it may contain: unknown properties, extra arguments,
//! repeated properties and wrong types become diagnostics, and the getters return `None`
//! after reporting, so lowering carries on.

use super::grammar::{Parent, home_of};
use super::ir::Spanned;
use super::units::{Duration, Quantity};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::Span;
use crate::syntax::{Node, Prop, Value, ValueKind};

/// A node being read, with the diagnostics sink.
pub(crate) struct Reader<'a> {
    pub(crate) node: &'a Node,
    pub(crate) diags: &'a mut Diagnostics,
}

impl<'a> Reader<'a> {
    /// Starts reading `node`: reports properties not in `props`, more than `max_args`
    /// arguments, repeated properties and type annotations.
    pub(crate) fn new(
        node: &'a Node,
        diags: &'a mut Diagnostics,
        props: &[&str],
        max_args: usize,
    ) -> Self {
        if let Some(span) = node.annotation {
            diags.push(
                Diagnostic::error(Code::E0108, "type annotations are not supported")
                    .label(span, "annotation")
                    .help("remove the `(…)` annotation and write the value as a quoted string, e.g. `memory=\"8Gi\"`"),
            );
        }
        for (i, prop) in node.props.iter().enumerate() {
            if !props.contains(&prop.key.as_str()) {
                let help = did_you_mean(&prop.key, props.iter().copied()).unwrap_or_else(|| {
                    if props.is_empty() {
                        format!("`{}` takes no properties", node.name)
                    } else {
                        format!("`{}` accepts: {}", node.name, list(props))
                    }
                });
                diags.push(
                    Diagnostic::error(
                        Code::E0103,
                        format!("unknown property `{}` on `{}`", prop.key, node.name),
                    )
                    .label(prop.key_span, "unknown property")
                    .help(help),
                );
            } else if node.props[..i].iter().any(|p| p.key == prop.key) {
                diags.push(
                    Diagnostic::error(
                        Code::E0107,
                        format!("property `{}` given more than once", prop.key),
                    )
                    .label(prop.key_span, "given again here")
                    .help("keep one of them"),
                );
            }
        }
        for extra in node.args.iter().skip(max_args) {
            let help = if max_args == 0 {
                format!("`{}` takes no arguments", node.name)
            } else {
                format!("`{}` takes at most {max_args} argument(s)", node.name)
            };
            diags.push(
                Diagnostic::error(
                    Code::E0106,
                    format!("unexpected argument {}", extra.display()),
                )
                .label(extra.span, "not expected")
                .help(help),
            );
        }
        Reader { node, diags }
    }

    /// Starts reading a node whose properties are free-form (`labels k=v …`).
    pub(crate) fn free(node: &'a Node, diags: &'a mut Diagnostics, max_args: usize) -> Self {
        let keys: Vec<&str> = node.props.iter().map(|p| p.key.as_str()).collect();
        Reader::new(node, diags, &keys, max_args)
    }

    /// The span of the node's head.
    pub(crate) fn span(&self) -> Span {
        self.node.head_span()
    }

    fn prop(&self, key: &str) -> Option<&'a Prop> {
        self.node.props.iter().rev().find(|p| p.key == key)
    }

    fn wrong_type(&mut self, value: &Value, expected: &str, help: Option<String>) {
        let d = Diagnostic::error(
            Code::E0104,
            format!(
                "expected {expected}, found {} {}",
                value.type_name(),
                value.display()
            ),
        )
        .label(value.span, format!("expected {expected}"))
        .maybe_help(help);
        self.diags.push(d);
    }

    /// Reports a missing required value.
    pub(crate) fn missing(&mut self, what: &str, example: &str) {
        let d = Diagnostic::error(
            Code::E0105,
            format!("`{}` is missing {what}", self.node.name),
        )
        .label(self.span(), format!("needs {what}"))
        .help(format!("write it like `{example}`"));
        self.diags.push(d);
    }

    /// Argument `i` as a value.
    pub(crate) fn arg(&self, i: usize) -> Option<&'a Value> {
        self.node.args.get(i)
    }

    /// Property `key` as a value.
    pub(crate) fn value(&self, key: &str) -> Option<&'a Value> {
        self.prop(key).map(|p| &p.value)
    }

    /// A string value (argument index or property key).
    pub(crate) fn string_of(&mut self, value: Option<&'a Value>) -> Option<Spanned<String>> {
        let value = value?;
        match &value.kind {
            ValueKind::String(s) => Some(Spanned::new(s.clone(), value.span)),
            _ => {
                let help = match value.kind {
                    ValueKind::Integer(_) | ValueKind::Float(_) => {
                        Some(format!("quote it: `\"{}\"`", value.display()))
                    }
                    _ => None,
                };
                self.wrong_type(value, "a string", help);
                None
            }
        }
    }

    /// Property `key` as a string.
    pub(crate) fn str(&mut self, key: &str) -> Option<Spanned<String>> {
        let v = self.value(key);
        self.string_of(v)
    }

    /// Argument `i` as a string.
    pub(crate) fn arg_str(&mut self, i: usize) -> Option<Spanned<String>> {
        let v = self.arg(i);
        self.string_of(v)
    }

    /// A non-negative integer that fits `u32`.
    pub(crate) fn u32_of(&mut self, value: Option<&'a Value>) -> Option<Spanned<u32>> {
        let value = value?;
        match value.kind {
            ValueKind::Integer(i) => match u32::try_from(i) {
                Ok(n) => Some(Spanned::new(n, value.span)),
                Err(_) => {
                    // Name the field: the property holding this value, or the node.
                    let field = self
                        .node
                        .props
                        .iter()
                        .find(|p| p.value.span == value.span)
                        .map_or(self.node.name.as_str(), |p| p.key.as_str());
                    let bound = if i < 0 { "≥ 0" } else { "at most 4294967295" };
                    self.diags.push(
                        Diagnostic::error(
                            Code::E0214,
                            format!("`{field}` must be a whole number {bound}, found {i}"),
                        )
                        .label(value.span, "expected a whole number from 0 to 4294967295")
                        .help(format!("write `{field}` as a non-negative whole number")),
                    );
                    None
                }
            },
            _ => {
                let help = value
                    .as_str()
                    .filter(|s| s.parse::<u64>().is_ok())
                    .map(|s| format!("remove the quotes: `{s}`"));
                self.wrong_type(value, "a whole number", help);
                None
            }
        }
    }

    /// Property `key` as a non-negative integer.
    pub(crate) fn u32(&mut self, key: &str) -> Option<Spanned<u32>> {
        let v = self.value(key);
        self.u32_of(v)
    }

    /// Any integer (for percentages that are range-checked later).
    pub(crate) fn i64_of(&mut self, value: Option<&'a Value>) -> Option<Spanned<i64>> {
        let value = value?;
        match value.kind {
            ValueKind::Integer(i) => Some(Spanned::new(
                i64::try_from(i).unwrap_or(if i < 0 { i64::MIN } else { i64::MAX }),
                value.span,
            )),
            _ => {
                self.wrong_type(value, "a whole number", None);
                None
            }
        }
    }

    /// Property `key` as a boolean.
    pub(crate) fn bool(&mut self, key: &str) -> Option<Spanned<bool>> {
        let value = self.value(key)?;
        match value.kind {
            ValueKind::Bool(b) => Some(Spanned::new(b, value.span)),
            _ => {
                let help = match value.as_str() {
                    Some("true" | "yes" | "on") => Some("write `#true`".to_owned()),
                    Some("false" | "no" | "off") => Some("write `#false`".to_owned()),
                    _ => Some("KDL v2 booleans are `#true` and `#false`".to_owned()),
                };
                self.wrong_type(value, "a boolean", help);
                None
            }
        }
    }

    /// A Kubernetes quantity: a string, or an integer or number.
    pub(crate) fn quantity_of(&mut self, value: Option<&'a Value>) -> Option<Spanned<Quantity>> {
        let value = value?;
        let text = match &value.kind {
            ValueKind::String(s) => s.clone(),
            ValueKind::Integer(i) => i.to_string(),
            ValueKind::Float(f) => f.to_string(),
            _ => {
                self.wrong_type(
                    value,
                    "a Kubernetes quantity",
                    Some("write e.g. `\"500m\"` or `\"8Gi\"`".into()),
                );
                return None;
            }
        };
        match Quantity::parse(&text) {
            Some(q) if !q.is_negative() => Some(Spanned::new(q, value.span)),
            _ => {
                let help = quantity_fix(&text);
                self.diags.push(
                    Diagnostic::error(Code::E0204, format!("invalid Kubernetes quantity `{text}`"))
                        .label(value.span, "not a quantity")
                        .help(help),
                );
                None
            }
        }
    }

    /// Property `key` as a quantity.
    pub(crate) fn quantity(&mut self, key: &str) -> Option<Spanned<Quantity>> {
        let v = self.value(key);
        self.quantity_of(v)
    }

    /// Property `key` as a duration.
    pub(crate) fn duration(&mut self, key: &str) -> Option<Spanned<Duration>> {
        let value = self.value(key)?;
        let Some(text) = value.as_str() else {
            self.wrong_type(
                value,
                "a duration string",
                Some("write e.g. `\"5ms\"`, `\"30s\"` or `\"5m\"`".into()),
            );
            return None;
        };
        if let Some(d) = Duration::parse(text) {
            return Some(Spanned::new(d, value.span));
        }
        self.diags.push(
            Diagnostic::error(Code::E0205, format!("invalid duration `{text}`"))
                .label(value.span, "not a duration")
                .help("write whole numbers with units `ms`, `s`, `m` or `h`, e.g. `\"5ms\"`, `\"30s\"`, `\"1h30m\"`"),
        );
        None
    }

    /// A value from a fixed set of words.
    pub(crate) fn choice_of<T: Copy>(
        &mut self,
        value: Option<&'a Value>,
        what: &str,
        choices: &[(&str, T)],
    ) -> Option<Spanned<T>> {
        let spanned = self.string_of(value)?;
        if let Some((_, v)) = choices.iter().find(|(k, _)| *k == spanned.value) {
            return Some(Spanned::new(*v, spanned.span));
        }
        let names: Vec<&str> = choices.iter().map(|(k, _)| *k).collect();
        let help = did_you_mean(&spanned.value, names.iter().copied())
            .unwrap_or_else(|| format!("use one of: {}", list(&names)));
        self.diags.push(
            Diagnostic::error(Code::E0206, format!("unknown {what} `{}`", spanned.value))
                .label(spanned.span, format!("expected one of: {}", list(&names)))
                .help(help),
        );
        None
    }

    /// Every property as a string map (for `labels k=v …`).
    pub(crate) fn string_props(&mut self) -> Vec<(String, Spanned<String>)> {
        let mut out = Vec::new();
        for prop in &self.node.props {
            if let Some(v) = self.string_of(Some(&prop.value)) {
                out.push((prop.key.clone(), v));
            }
        }
        out
    }
}

/// Backticked, comma-separated names.
pub(crate) fn list(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn quantity_fix(text: &str) -> String {
    let lower = text.to_ascii_lowercase();
    for (wrong, right) in [
        ("gb", "Gi"),
        ("mb", "Mi"),
        ("kb", "Ki"),
        ("tb", "Ti"),
        ("g", "Gi"),
        ("mib", "Mi"),
        ("gib", "Gi"),
    ] {
        if let Some(number) = lower.strip_suffix(wrong)
            && Quantity::parse(number).is_some()
        {
            return format!(
                "Kubernetes writes binary units as `Ki`, `Mi`, `Gi`: did you mean `\"{number}{right}\"`?"
            );
        }
    }
    "write a number with an optional suffix: `500m`, `2`, `1.5`, `512Mi`, `8Gi`".to_owned()
}

/// Reports child nodes that `grammar` does not allow, and repeated singletons.
pub(crate) fn check_children(parent: &Node, diags: &mut Diagnostics, grammar: &Parent) {
    let allowed = grammar.names();
    for (i, child) in parent.children().iter().enumerate() {
        let Some(rule) = grammar.child(&child.name) else {
            let help = did_you_mean(&child.name, allowed.iter().copied())
                .or_else(|| {
                    home_of(&child.name).map(|home| format!("`{}` belongs in {home}", child.name))
                })
                .unwrap_or_else(|| format!("`{}` may contain: {}", parent.name, list(&allowed)));
            diags.push(
                Diagnostic::error(
                    Code::E0102,
                    format!("unknown node `{}` in `{}`", child.name, parent.name),
                )
                .label(child.name_span, "unknown node")
                .help(help),
            );
            continue;
        };
        if !rule.repeats && parent.children()[..i].iter().any(|c| c.name == child.name) {
            diags.push(
                Diagnostic::error(
                    Code::E0107,
                    format!("`{}` given more than once in `{}`", child.name, parent.name),
                )
                .label(child.name_span, "given again here")
                .help("merge them into one node"),
            );
        }
    }
}

/// Reports a `{ }` block on a node that takes none.
pub(crate) fn no_children(node: &Node, diags: &mut Diagnostics) {
    if let Some(first) = node.children().first() {
        diags.push(
            Diagnostic::error(
                Code::E0102,
                format!("unknown node `{}` in `{}`", first.name, node.name),
            )
            .label(first.name_span, "unexpected child node")
            .help(format!("`{}` takes no children", node.name)),
        );
    }
}
