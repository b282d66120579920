//! Pool capacity per cluster over every environment on it (DESIGN §8.3).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::gpu::{pool_profile, pool_span};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::layout_counts;
use crate::model::{AcceleratorKind, Model, OversubscriptionKind, Pool, Project, Sharing};
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

/// Demand per (pool, resource) over every environment of the project, each model counted
/// at `replicas(model)` replicas per predictor: the capacity model, at min or at max.
pub(crate) fn usage(
    project: &Project,
    replicas: impl Fn(&Model) -> u32,
) -> BTreeMap<(String, String), (Arc<Pool>, Usage)> {
    let mut use_: BTreeMap<(String, String), (Arc<Pool>, Usage)> = BTreeMap::new();
    for env in project.environments.values() {
        for (model, plan) in env.planned() {
            // Each variant runs its own pods: the stable one, then each canary at its own
            // minimum, on its own pool.
            let variants: Vec<(&Model, Option<&Arc<Pool>>)> = match &plan.traffic {
                Some(t) => t
                    .variants
                    .iter()
                    .map(|v| (v.model.as_ref(), v.pool.as_ref()))
                    .collect(),
                None => vec![(model, plan.pool.as_ref())],
            };
            for (variant, pool) in variants {
                let Some(pool) = pool else {
                    continue;
                };
                if pool.cluster.value != env.cluster.value {
                    continue;
                }
                if !super::gpu::request_fits_pool(pool, variant) {
                    continue;
                }
                let Some((key, per_replica)) = demand(pool, variant) else {
                    continue;
                };
                let count = per_replica * u64::from(replicas(variant));
                if count == 0 {
                    continue;
                }
                let (_, entry) = use_
                    .entry((pool.name.value.clone(), key))
                    .or_insert_with(|| (Arc::clone(pool), Usage::default()));
                entry.0 += count;
                let span = variant.accelerator.span;
                // Variants on the model's own accelerator count on the model's line.
                match entry.1.last_mut() {
                    Some((e, m, n, s))
                        if *e == env.name.value && *m == model.name.value && *s == span =>
                    {
                        *n += count;
                    }
                    _ => entry.1.push((
                        env.name.value.clone(),
                        model.name.value.clone(),
                        count,
                        span,
                    )),
                }
            }
        }
    }
    use_
}

/// Checks that each pool can hold the minimum replicas of every model placed on it
/// (`E0307`), and warns when their maximum replicas cannot all run at once (`W0307`).
pub(crate) fn check(project: &Project, diags: &mut Diagnostics) {
    let at_min = usage(project, |m| m.autoscale.min.value);
    let mut over_at_min = Vec::new();
    for ((pool_name, key), (pool, (total, users))) in at_min {
        if capacity_unknown(&pool) {
            continue;
        }
        let available = supply(&pool, &key);
        if total <= available {
            continue;
        }
        over_at_min.push((pool_name.clone(), key.clone()));
        let mut d = Diagnostic::error(
            Code::E0307,
            format!("pool `{pool_name}` has {available} {key} but its models need {total} at minimum replicas"),
        )
        .label(pool_span(&pool), format!("{available} {key} in cluster `{}`", pool.cluster.value));
        d = users_of(d, &users);
        diags.push(
            d.help("lower `autoscale min`, move a model to another pool, or add nodes to the pool"),
        );
    }
    let at_max = usage(project, |m| {
        m.autoscale.max.value.max(m.autoscale.min.value)
    });
    for ((pool_name, key), (pool, (total, users))) in at_max {
        if capacity_unknown(&pool) {
            continue;
        }
        let available = supply(&pool, &key);
        if total <= available || over_at_min.contains(&(pool_name.clone(), key.clone())) {
            continue;
        }
        let mut d = Diagnostic::warning(
            Code::W0307,
            format!("pool `{pool_name}` has {available} {key} but its models reach {total} at maximum replicas"),
        )
        .label(pool_span(&pool), format!("{available} {key} in cluster `{}`", pool.cluster.value));
        d = users_of(d, &users);
        diags.push(d.note("scale-ups past the pool leave pods Pending; the models above compete for it").help(
            "lower `autoscale max` so the maxima fit, move a model to another pool, or add nodes to the pool (or a cluster autoscaler for it)",
        ));
    }
}

/// Labels each placement once and notes each (environment, model) with its demand.
fn users_of(mut d: Diagnostic, users: &[(String, String, u64, Span)]) -> Diagnostic {
    let mut seen = Vec::new();
    for (_, _, _, span) in users {
        if !seen.contains(span) {
            seen.push(*span);
            d = d.label(*span, "placed here");
        }
    }
    for (env, model, count, _) in users {
        d = d.note(format!("environment `{env}`, model `{model}`: {count}"));
    }
    d
}

