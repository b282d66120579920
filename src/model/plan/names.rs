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
    /// A Seldon Core v1 `SeldonDeployment`, or Seldon Core 2 `Model`s.
    Seldon {
        /// Core 2 rather than Core v1.
        core2: bool,
        /// The SeldonDeployment name (Core v1), or the main Model's and the Experiment's.
        name: String,
        /// The main variant, then one per canary: the predictor names of the
        /// SeldonDeployment (`default`, then each canary's name), or the Core 2 Model names
        /// (`<model>`, `<model>-<canary>`).
        variants: Vec<SeldonVariant>,
    },
    /// A plain Deployment with its Service.
    Deployment {
        /// The Deployment, Service and HPA name.
        name: String,
        /// The HPA KEDA creates for a ScaledObject on it.
        keda_hpa: String,
    },
}

/// The main variant (`canary: None`) or a canary of a Seldon model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeldonVariant {
    /// The index of its canary in the model's `canaries`, `None` for the main variant.
    pub canary: Option<usize>,
    /// The predictor name (Core v1) or the Model name (Core 2).
    pub name: String,
}

/// The predictor name of a SeldonDeployment's main variant.
pub const SELDON_MAIN_PREDICTOR: &str = "default";

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

/// The names of predictor `named` (KServe's `predictor.name`) of InferenceService `model`:
/// `<model>-<name>-predictor`, or `<model>-predictor` for an unnamed stable predictor.
fn predictor(model: &str, canary: Option<usize>, named: Option<&str>) -> PredictorNames {
    let deployment = match named {
        Some(n) => format!("{model}-{n}-predictor"),
        None => format!("{model}-predictor"),
    };
    PredictorNames {
        canary,
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
            ServeTarget::SeldonV1 | ServeTarget::SeldonCore2 => {
                let core2 = model.serve.value == ServeTarget::SeldonCore2;
                let main = SeldonVariant {
                    canary: None,
                    name: if core2 {
                        name.clone()
                    } else {
                        SELDON_MAIN_PREDICTOR.to_owned()
                    },
                };
                let canaries = model
                    .canaries
                    .iter()
                    .enumerate()
                    .map(|(i, c)| SeldonVariant {
                        canary: Some(i),
                        name: if core2 {
                            format!("{name}-{}", c.name.value)
                        } else {
                            c.name.value.clone()
                        },
                    });
                let variants = std::iter::once(main).chain(canaries).collect();
                Workload::Seldon {
                    core2,
                    name,
                    variants,
                }
            }
            ServeTarget::KserveStandard | ServeTarget::KserveKnative => {
                let stable = model.stable.as_ref().map(|s| s.value.as_str());
                let mut predictors = vec![predictor(&name, None, stable)];
                predictors.extend(
                    model
                        .canaries
                        .iter()
                        .enumerate()
                        .map(|(i, c)| predictor(&name, Some(i), Some(&c.name.value))),
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
            Workload::Kserve { name, .. }
            | Workload::Deployment { name, .. }
            | Workload::Seldon { name, .. } => name,
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
            Workload::Seldon {
                core2: false, name, ..
            } => vec![DerivedName::new("SeldonDeployment", name.clone(), None)],
            Workload::Seldon {
                core2: true,
                name,
                variants,
            } => {
                let mut v: Vec<DerivedName> = variants
                    .iter()
                    .map(|m| DerivedName::new("Model", m.name.clone(), m.canary))
                    .collect();
                if variants.len() > 1 {
                    v.push(DerivedName::new("Experiment", name.clone(), None));
                }
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
