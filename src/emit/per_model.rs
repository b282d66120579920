//! The objects of one model in one environment, a function of its plan.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::ConfigMap;

use super::meta::Owner;
use super::object::to_value;
use super::patch::{self, Draft};
use super::{
    EmitOptions, Object, Scope, core2, keda, kserve, monitoring, pod, rollout, seldon, traffic,
    vpa, workload,
};
use crate::diagnostics::Diagnostics;
use crate::model::plan::{Plan, Scaler, Split, Workload};
use crate::model::{Model, Project};

/// Every object of `model` as `plan` says, patched; `E0203` for a patch on nothing.
pub(super) fn emit_model(
    project: &Project,
    model: &Model,
    plan: &Plan,
    options: &EmitOptions,
) -> (Vec<Object>, Diagnostics) {
    let mut owner = Owner::model(project, model, plan);
    // A router that tells variants apart selects them by their `mlc/variant` label.
    let routed = plan.traffic.as_ref().filter(|t| t.routed());
    if let Some(t) = routed {
        owner.variant = t.variants.first().map(|v| v.name.clone());
    }
    // The stable variant's pods roll on its own artifact, not on a canary's.
    let stable = routed
        .and_then(|t| t.variants.first())
        .map(|v| v.model.as_ref());
    let grpc_port = plan
        .runtime_config
        .as_ref()
        .and_then(crate::model::plan::RuntimeConfig::grpc_port);
    let serving = pod::serving(model, &options.mlc_serve_image, grpc_port);
    let mut out: Vec<(String, serde_json::Value)> = Vec::new();

    if let Some(cm) = runtime_config_map(&owner, plan) {
        out.push(("configmap-runtime".into(), to_value(&cm)));
    }
    let rollout_hash = rollout::hash(
        stable.unwrap_or(model),
        plan,
        &serving,
        &options.mlc_serve_image,
    );
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
                pool: plan.pool.as_deref(),
                serving_image: &options.mlc_serve_image,
                grpc_port,
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
            let m = stable.unwrap_or(model);
            let deployment = workload::deployment(&owner, m, plan, &serving, &rollout_hash);
            out.push(("deployment".into(), to_value(&deployment)));
            // Istio routes one Service over every variant; Gateway API one per variant.
            let selector = match routed.map(|t| &t.split) {
                Some(Split::Istio { .. }) => owner.selector_all(),
                _ => owner.selector(),
            };
            let name = plan.workload.name();
            let service = workload::service(&owner, plan, name, selector, &serving, "ClusterIP");
            out.push(("service".into(), to_value(&service)));
            if let Scaler::Hpa(metric) = plan.scaler {
                out.push((
                    "horizontalpodautoscaler".into(),
                    to_value(&workload::hpa(&owner, m, plan, metric)),
                ));
            }
            scaled_objects(&mut out);
            if let Some(t) = routed {
                out.extend(variant_objects(&owner, t, options, grpc_port));
            }
            owner.selector()
        }
    };
    if pods {
        if let Some(p) = workload::pdb(&owner, stable.unwrap_or(model), plan, selector.clone()) {
            out.push(("poddisruptionbudget".into(), to_value(&p)));
        }
        // The NetworkPolicy and an external Service reach every variant.
        let mut all = selector;
        if owner.variant.is_some() {
            all.remove(crate::model::plan::VARIANT_LABEL);
        }
        if let Some(e) = &plan.expose
            && let crate::model::Expose::Service(kind) = e.expose
        {
            let svc =
                workload::service(&owner, plan, &e.name, all.clone(), &serving, kind.as_str());
            out.push(("service-external".into(), to_value(&svc)));
        }
        let ports = policy_ports(plan, &serving);
        let admit = admit(plan);
        let policy =
            workload::network_policy(&owner, model, plan, all, &ports, &extra_ports, &admit);
        out.push(("networkpolicy".into(), to_value(&policy)));
    }
    out.extend(traffic::objects(&owner, model, plan));

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

