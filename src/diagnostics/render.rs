//! Printers: human (miette's graphical report) and JSON. Neither prints a credential-looking
//! literal: sources and texts go through [`mask_secrets`] first.

use std::fmt::{self, Write as _};

use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, NamedSource};
use serde::Serialize;

use super::{Diagnostic, Diagnostics, Severity};
use crate::source::{SourceFile, SourceMap};

#[path = "mask.rs"]
mod mask;
pub(crate) use mask::mask_secrets;

/// `d` with every text masked ([`mask_secrets`]).
pub(crate) fn masked(d: &Diagnostic) -> Diagnostic {
    let mask = |t: &str| mask_secrets(t).into_owned();
    let mut d = d.clone();
    d.message = mask(&d.message);
    d.help = d.help.as_deref().map(mask);
    d.notes = d.notes.iter().map(|n| mask(n)).collect();
    for label in &mut d.labels {
        label.text = mask(&label.text);
    }
    d
}

/// Whether human output uses colour.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum ColorChoice {
    /// Colour when printing to a terminal.
    #[default]
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}

/// A diagnostic bound to its source file, as miette wants it.
struct Report<'a> {
    diagnostic: &'a Diagnostic,
    source: Option<NamedSource<String>>,
    labels: Vec<LabeledSpan>,
    help: Option<String>,
}

impl fmt::Debug for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl fmt::Display for Report<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.diagnostic.message)
    }
}

impl std::error::Error for Report<'_> {}

impl miette::Diagnostic for Report<'_> {
    fn code<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        Some(Box::new(format!(
            "{}[{}]",
            severity_word(self.diagnostic.severity),
            self.diagnostic.code
        )))
    }

    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.diagnostic.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
            Severity::Note => miette::Severity::Advice,
        })
    }

    fn help<'b>(&'b self) -> Option<Box<dyn fmt::Display + 'b>> {
        self.help
            .as_ref()
            .map(|h| Box::new(h) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source.as_ref().map(|s| s as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = LabeledSpan> + '_>> {
        if self.labels.is_empty() {
            None
        } else {
            Some(Box::new(self.labels.iter().cloned()))
        }
    }
}

fn location(file: &SourceFile, offset: u32) -> String {
    let (line, col) = file.line_col(offset as usize);
    format!("{}:{line}:{col}", file.name)
}

/// Renders every diagnostic for a person, ending with a summary line.
pub fn render_human(
    diagnostics: &Diagnostics,
    sources: &SourceMap,
    color: bool,
    width: usize,
) -> String {
    let theme = if color {
        GraphicalTheme::unicode()
    } else {
        GraphicalTheme::unicode_nocolor()
    };
    let handler = GraphicalReportHandler::new_themed(theme)
        .with_width(width)
        .with_links(false);
    let mut out = String::new();
    for diagnostic in diagnostics.iter() {
        let diagnostic = &masked(diagnostic);
        let primary_file = diagnostic
            .primary()
            .and_then(|s| sources.get(s.file).map(|f| (s.file, f)));
        let mut labels = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for (i, label) in diagnostic.labels.iter().enumerate() {
            match primary_file {
                Some((id, _)) if id == label.span.file => {
                    let text = (!label.text.is_empty()).then(|| label.text.clone());
                    let span = label.span.to_miette();
                    labels.push(if i == 0 {
                        LabeledSpan::new_primary_with_span(text, span)
                    } else {
                        LabeledSpan::new_with_span(text, span)
                    });
                }
                _ => {
                    if let Some(file) = sources.get(label.span.file) {
                        notes.push(format!(
                            "{}: {}",
                            location(file, label.span.start),
                            label.text
                        ));
                    }
                }
            }
        }
        notes.extend(diagnostic.notes.iter().cloned());
        let help = diagnostic.help.clone().unwrap_or_default();
        let report = Report {
            diagnostic,
            source: primary_file
                .map(|(_, f)| NamedSource::new(f.name.clone(), mask_secrets(&f.text).into_owned())),
            labels,
            help: (!help.is_empty()).then_some(help),
        };
        let mut text = String::new();
        if handler.render_report(&mut text, &report).is_err() {
            text = format!(
                "{}[{}]: {}\n",
                severity_word(diagnostic.severity),
                diagnostic.code,
                diagnostic.message
            );
        }
        out.push_str(text.trim_end());
        out.push('\n');
        for note in &notes {
            let _ = writeln!(out, "  = note: {note}");
        }
        let _ = write!(
            out,
            "  for more information, try `mlc explain {}`\n\n",
            diagnostic.code
        );
    }
    let (errors, warnings, notes) = (
        diagnostics.error_count(),
        diagnostics.warning_count(),
        diagnostics.note_count(),
    );
    if errors + warnings + notes > 0 {
        out.push_str(&summary(errors, warnings, notes));
        out.push('\n');
    }
    out
}

fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn summary(errors: usize, warnings: usize, notes: usize) -> String {
    let parts: Vec<String> = [(errors, "error"), (warnings, "warning"), (notes, "note")]
        .into_iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, word)| plural(n, word))
        .collect();
    format!("mlc: {}", parts.join(", "))
}

/// Version of the JSON diagnostic format; bumped on any incompatible change.
pub(crate) const JSON_FORMAT_VERSION: u32 = 2;

#[derive(Serialize)]
struct JsonPosition {
    file: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    start_byte: u32,
    end_byte: u32,
}

#[derive(Serialize)]
struct JsonLabel {
    message: String,
    #[serde(flatten)]
    position: JsonPosition,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'a str,
    severity: Severity,
    message: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<JsonPosition>,
    labels: Vec<JsonLabel>,
    #[serde(skip_serializing_if = "Option::is_none")]
    help: Option<&'a str>,
    notes: &'a [String],
}

#[derive(Serialize)]
struct JsonSummary {
    errors: usize,
    warnings: usize,
    notes: usize,
}

#[derive(Serialize)]
struct JsonReport<'a> {
    version: u32,
    diagnostics: Vec<JsonDiagnostic<'a>>,
    summary: JsonSummary,
}

fn position(sources: &SourceMap, span: crate::source::Span) -> Option<JsonPosition> {
    let file = sources.get(span.file)?;
    let (line, column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    Some(JsonPosition {
        file: file.name.clone(),
        line,
        column,
        end_line,
        end_column,
        start_byte: span.start,
        end_byte: span.end,
    })
}

/// Renders every diagnostic as one JSON document (format version [`JSON_FORMAT_VERSION`]).
pub fn render_json(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let masked_all: Vec<Diagnostic> = diagnostics.iter().map(masked).collect();
    let report = JsonReport {
        version: JSON_FORMAT_VERSION,
        diagnostics: masked_all
            .iter()
            .map(|d| JsonDiagnostic {
                code: d.code,
                severity: d.severity,
                message: &d.message,
                location: d.primary().and_then(|s| position(sources, s)),
                labels: d
                    .labels
                    .iter()
                    .filter_map(|l| {
                        position(sources, l.span).map(|position| JsonLabel {
                            message: l.text.clone(),
                            position,
                        })
                    })
                    .collect(),
                help: d.help.as_deref(),
                notes: &d.notes,
            })
            .collect(),
        summary: JsonSummary {
            errors: diagnostics.error_count(),
            warnings: diagnostics.warning_count(),
            notes: diagnostics.note_count(),
        },
    };
    let mut text = serde_json::to_string_pretty(&report).unwrap_or_else(|_| String::from("{}"));
    text.push('\n');
    text
}
