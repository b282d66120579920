//! A model's `canary` variants: their share of traffic, their artifact and what they need
//! of their own (`min=`, `resources`, `accelerator`, `env`, `runtime image=`), and the
//! stable variant's name (`stable`).

use std::collections::BTreeMap;

use super::grammar;
use super::ir::{Canary, Spanned};
use super::lower_artifact::lower_artifact;
use super::lower_pod::{lower_accelerator, lower_env, lower_resources};
use super::reader::{Reader, check_children, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

const EXAMPLE: &str = "canary v2 percent=10 { artifact \"s3://…\" }";

fn lower_canary(node: &Node, diags: &mut Diagnostics) -> Option<Canary> {
    let mut r = Reader::new(node, diags, &["percent", "min"], 1);
    let name = r.arg_str(0);
    let percent = r.i64_of(r.value("percent"));
    if percent.is_none() && r.value("percent").is_none() {
        r.missing("`percent`", EXAMPLE);
    }
    let min = r.u32("min");
    let mut sizing = Vec::new();
    if let Some(m) = &min {
        sizing.push(("min", m.span));
    }
    check_children(node, diags, &grammar::CANARY);
    let find = |n: &str| node.children().iter().find(|c| c.name == n);
    let artifact = match find("artifact") {
        Some(a) => lower_artifact(a, diags),
        None => {
            Reader::new(node, diags, &["percent", "min"], 1).missing("an `artifact`", EXAMPLE);
            None
        }
    };
    let version = find("version").and_then(|c| {
        let mut r = Reader::new(c, diags, &[], 1);
        r.arg_str(0).map(|s| s.value)
    });
    let resources = find("resources").map(|c| {
        sizing.push(("resources", c.head_span()));
        lower_resources(c, diags)
    });
    let accelerator = find("accelerator").and_then(|c| {
        sizing.push(("accelerator", c.head_span()));
        lower_accelerator(c, diags)
    });
    let mut env = BTreeMap::new();
    for c in node.children().iter().filter(|c| c.name == "env") {
        sizing.push(("env", c.head_span()));
        if let Some((k, v)) = lower_env(c, diags) {
            env.insert(k, v);
        }
    }
    let image = find("runtime").and_then(|c| {
        sizing.push(("runtime", c.head_span()));
        let mut r = Reader::new(c, diags, &["image"], 0);
        no_children(c, r.diags);
        let image = r.str("image");
        if image.is_none() && c.prop("image").is_none() {
            r.missing("an `image`", "runtime image=\"ghcr.io/acme/server:2\"");
        }
        image
    });
    if name.is_none() && node.args.is_empty() {
        Reader::new(node, diags, &["percent", "min"], 1).missing("a name", EXAMPLE);
    }
    Some(Canary {
        name: name?,
        percent: percent?,
        artifact: artifact?,
        version,
        min,
        resources,
        accelerator,
        env,
        image,
        sizing,
        span: node.head_span(),
    })
}

/// Every `canary`, each name checked and defined once, and none named like the stable
/// variant.
pub(super) fn lower_canaries(
    children: &[Node],
    stable: Option<&Spanned<String>>,
    diags: &mut Diagnostics,
) -> Vec<Canary> {
    let mut canaries: Vec<Canary> = Vec::new();
    for c in children.iter().filter(|c| c.name == "canary") {
        if let Some(canary) = lower_canary(c, diags) {
            if !super::names::check_name("canary", &canary.name, diags) {
                continue;
            }
            let clash = match canaries.iter().find(|k| k.name.value == canary.name.value) {
                Some(first) => Some((
                    format!("canary `{}` is defined more than once", canary.name.value),
                    first.name.span,
                    "first defined here",
                    "each canary predictor needs its own name",
                )),
                None => stable.filter(|s| s.value == canary.name.value).map(|s| {
                    (
                        format!(
                            "canary `{}` has the stable variant's name",
                            canary.name.value
                        ),
                        s.span,
                        "the stable variant's name",
                        "each variant (the stable one and every canary) needs its own name",
                    )
                }),
            };
            if let Some((message, span, what, help)) = clash {
                diags.push(
                    Diagnostic::error(Code::E0202, message)
                        .label(canary.name.span, "defined again here")
                        .label(span, what)
                        .help(help),
                );
                continue;
            }
            canaries.push(canary);
        }
    }
    canaries
}

/// `stable NAME`: the stable variant's own name, a DNS-1035 label.
pub(super) fn lower_stable(node: &Node, diags: &mut Diagnostics) -> Option<Spanned<String>> {
    let mut r = Reader::new(node, diags, &[], 1);
    no_children(node, r.diags);
    let name = r.arg_str(0);
    if name.is_none() && node.args.is_empty() {
        r.missing("a name", "stable v3");
    }
    let name = name?;
    super::names::check_name("variant", &name, diags).then_some(name)
}
