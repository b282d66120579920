//! The traffic plan of a model (DESIGN §8.15): its variants (the stable one, then each
//! canary) with their weights, the model each runs, the Service that reaches it and, on
//! `serve deployment` with a split, the plan of each canary's own Deployment; and the
//! exposure's backends. Every traffic object name is formatted here.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::Plan;
use super::names::Workload;
use super::scaler::Scaler;
use crate::model::ir::{Model, Pool, ServeTarget};
use crate::model::ir_traffic::{Expose, GatewayRef, Traffic};

/// The pod label that tells a model's variants apart (the DestinationRule subsets select it).
pub const VARIANT_LABEL: &str = "mlc/variant";

/// The stable variant's name when the model does not give one.
pub const STABLE_VARIANT: &str = "stable";

/// The port of every Service mlc or KServe puts in front of a model.
pub const SERVICE_PORT: u16 = 80;

/// Who splits a model's traffic between its variants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Split {
    /// The serve target itself (KServe's `spec.canary[]` or Knative's revisions, Seldon's
    /// predictors or Experiment), or nothing to split.
    Target,
    /// Istio: one Service over every variant, DestinationRule subsets, a VirtualService.
    Istio {
        /// The Istio Gateway the VirtualService is bound to beside `mesh`.
        gateway: Option<GatewayRef>,
    },
    /// Gateway API: a Service per variant and a weighted HTTPRoute.
    GatewayApi {
        /// The parent Gateway.
        parent: GatewayRef,
    },
}

/// One variant of a model.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The index of its canary in the model's `canaries`, `None` for the stable variant.
    pub canary: Option<usize>,
    /// Its name: the `mlc/variant` label value and the DestinationRule subset.
    pub name: String,
    /// Its share of traffic, in percent (the variants' weights sum to 100).
    pub weight: u32,
    /// The Service that reaches it alone (Gateway API and KServe), or every variant (Istio).
    pub service: String,
    /// The model it runs: the model with the canary's settings applied (the stable variant
    /// runs the model without its canaries).
    pub model: Arc<Model>,
    /// The pool it is placed on.
    pub pool: Option<Arc<Pool>>,
    /// On `serve deployment` with a split, the plan of the canary's own Deployment (named
    /// `<model>-<canary>`; its ConfigMap, scaler and budget named like it).
    pub plan: Option<Box<Plan>>,
}

/// How the model's traffic is split and what reaches each variant.
#[derive(Debug, Clone)]
pub struct TrafficPlan {
    /// Who splits it.
    pub split: Split,
    /// The stable variant, then one per canary.
    pub variants: Vec<Variant>,
    /// The fully qualified name of the Service the mesh routes (`<svc>.<ns>.svc.cluster.local`).
    pub host: String,
}

impl TrafficPlan {
    /// Whether mlc emits a router (Istio or Gateway API objects) for the split.
    pub fn routed(&self) -> bool {
        self.split != Split::Target
    }
}

/// One backend of a route: a Service, its port and its weight.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backend {
    /// The Service.
    pub service: String,
    /// Its port.
    pub port: u16,
    /// The weight (the backends' weights sum to 100).
    pub weight: u32,
}

/// The exposure of a model, resolved to the Services it reaches.
#[derive(Debug, Clone)]
pub struct ExposePlan {
    /// What the model declares.
    pub expose: Expose,
    /// The route's or external Service's object name.
    pub name: String,
    /// The Services the route reaches, with weights.
    pub backends: Vec<Backend>,
    /// The namespace the NetworkPolicy admits (the ingress controller's or the Gateway's).
    pub admit_namespace: Option<String>,
}

/// `model` with canary `i`'s settings applied: its artifact, version, minimum, resources,
/// accelerator, env and image; no canaries of its own.
pub fn variant_model(model: &Model, i: usize) -> Option<Model> {
    let c = model.canaries.get(i)?;
    let mut m = stable_model(model);
    m.artifact = c.artifact.clone();
    if c.version.is_some() {
        m.version.clone_from(&c.version);
    }
    if let Some(min) = &c.min {
        m.autoscale.min = min.clone();
    }
    if let Some(r) = &c.resources {
        m.resources = r.clone();
    }
    if let Some(a) = &c.accelerator {
        m.accelerator = a.clone();
    }
    m.env.extend(c.env.clone());
    if let Some(image) = &c.image {
        m.runtime.image = Some(image.value.clone());
    }
    Some(m)
}

/// `model` as its stable variant runs it: without canaries or exposure.
fn stable_model(model: &Model) -> Model {
    let mut m = model.clone();
    m.canaries = Vec::new();
    m.expose = None;
    m
}

/// The stable variant's name.
pub fn stable_name(model: &Model) -> &str {
    model
        .stable
        .as_ref()
        .map_or(STABLE_VARIANT, |s| s.value.as_str())
}

