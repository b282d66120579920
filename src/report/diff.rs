//! `mlc diff`: what a change does to the output, object by object (added, removed, changed
//! with the changed field paths, old → new) per environment and cluster, and to capacity
//! (per cluster, pool and resource, at min and max, with the cost where pools give a price).
//! Each side is a tree of manifests, compiled or committed; capacity comes from the same
//! model as `mlc capacity` and the `E0307`/`W0307` checks.

mod render;

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;
use serde_json::Value;

pub use render::{json, markdown, text};

use crate::validate::PoolCapacity;

/// One side of a diff.
#[derive(Debug, Clone, Default)]
pub struct Side {
    /// Objects by their path in the output tree (`envs/prod/bert/inferenceservice.yaml`).
    pub objects: BTreeMap<String, Value>,
    /// The capacity rows, when the side compiled (none for committed manifests).
    pub capacity: Option<Vec<PoolCapacity>>,
    /// Whether the objects were read from a committed `manifests/` tree.
    pub from_manifests: bool,
}

impl Side {
    /// A side from a checked project: its objects emitted again (a check validates every
    /// object without keeping it) with the default image inputs, and its capacity rows.
    pub fn from_project(project: &crate::model::Project) -> Side {
        let options = crate::emit::EmitOptions {
            mlc_serve_image: crate::image::image_ref(
                project,
                &crate::image::ImageInputs::default(),
            ),
        };
        let (objects, _) = crate::emit::emit(project, &options);
        let mut side = Side::from_objects(&objects);
        side.capacity = Some(crate::validate::capacity_report(project));
        side
    }

    /// A side from emitted objects (as `mlc build` would write them, without rendering).
    pub fn from_objects(objects: &[crate::emit::Object]) -> Side {
        Side {
            objects: objects
                .iter()
                .map(|o| (o.path(), o.value.clone()))
                .collect(),
            capacity: None,
            from_manifests: false,
        }
    }

    /// A side from an output tree's files (path → bytes): every object file under `envs/`
    /// and `clusters/` (kustomizations, the lock file and the image spec are not objects).
    pub fn from_files<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Side {
        let mut objects = BTreeMap::new();
        for (path, bytes) in files {
            let is_object = (path.starts_with("envs/") || path.starts_with("clusters/"))
                && path.ends_with(".yaml")
                && !path.ends_with("kustomization.yaml");
            if !is_object {
                continue;
            }
            let text = String::from_utf8_lossy(bytes);
            if let Ok(value) = serde_yaml::from_str::<Value>(&text) {
                objects.insert(path.to_owned(), value);
            }
        }
        Side {
            objects,
            capacity: None,
            from_manifests: false,
        }
    }
}

/// An object named by its path, kind and name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ObjectRef {
    /// Its path in the output tree.
    pub path: String,
    /// `kind`.
    pub kind: String,
    /// `metadata.name`.
    pub name: String,
}

/// One changed field: its path in the object, the old and the new value (absent when the
/// field was added or removed).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldChange {
    /// Such as `spec.predictor.minReplicas` or `metadata.annotations["mlc/rollout-sha256"]`.
    pub field: String,
    /// The value before.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub old: Option<Value>,
    /// The value after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub new: Option<Value>,
}

/// A changed object.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Changed {
    /// The object.
    #[serde(flatten)]
    pub object: ObjectRef,
    /// Its changed fields, in path order.
    pub fields: Vec<FieldChange>,
}

/// The object changes of one environment or cluster.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScopeDiff {
    /// `environment <name>` or `cluster <name>`.
    pub scope: String,
    /// Objects only in HEAD.
    pub added: Vec<ObjectRef>,
    /// Objects only in BASE.
    pub removed: Vec<ObjectRef>,
    /// Objects in both that differ.
    pub changed: Vec<Changed>,
}

/// Before → after of one number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Delta {
    /// Before (BASE).
    pub before: Option<u64>,
    /// After (HEAD).
    pub after: Option<u64>,
}