/// Whether the pool's capacity is not meaningful because its sharing (E0305) or its layout
/// (E0206) is already reported on the pool: no capacity error or warning follows from it.
fn capacity_unknown(pool: &Pool) -> bool {
    let sharing_invalid = pool
        .oversubscription
        .as_ref()
        .is_some_and(|o| match o.kind {
            OversubscriptionKind::Mps => !(2..=48).contains(&o.replicas.value),
            OversubscriptionKind::TimeSlicing => o.replicas.value < 2,
        });
    let layout_unknown = !matches!(pool.sharing, Sharing::Whole) && layout_counts(pool).is_none();
    sharing_invalid || layout_unknown
}

/// One resource of one pool in the capacity report: what the pool holds and what the
/// project's models ask of it at their minimum and maximum replicas (the same model as
/// `E0307`/`W0307`).
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct PoolCapacity {
    /// The cluster the pool belongs to.
    pub cluster: String,
    /// The pool.
    pub pool: String,
    /// The GPU model.
    pub gpu: String,
    /// What replicas consume: `GPUs`, `shared GPU replicas`, or `<profile> slices`.
    pub resource: String,
    /// How many the pool holds, `None` when its sharing or layout is itself in error.
    pub capacity: Option<u64>,
    /// Asked for at every model's minimum replicas.
    pub at_min: u64,
    /// Asked for at every model's maximum replicas.
    pub at_max: u64,
    /// Who asks, per (environment, model).
    pub users: Vec<PoolUser>,
    /// The pool's price of one unit per hour (`price-per-hour`), when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price_per_hour: Option<f64>,
}

/// One model's demand on a pool resource.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PoolUser {
    /// The environment.
    pub env: String,
    /// The model.
    pub model: String,
    /// Units at minimum replicas.
    pub at_min: u64,
    /// Units at maximum replicas.
    pub at_max: u64,
}

impl PoolCapacity {
    /// Units left at maximum replicas (negative when over).
    pub fn free_at_max(&self) -> Option<i64> {
        self.capacity.map(|c| {
            i64::try_from(c).unwrap_or(i64::MAX) - i64::try_from(self.at_max).unwrap_or(i64::MAX)
        })
    }
}

/// The resources a pool offers, by the keys of [`demand`].
fn offered(pool: &Pool) -> Vec<String> {
    match &pool.sharing {
        Sharing::Whole if pool.oversubscription.is_some() => vec!["shared GPU replicas".to_owned()],
        Sharing::Whole => vec!["GPUs".to_owned()],
        Sharing::MigMixed(_) | Sharing::MigSingle(_) => layout_counts(pool)
            .map(|c| c.keys().map(|p| format!("`{p}` slices")).collect())
            .unwrap_or_default(),
    }
}

/// The capacity report of the project: every resource of every pool, sorted by cluster,
/// pool and resource, with the demand at min and max from [`usage`].
pub fn report(project: &Project) -> Vec<PoolCapacity> {
    let at_min = usage(project, |m| m.autoscale.min.value);
    let at_max = usage(project, |m| {
        m.autoscale.max.value.max(m.autoscale.min.value)
    });
    let mut rows: BTreeMap<(String, String, String), PoolCapacity> = BTreeMap::new();
    for pool in project.pools.values() {
        for key in offered(pool) {
            rows.entry((
                pool.cluster.value.clone(),
                pool.name.value.clone(),
                key.clone(),
            ))
            .or_insert_with(|| new_row(pool, &key));
        }
    }
    for (min_or_max, table) in [(false, at_min), (true, at_max)] {
        for ((_, key), (pool, (total, users))) in table {
            let r = rows
                .entry((
                    pool.cluster.value.clone(),
                    pool.name.value.clone(),
                    key.clone(),
                ))
                .or_insert_with(|| new_row(&pool, &key));
            if min_or_max {
                r.at_max = total;
            } else {
                r.at_min = total;
            }
            for (env, model, count, _) in users {
                let i = match r
                    .users
                    .iter()
                    .position(|u| u.env == env && u.model == model)
                {
                    Some(i) => i,
                    None => {
                        r.users.push(PoolUser {
                            env,
                            model,
                            at_min: 0,
                            at_max: 0,
                        });
                        r.users.len() - 1
                    }
                };
                if let Some(u) = r.users.get_mut(i) {
                    if min_or_max {
                        u.at_max = count;
                    } else {
                        u.at_min = count;
                    }
                }
            }
        }
    }
    let mut out: Vec<PoolCapacity> = rows.into_values().collect();
    for r in &mut out {
        r.users
            .sort_by(|a, b| (&a.env, &a.model).cmp(&(&b.env, &b.model)));
    }
    out
}

fn new_row(pool: &Pool, key: &str) -> PoolCapacity {
    PoolCapacity {
        cluster: pool.cluster.value.clone(),
        pool: pool.name.value.clone(),
        gpu: pool.gpu.value.name().to_owned(),
        resource: key.replace('`', ""),
        capacity: (!capacity_unknown(pool)).then(|| supply(pool, key)),
        at_min: 0,
        at_max: 0,
        users: Vec::new(),
        price_per_hour: pool.price_per_hour.as_ref().map(|p| p.value),
    }
}
