//! `autoscale`'s behaviour knobs: `keda polling=… idle-replicas=… fallback-failures=…
//! fallback-replicas=…` and `scale-up` / `scale-down window=… pods=… percent=… period=…
//! select=…`, with the bounds the APIs enforce (facts §3.1, §4).

use super::ir_scaling::{Fallback, RatePolicy, ScalingRules};
use super::reader::{Reader, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

/// Seconds of duration property `key`, reporting `E0214` outside `lo..=hi`.
fn seconds(r: &mut Reader<'_>, key: &str, lo: u64, hi: u64) -> Option<u32> {
    let d = r.duration(key)?;
    let s = d.value.seconds_ceil();
    if s < lo || s > hi || d.value.millis % 1000 != 0 {
        r.diags.push(
            Diagnostic::error(
                Code::E0214,
                format!("`{key}` must be whole seconds between {lo}s and {hi}s"),
            )
            .label(d.span, "out of range")
            .help(format!(
                "the API accepts {lo}..{hi} seconds, e.g. `{key}=\"{}s\"`",
                lo.max(30).min(hi)
            )),
        );
        return None;
    }
    u32::try_from(s).ok()
}

fn at_least_one(r: &mut Reader<'_>, key: &str) -> Option<u32> {
    let v = r.u32(key)?;
    if v.value == 0 {
        r.diags.push(
            Diagnostic::error(Code::E0214, format!("`{key}` must be at least 1"))
                .label(v.span, "zero")
                .help("a scaling policy changes at least one pod or percent per period"),
        );
        return None;
    }
    Some(v.value)
}

/// `keda …`: (polling seconds, idle replicas with its span, fallback).
pub(super) fn lower_keda(
    node: &Node,
    diags: &mut Diagnostics,
) -> (
    Option<u32>,
    Option<(u32, crate::source::Span)>,
    Option<Fallback>,
) {
    let mut r = Reader::new(
        node,
        diags,
        &[
            "polling",
            "idle-replicas",
            "fallback-failures",
            "fallback-replicas",
        ],
        0,
    );
    no_children(node, r.diags);
    let polling = seconds(&mut r, "polling", 1, 86_400);
    let idle = r.u32("idle-replicas").map(|v| (v.value, v.span));
    let failures = r.u32("fallback-failures");
    let replicas = r.u32("fallback-replicas");
    let fallback = match (failures, replicas) {
        (Some(f), Some(n)) => Some(Fallback {
            failures: f.value,
            replicas: n.value,
        }),
        (None, None) => None,
        (Some(v), None) | (None, Some(v)) => {
            r.diags.push(
                Diagnostic::error(
                    Code::E0212,
                    "`fallback-failures` and `fallback-replicas` go together",
                )
                .label(v.span, "only one of them")
                .help("KEDA's fallback needs both: e.g. `fallback-failures=3 fallback-replicas=2`"),
            );
            None
        }
    };
    (polling, idle, fallback)
}

/// `scale-up` / `scale-down`.
pub(super) fn lower_rules(node: &Node, diags: &mut Diagnostics) -> ScalingRules {
    let mut r = Reader::new(
        node,
        diags,
        &["window", "pods", "percent", "period", "select"],
        0,
    );
    no_children(node, r.diags);
    let window_seconds = seconds(&mut r, "window", 0, 3600);
    let period_seconds = seconds(&mut r, "period", 1, 1800).unwrap_or(15);
    let mut policies = Vec::new();
    for (key, kind) in [("pods", "Pods"), ("percent", "Percent")] {
        if let Some(value) = at_least_one(&mut r, key) {
            policies.push(RatePolicy {
                kind,
                value,
                period_seconds,
            });
        }
    }
    if policies.is_empty()
        && let Some(v) = r.value("period")
    {
        let span = v.span;
        r.diags.push(
            Diagnostic::error(Code::E0212, "`period` needs `pods` or `percent`")
                .label(span, "period of no policy")
                .help("write e.g. `pods=4 period=\"15s\"`, or remove `period`"),
        );
    }
    let select = r
        .value("select")
        .and_then(|v| {
            r.choice_of(
                Some(v),
                "select policy",
                &[("max", "Max"), ("min", "Min"), ("disabled", "Disabled")],
            )
        })
        .map(|s| s.value);
    ScalingRules {
        window_seconds,
        policies,
        select,
    }
}