/// The capacity change of one pool resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CapacityDelta {
    /// Cluster.
    pub cluster: String,
    /// Pool.
    pub pool: String,
    /// `GPUs`, `<profile> slices` or `shared GPU replicas`.
    pub resource: String,
    /// What the pool holds.
    pub capacity: Delta,
    /// Used at minimum replicas.
    pub at_min: Delta,
    /// Used at maximum replicas.
    pub at_max: Delta,
    /// Free at maximum replicas after the change (negative when over).
    pub free_after: Option<i64>,
    /// Cost per hour at min (before, after), where the pool has a price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_at_min: Option<(f64, f64)>,
    /// Cost per hour at max (before, after), where the pool has a price.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_at_max: Option<(f64, f64)>,
}

/// The whole diff.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diff {
    /// Whether BASE's objects are its committed manifests (BASE did not compile).
    pub base_from_manifests: bool,
    /// Object changes per scope, environments first; scopes without changes are left out.
    pub scopes: Vec<ScopeDiff>,
    /// Capacity changes; `None` when BASE's capacity is unknown.
    pub capacity: Option<Vec<CapacityDelta>>,
    /// The cost per hour of every priced pool at min and at max, (before, after).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost: Option<Cost>,
}

/// The project's cost per hour over its priced pools.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cost {
    /// At every model's minimum replicas (before, after).
    pub at_min: (f64, f64),
    /// At every model's maximum replicas (before, after).
    pub at_max: (f64, f64),
}

/// The cost per hour of `rows` at min and at max, when any pool is priced.
fn total_cost(rows: &[PoolCapacity]) -> Option<(f64, f64)> {
    let priced: Vec<&PoolCapacity> = rows.iter().filter(|r| r.price_per_hour.is_some()).collect();
    (!priced.is_empty()).then(|| {
        priced.iter().fold((0.0, 0.0), |(min, max), r| {
            (
                min + cost(Some(r), |r| r.at_min).unwrap_or(0.0),
                max + cost(Some(r), |r| r.at_max).unwrap_or(0.0),
            )
        })
    })
}

fn object_ref(path: &str, value: &Value) -> ObjectRef {
    ObjectRef {
        path: path.to_owned(),
        kind: value["kind"].as_str().unwrap_or("?").to_owned(),
        name: value["metadata"]["name"].as_str().unwrap_or("?").to_owned(),
    }
}

/// `environment prod` for `envs/prod/…`, `cluster gpu` for `clusters/gpu/…`.
fn scope_of(path: &str) -> (u8, String) {
    let mut parts = path.splitn(3, '/');
    match (parts.next(), parts.next()) {
        (Some("envs"), Some(env)) => (0, format!("environment {env}")),
        (Some("clusters"), Some(c)) => (1, format!("cluster {c}")),
        _ => (2, "other".to_owned()),
    }
}

fn key_path(parent: &str, key: &str) -> String {
    let plain = !key.is_empty()
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    match (parent.is_empty(), plain) {
        (true, true) => key.to_owned(),
        (false, true) => format!("{parent}.{key}"),
        (_, false) => format!("{parent}[{}]", Value::from(key)),
    }
}

/// The changed leaves between `old` and `new`, appended to `out`.
pub fn field_changes(
    path: &str,
    old: Option<&Value>,
    new: Option<&Value>,
    out: &mut Vec<FieldChange>,
) {
    match (old, new) {
        (Some(Value::Object(a)), Some(Value::Object(b))) => {
            let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            for k in keys {
                field_changes(&key_path(path, k), a.get(k), b.get(k), out);
            }
        }
        (Some(Value::Array(a)), Some(Value::Array(b))) => {
            for i in 0..a.len().max(b.len()) {
                field_changes(&format!("{path}[{i}]"), a.get(i), b.get(i), out);
            }
        }
        (a, b) if a == b => {}
        (a, b) => out.push(FieldChange {
            field: path.to_owned(),
            old: a.cloned(),
            new: b.cloned(),
        }),
    }
}

