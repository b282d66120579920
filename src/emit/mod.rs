//! Stage 4: IR → typed Kubernetes, KServe and KEDA objects, one environment and one
//! cluster at a time (in parallel), each object placed in the output tree (DESIGN §8.4).
//!
//! Takes a validated [`Project`] and gives every [`Object`] in a stable order, plus
//! diagnostics (`E0203` for a `patch` on an object that is not emitted).

mod cluster;
mod keda;
mod kserve;
mod meta;
mod object;
mod pod;
mod runtime_config;
mod workload;

use std::collections::BTreeMap;

use rayon::prelude::*;

pub use object::{Object, Scope};

use crate::diagnostics::{Diagnostic, Diagnostics, did_you_mean};
use crate::model::{Environment, Model, Project, ServeTarget};
use crate::source::Span;
use meta::Owner;
use object::to_value;

/// Inputs that come from flags rather than KDL (DESIGN §8.10).
#[derive(Debug, Clone, Default)]
pub struct EmitOptions {
    /// The mlc-serve image reference the manifests use.
    pub mlc_serve_image: String,
}

/// Emits every object of `project`.
pub fn emit(project: &Project, options: &EmitOptions) -> (Vec<Object>, Diagnostics) {
    let envs: Vec<&Environment> = project.environments.values().collect();
    let per_env: Vec<(Vec<Object>, Diagnostics)> = envs
        .par_iter()
        .map(|env| emit_env(project, env, options))
        .collect();
    let mut objects = Vec::new();
    let mut diags = Diagnostics::default();
    for (o, d) in per_env {
        objects.extend(o);
        diags.extend(d);
    }
    objects.extend(emit_clusters(project));
    objects.sort_by_key(Object::path);
    (objects, diags)
}

fn emit_clusters(project: &Project) -> Vec<Object> {
    let mut objects = Vec::new();
    let mut clusters: BTreeMap<&str, Vec<&Environment>> = BTreeMap::new();
    for env in project.environments.values() {
        clusters
            .entry(env.cluster.value.as_str())
            .or_default()
            .push(env);
    }
    for pool in project.pools.values() {
        clusters.entry(pool.cluster.value.as_str()).or_default();
    }
    for (cluster, envs) in clusters {
        let scope = Scope::Cluster(cluster.to_owned());
        let span = project
            .clusters
            .get(cluster)
            .map_or(project.name.span, |c| c.name.span);
        let mut namespaces: Vec<&str> = envs.iter().map(|e| e.namespace.value.as_str()).collect();
        namespaces.sort_unstable();
        namespaces.dedup();
        for ns in namespaces {
            let owner = Owner::shared(project, ns, &format!("{ns}-{cluster}"));
            objects.push(Object {
                scope: scope.clone(),
                file: format!("namespace-{ns}.yaml"),
                value: to_value(&cluster::namespace(&owner, ns)),
                span,
            });
        }
        if let Some(c) = project.clusters.get(cluster) {
            for pc in &c.priority_classes {
                let owner = Owner::shared(project, &pc.name, &format!("{}-{cluster}", pc.name));
                objects.push(Object {
                    scope: scope.clone(),
                    file: format!("priorityclass-{}.yaml", pc.name),
                    value: to_value(&cluster::priority_class(&owner, pc)),
                    span,
                });
            }
        }
        for env in &envs {
            if let Some(q) = &env.quota {
                let ns = env.namespace.value.as_str();
                let owner = Owner::shared(project, ns, &format!("{ns}-{cluster}"));
                objects.push(Object {
                    scope: scope.clone(),
                    file: format!("resourcequota-{ns}.yaml"),
                    value: to_value(&cluster::resource_quota(&owner, ns, q)),
                    span: env.name.span,
                });
            }
        }
        let gpu_ns = project
            .clusters
            .get(cluster)
            .map_or("gpu-operator", |c| c.gpu_operator_namespace.as_str());
        let owner = Owner::shared(
            project,
            "mlc-device-plugin-config",
            &format!("device-plugin-{cluster}"),
        );
        if let Some(cm) = cluster::device_plugin_config(&owner, project, cluster, gpu_ns) {
            objects.push(Object {
                scope: scope.clone(),
                file: "configmap-mlc-device-plugin-config.yaml".into(),
                value: to_value(&cm),
                span,
            });
        }
    }
    objects
}

