//! A fast parser for the common subset of KDL v2 that project files use.
//!
//! The `kdl` crate parses about 1.6 MB/s here, which alone would take `mlc check` of a
//! 1,000-model project past its 50 ms budget. This parser handles what project files are
//! made of (bare and quoted strings with escapes, raw strings, decimal numbers, keywords,
//! properties, children, `//`, `/* */` and `/-` comments) and returns `None` on anything
//! else, including every syntax error: then the `kdl` crate parses the file and reports.
//! A differential test and the fuzz target check that both give the same AST.

use super::ast::{Node, Prop, Value, ValueKind};
use crate::source::{FileId, Span};

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
    file: FileId,
}

/// Parses `text`, or `None` when it uses anything outside the subset or is not valid KDL.
pub(crate) fn parse(file: FileId, text: &str) -> Option<Vec<Node>> {
    let mut p = Parser {
        text,
        bytes: text.as_bytes(),
        pos: 0,
        file,
    };
    // A byte-order mark, and the newlines KDL v2 knows beyond CR and LF (VT, FF, NEL, LS,
    // PS, which also end `//` comments), are left to the `kdl` crate.
    if text.starts_with('\u{feff}')
        || text.contains(['\u{b}', '\u{c}', '\u{85}', '\u{2028}', '\u{2029}'])
    {
        return None;
    }
    // KDL v2 forbids control characters (but tab, CR, LF), bidi overrides and a BOM inside the
    // text, even in strings: such a file goes to the `kdl` crate, which reports it.
    let disallowed = |c: char| {
        (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
            || matches!(
                c,
                '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}'
            )
    };
    if text.chars().any(disallowed) {
        return None;
    }
    let nodes = p.nodes(false)?;
    (p.pos == p.bytes.len()).then_some(nodes)
}

fn is_ident_char(c: char) -> bool {
    !(c.is_whitespace()
        || matches!(
            c,
            '\\' | '/' | '(' | ')' | '{' | '}' | ';' | '[' | ']' | '"' | '#' | '='
        )
        || c.is_control()
        || matches!(c, '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{feff}'))
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn at(&self, s: &str) -> bool {
        self.bytes[self.pos..].starts_with(s.as_bytes())
    }

    fn span(&self, start: usize) -> Span {
        Span::new(self.file, start, self.pos)
    }

    /// Skips spaces, tabs and comments within a line (`node-space`). Newlines stop it.
    fn inline_space(&mut self) -> Option<bool> {
        let start = self.pos;
        loop {
            match self.peek() {
                Some(b' ' | b'\t') => self.pos += 1,
                Some(b'/') if self.at("/*") => self.block_comment()?,
                Some(b'\\') => return None, // line continuation: leave it to `kdl`
                Some(c) if c >= 0x80 => {
                    let ch = self.text[self.pos..].chars().next()?;
                    if ch.is_whitespace() {
                        return None;
                    }
                    break;
                }
                _ => break,
            }
        }
        Some(self.pos > start)
    }

    fn block_comment(&mut self) -> Option<()> {
        let mut depth = 0usize;
        loop {
            if self.at("/*") {
                depth += 1;
                self.pos += 2;
            } else if self.at("*/") {
                depth -= 1;
                self.pos += 2;
                if depth == 0 {
                    return Some(());
                }
            } else if self.pos >= self.bytes.len() {
                return None;
            } else {
                self.pos += 1;
            }
        }
    }

    /// Skips whitespace, newlines, `;` and comments between nodes.
    fn line_space(&mut self) -> Option<()> {
        loop {
            self.inline_space()?;
            match self.peek() {
                // A `;` only terminates a node (consumed in `node`); a stray one is invalid.
                Some(b'\n' | b'\r') => self.pos += 1,
                Some(b'\x0B' | b'\x0C') => return None,
                Some(b'/') if self.at("//") => {
                    while !matches!(self.peek(), None | Some(b'\n' | b'\r')) {
                        self.pos += 1;
                    }
                }
                _ => return Some(()),
            }
        }
    }

    fn nodes(&mut self, inside: bool) -> Option<Vec<Node>> {
        let mut nodes = Vec::new();
        loop {
            self.line_space()?;
            match self.peek() {
                None if !inside => return Some(nodes),
                Some(b'}') if inside => return Some(nodes),
                None | Some(b'}') => return None,
                _ => {}
            }
            let slashdash = self.slashdash()?;
            let node = self.node()?;
            if !slashdash {
                nodes.push(node);
            }
        }
    }

    fn slashdash(&mut self) -> Option<bool> {
        if self.at("/-") {
            self.pos += 2;
            self.line_space_in_slashdash()?;
            return Some(true);
        }
        Some(false)
    }

    /// After `/-` only plain whitespace and newlines are taken here.
    fn line_space_in_slashdash(&mut self) -> Option<()> {
        self.inline_space()?;
        // Newlines and comments after `/-` are legal KDL, but rare: leave them to `kdl`.
        match self.peek() {
            Some(b'\n' | b'\r' | b'/') => None,
            _ => Some(()),
        }
    }

    fn node(&mut self) -> Option<Node> {
        let start = self.pos;
        if self.peek() == Some(b'(') {
            return None; // type annotation
        }
        let (name, name_span) = self.string()?;
        let mut args = Vec::new();
        let mut props = Vec::new();
        let mut children: Option<Vec<Node>> = None;
        let mut seen_block = false;
        loop {
            let had_space = self.inline_space()?;
            match self.peek() {
                None | Some(b'\n' | b'\r' | b';' | b'}') => break,
                Some(b'/') if self.at("//") => break,
                _ => {}
            }
            if !had_space && !self.at("{") {
                return None;
            }
            let dashed = self.slashdash()?;
            if self.peek() == Some(b'{') {
                self.pos += 1;
                let kids = self.nodes(true)?;
                if self.peek() != Some(b'}') {
                    return None;
                }
                self.pos += 1;
                seen_block = true;
                if !dashed {
                    if children.is_some() {
                        return None;
                    }
                    children = Some(kids);
                }
                continue;
            }
            if seen_block {
                return None; // entries after a children block, even a slashdashed one
            }
            let entry = self.entry()?;
            if dashed {
                continue;
            }
            match entry {
                Entry::Arg(v) => args.push(v),
                Entry::Prop(p) => props.push(p),
            }
        }
        let end = self.pos;
        if self.peek() == Some(b';') {
            self.pos += 1;
        }
        Some(Node {
            name,
            name_span,
            span: Span::new(self.file, start, end),
            annotation: None,
            args,
            props,
            children,
        })
    }

    fn entry(&mut self) -> Option<Entry> {
        if self.peek() == Some(b'(') {
            return None;
        }
        let start = self.pos;
        let is_string_start = matches!(self.peek(), Some(b'"')) || self.at("#\"") || self.at("##");
        let value = self.value()?;
        let after = self.pos;
        self.inline_space()?;
        if self.peek() == Some(b'=') {
            let key = match value.kind {
                ValueKind::String(s)
                    if is_string_start || !self.text[start..after].starts_with('#') =>
                {
                    s
                }
                _ => return None,
            };
            self.pos += 1;
            self.inline_space()?;
            let v = self.value()?;
            return Some(Entry::Prop(Prop {
                key,
                key_span: Span::new(self.file, start, after),
                value: v,
            }));
        }
        self.pos = after;
        Some(Entry::Arg(value))
    }

    fn value(&mut self) -> Option<Value> {
        let start = self.pos;
        let kind = match self.peek()? {
            b'#' => {
                if self.at("#\"") {
                    ValueKind::String(self.raw_string()?)
                } else if self.at("#true") {
                    self.pos += 5;
                    ValueKind::Bool(true)
                } else if self.at("#false") {
                    self.pos += 6;
                    ValueKind::Bool(false)
                } else if self.at("#null") {
                    self.pos += 5;
                    ValueKind::Null
                } else {
                    return None;
                }
            }
            b'"' => ValueKind::String(self.quoted()?),
            c if c.is_ascii_digit() => self.number()?,
            b'+' | b'-' | b'.'
                if self.bytes.get(self.pos + 1).is_some_and(u8::is_ascii_digit)
                    || (self.peek() != Some(b'.')
                        && self.bytes.get(self.pos + 1) == Some(&b'.')
                        && self.bytes.get(self.pos + 2).is_some_and(u8::is_ascii_digit)) =>
            {
                self.number()?
            }
            _ => ValueKind::String(self.bare()?),
        };
        if self.peek().is_some_and(|c| {
            !matches!(
                c,
                b' ' | b'\t' | b'\n' | b'\r' | b';' | b'}' | b'/' | b'=' | b'{'
            )
        }) {
            return None;
        }
        Some(Value {
            kind,
            span: self.span(start),
        })
    }

    /// A node name or property key: a bare identifier or a quoted string.
    fn string(&mut self) -> Option<(String, Span)> {
        let start = self.pos;
        let s = match self.peek()? {
            b'"' => self.quoted()?,
            b'#' if self.at("#\"") => self.raw_string()?,
            c if c.is_ascii_digit() => return None,
            _ => self.bare()?,
        };
        Some((s, self.span(start)))
    }

    fn bare(&mut self) -> Option<String> {
        let start = self.pos;
        for (i, c) in self.text[start..].char_indices() {
            if !is_ident_char(c) {
                self.pos = start + i;
                break;
            }
            self.pos = start + i + c.len_utf8();
        }
        let s = &self.text[start..self.pos];
        let bad_start = s.starts_with(|c: char| c.is_ascii_digit())
            || ((s.starts_with('-') || s.starts_with('+'))
                && s[1..].starts_with(|c: char| c.is_ascii_digit() || c == '.'))
            || (s.starts_with('.') && s[1..].starts_with(|c: char| c.is_ascii_digit()));
        if s.is_empty()
            || bad_start
            || matches!(s, "true" | "false" | "null" | "inf" | "-inf" | "nan")
        {
            return None;
        }
        Some(s.to_owned())
    }

    fn quoted(&mut self) -> Option<String> {
        if self.at("\"\"\"") {
            return None; // multi-line string
        }
        self.pos += 1;
        let mut out = String::new();
        loop {
            let rest = &self.text[self.pos..];
            let stop = rest.find(['"', '\\', '\n', '\r'])?;
            out.push_str(&rest[..stop]);
            self.pos += stop;
            match self.peek()? {
                b'"' => {
                    self.pos += 1;
                    return Some(out);
                }
                b'\\' => {
                    self.pos += 1;
                    let c = self.peek()?;
                    self.pos += 1;
                    out.push(match c {
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'\\' => '\\',
                        b'"' => '"',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b's' => ' ',
                        b'u' => {
                            if self.peek() != Some(b'{') {
                                return None;
                            }
                            let close = self.text[self.pos..].find('}')?;
                            let hex = &self.text[self.pos + 1..self.pos + close];
                            if hex.is_empty()
                                || hex.len() > 6
                                || !hex.chars().all(|c| c.is_ascii_hexdigit())
                            {
                                return None;
                            }
                            self.pos += close + 1;
                            char::from_u32(u32::from_str_radix(hex, 16).ok()?)?
                        }
                        _ => return None, // whitespace escapes and anything else
                    });
                }
                _ => return None, // a newline in a single-line string
            }
        }
    }

    fn raw_string(&mut self) -> Option<String> {
        let hashes = self.bytes[self.pos..]
            .iter()
            .take_while(|b| **b == b'#')
            .count();
        if self.bytes.get(self.pos + hashes) != Some(&b'"')
            || self.at(&format!("{}\"\"\"", "#".repeat(hashes)))
        {
            return None;
        }
        let body_start = self.pos + hashes + 1;
        let close = format!("\"{}", "#".repeat(hashes));
        let len = self.text[body_start..].find(&close)?;
        let body = &self.text[body_start..body_start + len];
        if body.contains(['\n', '\r']) {
            return None;
        }
        self.pos = body_start + len + close.len();
        Some(body.to_owned())
    }

    fn number(&mut self) -> Option<ValueKind> {
        let start = self.pos;
        let rest = &self.text[start..];
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.' | '_')))
            .unwrap_or(rest.len());
        let raw = &rest[..end];
        let unsigned = raw.trim_start_matches(['+', '-']);
        if unsigned.len() + 1 < raw.len()
            || unsigned.starts_with("0x")
            || unsigned.starts_with("0o")
            || unsigned.starts_with("0b")
        {
            return None;
        }
        // digits [ . digits ] [ e [sign] digits ], underscores only after a digit
        let b = unsigned.as_bytes();
        let mut i = 0;
        let digits = |i: &mut usize| {
            let s = *i;
            if !b.get(*i).is_some_and(u8::is_ascii_digit) {
                return false;
            }
            while b.get(*i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
                *i += 1;
            }
            *i > s
        };
        if !digits(&mut i) {
            return None;
        }
        let mut float = false;
        if b.get(i) == Some(&b'.') {
            i += 1;
            float = true;
            if !digits(&mut i) {
                return None;
            }
        }
        if matches!(b.get(i), Some(b'e' | b'E')) {
            i += 1;
            float = true;
            if matches!(b.get(i), Some(b'+' | b'-')) {
                i += 1;
            }
            if !digits(&mut i) {
                return None;
            }
        }
        if i != b.len() {
            return None;
        }
        self.pos = start + end;
        let clean: String = raw.chars().filter(|c| *c != '_').collect();
        if float {
            let f: f64 = clean.parse().ok()?;
            f.is_finite().then_some(ValueKind::Float(f))
        } else {
            clean.parse::<i128>().ok().map(ValueKind::Integer)
        }
    }
}

enum Entry {
    Arg(Value),
    Prop(Prop),
}
