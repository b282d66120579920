//! Lowering `cluster`, `gpu-model` and `pool` nodes.

use std::collections::BTreeMap;

use super::catalog;
use super::grammar;
use super::ir::{
    Cluster, GpuRef, MigLayout, Oversubscription, OversubscriptionKind, Pool, PriorityClass,
    Sharing, Spanned, Taint,
};
use super::reader::{Reader, check_children, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::syntax::Node;

/// Lowers `cluster NAME [gpu-operator-namespace=…]`.
pub(crate) fn lower_cluster(node: &Node, diags: &mut Diagnostics) -> Option<Cluster> {
    let mut r = Reader::new(node, diags, &["gpu-operator-namespace"], 1);
    let name = r.arg_str(0);
    let ns = r
        .str("gpu-operator-namespace")
        .map_or_else(|| "gpu-operator".to_owned(), |s| s.value);
    if name.is_none() && node.args.is_empty() {
        r.missing("a name", "cluster gpu-east");
    }
    check_children(node, diags, &grammar::CLUSTER);
    let mut priority_classes: Vec<PriorityClass> = Vec::new();
    for child in node.children() {
        let mut c = Reader::new(child, diags, &["value", "preemption", "description"], 1);
        no_children(child, c.diags);
        let class = c.arg_str(0);
        let value = c.i64_of(c.value("value"));
        let preemption = c
            .choice_of(
                c.value("preemption"),
                "preemption policy",
                &[
                    ("PreemptLowerPriority", "PreemptLowerPriority"),
                    ("Never", "Never"),
                ],
            )
            .map_or("PreemptLowerPriority", |p| p.value);
        let description = c.str("description").map(|d| d.value);
        let (Some(class), Some(value)) = (class, value) else {
            if child.args.is_empty() || child.prop("value").is_none() {
                c.missing("a name and `value`", "priority-class ml-high value=100000");
            }
            continue;
        };
        if !(-2_147_483_648..=1_000_000_000).contains(&value.value) {
            c.diags.push(
                Diagnostic::error(
                    Code::E0214,
                    format!("priority {} is out of range", value.value),
                )
                .label(value.span, "user priorities are at most 1000000000")
                .help(
                    "pick a value up to 1000000000; higher values are reserved for system classes",
                ),
            );
            continue;
        }
        if super::names::check_name("priority class", &class, c.diags) {
            priority_classes.push(PriorityClass {
                name: class.value,
                value: i32::try_from(value.value).unwrap_or(0),
                preemption: preemption.to_owned(),
                description,
            });
        }
    }
    Some(Cluster {
        name: name?,
        gpu_operator_namespace: ns,
        declared: true,
        priority_classes,
    })
}

/// A GPU declared by the project: `gpu-model NAME usable-memory="22Gi" { product-label "…" }`.
pub(crate) fn lower_gpu_model(
    node: &Node,
    diags: &mut Diagnostics,
) -> Option<(Spanned<String>, GpuRef)> {
    let mut r = Reader::new(node, diags, &["usable-memory"], 1);
    let name = r.arg_str(0);
    let memory = r.quantity("usable-memory");
    check_children(node, diags, &grammar::GPU_MODEL);
    let mut labels = Vec::new();
    for child in node.children().iter().filter(|c| c.name == "product-label") {
        let mut c = Reader::new(child, diags, &[], 1);
        no_children(child, c.diags);
        match c.arg_str(0) {
            Some(l) => labels.push(l.value),
            None => c.missing("a label value", "product-label \"NVIDIA-L4\""),
        }
    }
    let Some(name) = name else {
        Reader::new(node, diags, &["usable-memory"], 1).missing("a name", "gpu-model \"L4-24GB\"");
        return None;
    };
    let gpu = GpuRef::Declared {
        name: name.value.clone(),
        product_labels: labels,
        usable_gib: memory.map(|m| m.value.value / 1_073_741_824.0),
    };
    Some((name, gpu))
}

/// Lowers a `pool` node; `declared` holds the project's own GPU models.
pub(crate) fn lower_pool(
    node: &Node,
    declared: &BTreeMap<String, GpuRef>,
    diags: &mut Diagnostics,
) -> Option<Pool> {
    let mut r = Reader::new(node, diags, &["cluster", "price-per-hour"], 1);
    let name = r.arg_str(0);
    let cluster = r.str("cluster");
    let price = r.str("price-per-hour");
    let head = r.span();
    if name.is_none() {
        r.missing(
            "a name",
            "pool h100 cluster=gpu-east { gpu \"H100-80GB\" per-node=8 nodes=2 }",
        );
    }
    let price_per_hour = price.and_then(|p| match p.value.parse::<f64>() {
        Ok(v) if v.is_finite() && v >= 0.0 && !p.value.starts_with('+') => Some(Spanned::new(v, p.span)),
        _ => {
            diags.push(
                Diagnostic::error(Code::E0225, format!("`price-per-hour=\"{}\"` is not a price", p.value))
                    .label(p.span, "expected a decimal number of at least 0")
                    .help("write the price of one unit of the pool (a GPU, a MIG slice or a shared replica) per hour, such as `price-per-hour=\"2.48\"`"),
            );
            None
        }
    });
    check_children(node, diags, &grammar::POOL);
    let mut gpu = None;
    let mut per_node = None;
    let mut nodes = None;
    let mut sharing = Sharing::Whole;
    let mut oversubscription = None;
    let mut taints = Vec::new();
    let mut node_labels = BTreeMap::new();
    let mut node_selector = BTreeMap::new();
    let mut runtime_class = None;
    for child in node.children() {
        match child.name.as_str() {
            "gpu" => {
                let mut c = Reader::new(child, diags, &["per-node", "nodes"], 1);
                no_children(child, c.diags);
                per_node = c.u32("per-node");
                nodes = c.u32("nodes");
                if let Some(model) = c.arg_str(0) {
                    gpu = resolve_gpu(&model, declared, c.diags);
                } else {
                    c.missing("a GPU model", "gpu \"H100-80GB\" per-node=8 nodes=2");
                }
            }
            "mig" => sharing = lower_mig(child, diags).unwrap_or(Sharing::Whole),
            "time-slicing" | "mps" => {
                let kind = if child.name == "mps" {
                    OversubscriptionKind::Mps
                } else {
                    OversubscriptionKind::TimeSlicing
                };
                let mut c = Reader::new(child, diags, &["replicas", "rename"], 0);
                no_children(child, c.diags);
                let rename = c.bool("rename").is_some_and(|b| b.value);
                match c.u32("replicas") {
                    Some(replicas) => {
                        if oversubscription.is_some() {
                            c.diags.push(
                                Diagnostic::error(
                                    Code::E0212,
                                    "a pool cannot use both time-slicing and MPS",
                                )
                                .label(child.name_span, "second sharing mode")
                                .help("keep `time-slicing` or `mps`, not both"),
                            );
                        }
                        oversubscription = Some(Oversubscription {
                            kind,
                            replicas,
                            rename,
                            span: child.head_span(),
                        });
                    }
                    None => c.missing("`replicas`", &format!("{} replicas=4", child.name)),
                }
            }
            "taint" => {
                let mut c = Reader::new(child, diags, &["value", "effect"], 1);
                no_children(child, c.diags);
                let key = c.arg_str(0);
                let value = c.str("value").map(|v| v.value);
                let effect = c
                    .choice_of(
                        c.value("effect"),
                        "taint effect",
                        &[
                            ("NoSchedule", "NoSchedule"),
                            ("PreferNoSchedule", "PreferNoSchedule"),
                            ("NoExecute", "NoExecute"),
                        ],
                    )
                    .map_or("NoSchedule", |e| e.value);
                match key {
                    Some(key) => taints.push(Taint {
                        key: key.value,
                        value,
                        effect: effect.to_owned(),
                    }),
                    None => c.missing("a taint key", "taint \"nvidia.com/gpu\""),
                }
            }
            "node-labels" | "node-selector" => {
                let mut c = Reader::free(child, diags, 0);
                let target = if child.name == "node-labels" {
                    &mut node_labels
                } else {
                    &mut node_selector
                };
                for (k, v) in c.string_props() {
                    target.insert(k, v.value);
                }
                no_children(child, diags);
            }
            "runtime-class" => {
                let mut c = Reader::new(child, diags, &[], 1);
                no_children(child, c.diags);
                runtime_class = c.arg_str(0).map(|s| s.value);
            }
            _ => {}
        }
    }
    let name = name?;
    let cluster = cluster.unwrap_or_else(|| Spanned::new("default".to_owned(), head));
    let Some(gpu) = gpu else {
        if !node.children().iter().any(|c| c.name == "gpu") {
            Reader::new(node, diags, &["cluster"], 1).missing(
                "a `gpu` child",
                "pool h100 { gpu \"H100-80GB\" per-node=8 nodes=2 }",
            );
        }
        return None;
    };
    Some(Pool {
        name,
        cluster,
        gpu,
        per_node: per_node.unwrap_or(Spanned::new(1, head)),
        nodes: nodes.unwrap_or(Spanned::new(1, head)),
        sharing,
        oversubscription,
        taints,
        node_labels,
        node_selector,
        runtime_class,
        price_per_hour,
        span: head,
    })
}

fn resolve_gpu(
    model: &Spanned<String>,
    declared: &BTreeMap<String, GpuRef>,
    diags: &mut Diagnostics,
) -> Option<Spanned<GpuRef>> {
    if let Some(gpu) = declared.get(&model.value) {
        return Some(Spanned::new(gpu.clone(), model.span));
    }
    if let Some(spec) = catalog::lookup(&model.value) {
        return Some(Spanned::new(GpuRef::Catalog(spec), model.span));
    }
    let mut candidates: Vec<&str> = declared.keys().map(String::as_str).collect();
    for n in catalog::names() {
        candidates.push(n);
    }
    let help = did_you_mean(&model.value, candidates.iter().copied()).unwrap_or_else(|| {
        "declare it with `gpu-model \"NAME\" usable-memory=\"…\" { product-label \"…\" }`, or use a catalog GPU (`mlc explain E0211` lists them)"
            .to_owned()
    });
    diags.push(
        Diagnostic::error(Code::E0211, format!("unknown GPU model `{}`", model.value))
            .label(model.span, "not in the catalog nor declared")
            .help(help),
    );
    None
}

/// `mig mixed "all-balanced"`, `mig mixed { "1g.10gb" 3 }` or `mig single "1g.10gb"`.
fn lower_mig(node: &Node, diags: &mut Diagnostics) -> Option<Sharing> {
    let mut r = Reader::new(node, diags, &[], 2);
    let strategy = r.choice_of(
        r.arg(0),
        "MIG strategy",
        &[("mixed", true), ("single", false)],
    );
    let Some(strategy) = strategy else {
        if node.args.is_empty() {
            r.missing("a strategy", "mig mixed \"all-balanced\"");
        }
        return None;
    };
    let arg = r.arg_str(1);
    if !strategy.value {
        no_children(node, diags);
        return match arg {
            Some(profile) => Some(Sharing::MigSingle(profile)),
            None => {
                Reader::new(node, diags, &[], 2).missing("a profile", "mig single \"1g.10gb\"");
                None
            }
        };
    }
    let mut counts = BTreeMap::new();
    for child in node.children() {
        let mut c = Reader::new(child, diags, &[], 1);
        no_children(child, c.diags);
        match c.u32_of(c.arg(0)) {
            Some(n) => {
                if counts
                    .insert(child.name.clone(), Spanned::new(n.value, child.head_span()))
                    .is_some()
                {
                    c.diags.push(
                        Diagnostic::error(
                            Code::E0107,
                            format!("MIG profile `{}` listed more than once", child.name),
                        )
                        .label(child.name_span, "listed again here")
                        .help("give each profile once, with its count per GPU"),
                    );
                }
            }
            None if child.args.is_empty() => c.missing("a count", "\"1g.10gb\" 7"),
            None => {}
        }
    }
    let config = match (&arg, counts.is_empty()) {
        (Some(name), true) => Some(name.value.clone()),
        (None, true) => {
            Reader::new(node, diags, &[], 2).missing(
                "a layout",
                "mig mixed \"all-balanced\"` or `mig mixed { \"1g.10gb\" 3; \"2g.20gb\" 2 }",
            );
            return None;
        }
        (Some(name), false) => {
            diags.push(
                Diagnostic::error(Code::E0212, "a MIG layout is given both by name and by profile counts")
                    .label(name.span, "named layout")
                    .help("keep the named mig-parted config or the `{ \"profile\" count }` block, not both"),
            );
            None
        }
        (None, false) => None,
    };
    let span = arg.as_ref().map_or(node.head_span(), |a| a.span);
    Some(Sharing::MigMixed(MigLayout {
        config,
        counts,
        span,
    }))
}
