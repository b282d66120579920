//! The workload a model becomes and every object name derived from it (DESIGN §8.2): the
//! only place such names are formatted.

use crate::model::ir::{Model, ServeTarget};

/// The names of one KServe predictor (the main one or a canary's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PredictorNames {
    /// The index of its canary in the model's `canaries`, `None` for the main predictor.
    pub canary: Option<usize>,
    /// The Deployment (and Service) KServe creates: `<model>-predictor`,
    /// `<model>-<canary>-predictor`.
    pub deployment: String,
    /// The HPA KEDA creates for a ScaledObject on it: `keda-hpa-<deployment>`.
    pub keda_hpa: String,
}

/// The workload of a model, with the names of the objects it consists of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Workload {
    /// An InferenceService.
    Kserve {
        /// Knative (serverless) rather than Standard (raw deployment) mode.
        knative: bool,
        /// The InferenceService name.
        name: String,
        /// The main predictor, then one per canary (Standard mode splits traffic between
        /// them; Knative keeps one predictor and the previous revision).
        predictors: Vec<PredictorNames>,
    },
    /// A plain Deployment with its Service.
    Deployment {
        /// The Deployment, Service and HPA name.
        name: String,
        /// The HPA KEDA creates for a ScaledObject on it.
        keda_hpa: String,
    },
}

/// One derived object name, with its kind and the canary that makes it, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DerivedName {
    /// The object kind.
    pub kind: &'static str,
    /// The name.
    pub name: String,
    /// The index of the canary it comes from.
    pub canary: Option<usize>,
}

impl DerivedName {
    pub(super) fn new(kind: &'static str, name: String, canary: Option<usize>) -> Self {
        DerivedName { kind, name, canary }
    }
}

fn predictor(model: &str, canary: Option<(usize, &str)>) -> PredictorNames {
    let deployment = match canary {
        Some((_, c)) => format!("{model}-{c}-predictor"),
        None => format!("{model}-predictor"),
    };
    PredictorNames {
        canary: canary.map(|(i, _)| i),
        keda_hpa: format!("keda-hpa-{deployment}"),
        deployment,
    }
}

impl Workload {
    /// The workload of `model` on its serve target.
    pub(super) fn of(model: &Model) -> Workload {
        let name = model.name.value.clone();
        match model.serve.value {
            ServeTarget::Deployment => Workload::Deployment {
                keda_hpa: format!("keda-hpa-{name}"),
                name,
            },
            ServeTarget::KserveStandard | ServeTarget::KserveKnative => {
                let mut predictors = vec![predictor(&name, None)];
                predictors.extend(
                    model
                        .canaries
                        .iter()
                        .enumerate()
                        .map(|(i, c)| predictor(&name, Some((i, &c.name.value)))),
                );
                Workload::Kserve {
                    knative: model.serve.value == ServeTarget::KserveKnative,
                    name,
                    predictors,
                }
            }
        }
    }

    /// The name of the top-level object (InferenceService or Deployment).
    pub fn name(&self) -> &str {
        match self {
            Workload::Kserve { name, .. } | Workload::Deployment { name, .. } => name,
        }
    }

    /// The names Kubernetes, KServe and KEDA derive for the workload, per kind: each
    /// Deployment, the HPA KEDA makes for it when `keda` scales it, and its Service.
    pub(super) fn derived_names(&self, keda: bool) -> Vec<DerivedName> {
        match self {
            Workload::Deployment { name, keda_hpa } => {
                let mut v = vec![DerivedName::new("Deployment", name.clone(), None)];
                if keda {
                    v.push(DerivedName::new(
                        "HorizontalPodAutoscaler",
                        keda_hpa.clone(),
                        None,
                    ));
                }
                v.push(DerivedName::new("Service", name.clone(), None));
                v
            }
            Workload::Kserve {
                name, predictors, ..
            } => {
                let mut v = Vec::new();
                for p in predictors {
                    v.push(DerivedName::new(
                        "Deployment",
                        p.deployment.clone(),
                        p.canary,
                    ));
                    if keda {
                        v.push(DerivedName::new(
                            "HorizontalPodAutoscaler",
                            p.keda_hpa.clone(),
                            p.canary,
                        ));
                    }
                    v.push(DerivedName::new("Service", p.deployment.clone(), p.canary));
                }
                v.push(DerivedName::new("InferenceService", name.clone(), None));
                v
            }
        }
    }
}
