//! GPU pools and accelerator requests (DESIGN §8.8, facts §1.4–1.9).

use std::collections::BTreeMap;
use std::path::Path;

use crate::diagnostics::{Code, Diagnostic, Diagnostics, closest, did_you_mean};
use crate::model::catalog::{MigProfile, MigSpec};
use crate::model::plan::Plan;
use crate::model::{
    AcceleratorKind, Environment, Model, OversubscriptionKind, Pool, Project, Sharing, Spanned,
};
use crate::model::{layout_counts, named_layout};
use crate::source::Span;

fn layout_names(mig: &MigSpec) -> Vec<String> {
    let mut names: Vec<String> = mig
        .profiles
        .iter()
        .map(|p| format!("all-{}", p.name.replace('+', ".")))
        .collect();
    if !mig.balanced.is_empty() {
        names.insert(0, "all-balanced".to_owned());
    }
    names
}

/// Why `profile` is not shaped like a MIG profile (`<N>g.<M>gb`, optionally `+me`/`+gfx`
/// or `-me`), if it is not.
fn malformed_profile(profile: &str) -> Option<&'static str> {
    if profile.starts_with("mig-") {
        return Some("the `mig-` prefix belongs to the resource name, not the profile");
    }
    let base = profile.split(['+', '-']).next().unwrap_or_default();
    let shaped = base.split_once("g.").is_some_and(|(g, m)| {
        !g.is_empty()
            && g.bytes().all(|b| b.is_ascii_digit())
            && m.strip_suffix("gb")
                .is_some_and(|m| !m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
    });
    (!shaped).then_some("a MIG profile is `<N>g.<M>gb` (compute instances such as `1c.3g.20gb` are not device profiles)")
}