fn emit_env(
    project: &Project,
    env: &Environment,
    options: &EmitOptions,
) -> (Vec<Object>, Diagnostics) {
    let mut objects = Vec::new();
    let mut diags = Diagnostics::default();
    let scope = Scope::Env(env.name.value.clone());
    let ns = env.namespace.value.as_str();
    let mlc_serve_models: Vec<&Model> = env
        .models
        .values()
        .filter(|m| m.uses_mlc_serve() && m.serve.value != ServeTarget::Deployment)
        .collect();
    if !mlc_serve_models.is_empty() {
        let owner = Owner::shared(
            project,
            kserve::MLC_SERVE_RUNTIME,
            &format!("{}-{}", kserve::MLC_SERVE_RUNTIME, env.name.value),
        );
        let mut pull: Vec<String> = mlc_serve_models
            .iter()
            .flat_map(|m| m.image_pull_secrets.clone())
            .collect();
        pull.sort();
        pull.dedup();
        objects.push(Object {
            scope: scope.clone(),
            file: format!("_shared/servingruntime-{}.yaml", kserve::MLC_SERVE_RUNTIME),
            value: to_value(&kserve::serving_runtime(
                &owner,
                ns,
                &options.mlc_serve_image,
                &pull,
            )),
            span: env.name.span,
        });
    }
    let models: Vec<&Model> = env.models.values().collect();
    let per_model: Vec<(Vec<Object>, Diagnostics)> = models
        .par_iter()
        .map(|model| emit_model(project, env, model, options))
        .collect();
    for (mut model_objects, d) in per_model {
        diags.extend(d);
        objects.append(&mut model_objects);
    }
    for o in &mut objects {
        o.scope = scope.clone();
    }
    (objects, diags)
}

