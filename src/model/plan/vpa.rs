//! The VerticalPodAutoscalers of a model: one per Deployment it runs, with the resources
//! they control decided against the HPA (facts: observability-traffic §1, "VPA + HPA").

use super::names::Workload;
use super::scaler::{ScaledTarget, Scaler};
use crate::model::Model;

/// A model's VPAs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpaPlan {
    /// One VPA per Deployment, named like it.
    pub targets: Vec<ScaledTarget>,
    /// The serving container the policy applies to.
    pub container: &'static str,
    /// `updatePolicy.updateMode`.
    pub mode: &'static str,
    /// `controlledResources`.
    pub controlled: Vec<&'static str>,
    /// The resource an HPA scales the model on, if any (a VPA must not control it).
    pub hpa_resource: Option<&'static str>,
    /// `minAllowed` (resource, quantity).
    pub min_allowed: Vec<(&'static str, String)>,
    /// `maxAllowed` (resource, quantity).
    pub max_allowed: Vec<(&'static str, String)>,
}

impl VpaPlan {
    /// The VPA plan of `model`, when it has a `vpa` block and Deployments of stable names
    /// (not on Knative, whose revisions are new Deployments: validate reports `E0311`).
    pub(super) fn of(model: &Model, workload: &Workload, scaler: &Scaler) -> Option<VpaPlan> {
        let vpa = model.vpa.as_ref()?;
        let (targets, container) = match workload {
            Workload::Kserve { knative: true, .. } | Workload::Seldon { .. } => return None,
            Workload::Kserve { predictors, .. } => (
                predictors
                    .iter()
                    .map(|p| ScaledTarget {
                        name: p.deployment.clone(),
                        file: match p.canary.and_then(|i| model.canaries.get(i)) {
                            Some(c) => format!("verticalpodautoscaler-{}", c.name.value),
                            None => "verticalpodautoscaler".to_owned(),
                        },
                    })
                    .collect(),
                "kserve-container",
            ),
            Workload::Deployment { name, .. } => (
                vec![ScaledTarget {
                    name: name.clone(),
                    file: "verticalpodautoscaler".to_owned(),
                }],
                "model-server",
            ),
        };
        let hpa_resource = match scaler {
            Scaler::KserveHpa(m) | Scaler::Hpa(m) => Some(m.resource),
            _ => None,
        };
        let controlled = match (&vpa.controls, hpa_resource) {
            (Some((list, _)), _) => list.clone(),
            (None, Some("cpu")) => vec!["memory"],
            (None, Some(_)) => vec!["cpu"],
            (None, None) => vec!["cpu", "memory"],
        };
        Some(VpaPlan {
            targets,
            container,
            mode: vpa.mode,
            controlled,
            hpa_resource,
            min_allowed: vpa.min_allowed.clone(),
            max_allowed: vpa.max_allowed.clone(),
        })
    }
}
