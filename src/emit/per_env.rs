//! The objects of one environment: the shared mlc-serve ServingRuntime, then every model's
//! (in parallel).

use rayon::prelude::*;

use super::meta::Owner;
use super::object::to_value;
use super::per_model::emit_model;
use super::{EmitOptions, Object, Scope, kserve, monitoring};
use crate::diagnostics::Diagnostics;
use crate::model::plan::{Origin, Plan};
use crate::model::{Environment, Model, Project};

/// Every object of environment `env`, in units handed to `each` (the shared objects, then
/// each model's, made in parallel).
pub(super) fn emit_env<R: Send>(
    project: &Project,
    env: &Environment,
    options: &EmitOptions,
    each: &(dyn Fn(Vec<Object>) -> R + Sync),
) -> (Vec<R>, Diagnostics) {
    let mut objects = Vec::new();
    let mut diags = Diagnostics::default();
    let scope = Scope::Env(env.name.value.clone());
    let ns = env.namespace.value.as_str();
    if let Some(runtime) = &env.runtime {
        let owner = Owner::shared(project, runtime.name, &runtime.instance);
        objects.push(Object {
            scope: scope.clone(),
            file: format!("_shared/servingruntime-{}.yaml", runtime.name),
            value: to_value(&kserve::serving_runtime(
                &owner,
                ns,
                &options.mlc_serve_image,
                runtime,
            )),
            span: env.name.span,
            origin: Origin {
                env: Some(env.name.value.clone()),
                ..Origin::default()
            },
        });
    }
    let plans: Vec<&Plan> = env.plans.values().map(AsRef::as_ref).collect();
    if let Some((file, cm)) = monitoring::dashboard(project, &plans) {
        objects.push(Object {
            scope: scope.clone(),
            file,
            value: to_value(&cm),
            span: env.name.span,
            origin: Origin {
                env: Some(env.name.value.clone()),
                ..Origin::default()
            },
        });
    }
    let models: Vec<(&Model, &Plan)> = env.planned().collect();
    let per_model: Vec<(R, Diagnostics)> = models
        .par_iter()
        .map(|(model, plan)| {
            let (mut model_objects, d) = emit_model(project, model, plan, options);
            for o in &mut model_objects {
                o.scope = scope.clone();
            }
            (each(model_objects), d)
        })
        .collect();
    // The environment's shared objects (one unit): its Seldon Core 2 Servers and pipelines.
    if env
        .models
        .values()
        .any(|m| m.serve.value == crate::model::ServeTarget::SeldonCore2)
    {
        for server in project.seldon_servers.values() {
            let instance = format!("{}-{}", server.name.value, env.name.value);
            let owner = Owner::shared(project, &server.name.value, &instance);
            objects.push(Object {
                scope: scope.clone(),
                file: format!("_shared/server-{}.yaml", server.name.value),
                value: to_value(&super::core2::server(&owner, ns, server)),
                span: server.span,
                origin: Origin {
                    env: Some(env.name.value.clone()),
                    ..Origin::default()
                },
            });
        }
    }
    for plan in env.pipelines.values() {
        objects.extend(super::per_pipeline::emit_pipeline(
            project, env, plan, options,
        ));
    }
    for o in &mut objects {
        o.scope = scope.clone();
    }
    let mut units = vec![each(objects)];
    for (unit, d) in per_model {
        diags.extend(d);
        units.push(unit);
    }
    (units, diags)
}