/// The diff from `base` to `head`.
pub fn diff(base: &Side, head: &Side) -> Diff {
    let mut scopes: BTreeMap<(u8, String), ScopeDiff> = BTreeMap::new();
    let paths: BTreeSet<&String> = base.objects.keys().chain(head.objects.keys()).collect();
    for path in paths {
        let entry = scopes.entry(scope_of(path)).or_insert_with(|| ScopeDiff {
            scope: scope_of(path).1,
            added: Vec::new(),
            removed: Vec::new(),
            changed: Vec::new(),
        });
        match (base.objects.get(path), head.objects.get(path)) {
            (None, Some(new)) => entry.added.push(object_ref(path, new)),
            (Some(old), None) => entry.removed.push(object_ref(path, old)),
            (Some(old), Some(new)) if old != new => {
                let mut fields = Vec::new();
                field_changes("", Some(old), Some(new), &mut fields);
                entry.changed.push(Changed {
                    object: object_ref(path, new),
                    fields,
                });
            }
            _ => {}
        }
    }
    let scopes = scopes
        .into_values()
        .filter(|s| !(s.added.is_empty() && s.removed.is_empty() && s.changed.is_empty()))
        .collect();
    let capacity = match (&base.capacity, &head.capacity) {
        (Some(b), Some(h)) => Some(capacity_delta(b, h)),
        _ => None,
    };
    let cost = match (
        base.capacity.as_deref().and_then(total_cost),
        head.capacity.as_deref().and_then(total_cost),
    ) {
        (None, None) => None,
        (b, a) => {
            let (b, a) = (b.unwrap_or((0.0, 0.0)), a.unwrap_or((0.0, 0.0)));
            Some(Cost {
                at_min: (b.0, a.0),
                at_max: (b.1, a.1),
            })
        }
    };
    Diff {
        base_from_manifests: base.from_manifests,
        scopes,
        capacity,
        cost,
    }
}

#[expect(clippy::cast_precision_loss, reason = "counts far below 2^52")]
fn cost(row: Option<&PoolCapacity>, units: impl Fn(&PoolCapacity) -> u64) -> Option<f64> {
    row.and_then(|r| r.price_per_hour.map(|p| p * units(r) as f64))
}

fn capacity_delta(base: &[PoolCapacity], head: &[PoolCapacity]) -> Vec<CapacityDelta> {
    let key = |r: &PoolCapacity| (r.cluster.clone(), r.pool.clone(), r.resource.clone());
    let before: BTreeMap<_, &PoolCapacity> = base.iter().map(|r| (key(r), r)).collect();
    let after: BTreeMap<_, &PoolCapacity> = head.iter().map(|r| (key(r), r)).collect();
    let keys: BTreeSet<_> = before.keys().chain(after.keys()).cloned().collect();
    let mut out = Vec::new();
    for k in keys {
        let b = before.get(&k).copied();
        let a = after.get(&k).copied();
        let delta = |f: fn(&PoolCapacity) -> Option<u64>| Delta {
            before: b.and_then(f),
            after: a.and_then(f),
        };
        let capacity = delta(|r| r.capacity);
        let at_min = delta(|r| Some(r.at_min));
        let at_max = delta(|r| Some(r.at_max));
        let priced = b.is_some_and(|r| r.price_per_hour.is_some())
            || a.is_some_and(|r| r.price_per_hour.is_some());
        let pair = |f: fn(&PoolCapacity) -> u64| {
            priced.then(|| (cost(b, f).unwrap_or(0.0), cost(a, f).unwrap_or(0.0)))
        };
        let cost_at_min = pair(|r| r.at_min);
        let cost_at_max = pair(|r| r.at_max);
        let changed = capacity.before != capacity.after
            || at_min.before != at_min.after
            || at_max.before != at_max.after
            || cost_at_min.is_some_and(|(x, y)| (x - y).abs() > f64::EPSILON)
            || cost_at_max.is_some_and(|(x, y)| (x - y).abs() > f64::EPSILON);
        if !changed {
            continue;
        }
        let (cluster, pool, resource) = k;
        out.push(CapacityDelta {
            cluster,
            pool,
            resource,
            capacity,
            at_min,
            at_max,
            free_after: a.and_then(PoolCapacity::free_at_max),
            cost_at_min,
            cost_at_max,
        });
    }
    out
}