/// The E0301 diagnostic: `profile` is not a MIG profile of `gpu`.
fn unknown_profile(gpu: &str, mig: Option<&MigSpec>, profile: &Spanned<String>) -> Diagnostic {
    let Some(mig) = mig else {
        return Diagnostic::error(Code::E0301, format!("`{gpu}` does not support MIG"))
            .label(profile.span, "MIG profile on a GPU without MIG")
            .help("MIG needs an A30, A100, H100, H200, B200-class or RTX PRO 6000 GPU; use `gpus=N` or time-slicing on this pool");
    };
    let names = mig.names();
    if let Some(problem) = malformed_profile(&profile.value) {
        let stripped = profile.value.trim_start_matches("mig-");
        let help = match closest(stripped, names.iter().copied()) {
            Some(best) => format!("write a profile as `<N>g.<M>gb`, e.g. `{best}`"),
            None => "write a profile as `<N>g.<M>gb`, e.g. `1g.10gb`".to_owned(),
        };
        return Diagnostic::error(
            Code::E0301,
            format!("malformed MIG profile `{}`: {problem}", profile.value),
        )
        .label(profile.span, "not a MIG profile name")
        .note(format!(
            "`{gpu}` offers: {}",
            names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .help(help);
    }
    let listed = names
        .iter()
        .map(|n| format!("`{n}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let d = Diagnostic::error(
        Code::E0301,
        format!("MIG profile `{}` does not exist on `{gpu}`", profile.value),
    )
    .label(profile.span, format!("not a `{gpu}` profile"))
    .note(format!("`{gpu}` offers: {listed}"));
    match closest(&profile.value, names.iter().copied()) {
        Some(best) => d.help(format!("did you mean `{best}`?")),
        None => d.help(format!("use one of the profiles of `{gpu}`")),
    }
}

/// Pool-level rules: counts, MIG geometry, sharing, selectors, taints.
pub(crate) fn check_pools(project: &Project, diags: &mut Diagnostics) {
    for pool in project.pools.values() {
        for count in [&pool.per_node, &pool.nodes] {
            if count.value == 0 {
                diags.push(
                    Diagnostic::error(
                        Code::E0306,
                        "a pool needs at least one GPU per node and one node",
                    )
                    .label(count.span, "zero")
                    .help("write e.g. `gpu \"H100-80GB\" per-node=8 nodes=2`"),
                );
            }
        }
        let gpu = pool.gpu.value.name().to_owned();
        let mig = pool.gpu.value.mig();
        match &pool.sharing {
            Sharing::Whole => {}
            Sharing::MigSingle(profile) => {
                if mig.and_then(|m| m.profile(&profile.value)).is_none() {
                    diags.push(unknown_profile(&gpu, mig, profile));
                }
            }
            Sharing::MigMixed(layout) => check_layout(pool, &gpu, mig, layout, diags),
        }
        if let Some(over) = &pool.oversubscription {
            let is_mig = !matches!(pool.sharing, Sharing::Whole);
            match over.kind {
                OversubscriptionKind::Mps if is_mig => diags.push(
                    Diagnostic::error(Code::E0304, "MPS cannot share MIG devices")
                        .label(over.span, "MPS on a MIG pool")
                        .help("use `time-slicing replicas=N` to share MIG slices, or drop `mig` to use MPS on whole GPUs"),
                ),
                OversubscriptionKind::Mps if !(2..=48).contains(&over.replicas.value) => diags.push(
                    Diagnostic::error(Code::E0305, format!("MPS replicas must be 2 to 48, found {}", over.replicas.value))
                        .label(over.replicas.span, "out of range")
                        .help("the device plugin allows at most 48 MPS clients per GPU"),
                ),
                OversubscriptionKind::TimeSlicing if over.replicas.value < 2 => diags.push(
                    Diagnostic::error(Code::E0305, format!("time-slicing replicas must be at least 2, found {}", over.replicas.value))
                        .label(over.replicas.span, "too few")
                        .help("the device plugin rejects replicas below 2; remove `time-slicing` to use whole GPUs"),
                ),
                _ => {}
            }
        }
        let gpu_known_labels = !pool.gpu.value.product_labels().is_empty();
        if !gpu_known_labels && pool.node_selector.is_empty() {
            diags.push(
                Diagnostic::error(Code::E0317, format!("no node labels are known for `{gpu}`"))
                    .label(pool.gpu.span, "GPU without known product labels")
                    .help("give the pool its own selector, e.g. `node-selector \"nvidia.com/gpu.product\"=\"NVIDIA-L4\"`"),
            );
        }
        if pool.taints.is_empty() {
            diags.push(
                Diagnostic::warning(Code::W0303, format!("GPU pool `{}` has no taint", pool.name.value))
                    .label(pool.name.span, "untainted GPU pool")
                    .help("add `taint \"nvidia.com/gpu\"` so CPU-only pods stay off these nodes (they would see every GPU)"),
            );
        }
    }
}

fn check_layout(
    pool: &Pool,
    gpu: &str,
    mig: Option<&MigSpec>,
    layout: &crate::model::MigLayout,
    diags: &mut Diagnostics,
) {
    let Some(mig_spec) = mig else {
        diags.push(
            Diagnostic::error(Code::E0301, format!("`{gpu}` does not support MIG"))
                .label(layout.span, "MIG layout on a GPU without MIG")
                .help("use whole GPUs or time-slicing on this pool"),
        );
        return;
    };
    if let Some(name) = &layout.config {
        if named_layout(mig_spec, name).is_none() {
            let names = layout_names(mig_spec);
            let help = did_you_mean(name, names.iter().map(String::as_str))
                .unwrap_or_else(|| format!("mig-parted configs for `{gpu}`: {}", names.join(", ")));
            diags.push(
                Diagnostic::error(
                    Code::E0206,
                    format!("unknown MIG layout `{name}` for `{gpu}`"),
                )
                .label(layout.span, "not a mig-parted config of this GPU")
                .help(help),
            );
        }
        return;
    }
    let mut fits = true;
    let mut compute = 0;
    let mut memory = 0;
    let mut ones = 0;
    let mut media = None;
    let mut over_max = false;
    for (name, count) in &layout.counts {
        let spanned = Spanned::new(name.clone(), count.span);
        let Some(profile) = mig_spec.profile(name) else {
            diags.push(unknown_profile(gpu, mig, &spanned));
            continue;
        };
        if count.value > profile.max {
            fits = false;
            over_max = true;
            diags.push(
                Diagnostic::error(
                    Code::E0302,
                    format!(
                        "`{gpu}` allows at most {} `{}` instance(s) per GPU, found {}",
                        profile.max, profile.name, count.value
                    ),
                )
                .label(count.span, "too many instances")
                .help(format!(
                    "use at most {} of `{}` per GPU",
                    profile.max, profile.name
                )),
            );
        }
        compute += profile.compute * count.value;
        memory += profile.memory * count.value;
        if profile.compute == 1 {
            ones += count.value;
        }
        if profile.is_media() && profile.compute == 1 && count.value > 0 {
            media = Some(count.span);
        }
    }
    // Too many instances of one profile (E0302) is the mistake; the overflow follows from it.
    if !over_max && (compute > mig_spec.compute_slices || memory > mig_spec.memory_slices) {
        fits = false;
        diags.push(
            Diagnostic::error(Code::E0303, format!("MIG layout does not fit one `{gpu}`"))
                .label(layout.span, format!(
                    "uses {compute}/{} compute and {memory}/{} memory slices",
                    mig_spec.compute_slices, mig_spec.memory_slices
                ))
                .help("remove instances until compute ≤ the GPU's compute slices and memory ≤ its memory slices (3g takes 4 memory slices)"),
        );
    }
    if let Some(span) = media
        && ones > 1
    {
        fits = false;
        diags.push(
            Diagnostic::error(
                Code::E0303,
                "a `+me` 1g instance cannot share a GPU with other 1g instances",
            )
            .label(span, "media-extension instance")
            .help(
                "mig-parted rejects more than one 1g instance when a 1g `+me` profile is present",
            ),
        );
    }
    let counts: BTreeMap<&str, u32> = layout
        .counts
        .iter()
        .filter_map(|(p, n)| mig_spec.profile(p).map(|p| (p.name, n.value)))
        .filter(|(_, n)| *n > 0)
        .collect();
    let stock = layout_names(mig_spec).into_iter().any(|name| {
        named_layout(mig_spec, &name)
            .is_some_and(|l| l.into_iter().collect::<BTreeMap<_, _>>() == counts)
    });
    if fits && !stock && !layout.counts.is_empty() {
        diags.push(
            Diagnostic::warning(Code::W0305, format!("custom MIG layout on pool `{}`", pool.name.value))
                .label(layout.span, "not a stock mig-parted config")
                .help("the slice sums fit, but placements are constrained: verify with `nvidia-smi mig -lgipp`, or use `all-balanced` / `all-<profile>`"),
        );
    }
}

/// Whether a model's accelerator request is one its pool can serve (the rules of
/// [`check_accelerator`]); capacity counts only these, so one mistake gives one error.
pub(crate) fn request_fits_pool(pool: &Pool, model: &Model) -> bool {
    if pool.per_node.value == 0 || pool.nodes.value == 0 {
        return false;
    }
    let timesliced = pool
        .oversubscription
        .as_ref()
        .is_some_and(|o| o.kind == OversubscriptionKind::TimeSlicing);
    match &model.accelerator.kind {
        AcceleratorKind::Cpu => false,
        AcceleratorKind::Gpus(n) => {
            matches!(pool.sharing, Sharing::Whole)
                && pool.oversubscription.is_none()
                && (1..=pool.per_node.value).contains(&n.value)
        }
        AcceleratorKind::Mig { profile, shared } => {
            pool_profile(pool, &profile.value).is_some_and(|p| {
                layout_counts(pool).is_some_and(|c| c.get(p.name).is_some_and(|n| *n > 0))
                    && *shared == timesliced
            })
        }
        AcceleratorKind::Shared => {
            pool.oversubscription.is_some() && matches!(pool.sharing, Sharing::Whole)
        }
    }
}

/// The MIG profile a pool offers for `name`, if its GPU has it.
pub(crate) fn pool_profile(pool: &Pool, name: &str) -> Option<&'static MigProfile> {
    pool.gpu.value.mig().and_then(|m| m.profile(name))
}

/// Rules for one model's accelerator in one environment.
pub(crate) fn check_accelerator(
    project: &Project,
    env: &Environment,
    model: &Model,
    plan: &Plan,
    root: &Path,
    diags: &mut Diagnostics,
) {
    let accel = &model.accelerator;
    let Some(pool_ref) = &accel.pool else { return };
    let Some(pool) = &plan.pool else {
        // The plan found no pool of that name: say so here, beside the other rules.
        crate::model::check_ref("pool", pool_ref, project.pools.keys(), diags);
        return;
    };
    if pool.cluster.value != env.cluster.value && project.clusters.contains_key(&env.cluster.value)
    {
        diags.push(
            Diagnostic::error(
                Code::E0319,
                format!(
                    "pool `{}` belongs to cluster `{}`, but environment `{}` targets cluster `{}`",
                    pool.name.value, pool.cluster.value, env.name.value, env.cluster.value
                ),
            )
            .label(pool_ref.span, "pool of another cluster")
            .label(env.cluster.span, "environment's cluster")
            .help(format!(
                "override the accelerator in environment `{}` with a pool of its cluster",
                env.name.value
            )),
        );
        return;
    }
    let gpu = pool.gpu.value.name().to_owned();
    let shared_pool = pool.oversubscription.is_some();
    let mps_on_mig = pool
        .oversubscription
        .as_ref()
        .is_some_and(|o| o.kind == OversubscriptionKind::Mps)
        && !matches!(pool.sharing, Sharing::Whole);
    let mismatch = |msg: String, help: &str| {
        Diagnostic::error(Code::E0308, msg)
            .label(accel.span, "this request")
            .label(pool.span, "the pool")
            .help(help.to_owned())
    };
    let mut usable_gib = pool.gpu.value.usable_gib();
    match &accel.kind {
        AcceleratorKind::Cpu => {}
        AcceleratorKind::Gpus(n) => {
            if !matches!(pool.sharing, Sharing::Whole) || shared_pool {
                diags.push(mismatch(
                    format!("pool `{}` does not offer whole GPUs", pool.name.value),
                    "ask for what the pool offers: `mig=\"…\"` on a MIG pool, `shared=#true` on a time-sliced pool",
                ));
            } else if n.value == 0 || n.value > pool.per_node.value {
                diags.push(
                    Diagnostic::error(
                        Code::E0306,
                        format!(
                            "`gpus={}` must be between 1 and the pool's {} GPUs per node",
                            n.value, pool.per_node.value
                        ),
                    )
                    .label(n.span, "out of range")
                    .help("a replica runs on one node: ask for at most `per-node` GPUs"),
                );
            } else {
                usable_gib = usable_gib.map(|g| g * f64::from(n.value));
            }
        }
        AcceleratorKind::Mig { profile, shared } => {
            let Some(p) = pool_profile(pool, &profile.value) else {
                diags.push(unknown_profile(&gpu, pool.gpu.value.mig(), profile));
                return;
            };
            usable_gib = p.usable_gib;
            let offered =
                layout_counts(pool).is_some_and(|c| c.get(p.name).is_some_and(|n| *n > 0));
            // An unknown layout is reported on the pool (E0206); what it lacks follows from it.
            let layout_unknown =
                !matches!(pool.sharing, Sharing::Whole) && layout_counts(pool).is_none();
            if layout_unknown {
            } else if !offered {
                let what = match &pool.sharing {
                    Sharing::Whole => format!("pool `{}` does not use MIG", pool.name.value),
                    _ => format!(
                        "pool `{}` has no `{}` slices in its MIG layout",
                        pool.name.value, p.name
                    ),
                };
                diags.push(mismatch(
                    what,
                    "request a profile of the pool's layout, or change the pool's `mig` layout",
                ));
            } else if *shared != shared_pool && !mps_on_mig {
                let (msg, help) = if *shared {
                    (
                        format!(
                            "pool `{}` does not time-slice its MIG slices",
                            pool.name.value
                        ),
                        "add `time-slicing replicas=N` to the pool, or drop `shared=#true`",
                    )
                } else {
                    (
                        format!("pool `{}` time-slices its MIG slices", pool.name.value),
                        "add `shared=#true`: every pod on this pool gets a time-sliced share",
                    )
                };
                diags.push(mismatch(msg, help));
            }
        }
        AcceleratorKind::Shared => {
            if !shared_pool || !matches!(pool.sharing, Sharing::Whole) {
                let help = if shared_pool {
                    "on a time-sliced MIG pool ask for `mig=\"…\" shared=#true`"
                } else {
                    "add `time-slicing replicas=N` or `mps replicas=N` to the pool, or ask for `gpus=N`"
                };
                diags.push(mismatch(
                    format!("pool `{}` does not share whole GPUs", pool.name.value),
                    help,
                ));
            }
            usable_gib = usable_gib
                .zip(pool.oversubscription.as_ref())
                .map(|(g, o)| {
                    if o.kind == OversubscriptionKind::Mps {
                        g / f64::from(o.replicas.value.max(1))
                    } else {
                        g
                    }
                });
        }
    }
    check_memory_fit(model, plan, usable_gib, root, diags);
    super::resources::check_default_memory(model, usable_gib, diags);
}

/// E0320: a local artifact larger than the accelerator's usable memory (for a readable ONNX
/// model, its weights; `W0315` when they leave less than the activation margin free).
fn check_memory_fit(
    model: &Model,
    plan: &Plan,
    usable_gib: Option<f64>,
    root: &Path,
    diags: &mut Diagnostics,
) {
    let Some(usable) = usable_gib else { return };
    if let Some(onnx) = &plan.onnx {
        super::onnx::check_accelerator_fit(model, onnx, usable, diags);
        return;
    }
    let crate::model::Location::File { path } = &model.artifact.location else {
        return;
    };
    let path = root.join(path);
    let Ok(meta) = std::fs::metadata(&path) else {
        return;
    };
    #[expect(
        clippy::cast_precision_loss,
        reason = "file sizes far below 2^52 bytes"
    )]
    let gib = meta.len() as f64 / 1_073_741_824.0;
    if meta.is_file() && gib > usable {
        diags.push(
            Diagnostic::error(
                Code::E0320,
                format!(
                    "the artifact ({}) does not fit the accelerator's {}",
                    size(gib),
                    size(usable)
                ),
            )
            .label(model.artifact.uri.span, "too large")
            .label(model.accelerator.span, "this accelerator")
            .help("ask for a larger MIG profile or more GPUs"),
        );
    }
}

/// A size given in GiB, written in the largest unit that keeps it above 1.
fn size(gib: f64) -> String {
    if gib >= 1.0 {
        format!("{gib:.2} GiB")
    } else if gib * 1024.0 >= 1.0 {
        format!("{:.1} MiB", gib * 1024.0)
    } else {
        format!("{:.1} KiB", gib * 1024.0 * 1024.0)
    }
}

/// A span to anchor pool diagnostics at.
pub(crate) fn pool_span(pool: &Pool) -> Span {
    pool.name.span
}
