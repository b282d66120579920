//! The plan of a pipeline in one environment: its object name, the target that serves it
//! (the target of its steps' models) and every step resolved to the name of the object it
//! calls, taken from the models' plans (nothing later formats a name).

use std::collections::BTreeMap;
use std::sync::Arc;

use super::{Origin, Plan};
use crate::model::ir::{Model, ServeTarget};
use crate::model::ir_pipeline::{Dependency, Pipeline, Router, StepTarget};
use crate::source::Span;

/// Where a step sends the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlannedTarget {
    /// A model's serving object.
    Model {
        /// The model name.
        model: String,
        /// The object it is served by (InferenceService or SeldonDeployment name).
        service: String,
        /// The model's serve target in this environment.
        serve: ServeTarget,
        /// Where the step names it.
        span: Span,
    },
    /// Another node of the graph.
    Node(String),
}

/// One resolved step.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedStep {
    /// The step name.
    pub name: String,
    /// What it calls.
    pub target: PlannedTarget,
    /// `data`.
    pub data: Option<String>,
    /// Splitter weight.
    pub weight: Option<i64>,
    /// Switch condition.
    pub condition: Option<String>,
    /// Dependency.
    pub dependency: Option<Dependency>,
}

/// One resolved router node.
#[derive(Debug, Clone, PartialEq)]
pub struct PlannedNode {
    /// Its name in the graph (`root` first).
    pub name: String,
    /// Its router.
    pub router: Router,
    /// Its steps.
    pub steps: Vec<PlannedStep>,
}

/// A pipeline planned in one environment.
#[derive(Debug, Clone)]
pub struct PipelinePlan {
    /// The environment, and the pipeline in `model`.
    pub origin: Origin,
    /// The namespace (the environment's, shared by every step).
    pub namespace: String,
    /// The `app.kubernetes.io/instance` label value.
    pub instance: String,
    /// The object name (InferenceGraph, and the router's Deployment and Service).
    pub name: String,
    /// The serve target of its first step's model: the one every step must share.
    pub target: Option<ServeTarget>,
    /// The graph, root first.
    pub nodes: Vec<PlannedNode>,
    /// The pipeline as written (sizing, spans).
    pub pipeline: Pipeline,
}

impl PipelinePlan {
    /// Plans `pipeline` in environment `env` over its models' plans.
    pub fn new(
        env: &str,
        namespace: &str,
        pipeline: &Pipeline,
        models: &BTreeMap<String, Arc<Model>>,
        plans: &BTreeMap<String, Box<Plan>>,
    ) -> PipelinePlan {
        let name = pipeline.name.value.clone();
        let nodes: Vec<PlannedNode> = pipeline
            .nodes
            .iter()
            .map(|n| PlannedNode {
                name: n.name.value.clone(),
                router: n.router.value,
                steps: n
                    .steps
                    .iter()
                    .filter_map(|s| {
                        let target = match &s.target {
                            StepTarget::Node(t) => PlannedTarget::Node(t.value.clone()),
                            StepTarget::Model(m) => PlannedTarget::Model {
                                model: m.value.clone(),
                                service: plans.get(&m.value)?.workload.name().to_owned(),
                                serve: models.get(&m.value)?.serve.value,
                                span: m.span,
                            },
                        };
                        Some(PlannedStep {
                            name: s.name.value.clone(),
                            target,
                            data: s.data.clone(),
                            weight: s.weight.as_ref().map(|w| w.value),
                            condition: s.condition.as_ref().map(|c| c.value.clone()),
                            dependency: s.dependency,
                        })
                    })
                    .collect(),
            })
            .collect();
        let target = nodes
            .iter()
            .flat_map(|n| &n.steps)
            .find_map(|s| match &s.target {
                PlannedTarget::Model { serve, .. } => Some(*serve),
                PlannedTarget::Node(_) => None,
            });
        PipelinePlan {
            origin: Origin {
                env: Some(env.to_owned()),
                model: Some(name.clone()),
                patches: Vec::new(),
            },
            namespace: namespace.to_owned(),
            instance: format!("{name}-{env}"),
            name,
            target,
            nodes,
            pipeline: pipeline.clone(),
        }
    }

    /// The names it derives: on KServe the InferenceGraph and the router's Deployment and
    /// Service of the same name; on Seldon the SeldonDeployment or the Core 2 Pipeline.
    pub fn derived_names(&self) -> Vec<super::DerivedName> {
        match self.target {
            Some(ServeTarget::SeldonV1) => {
                return vec![super::DerivedName::new(
                    "SeldonDeployment",
                    self.name.clone(),
                    None,
                )];
            }
            Some(ServeTarget::SeldonCore2) => {
                return vec![super::DerivedName::new("Pipeline", self.name.clone(), None)];
            }
            _ => {}
        }
        vec![
            super::DerivedName::new("Deployment", self.name.clone(), None),
            super::DerivedName::new("Service", self.name.clone(), None),
            super::DerivedName::new("InferenceGraph", self.name.clone(), None),
        ]
    }
}

/// Plans every pipeline in one environment.
pub(crate) fn plan_pipelines(
    env: &str,
    namespace: &str,
    pipelines: &BTreeMap<String, Pipeline>,
    models: &BTreeMap<String, Arc<Model>>,
    plans: &BTreeMap<String, Box<Plan>>,
) -> BTreeMap<String, PipelinePlan> {
    pipelines
        .iter()
        .map(|(k, p)| {
            (
                k.clone(),
                PipelinePlan::new(env, namespace, p, models, plans),
            )
        })
        .collect()
}
