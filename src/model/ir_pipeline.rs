//! Pipelines in the IR: a graph of routers over the project's models (KServe's
//! InferenceGraph routers, facts in `docs/facts/pipelines-seldon.md`).

use super::ir::{Resources, Spanned};
use crate::source::Span;

/// The name KServe gives the entry node of a graph (`GraphRootNodeName`).
pub const GRAPH_ROOT: &str = "root";

/// How a router node sends a request to its steps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Router {
    /// Each step in turn, the next one reading `data` (`$request` or `$response`).
    Sequence,
    /// The first step whose `condition` matches.
    Switch,
    /// Every step; the responses are merged.
    Ensemble,
    /// One step picked at random by `weight` (the weights add up to 100).
    Splitter,
}

impl Router {
    /// Every router with its KDL spelling.
    pub const ALL: &'static [(&'static str, Router)] = &[
        ("sequence", Router::Sequence),
        ("switch", Router::Switch),
        ("ensemble", Router::Ensemble),
        ("splitter", Router::Splitter),
    ];

    /// The KDL spelling.
    pub fn keyword(self) -> &'static str {
        Router::ALL
            .iter()
            .find(|(_, r)| *r == self)
            .map_or("sequence", |(s, _)| s)
    }
}

/// Whether a failing step fails the request (`Hard`) or is skipped (`Soft`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dependency {
    /// The request fails when the step fails.
    Hard,
    /// The step's failure is passed on.
    Soft,
}

/// What a step sends the request to.
#[derive(Debug, Clone, PartialEq)]
pub enum StepTarget {
    /// A model of the project.
    Model(Spanned<String>),
    /// Another router node of the same pipeline.
    Node(Spanned<String>),
}

/// One step of a router node.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    /// The step name (unique within its node).
    pub name: Spanned<String>,
    /// What it calls.
    pub target: StepTarget,
    /// `data`: what the step receives (`$request`, `$response`, `$response.predictions`).
    pub data: Option<String>,
    /// Splitter weight, in percent.
    pub weight: Option<Spanned<i64>>,
    /// Switch condition (a GJSON expression over the request).
    pub condition: Option<Spanned<String>>,
    /// Hard or soft dependency.
    pub dependency: Option<Dependency>,
    /// The step node.
    pub span: Span,
}

/// A router node: its kind and steps.
#[derive(Debug, Clone, PartialEq)]
pub struct GraphNode {
    /// Its name (`root` for the pipeline's own router).
    pub name: Spanned<String>,
    /// How it routes.
    pub router: Spanned<Router>,
    /// Its steps, in order.
    pub steps: Vec<Step>,
}

/// The router pod's replica bounds and scaling metric.
#[derive(Debug, Clone, PartialEq)]
pub struct PipelineScale {
    /// Minimum replicas.
    pub min: Spanned<u32>,
    /// Maximum replicas.
    pub max: Spanned<u32>,
    /// `cpu` or `memory` utilisation target in percent, if any.
    pub metric: Option<(&'static str, u32)>,
}

/// A pipeline: a graph of routers whose steps are the project's models.
#[derive(Debug, Clone, PartialEq)]
pub struct Pipeline {
    /// Name (the InferenceGraph or SeldonDeployment name).
    pub name: Spanned<String>,
    /// The root node, then the other nodes in the order written.
    pub nodes: Vec<GraphNode>,
    /// The router pod's resources.
    pub resources: Resources,
    /// The router pod's scaling.
    pub scale: Option<PipelineScale>,
    /// Request timeout in seconds.
    pub timeout: Option<u32>,
    /// The pipeline node.
    pub span: Span,
}

impl Pipeline {
    /// The root node.
    pub fn root(&self) -> Option<&GraphNode> {
        self.nodes.first()
    }

    /// The node named `name`.
    pub fn node(&self, name: &str) -> Option<&GraphNode> {
        self.nodes.iter().find(|n| n.name.value == name)
    }

    /// Every model a step names, in order of first appearance, with the step's span.
    pub fn models(&self) -> Vec<&Spanned<String>> {
        let mut out: Vec<&Spanned<String>> = Vec::new();
        for node in &self.nodes {
            for step in &node.steps {
                if let StepTarget::Model(m) = &step.target
                    && !out.iter().any(|o| o.value == m.value)
                {
                    out.push(m);
                }
            }
        }
        out
    }
}
