//! The objects of one model in one environment, a function of its plan.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use super::meta::Owner;
use super::object::to_value;
use super::patch::{self, Draft};
use super::{
    EmitOptions, Object, Scope, core2, keda, kserve, monitoring, pod, rollout, seldon, vpa,
    workload,
};
use crate::diagnostics::Diagnostics;
use crate::model::plan::{Plan, Scaler, Workload};
use crate::model::{Model, Project};

/// Every object of `model` as `plan` says, patched; `E0203` for a patch on nothing.
pub(super) fn emit_model(
    project: &Project,
    model: &Model,
    plan: &Plan,
    options: &EmitOptions,
) -> (Vec<Object>, Diagnostics) {
    let owner = Owner::model(project, model, plan);
    let ns = plan.namespace.as_str();
    let grpc_port = plan
        .runtime_config
        .as_ref()
        .and_then(crate::model::plan::RuntimeConfig::grpc_port);
    let serving = pod::serving(model, &options.mlc_serve_image, grpc_port);
    let mut out: Vec<(String, serde_json::Value)> = Vec::new();

    if let Some(rc) = &plan.runtime_config {
        let cm = ConfigMap {
            metadata: owner.meta("ConfigMap", &rc.name, Some(ns)),
            data: Some(BTreeMap::from([(
                "config.yaml".to_owned(),
                rc.text().to_owned(),
            )])),
            ..ConfigMap::default()
        };
        out.push(("configmap-runtime".into(), to_value(&cm)));
    }
    let rollout_hash = rollout::hash(model, plan, &serving, &options.mlc_serve_image);
    // Core 2 runs a Model on its own Servers' pods: no pod of the model's own to serve.
    let pods = !matches!(plan.workload, Workload::Seldon { core2: true, .. });
    if pods {
        out.push((
            "serviceaccount".into(),
            to_value(&workload::service_account(&owner, model, plan)),
        ));
    }
    let (scaled, auth) = match &plan.scaler {
        Scaler::ScaledObjects { targets, auth } => (targets.as_slice(), auth.as_ref()),
        Scaler::KserveKeda { auth } | Scaler::SeldonKeda { auth } => (&[][..], auth.as_ref()),
        _ => (&[][..], None),
    };
    if let Some(ta) = auth.filter(|ta| ta.emitted()) {
        out.push((
            ta.file.clone(),
            to_value(&keda::trigger_authentication(&owner, plan, ta)),
        ));
    }
    if let Some(v) = &plan.vpa {
        for target in &v.targets {
            out.push((
                target.file.clone(),
                to_value(&vpa::vpa(&owner, plan, v, target)),
            ));
        }
    }
    let scaled_objects = |out: &mut Vec<(String, serde_json::Value)>| {
        for target in scaled {
            if let Some(so) = keda::scaled_object(&owner, model, plan, target, auth) {
                out.push((target.file.clone(), to_value(&so)));
            }
        }
    };
    // A Seldon custom container's own ports, opened beside the executor's.
    let mut extra_ports: Vec<u16> = Vec::new();
    let selector = match &plan.workload {
        Workload::Kserve { name, .. } => {
            let mut pod_labels = owner.labels();
            pod_labels.retain(|k, _| k.starts_with("app.kubernetes.io/"));
            let inputs = kserve::PredictorInputs {
                model,
                plan,
                serving: &serving,
                rollout_hash,
                pod_labels,
            };
            out.push((
                "inferenceservice".into(),
                to_value(&kserve::inference_service(&owner, &inputs)),
            ));
            scaled_objects(&mut out);
            BTreeMap::from([
                (
                    "serving.kserve.io/inferenceservice".to_owned(),
                    name.clone(),
                ),
                ("component".to_owned(), "predictor".to_owned()),
            ])
        }
        Workload::Seldon { core2: false, .. } => {
            // `validate` reports a format without a Seldon server (`E0318`).
            if let Some(server) = seldon::server(model, &options.mlc_serve_image, grpc_port) {
                if let Some(c) = &server.custom {
                    extra_ports.push(c.port);
                    extra_ports.extend(c.grpc_port);
                }
                let selector = owner.selector();
                let mut pod_labels = selector.clone();
                pod_labels.extend(owner.labels());
                let inputs = seldon::SdepInputs {
                    model,
                    plan,
                    server: &server,
                    pod_labels,
                    pod_annotations: pod::pod_annotations(
                        &rollout_hash,
                        server.custom.as_ref().unwrap_or(&serving),
                    ),
                };
                out.push((
                    "seldondeployment".into(),
                    to_value(&seldon::seldon_deployment(&owner, &inputs)),
                ));
            }
            owner.selector()
        }
        Workload::Seldon { core2: true, .. } => {
            out.extend(core2::model_objects(&owner, model, plan));
            owner.selector()
        }
        Workload::Deployment { .. } => {
            let deployment = workload::deployment(&owner, model, plan, &serving, &rollout_hash);
            out.push(("deployment".into(), to_value(&deployment)));
            out.push((
                "service".into(),
                to_value(&workload::service(&owner, plan, &serving)),
            ));
            if let Scaler::Hpa(metric) = plan.scaler {
                out.push((
                    "horizontalpodautoscaler".into(),
                    to_value(&workload::hpa(&owner, model, plan, metric)),
                ));
            }
            scaled_objects(&mut out);
            owner.selector()
        }
    };
    if pods {
        if let Some(p) = workload::pdb(&owner, model, plan, selector.clone()) {
            out.push(("poddisruptionbudget".into(), to_value(&p)));
        }
        let ports = policy_ports(plan, &serving);
        let policy = workload::network_policy(&owner, model, plan, selector, &ports, &extra_ports);
        out.push(("networkpolicy".into(), to_value(&policy)));
    }
    if let Some(mon) = plan.monitoring.as_deref() {
        if let Some(rule) = monitoring::prometheus_rule(&owner, plan, mon) {
            out.push(("prometheusrule".into(), to_value(&rule)));
        }
        if let Some((stem, m)) = monitoring::monitor(&owner, plan, mon) {
            out.push((stem.into(), to_value(&m)));
        }
    }

    let mut drafts: Vec<Draft> = out
        .into_iter()
        .map(|(stem, value)| Draft {
            stem,
            value,
            patches: Vec::new(),
        })
        .collect();
    let mut diags = Diagnostics::default();
    patch::apply(&mut drafts, &model.patches, &mut diags);
    let dir = plan.workload.name();
    let objects = drafts
        .into_iter()
        .map(|d| Object {
            scope: Scope::Env(plan.origin.env.clone().unwrap_or_default()),
            file: format!("{dir}/{}.yaml", d.stem),
            value: d.value,
            span: model.span,
            origin: crate::model::plan::Origin {
                patches: d.patches,
                ..plan.origin.clone()
            },
        })
        .collect();
    (objects, diags)
}

/// The ports a model's NetworkPolicy opens: the serving container's, or on Seldon Core v1
/// the executor's (8000 HTTP, 5001 gRPC), which fronts every pod Seldon makes, plus a
/// custom container's own ports (where its `/metrics` are scraped).
fn policy_ports(plan: &Plan, serving: &pod::Serving) -> pod::Serving {
    let mut s = serving.clone();
    if let Workload::Seldon { .. } = plan.workload {
        s.port = seldon::EXECUTOR_HTTP_PORT;
        s.grpc_port = Some(seldon::EXECUTOR_GRPC_PORT);
    }
    s
}
