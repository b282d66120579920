//! SARIF 2.1.0 output for code scanning (GitHub, GitLab): one run, the registered codes as
//! rules, each diagnostic a result with its physical location.

use serde_json::{Value, json};

use super::{Diagnostic, Diagnostics, REGISTRY, Severity};
use crate::source::{SourceMap, Span};

fn region(sources: &SourceMap, span: Span) -> Option<Value> {
    let file = sources.get(span.file)?;
    let (start_line, start_column) = file.line_col(span.start as usize);
    let (end_line, end_column) = file.line_col(span.end as usize);
    Some(json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file.name, "uriBaseId": "PROJECTROOT" },
            "region": {
                "startLine": start_line,
                "startColumn": start_column,
                "endLine": end_line,
                "endColumn": end_column.max(start_column + usize::from(end_line == start_line))
            }
        }
    }))
}

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

fn result(d: &Diagnostic, sources: &SourceMap) -> Value {
    // No credential-looking literal in the log (the source itself is not copied into it).
    let d = &super::render::masked(d);
    let mut text = d.message.clone();
    if let Some(help) = &d.help {
        text.push_str("\nhelp: ");
        text.push_str(help);
    }
    for note in &d.notes {
        text.push_str("\nnote: ");
        text.push_str(note);
    }
    let rule_index = REGISTRY.iter().position(|c| c.code == d.code).unwrap_or(0);
    let mut result = json!({
        "ruleId": d.code,
        "ruleIndex": rule_index,
        "level": level(d.severity),
        "message": { "text": text },
    });
    let mut labels = d
        .labels
        .iter()
        .filter_map(|l| region(sources, l.span).map(|r| (l, r)));
    if let Some((_, primary)) = labels.next() {
        result["locations"] = json!([primary]);
        let related: Vec<Value> = labels
            .enumerate()
            .map(|(i, (label, mut r))| {
                r["id"] = json!(i + 1);
                r["message"] = json!({ "text": if label.text.is_empty() { "related" } else { label.text.as_str() } });
                r
            })
            .collect();
        if !related.is_empty() {
            result["relatedLocations"] = json!(related);
        }
    }
    result
}

/// Renders every diagnostic as a SARIF 2.1.0 log.
pub fn render_sarif(diagnostics: &Diagnostics, sources: &SourceMap) -> String {
    let rules: Vec<Value> = REGISTRY
        .iter()
        .map(|c| {
            json!({
                "id": c.code,
                "shortDescription": { "text": c.title },
                "fullDescription": { "text": c.title },
                "help": { "text": format!("mlc explain {}", c.code), "markdown": c.explanation },
                "defaultConfiguration": { "level": level(c.severity) }
            })
        })
        .collect();
    let results: Vec<Value> = diagnostics.iter().map(|d| result(d, sources)).collect();
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "mlc",
                    "version": env!("CARGO_PKG_VERSION"),
                    "rules": rules
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results
        }]
    });
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}
