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

/// Every object of environment `env`.
pub(super) fn emit_env(
    project: &Project,
    env: &Environment,
    options: &EmitOptions,
) -> (Vec<Object>, Diagnostics) {
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
    let plans: Vec<&Plan> = env.plans.values().collect();
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
    let per_model: Vec<(Vec<Object>, Diagnostics)> = models
        .par_iter()
        .map(|(model, plan)| emit_model(project, model, plan, options))
        .collect();
    for (mut model_objects, d) in per_model {
        diags.extend(d);
        objects.append(&mut model_objects);
    }
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
    (objects, diags)
}