/// The objects of each canary's own Deployment on `serve deployment` with a router: the
/// Deployment, its ConfigMap, scaler, VPA and budget (from the canary's plan), and its own
/// Service under Gateway API. File stems end in `-<canary>`.
fn variant_objects(
    stable: &Owner<'_>,
    t: &crate::model::plan::TrafficPlan,
    options: &EmitOptions,
    grpc_port: Option<u16>,
) -> Vec<(String, serde_json::Value)> {
    let mut out = Vec::new();
    for v in t.variants.iter().skip(1) {
        let Some(plan) = v.plan.as_deref() else {
            continue;
        };
        let model = v.model.as_ref();
        let owner = Owner {
            project: stable.project,
            name: stable.name.clone(),
            instance: stable.instance.clone(),
            version: model.version.clone(),
            extra_labels: stable.extra_labels.clone(),
            extra_annotations: stable.extra_annotations.clone(),
            variant: Some(v.name.clone()),
        };
        let suffix = |stem: &str| format!("{stem}-{}", v.name);
        let serving = pod::serving(model, &options.mlc_serve_image, grpc_port);
        if let Some(cm) = runtime_config_map(&owner, plan) {
            out.push((suffix("configmap-runtime"), to_value(&cm)));
        }
        let hash = rollout::hash(model, plan, &serving, &options.mlc_serve_image);
        let deployment = workload::deployment(&owner, model, plan, &serving, &hash);
        out.push((suffix("deployment"), to_value(&deployment)));
        if matches!(t.split, Split::GatewayApi { .. }) {
            let selector = owner.selector();
            let svc = workload::service(&owner, plan, &v.service, selector, &serving, "ClusterIP");
            out.push((suffix("service"), to_value(&svc)));
        }
        match &plan.scaler {
            Scaler::Hpa(metric) => out.push((
                suffix("horizontalpodautoscaler"),
                to_value(&workload::hpa(&owner, model, plan, *metric)),
            )),
            Scaler::ScaledObjects { targets, auth } => {
                for target in targets {
                    if let Some(so) =
                        keda::scaled_object(&owner, model, plan, target, auth.as_ref())
                    {
                        out.push((suffix(&target.file), to_value(&so)));
                    }
                }
            }
            _ => {}
        }
        if let Some(vp) = &plan.vpa {
            for target in &vp.targets {
                let v = vpa::vpa(&owner, plan, vp, target);
                out.push((suffix(&target.file), to_value(&v)));
            }
        }
        if let Some(p) = workload::pdb(&owner, model, plan, owner.selector()) {
            out.push((suffix("poddisruptionbudget"), to_value(&p)));
        }
    }
    out
}

/// The ConfigMap holding the plan's mlc-serve runtime config, when it has one.
fn runtime_config_map(owner: &Owner<'_>, plan: &Plan) -> Option<ConfigMap> {
    let rc = plan.runtime_config.as_ref()?;
    Some(ConfigMap {
        metadata: owner.meta("ConfigMap", &rc.name, Some(&plan.namespace)),
        data: Some(BTreeMap::from([(
            "config.yaml".to_owned(),
            rc.text().to_owned(),
        )])),
        ..ConfigMap::default()
    })
}

/// Who the NetworkPolicy admits beside the model's namespace and `allow-from`: the ingress
/// controller's or Gateway's namespace, the Istio Gateway's, and any address for a
/// LoadBalancer or NodePort Service.
fn admit(plan: &Plan) -> workload::Admit {
    let mut a = workload::Admit::default();
    if let Some(e) = &plan.expose {
        a.namespaces.extend(e.admit_namespace.clone());
        a.external = matches!(e.expose, crate::model::Expose::Service(_));
    }
    let gateway = plan.traffic.as_ref().and_then(|t| match &t.split {
        Split::Istio { gateway } => gateway.as_ref(),
        Split::GatewayApi { parent } => Some(parent),
        Split::Target => None,
    });
    if let Some(g) = gateway {
        a.namespaces.push(
            g.namespace
                .clone()
                .unwrap_or_else(|| plan.namespace.clone()),
        );
    }
    a
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