fn emit_model(
    project: &Project,
    env: &Environment,
    model: &Model,
    options: &EmitOptions,
) -> (Vec<Object>, Diagnostics) {
    let owner = Owner::model(project, env, model);
    let ns = env.namespace.value.as_str();
    let name = &model.name.value;
    let serving = pod::serving(model, &options.mlc_serve_image);
    let mut out: Vec<(String, serde_json::Value)> = Vec::new();

    let model_path = match model.serve.value {
        ServeTarget::Deployment => Some(workload::model_source(model).3),
        _ => None,
    };
    let mut config_text = String::new();
    if serving.mlc_serve {
        let cm = runtime_config::config_map(&owner, model, ns, model_path.as_deref());
        config_text = cm
            .data
            .as_ref()
            .and_then(|d| d.get("config.yaml"))
            .cloned()
            .unwrap_or_default();
        out.push(("configmap-runtime".into(), to_value(&cm)));
    }
    // Everything that should roll the pods: artifacts and digests, runtime config, image.
    let mut hashed = String::new();
    for a in std::iter::once(&model.artifact).chain(model.canaries.iter().map(|c| &c.artifact)) {
        hashed.push_str(&a.uri.value);
        hashed.push('\n');
        hashed.push_str(a.sha256.as_ref().map_or("", |s| s.value.as_str()));
        hashed.push('\n');
    }
    hashed.push_str(&config_text);
    hashed.push_str(serving.image.as_deref().unwrap_or(if serving.mlc_serve {
        &options.mlc_serve_image
    } else {
        ""
    }));
    let rollout_hash = crate::render::tree::sha256_hex(hashed.as_bytes());

    let sa = workload::service_account(&owner, model, ns);
    let sa_name = sa.as_ref().and_then(|s| s.metadata.name.clone());
    if let Some(sa) = sa {
        out.push(("serviceaccount".into(), to_value(&sa)));
    }
    if let Some((suffix, ta)) = keda::trigger_authentication(&owner, model, ns)
        && model
            .autoscale
            .policy
            .as_ref()
            .is_some_and(|p| p.value.is_event_driven())
        && !(model.serve.value == ServeTarget::KserveStandard
            && matches!(
                model.autoscale.policy.as_ref().map(|p| &p.value),
                Some(crate::model::Policy::Prometheus { .. })
            ))
    {
        out.push((format!("triggerauthentication-{suffix}"), to_value(&ta)));
    }
    let selector = match model.serve.value {
        ServeTarget::KserveStandard | ServeTarget::KserveKnative => {
            let mut pod_labels = owner.labels();
            pod_labels.retain(|k, _| k.starts_with("app.kubernetes.io/"));
            let inputs = kserve::PredictorInputs {
                project,
                model,
                serving: &serving,
                rollout_hash,
                service_account: sa_name,
                pod_labels: pod_labels.clone(),
            };
            out.push((
                "inferenceservice".into(),
                to_value(&kserve::inference_service(&owner, ns, &inputs)),
            ));
            if kserve::autoscaler_class(model) == Some("external") {
                let target = format!("{name}-predictor");
                if let Some(so) = keda::scaled_object(&owner, model, ns, &target, &target) {
                    out.push(("scaledobject".into(), to_value(&so)));
                }
                for c in &model.canaries {
                    let target = format!("{name}-{}-predictor", c.name.value);
                    if let Some(so) = keda::scaled_object(&owner, model, ns, &target, &target) {
                        out.push((format!("scaledobject-{}", c.name.value), to_value(&so)));
                    }
                }
            }
            BTreeMap::from([
                (
                    "serving.kserve.io/inferenceservice".to_owned(),
                    name.clone(),
                ),
                ("component".to_owned(), "predictor".to_owned()),
            ])
        }
        ServeTarget::Deployment => {
            let scaled = model.autoscale.policy.is_some();
            let deployment = workload::deployment(
                &owner,
                project,
                model,
                ns,
                &serving,
                &rollout_hash,
                sa_name,
                scaled,
            );
            out.push(("deployment".into(), to_value(&deployment)));
            out.push((
                "service".into(),
                to_value(&workload::service(&owner, model, ns)),
            ));
            if let Some(h) = workload::hpa(&owner, model, ns) {
                out.push(("horizontalpodautoscaler".into(), to_value(&h)));
            }
            if let Some(so) = keda::scaled_object(&owner, model, ns, name, name) {
                out.push(("scaledobject".into(), to_value(&so)));
            }
            owner.selector()
        }
    };
    if let Some(p) = workload::pdb(&owner, model, ns, selector.clone()) {
        out.push(("poddisruptionbudget".into(), to_value(&p)));
    }
    let policy = workload::network_policy(&owner, model, ns, selector, serving.port);
    out.push(("networkpolicy".into(), to_value(&policy)));

    let mut diags = Diagnostics::default();
    for patch in &model.patches {
        match out.iter_mut().find(|(stem, _)| *stem == patch.target.value) {
            Some((_, value)) => merge_patch(value, &patch.patch),
            None => {
                let stems: Vec<&str> = out.iter().map(|(s, _)| s.as_str()).collect();
                let help =
                    did_you_mean(&patch.target.value, stems.iter().copied()).unwrap_or_else(|| {
                        format!(
                            "objects emitted for this model: {}",
                            stems
                                .iter()
                                .map(|s| format!("`{s}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    });
                diags.push(
                    Diagnostic::error(
                        "E0203",
                        format!(
                            "`patch` targets `{}`, which is not emitted for this model",
                            patch.target.value
                        ),
                    )
                    .label(patch.target.span, "no such object")
                    .help(help),
                );
            }
        }
    }
    let span: Span = model.span;
    let objects = out
        .into_iter()
        .map(|(stem, value)| Object {
            scope: Scope::Env(String::new()),
            file: format!("{name}/{stem}.yaml"),
            value,
            span,
        })
        .collect();
    (objects, diags)
}

/// RFC 7386 JSON merge patch.
fn merge_patch(target: &mut serde_json::Value, patch: &serde_json::Value) {
    use serde_json::Value;
    let Value::Object(patch_map) = patch else {
        *target = patch.clone();
        return;
    };
    if !target.is_object() {
        *target = Value::Object(serde_json::Map::new());
    }
    if let Value::Object(map) = target {
        for (k, v) in patch_map {
            if v.is_null() {
                map.remove(k);
            } else {
                merge_patch(map.entry(k.clone()).or_insert(Value::Null), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_patch_follows_rfc7386() {
        let mut v = serde_json::json!({"a": {"b": 1, "c": 2}, "d": [1]});
        merge_patch(
            &mut v,
            &serde_json::json!({"a": {"b": null, "e": 3}, "d": [2]}),
        );
        assert_eq!(v, serde_json::json!({"a": {"c": 2, "e": 3}, "d": [2]}));
    }
}