impl TrafficPlan {
    /// The traffic plan of `model` (planned as `plan`), when it has canaries.
    pub(super) fn of(
        model: &Model,
        plan: &Plan,
        traffic: Option<&Traffic>,
        pools: &BTreeMap<String, Arc<Pool>>,
    ) -> Option<TrafficPlan> {
        if model.canaries.is_empty() {
            return None;
        }
        let env = plan.origin.env.as_deref().unwrap_or_default();
        let split = match (model.serve.value, traffic) {
            (ServeTarget::Deployment, Some(Traffic::Istio { gateway })) => Split::Istio {
                gateway: gateway.clone(),
            },
            (ServeTarget::Deployment, Some(Traffic::GatewayApi { parent })) => Split::GatewayApi {
                parent: parent.clone(),
            },
            _ => Split::Target,
        };
        let base = plan.workload.name().to_owned();
        let canary_total: i64 = model.canaries.iter().map(|c| c.percent.value).sum();
        let weight = |p: i64| u32::try_from(p.clamp(0, 100)).unwrap_or(0);
        let stable_service = match &plan.workload {
            Workload::Kserve { predictors, .. } => predictors
                .first()
                .map_or_else(|| format!("{base}-predictor"), |p| p.deployment.clone()),
            _ => base.clone(),
        };
        let mut variants = vec![Variant {
            canary: None,
            name: stable_name(model).to_owned(),
            weight: weight(100 - canary_total),
            service: stable_service,
            model: Arc::new(stable_model(model)),
            pool: plan.pool.clone(),
            plan: None,
        }];
        for (i, c) in model.canaries.iter().enumerate() {
            let Some(m) = variant_model(model, i) else {
                continue;
            };
            let pool = m
                .accelerator
                .pool
                .as_ref()
                .and_then(|p| pools.get(&p.value).cloned());
            let service = match &plan.workload {
                Workload::Kserve { predictors, .. } => predictors.get(i + 1).map_or_else(
                    || format!("{base}-{}-predictor", c.name.value),
                    |p| p.deployment.clone(),
                ),
                _ if matches!(split, Split::Istio { .. }) => base.clone(),
                _ => format!("{base}-{}", c.name.value),
            };
            let own_plan =
                matches!(split, Split::Istio { .. } | Split::GatewayApi { .. }).then(|| {
                    Box::new(canary_plan(
                        env,
                        &plan.namespace,
                        &m,
                        &c.name.value,
                        plan,
                        pools,
                    ))
                });
            variants.push(Variant {
                canary: Some(i),
                name: c.name.value.clone(),
                weight: weight(c.percent.value),
                service,
                model: Arc::new(m),
                pool,
                plan: own_plan,
            });
        }
        Some(TrafficPlan {
            split,
            variants,
            host: format!("{base}.{}.svc.cluster.local", plan.namespace),
        })
    }
}

/// The plan of a canary's own Deployment: planned as a model named `<model>-<canary>`, so
/// that its Deployment, ConfigMap, scaler and budget are named like it, then given back the
/// stable plan's instance label, ServiceAccount, trigger authentication and served model name.
fn canary_plan(
    env: &str,
    namespace: &str,
    variant: &Model,
    canary: &str,
    stable: &Plan,
    pools: &BTreeMap<String, Arc<Pool>>,
) -> Plan {
    let mut renamed = variant.clone();
    renamed.name.value = format!("{}-{canary}", variant.name.value);
    let mut p = Plan::new(env, namespace, &renamed, pools, None);
    p.instance.clone_from(&stable.instance);
    p.origin.model.clone_from(&stable.origin.model);
    p.service_account.clone_from(&stable.service_account);
    if let Some(rc) = &mut p.runtime_config {
        rc.set_model_name(&variant.name.value);
    }
    let stable_auth = match &stable.scaler {
        Scaler::ScaledObjects { auth, .. } => auth.clone(),
        _ => None,
    };
    if let Scaler::ScaledObjects { auth, .. } = &mut p.scaler {
        *auth = stable_auth;
    }
    p.monitoring = None;
    p
}

impl ExposePlan {
    /// The exposure of `model`, with the Services it reaches.
    pub(super) fn of(model: &Model, plan: &Plan) -> Option<ExposePlan> {
        let expose = model.expose.as_ref()?.value.clone();
        let base = plan.workload.name();
        let entry = match &plan.workload {
            Workload::Kserve { predictors, .. } => predictors
                .first()
                .map_or_else(|| format!("{base}-predictor"), |p| p.deployment.clone()),
            _ => base.to_owned(),
        };
        let backends = match (&expose, &plan.traffic) {
            // A route with weights reaches each variant's own Service.
            (Expose::Gateway { .. }, Some(t))
                if matches!(t.split, Split::GatewayApi { .. })
                    || (t.split == Split::Target
                        && matches!(plan.workload, Workload::Kserve { knative: false, .. })) =>
            {
                t.variants
                    .iter()
                    .map(|v| Backend {
                        service: v.service.clone(),
                        port: SERVICE_PORT,
                        weight: v.weight,
                    })
                    .collect()
            }
            _ => vec![Backend {
                service: entry,
                port: SERVICE_PORT,
                weight: 100,
            }],
        };
        let (name, admit_namespace) = match &expose {
            Expose::Ingress { namespace, .. } => (base.to_owned(), Some(namespace.clone())),
            Expose::Gateway { parent, .. } => (
                base.to_owned(),
                Some(
                    parent
                        .namespace
                        .clone()
                        .unwrap_or_else(|| plan.namespace.clone()),
                ),
            ),
            Expose::Service(_) => (format!("{base}-external"), None),
        };
        Some(ExposePlan {
            expose,
            name,
            backends,
            admit_namespace,
        })
    }
}
