//! The serving plan (DESIGN §8.18): for each (environment, model), everything the later
//! stages need and nothing they must re-derive. Validate checks plans; emit is a function of
//! them; no stage after this one formats a derived name or looks a pool up by name.
//!
//! Built by [`plan_environment`] once an environment's models are resolved. A pool reference
//! resolves here once; one that names no pool leaves `pool` empty and validate reports it
//! (`E0203`) beside its other rules.

mod files;
mod monitoring;
mod names;
mod pipeline;
mod runtime_config;
mod runtime_metrics;
mod scaler;
mod shared;
mod traffic;
mod vpa;

use std::collections::BTreeMap;
use std::sync::Arc;

pub use files::{MODEL_DIR, ModelFiles};
pub use monitoring::{
    Alert, Dashboard, ENV_LABEL, MODEL_LABEL, MonitoringPlan, Scrape, plan_monitoring,
};
pub use names::{DerivedName, PredictorNames, SELDON_MAIN_PREDICTOR, SeldonVariant, Workload};
pub(crate) use pipeline::plan_pipelines;
pub use pipeline::{PipelinePlan, PlannedNode, PlannedStep, PlannedTarget};
pub use runtime_config::{GRPC_PORT, HTTP_PORT, RuntimeConfig};
pub use runtime_metrics::MetricsRuntime;
pub use scaler::{ResourceMetric, ScaledTarget, Scaler, ScalerAuth, TriggerAuth};
pub(crate) use shared::plan_clusters;
pub use shared::{ClusterPlan, MLC_SERVE_RUNTIME, Named, QuotaPlan, SharedRuntime};
pub use traffic::{
    Backend, ExposePlan, SERVICE_PORT, STABLE_VARIANT, Split, TrafficPlan, VARIANT_LABEL, Variant,
    stable_name, variant_model,
};
pub use vpa::VpaPlan;

use super::ir::{Model, Pool};
use crate::source::Span;

/// Where an object comes from: the environment and model that made it, and the `patch`es
/// applied to it (their target spans), so a later diagnostic points at the KDL behind it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    /// The environment, for environment objects.
    pub env: Option<String>,
    /// The model, for model objects.
    pub model: Option<String>,
    /// The `patch` nodes applied to the object, in order (the span of each target).
    pub patches: Vec<Span>,
}

/// A name of a Secret (or other credential object) the KDL refers to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecretRef(pub String);

/// The credentials a model's pods and scalers refer to, by typed reference.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Credentials {
    /// Storage credentials for the storage initializer.
    pub storage: Option<SecretRef>,
    /// Image pull secrets.
    pub image_pull: Vec<SecretRef>,
}

/// Everything resolved about one model in one environment.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The environment and model.
    pub origin: Origin,
    /// The namespace its objects go to.
    pub namespace: String,
    /// The `app.kubernetes.io/instance` label value.
    pub instance: String,
    /// The workload with every object name derived from the model.
    pub workload: Workload,
    /// How replicas are scaled.
    pub scaler: Scaler,
    /// The pool the model is placed on (`None` for CPU models, and for an unknown pool).
    pub pool: Option<Arc<Pool>>,
    /// Where the main artifact's files come from in a pod mlc builds.
    pub files: ModelFiles,
    /// The mlc-serve runtime config, for models on mlc-serve.
    pub runtime_config: Option<RuntimeConfig>,
    /// The ServiceAccount name.
    pub service_account: String,
    /// Credential references.
    pub credentials: Credentials,
    /// What watches the model, where `monitoring` is declared (set by [`plan_monitoring`]).
    pub monitoring: Option<Box<MonitoringPlan>>,
    /// The VerticalPodAutoscalers (`vpa.rs`), when the model has a `vpa` block.
    pub vpa: Option<VpaPlan>,
    /// The main artifact's ONNX model, when mlc could read it (`model/artifacts.rs`).
    pub onnx: Option<Arc<crate::onnx::OnnxModel>>,
    /// The Seldon Core 2 Server the Model is pinned to.
    pub seldon_server: Option<String>,
    /// Its variants and who splits traffic between them, when it has canaries.
    pub traffic: Option<TrafficPlan>,
    /// How it is reached from outside its namespace, when `expose` is declared.
    pub expose: Option<ExposePlan>,
}

