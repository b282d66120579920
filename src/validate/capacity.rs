//! Pool capacity per cluster over every environment on it (DESIGN §8.3).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::gpu::{pool_profile, pool_span};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::layout_counts;
use crate::model::{AcceleratorKind, Model, Pool, Project, Sharing};
use crate::source::Span;

/// What a replica consumes from its pool: a resource key and a count.
fn demand(pool: &Pool, model: &Model) -> Option<(String, u64)> {
    match &model.accelerator.kind {
        AcceleratorKind::Cpu => None,
        AcceleratorKind::Gpus(n) => Some(("GPUs".to_owned(), u64::from(n.value))),
        AcceleratorKind::Shared => Some(("shared GPU replicas".to_owned(), 1)),
        AcceleratorKind::Mig { profile, .. } => {
            pool_profile(pool, &profile.value).map(|p| (format!("`{}` slices", p.name), 1))
        }
    }
}

/// What the pool offers of `key`.
fn supply(pool: &Pool, key: &str) -> u64 {
    let replicas = pool
        .oversubscription
        .as_ref()
        .map_or(1, |o| u64::from(o.replicas.value.max(1)));
    let gpus = pool.gpus();
    match &pool.sharing {
        Sharing::Whole => gpus * replicas,
        Sharing::MigMixed(_) | Sharing::MigSingle(_) => layout_counts(pool)
            .and_then(|c| {
                c.iter()
                    .find(|(p, _)| key == format!("`{p}` slices"))
                    .map(|(_, n)| u64::from(*n))
            })
            .map_or(0, |n| n * gpus * replicas),
    }
}

/// Total demand on one pool resource, and who makes it: (environment, model, count, span).
type Usage = (u64, Vec<(String, String, u64, Span)>);

/// Checks that each pool can hold the minimum replicas of every model placed on it.
pub(crate) fn check(project: &Project, diags: &mut Diagnostics) {
    // (pool, resource) → (pool, total, [(env, model, count, span)])
    let mut use_: BTreeMap<(String, String), (Arc<Pool>, Usage)> = BTreeMap::new();
    for env in project.environments.values() {
        for (model, plan) in env.planned() {
            let Some(pool) = &plan.pool else {
                continue;
            };
            if pool.cluster.value != env.cluster.value {
                continue;
            }
            if !super::gpu::request_fits_pool(pool, model) {
                continue;
            }
            let Some((key, per_replica)) = demand(pool, model) else {
                continue;
            };
            let predictors = 1 + model.canaries.len() as u64;
            let count = per_replica * u64::from(model.autoscale.min.value) * predictors;
            if count == 0 {
                continue;
            }
            let (_, entry) = use_
                .entry((pool.name.value.clone(), key))
                .or_insert_with(|| (Arc::clone(pool), Usage::default()));
            entry.0 += count;
            entry.1.push((
                env.name.value.clone(),
                model.name.value.clone(),
                count,
                model.accelerator.span,
            ));
        }
    }
    for ((pool_name, key), (pool, (total, users))) in use_ {
        let available = supply(&pool, &key);
        if total <= available {
            continue;
        }
        let mut d = Diagnostic::error(
            Code::E0307,
            format!("pool `{pool_name}` has {available} {key} but its models need {total} at minimum replicas"),
        )
        .label(pool_span(&pool), format!("{available} {key} in cluster `{}`", pool.cluster.value));
        let mut seen = Vec::new();
        for (_, _, _, span) in &users {
            if !seen.contains(span) {
                seen.push(*span);
                d = d.label(*span, "placed here");
            }
        }
        for (env, model, count, _) in &users {
            d = d.note(format!("environment `{env}`, model `{model}`: {count}"));
        }
        diags.push(
            d.help("lower `autoscale min`, move a model to another pool, or add nodes to the pool"),
        );
    }
}
