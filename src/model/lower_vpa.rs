//! `vpa mode=… controls=… min-cpu=… min-memory=… max-cpu=… max-memory=…`: a
//! VerticalPodAutoscaler (`autoscaling.k8s.io/v1`, facts: observability-traffic §1).

use super::ir_scaling::Vpa;
use super::reader::{Reader, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

pub(super) fn lower_vpa(node: &Node, diags: &mut Diagnostics) -> Option<Vpa> {
    let mut r = Reader::new(
        node,
        diags,
        &[
            "mode",
            "controls",
            "min-cpu",
            "min-memory",
            "max-cpu",
            "max-memory",
        ],
        0,
    );
    no_children(node, r.diags);
    let mode = match r.value("mode") {
        Some(v) if v.as_str() == Some("Auto") => {
            let span = v.span;
            r.diags.push(
                Diagnostic::error(Code::E0206, "VPA mode `Auto` is deprecated")
                    .label(span, "deprecated")
                    .help("`Auto` currently means `Recreate` and will be removed: write `mode=Recreate`, or `InPlaceOrRecreate`"),
            );
            return None;
        }
        Some(v) => {
            r.choice_of(
                Some(v),
                "VPA mode",
                &[
                    ("Off", "Off"),
                    ("Initial", "Initial"),
                    ("Recreate", "Recreate"),
                    ("InPlaceOrRecreate", "InPlaceOrRecreate"),
                ],
            )?
            .value
        }
        None => "Off",
    };
    let controls = match r.str("controls") {
        Some(c) => {
            let mut list = Vec::new();
            for word in c.value.split(',').map(str::trim) {
                let Some(res) = ["cpu", "memory"].into_iter().find(|x| *x == word) else {
                    r.diags.push(
                        Diagnostic::error(Code::E0206, format!("a VPA cannot control `{word}`"))
                            .label(c.span, "expected `cpu`, `memory` or `cpu,memory`")
                            .help("a VPA sizes cpu and memory only, never GPUs: write e.g. `controls=memory`"),
                    );
                    return None;
                };
                if !list.contains(&res) {
                    list.push(res);
                }
            }
            list.sort_unstable();
            Some((list, c.span))
        }
        None => None,
    };
    let mut bound = |key: &str, res: &'static str, out: &mut Vec<(&'static str, String)>| {
        if let Some(q) = r.quantity(key) {
            out.push((res, q.value.text));
        }
    };
    let (mut min_allowed, mut max_allowed) = (Vec::new(), Vec::new());
    bound("min-cpu", "cpu", &mut min_allowed);
    bound("min-memory", "memory", &mut min_allowed);
    bound("max-cpu", "cpu", &mut max_allowed);
    bound("max-memory", "memory", &mut max_allowed);
    Some(Vpa {
        mode,
        controls,
        min_allowed,
        max_allowed,
        span: node.head_span(),
    })
}
