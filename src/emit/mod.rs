//! Stage 4: IR → typed Kubernetes, KServe and KEDA objects, one environment and one
//! cluster at a time (in parallel), each object placed in the output tree (DESIGN §8.4).
//!
//! Takes a validated [`Project`] with its serving plans and gives every [`Object`] in a
//! stable order, plus diagnostics (`E0203` for a `patch` on an object that is not emitted).
//! Emission is a function of the plans: no name is derived and no pool looked up here.
//!
//! - `per_cluster.rs`, `per_env.rs`, `per_model.rs`: what is emitted once per cluster,
//!   environment and model; `patch.rs`: `patch` nodes; `rollout.rs`: the rollout hash.
//! - `kserve.rs`, `keda.rs`: mlc's serde types of those kinds; `workload.rs`, `cluster.rs`:
//!   core kinds through `k8s-openapi`; `pod.rs`: pod pieces; `meta.rs`: labels and
//!   annotations; `object.rs`: the [`Object`] with its origin.
//! - `monitoring/`: PrometheusRule, ServiceMonitor/PodMonitor and the Grafana dashboard
//!   ConfigMap, where the plan has monitoring.
//! - `seldon.rs`, `core2.rs`: Seldon Core v1's SeldonDeployment and Seldon Core 2's Model,
//!   Experiment and Server; `graph.rs`: KServe's InferenceGraph; `per_pipeline.rs`: what a
//!   `pipeline` becomes on its target.
//! - `traffic.rs`: Istio's DestinationRule and VirtualService, Gateway API's HTTPRoute and the
//!   Ingress, from the plan's traffic and exposure.

mod behaviour;
mod cluster;
mod core2;
mod graph;
mod keda;
mod kserve;
mod meta;
mod monitoring;
mod object;
mod patch;
mod per_cluster;
mod per_env;
mod per_model;
mod per_pipeline;
mod pod;
mod rollout;
mod seldon;
mod traffic;
mod triggers;
mod vpa;
mod workload;

use rayon::prelude::*;

pub use object::{Object, Scope};

use crate::diagnostics::Diagnostics;
use crate::model::{Environment, Project};

/// Inputs that come from flags rather than KDL (DESIGN §8.10).
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    /// The mlc-serve image reference the manifests use.
    pub mlc_serve_image: String,
}

/// Emits every object of `project`, sorted by output path.
pub fn emit(project: &Project, options: &EmitOptions) -> (Vec<Object>, Diagnostics) {
    let (units, diags) = emit_units(project, options, &|objects| objects);
    let mut objects: Vec<Object> = units.into_iter().flatten().collect();
    objects.sort_by_cached_key(Object::path);
    (objects, diags)
}

/// Emits every object of `project` unit by unit (one model in one environment, an
/// environment's shared objects, a cluster's objects), handing each unit to `each` on the
/// worker thread that made it, so a caller can reduce objects to what it keeps (bytes, a
/// summary) while the next unit is being made. The results come in a stable order (by
/// environment, then model; clusters last), whatever the thread count.
pub fn emit_units<R: Send>(
    project: &Project,
    options: &EmitOptions,
    each: &(dyn Fn(Vec<Object>) -> R + Sync),
) -> (Vec<R>, Diagnostics) {
    let envs: Vec<&Environment> = project.environments.values().collect();
    let per_env: Vec<(Vec<R>, Diagnostics)> = envs
        .par_iter()
        .map(|env| per_env::emit_env(project, env, options, each))
        .collect();
    let mut units = Vec::new();
    let mut diags = Diagnostics::default();
    for (u, d) in per_env {
        units.extend(u);
        diags.extend(d);
    }
    units.push(each(per_cluster::emit_clusters(project)));
    (units, diags)
}
