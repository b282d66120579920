//! Reading one `monitoring` node into a [`MonitoringSpec`].

use super::{
    AlertKind, AlertSpec, DashboardSpec, MonitorKind, MonitoringSpec, Severity, Threshold,
};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::grammar;
use crate::model::ir::Spanned;
use crate::model::lower_model::string_map;
use crate::model::reader::{Reader, check_children, no_children};
use crate::model::units::Duration;
use crate::syntax::{Node, ValueKind};

/// Lowers a `monitoring` node; `dashboard` is accepted only where `allow_dashboard` (the
/// project and environment levels: the dashboard is one per environment).
pub(crate) fn lower_monitoring(
    node: &Node,
    allow_dashboard: bool,
    diags: &mut Diagnostics,
) -> MonitoringSpec {
    let mut r = Reader::new(node, diags, &["monitor", "interval", "scrape-timeout"], 0);
    let monitor = r
        .choice_of(r.value("monitor"), "monitor kind", MonitorKind::ALL)
        .map(|m| m.value);
    let interval = r.duration("interval");
    let scrape_timeout = r.duration("scrape-timeout");
    let grammar = if allow_dashboard {
        &grammar::MONITORING
    } else {
        &grammar::MODEL_MONITORING
    };
    check_children(node, diags, grammar);
    let mut spec = MonitoringSpec {
        monitor,
        interval,
        scrape_timeout,
        span: Some(node.head_span()),
        ..MonitoringSpec::default()
    };
    if !allow_dashboard && let Some(d) = node.children().iter().find(|c| c.name == "dashboard") {
        diags.push(
            Diagnostic::error(
                Code::E0102,
                "`dashboard` is set per environment, not per model",
            )
            .label(d.name_span, "not allowed in a model's `monitoring`")
            .help("move it to the project's or the environment's `monitoring` block"),
        );
    }
    for child in node.children() {
        match child.name.as_str() {
            "select" => spec.select.extend(string_map(child, diags)),
            "labels" => spec.labels.extend(string_map(child, diags)),
            "dashboard" if allow_dashboard => spec.dashboard = lower_dashboard(child, diags),
            "alert" => {
                if let Some((kind, alert)) = lower_alert(child, diags) {
                    spec.alerts.entry(kind).or_default().merge(&alert);
                }
            }
            _ => {}
        }
    }
    spec
}

fn lower_dashboard(node: &Node, diags: &mut Diagnostics) -> DashboardSpec {
    let mut r = Reader::new(
        node,
        diags,
        &[
            "enabled",
            "namespace",
            "label",
            "label-value",
            "folder",
            "folder-annotation",
        ],
        0,
    );
    no_children(node, r.diags);
    let namespace = r.str("namespace");
    if let Some(ns) = &namespace {
        crate::model::names::check_name("namespace", ns, r.diags);
    }
    DashboardSpec {
        enabled: r.bool("enabled").map(|b| b.value),
        namespace,
        label: r.str("label").map(|s| s.value),
        label_value: r.str("label-value").map(|s| s.value),
        folder: r.str("folder").map(|s| s.value),
        folder_annotation: r.str("folder-annotation").map(|s| s.value),
    }
}

fn lower_alert(node: &Node, diags: &mut Diagnostics) -> Option<(AlertKind, AlertSpec)> {
    let kind = {
        let mut r = Reader::free(node, diags, 1);
        let kind = r.choice_of(r.arg(0), "alert", AlertKind::ALL);
        if kind.is_none() && node.args.is_empty() {
            r.missing("an alert name", "alert latency threshold=\"500ms\"");
        }
        kind?.value
    };
    let props: &[&str] = match kind {
        AlertKind::Latency => &["enabled", "threshold", "quantile", "for", "severity"],
        AlertKind::Saturation => &["enabled", "for", "severity"],
        _ => &["enabled", "threshold", "for", "severity"],
    };
    let mut r = Reader::new(node, diags, props, 1);
    check_children(node, r.diags, &grammar::ALERT);
    let mut alert = AlertSpec {
        enabled: r.bool("enabled").map(|b| b.value),
        for_: r.duration("for").map(|d| d.value),
        severity: r
            .choice_of(r.value("severity"), "severity", Severity::ALL)
            .map(|s| s.value),
        span: Some(node.head_span()),
        ..AlertSpec::default()
    };
    if let Some(v) = r.value("quantile") {
        let q = match v.kind {
            ValueKind::Float(f) => Some(f),
            _ => None,
        };
        match q {
            Some(q) if q > 0.0 && q < 1.0 => alert.quantile = Some(q),
            Some(q) => r.diags.push(
                Diagnostic::error(Code::E0214, format!("quantile {q} is out of range"))
                    .label(v.span, "expected a number between 0 and 1")
                    .help("write e.g. `quantile=0.95` or `quantile=0.99`"),
            ),
            None => r.diags.push(
                Diagnostic::error(
                    Code::E0104,
                    format!("expected a number, found {}", v.display()),
                )
                .label(v.span, "expected a number between 0 and 1")
                .help("write e.g. `quantile=0.95` (no quotes)"),
            ),
        }
    }
    if let Some(v) = r.value("threshold") {
        alert.threshold = threshold(kind, v, r.diags);
    }
    for child in node.children().iter().filter(|c| c.name == "labels") {
        alert.labels.extend(string_map(child, diags));
    }
    Some((kind, alert))
}

fn threshold(
    kind: AlertKind,
    v: &crate::syntax::Value,
    diags: &mut Diagnostics,
) -> Option<Spanned<Threshold>> {
    let number = match v.kind {
        ValueKind::Integer(i) => i32::try_from(i).ok().map(f64::from),
        ValueKind::Float(f) => Some(f),
        _ => None,
    };
    if kind == AlertKind::Latency {
        let Some(text) = v.as_str() else {
            diags.push(
                Diagnostic::error(
                    Code::E0104,
                    format!("expected a duration, found {}", v.display()),
                )
                .label(v.span, "expected a duration string")
                .help("write the latency with its unit, e.g. `threshold=\"500ms\"`"),
            );
            return None;
        };
        return match Duration::parse(text) {
            Some(d) if d.millis > 0 => Some(Spanned::new(Threshold::Duration(d), v.span)),
            _ => {
                diags.push(
                    Diagnostic::error(Code::E0205, format!("invalid duration `{text}`"))
                        .label(v.span, "not a duration above 0")
                        .help("write whole numbers with units `ms`, `s`, `m` or `h`, e.g. `\"500ms\"`"),
                );
                None
            }
        };
    }
    let Some(n) = number else {
        diags.push(
            Diagnostic::error(
                Code::E0104,
                format!("expected a number, found {}", v.display()),
            )
            .label(v.span, "expected a number")
            .help(if kind == AlertKind::Queue {
                "write the number of waiting requests, e.g. `threshold=50`"
            } else {
                "write a percentage without `%` or quotes, e.g. `threshold=1` or `threshold=0.5`"
            }),
        );
        return None;
    };
    let (ok, range) = match kind {
        AlertKind::Queue => (n >= 1.0, "at least 1"),
        _ => (
            n > 0.0 && n <= 100.0,
            "a percentage above 0 and at most 100",
        ),
    };
    if !ok {
        diags.push(
            Diagnostic::error(Code::E0214, format!("threshold {n} is out of range"))
                .label(v.span, format!("expected {range}"))
                .help("write e.g. `threshold=1` (1 %)"),
        );
        return None;
    }
    Some(Spanned::new(Threshold::Number(n), v.span))
}