impl Plan {
    /// Builds the plan of `model` in environment `env` (namespace `namespace`).
    pub fn new(
        env: &str,
        namespace: &str,
        model: &Model,
        pools: &BTreeMap<String, Arc<Pool>>,
        traffic: Option<&crate::model::Traffic>,
    ) -> Plan {
        let name = &model.name.value;
        let pool = model
            .accelerator
            .pool
            .as_ref()
            .and_then(|p| pools.get(&p.value).cloned());
        let files = ModelFiles::of(model);
        let workload = Workload::of(model);
        let scaler = Scaler::of(model, &workload);
        let vpa = VpaPlan::of(model, &workload, &scaler);
        // Core 2 runs its own servers (MLServer, Triton): no mlc-serve there.
        let runtime_config = (model.uses_mlc_serve()
            && model.serve.value != crate::model::ServeTarget::SeldonCore2)
            .then(|| RuntimeConfig::of(model, &files));
        let mut plan = Plan {
            origin: Origin {
                env: Some(env.to_owned()),
                model: Some(name.clone()),
                patches: Vec::new(),
            },
            namespace: namespace.to_owned(),
            instance: format!("{name}-{env}"),
            workload,
            scaler,
            pool,
            files,
            runtime_config,
            vpa,
            service_account: model
                .service_account
                .clone()
                .unwrap_or_else(|| name.clone()),
            credentials: Credentials {
                storage: model.storage_secret.clone().map(SecretRef),
                image_pull: model
                    .image_pull_secrets
                    .iter()
                    .cloned()
                    .map(SecretRef)
                    .collect(),
            },
            monitoring: None,
            onnx: None,
            seldon_server: model.seldon_server.as_ref().map(|s| s.value.clone()),
            traffic: None,
            expose: None,
        };
        plan.traffic = TrafficPlan::of(model, &plan, traffic, pools);
        plan.expose = ExposePlan::of(model, &plan);
        plan
    }

    /// Every object name this plan derives, with its kind, in a stable order.
    pub fn derived_names(&self) -> Vec<DerivedName> {
        let mut names = self.workload.derived_names(self.scaler.uses_keda());
        if let Some(rc) = &self.runtime_config {
            names.push(DerivedName::new("ConfigMap", rc.name.clone(), None));
        }
        if let Scaler::ScaledObjects { auth: Some(a), .. } | Scaler::KserveKeda { auth: Some(a) } =
            &self.scaler
            && a.emitted()
        {
            names.push(DerivedName::new(
                "TriggerAuthentication",
                a.name.clone(),
                None,
            ));
        }
        if let Some(t) = &self.traffic {
            for v in &t.variants {
                if let Some(p) = &v.plan {
                    let mut more = p.derived_names();
                    for n in &mut more {
                        n.canary = v.canary;
                    }
                    names.extend(more.into_iter().filter(|n| n.kind != "Service"));
                    if matches!(t.split, Split::GatewayApi { .. }) {
                        names.push(DerivedName::new("Service", v.service.clone(), v.canary));
                    }
                }
            }
            match t.split {
                Split::Istio { .. } => {
                    let name = self.workload.name().to_owned();
                    names.push(DerivedName::new("DestinationRule", name.clone(), None));
                    names.push(DerivedName::new("VirtualService", name, None));
                }
                Split::GatewayApi { .. } => names.push(DerivedName::new(
                    "HTTPRoute",
                    self.workload.name().to_owned(),
                    None,
                )),
                Split::Target => {}
            }
        }
        if let Some(e) = &self.expose {
            let kind = match e.expose {
                crate::model::Expose::Ingress { .. } => "Ingress",
                crate::model::Expose::Gateway { .. } => "HTTPRoute",
                crate::model::Expose::Service(_) => "Service",
            };
            let dup = names.iter().any(|n| n.kind == kind && n.name == e.name);
            if !dup {
                names.push(DerivedName::new(kind, e.name.clone(), None));
            }
        }
        names
    }
}

/// Plans every model of one environment (same keys as `models`).
pub fn plan_environment(
    env: &str,
    namespace: &str,
    models: &BTreeMap<String, Arc<Model>>,
    pools: &BTreeMap<String, Arc<Pool>>,
    traffic: Option<&crate::model::Traffic>,
) -> BTreeMap<String, Box<Plan>> {
    use rayon::prelude::*;
    // Each plan is a function of its model: planned in parallel, collected in key order.
    models
        .par_iter()
        .map(|(key, m)| {
            (
                key.clone(),
                Box::new(Plan::new(env, namespace, m, pools, traffic)),
            )
        })
        .collect()
}
