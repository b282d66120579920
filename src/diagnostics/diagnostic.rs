//! The diagnostic value every stage produces.

use super::codes::IntoCode;
use crate::source::Span;

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The input is wrong; nothing is written.
    Error,
    /// The input is legal but risky; `--deny-warnings` makes it fatal.
    Warning,
    /// A decision mlc took for the input that the user should know of (a default applied,
    /// a class changed); never fatal, not even with `--deny-warnings`.
    Note,
}

/// A labelled span: where a diagnostic points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Label {
    /// What is pointed at.
    pub span: Span,
    /// What the label says (may be empty).
    pub text: String,
}

/// One problem found in the input, with its registered code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    /// Registered code such as `E0301`.
    pub code: &'static str,
    /// Error or warning.
    pub severity: Severity,
    /// Lower-case message without a final period.
    pub message: String,
    /// The first label is the primary one.
    pub labels: Vec<Label>,
    /// The fix, when one can be said.
    pub help: Option<String>,
    /// Extra context lines.
    pub notes: Vec<String>,
}

impl Diagnostic {
    /// An error with `code` and `message`.
    pub fn error(code: impl IntoCode, message: impl Into<String>) -> Self {
        Diagnostic {
            code: code.code_str(),
            severity: Severity::Error,
            message: message.into(),
            labels: Vec::new(),
            help: None,
            notes: Vec::new(),
        }
    }

    /// A warning with `code` and `message`.
    pub fn warning(code: impl IntoCode, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(code, message)
        }
    }

    /// A note with `code` and `message` (code `N…`).
    pub fn notice(code: impl IntoCode, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(code, message)
        }
    }

    /// Adds a label at `span`.
    #[must_use]
    pub fn label(mut self, span: Span, text: impl Into<String>) -> Self {
        self.labels.push(Label {
            span,
            text: text.into(),
        });
        self
    }

    /// Sets the help line.
    #[must_use]
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the help line when there is one.
    #[must_use]
    pub fn maybe_help(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Adds a note.
    #[must_use]
    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.notes.push(note.into());
        self
    }

    /// The primary span, if any.
    pub fn primary(&self) -> Option<Span> {
        self.labels.first().map(|l| l.span)
    }

    fn sort_key(&self) -> (Option<(u32, u32, u32)>, &'static str, &str) {
        (
            self.primary().map(|s| (s.file.0, s.start, s.end)),
            self.code,
            &self.message,
        )
    }
}

/// A collection of diagnostics, kept in a stable order.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// Adds one diagnostic.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.items.push(diagnostic);
    }

    /// Adds many.
    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.items.extend(other);
    }

    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// The number of errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// The number of warnings.
    pub fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// The number of notes.
    pub fn note_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Note)
            .count()
    }

    /// Sorts by file, position, code (stable for equal keys) and drops exact duplicates, also
    /// those that another diagnostic with the same position, code and message sorts between
    /// (the same mistake found once per environment).
    pub fn sort(&mut self) {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        let mut kept: Vec<Diagnostic> = Vec::with_capacity(self.items.len());
        let mut group_start = 0;
        for d in std::mem::take(&mut self.items) {
            if kept
                .get(group_start)
                .is_none_or(|first| first.sort_key() != d.sort_key())
            {
                group_start = kept.len();
            }
            if !kept.get(group_start..).unwrap_or_default().contains(&d) {
                kept.push(d);
            }
        }
        self.items = kept;
    }

    /// Keeps only the diagnostics for which `keep` is true.
    pub fn retain(&mut self, keep: impl FnMut(&Diagnostic) -> bool) {
        self.items.retain(keep);
    }

    /// The diagnostics in their current order.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The diagnostics as a vector.
    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.items
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::FileId;

    #[test]
    fn duplicates_are_dropped_even_when_another_sorts_between() {
        let span = Span::new(FileId(0), 1, 2);
        let a = Diagnostic::error("E0309", "m").label(span, "x");
        let b = Diagnostic::error("E0309", "m").label(span, "y");
        let mut diags = Diagnostics::default();
        diags.extend([a.clone(), b.clone(), a.clone(), b]);
        diags.sort();
        assert_eq!(diags.iter().count(), 2);
    }
}
