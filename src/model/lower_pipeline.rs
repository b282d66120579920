//! Lowering `pipeline` nodes: router nodes with their steps, checked against the project's
//! models (`E0219`), for cycles between nodes (`E0220`), splitter weights (`E0221`) and
//! their shape (`E0222`). Which target serves each step is checked per environment by
//! `validate/pipelines.rs`.

use std::collections::BTreeMap;

use super::grammar;
use super::ir::{Policy, Spanned};
use super::ir_pipeline::{
    Dependency, GraphNode, Pipeline, PipelineScale, Router, Step, StepTarget,
};
use super::lower_pod::lower_resources;
use super::lower_scaling::lower_autoscale;
use super::names::check_name;
use super::reader::{Reader, check_children, list};
use crate::diagnostics::{Code, Diagnostic, Diagnostics, did_you_mean};
use crate::source::Span;
use crate::syntax::Node;

use super::ir_pipeline::GRAPH_ROOT as ROOT;

/// Lowers one `pipeline` node against the project's `models`.
pub(super) fn lower_pipeline(
    node: &Node,
    models: &BTreeMap<String, Span>,
    diags: &mut Diagnostics,
) -> Option<Pipeline> {
    let mut r = Reader::new(node, diags, &["router", "timeout"], 1);
    let Some(name) = r.arg_str(0) else {
        if node.args.is_empty() {
            r.missing("a name", "pipeline sentiment router=sequence { … }");
        }
        return None;
    };
    let timeout = r.u32("timeout").map(|t| t.value);
    let router = router_of(&mut r).unwrap_or(Spanned::new(Router::Sequence, node.head_span()));
    check_children(node, diags, &grammar::PIPELINE);
    if !check_name("pipeline", &name, diags) {
        return None;
    }
    if let Some(m) = models.get(&name.value) {
        diags.push(
            Diagnostic::error(
                Code::E0222,
                format!("pipeline `{}` is named like a model", name.value),
            )
            .label(name.span, "this pipeline")
            .label(*m, "the model")
            .help("a pipeline's objects and a model's share a directory and names: rename the pipeline, e.g. `…-pipeline`"),
        );
        return None;
    }
    let mut nodes = vec![GraphNode {
        name: Spanned::new(ROOT.to_owned(), name.span),
        router,
        steps: lower_steps(node, diags),
    }];
    let mut resources = super::ir::Resources::default();
    let mut scale = None;
    for child in node.children() {
        match child.name.as_str() {
            "node" => {
                if let Some(n) = lower_node(child, &nodes, diags) {
                    nodes.push(n);
                }
            }
            "resources" => resources = lower_resources(child, diags),
            "autoscale" => scale = lower_scale(child, diags),
            _ => {}
        }
    }
    let pipeline = Pipeline {
        name,
        nodes,
        resources,
        scale,
        timeout,
        span: node.head_span(),
    };
    let before = diags.error_count();
    for n in &pipeline.nodes {
        check_node(&pipeline, n, models, diags);
    }
    if diags.error_count() == before {
        check_cycles(&pipeline, diags);
    }
    (diags.error_count() == before).then_some(pipeline)
}

fn router_of(r: &mut Reader<'_>) -> Option<Spanned<Router>> {
    r.choice_of(r.value("router"), "router", Router::ALL)
}

fn lower_node(node: &Node, seen: &[GraphNode], diags: &mut Diagnostics) -> Option<GraphNode> {
    let mut r = Reader::new(node, diags, &["router"], 1);
    let Some(name) = r.arg_str(0) else {
        if node.args.is_empty() {
            r.missing("a name", "node branch router=switch { … }");
        }
        return None;
    };
    let router = router_of(&mut r);
    if router.is_none() && node.prop("router").is_none() {
        r.missing("a `router`", "node branch router=switch { … }");
    }
    check_children(node, diags, &grammar::PIPELINE_NODE);
    if !check_name("pipeline node", &name, diags) {
        return None;
    }
    if name.value == ROOT {
        diags.push(
            Diagnostic::error(Code::E0222, "`root` is the pipeline's own router")
                .label(name.span, "reserved name")
                .help("give the node another name; the pipeline's own steps are its `root`"),
        );
        return None;
    }
    if let Some(first) = seen.iter().find(|n| n.name.value == name.value) {
        diags.push(
            Diagnostic::error(
                Code::E0222,
                format!("pipeline node `{}` is defined twice", name.value),
            )
            .label(name.span, "defined again here")
            .label(first.name.span, "first defined here")
            .help("node names are unique within a pipeline"),
        );
        return None;
    }
    Some(GraphNode {
        name,
        router: router?,
        steps: lower_steps(node, diags),
    })
}

fn lower_steps(node: &Node, diags: &mut Diagnostics) -> Vec<Step> {
    let mut steps: Vec<Step> = Vec::new();
    for child in node.children().iter().filter(|c| c.name == "step") {
        let Some(step) = lower_step(child, diags) else {
            continue;
        };
        if let Some(first) = steps.iter().find(|s| s.name.value == step.name.value) {
            diags.push(
                Diagnostic::error(
                    Code::E0222,
                    format!("step `{}` is given twice in one node", step.name.value),
                )
                .label(step.name.span, "given again here")
                .label(first.name.span, "first given here")
                .help("name the second one: `step other-name model=…`"),
            );
            continue;
        }
        steps.push(step);
    }
    if steps.is_empty() && !node.children().iter().any(|c| c.name == "step") {
        diags.push(
            Diagnostic::error(Code::E0222, format!("`{}` has no steps", node.name))
                .label(node.head_span(), "no `step` inside")
                .help("add the models it calls: `step tokenizer`"),
        );
    }
    steps
}

fn lower_step(node: &Node, diags: &mut Diagnostics) -> Option<Step> {
    let mut r = Reader::new(
        node,
        diags,
        &["model", "node", "data", "weight", "condition", "dependency"],
        1,
    );
    super::reader::no_children(node, r.diags);
    let Some(name) = r.arg_str(0) else {
        if node.args.is_empty() {
            r.missing("a name", "step classifier data=\"$response\"");
        }
        return None;
    };
    let model = r.str("model");
    let target_node = r.str("node");
    let data = r.str("data").map(|d| d.value);
    let weight = r.i64_of(r.value("weight"));
    let condition = r.str("condition");
    let dependency = r
        .choice_of(
            r.value("dependency"),
            "step dependency",
            &[("hard", Dependency::Hard), ("soft", Dependency::Soft)],
        )
        .map(|d| d.value);
    let target = match (model, target_node) {
        (Some(m), Some(n)) => {
            r.diags.push(
                Diagnostic::error(Code::E0212, "a step calls a model or a node, not both")
                    .label(m.span, "a model")
                    .label(n.span, "and a node")
                    .help("keep one of `model=` and `node=`"),
            );
            return None;
        }
        (Some(m), None) => StepTarget::Model(m),
        (None, Some(n)) => StepTarget::Node(n),
        (None, None) => StepTarget::Model(name.clone()),
    };
    Some(Step {
        name,
        target,
        data,
        weight,
        condition,
        dependency,
        span: node.head_span(),
    })
}

fn lower_scale(node: &Node, diags: &mut Diagnostics) -> Option<PipelineScale> {
    let a = lower_autoscale(node, diags)?;
    let metric = match a.policy.as_ref().map(|p| (&p.value, p.span)) {
        None => None,
        Some((Policy::Cpu(t), _)) => Some(("cpu", *t)),
        Some((Policy::Memory(t), _)) => Some(("memory", *t)),
        Some((other, span)) => {
            diags.push(
                Diagnostic::error(
                    Code::E0222,
                    format!(
                        "a pipeline's router scales on cpu or memory, not `{}`",
                        other.keyword()
                    ),
                )
                .label(span, "not available for the router")
                .help(
                    "InferenceGraph's router pods scale on `cpu` or `memory` (or fixed replicas)",
                ),
            );
            return None;
        }
    };
    Some(PipelineScale {
        min: a.min,
        max: a.max,
        metric,
    })
}

/// Step targets exist, weights belong to splitters and add up to 100, conditions to switches.
fn check_node(
    pipeline: &Pipeline,
    node: &GraphNode,
    models: &BTreeMap<String, Span>,
    diags: &mut Diagnostics,
) {
    for step in &node.steps {
        match &step.target {
            StepTarget::Model(m) if !models.contains_key(&m.value) => {
                let help = did_you_mean(&m.value, models.keys().map(String::as_str))
                    .unwrap_or_else(|| {
                        let names: Vec<&str> = models.keys().map(String::as_str).collect();
                        if names.is_empty() {
                            "declare the model first".to_owned()
                        } else {
                            format!("the project's models: {}", list(&names))
                        }
                    });
                diags.push(
                    Diagnostic::error(
                        Code::E0219,
                        format!(
                            "step `{}` calls an unknown model `{}`",
                            step.name.value, m.value
                        ),
                    )
                    .label(m.span, "no such model")
                    .help(help),
                );
            }
            StepTarget::Node(n) if pipeline.node(&n.value).is_none() || n.value == ROOT => {
                let names: Vec<&str> = pipeline
                    .nodes
                    .iter()
                    .skip(1)
                    .map(|x| x.name.value.as_str())
                    .collect();
                let help = did_you_mean(&n.value, names.iter().copied()).unwrap_or_else(|| {
                    if names.is_empty() {
                        "declare it inside the pipeline: `node NAME router=… { step … }`".to_owned()
                    } else {
                        format!("the pipeline's nodes: {}", list(&names))
                    }
                });
                diags.push(
                    Diagnostic::error(
                        Code::E0219,
                        format!(
                            "step `{}` calls an unknown node `{}`",
                            step.name.value, n.value
                        ),
                    )
                    .label(n.span, "no such node in this pipeline")
                    .help(help),
                );
            }
            _ => {}
        }
        if let Some(c) = &step.condition
            && node.router.value != Router::Switch
        {
            diags.push(
                Diagnostic::error(Code::E0222, "`condition` applies to a switch router only")
                    .label(c.span, format!("in a {} node", node.router.value.keyword()))
                    .help("remove `condition`, or make the node `router=switch`"),
            );
        }
        if let Some(w) = &step.weight
            && node.router.value != Router::Splitter
        {
            diags.push(
                Diagnostic::error(Code::E0221, "`weight` applies to a splitter router only")
                    .label(w.span, format!("in a {} node", node.router.value.keyword()))
                    .help("remove `weight`, or make the node `router=splitter`"),
            );
        }
    }
    if node.router.value == Router::Splitter {
        check_weights(node, diags);
    }
}

fn check_weights(node: &GraphNode, diags: &mut Diagnostics) {
    let mut sum: i64 = 0;
    for step in &node.steps {
        match &step.weight {
            Some(w) if (0..=100).contains(&w.value) => sum += w.value,
            Some(w) => {
                diags.push(
                    Diagnostic::error(
                        Code::E0221,
                        format!("weight {} is not a percentage", w.value),
                    )
                    .label(w.span, "expected 0 to 100")
                    .help("splitter weights are percentages that add up to 100"),
                );
                return;
            }
            None => {
                diags.push(
                    Diagnostic::error(
                        Code::E0221,
                        format!("splitter step `{}` has no weight", step.name.value),
                    )
                    .label(step.name.span, "needs `weight=`")
                    .help("give every step of a splitter its share: `weight=20`"),
                );
                return;
            }
        }
    }
    if sum != 100 && !node.steps.is_empty() {
        let mut d = Diagnostic::error(
            Code::E0221,
            format!("splitter weights add up to {sum}, not 100"),
        );
        for step in &node.steps {
            if let Some(w) = &step.weight {
                d = d.label(w.span, format!("{}%", w.value));
            }
        }
        diags.push(d.help("KServe rejects a splitter whose weights do not add up to exactly 100"));
    }
}

/// Reports the first cycle between nodes (`E0220`): KServe would route a request forever.
fn check_cycles(pipeline: &Pipeline, diags: &mut Diagnostics) {
    fn visit<'a>(
        pipeline: &'a Pipeline,
        node: &'a GraphNode,
        path: &mut Vec<(&'a GraphNode, Option<&'a Step>)>,
        done: &mut Vec<&'a str>,
    ) -> Option<Vec<(&'a GraphNode, Option<&'a Step>)>> {
        if done.contains(&node.name.value.as_str()) {
            return None;
        }
        for step in &node.steps {
            let StepTarget::Node(target) = &step.target else {
                continue;
            };
            if let Some(last) = path.last_mut() {
                last.1 = Some(step);
            }
            if let Some(at) = path.iter().position(|(n, _)| n.name.value == target.value) {
                return Some(path[at..].to_vec());
            }
            if let Some(next) = pipeline.node(&target.value) {
                path.push((next, None));
                if let Some(cycle) = visit(pipeline, next, path, done) {
                    return Some(cycle);
                }
                path.pop();
            }
        }
        done.push(&node.name.value);
        None
    }
    let mut done = Vec::new();
    for start in &pipeline.nodes {
        let mut path = vec![(start, None)];
        if let Some(cycle) = visit(pipeline, start, &mut path, &mut done) {
            let names: Vec<String> = cycle
                .iter()
                .map(|(n, _)| format!("`{}`", n.name.value))
                .chain(cycle.first().map(|(n, _)| format!("`{}`", n.name.value)))
                .collect();
            let mut d = Diagnostic::error(
                Code::E0220,
                format!(
                    "pipeline `{}` loops: {}",
                    pipeline.name.value,
                    names.join(" → ")
                ),
            );
            for (_, step) in &cycle {
                if let Some(s) = step
                    && let StepTarget::Node(t) = &s.target
                {
                    d = d.label(t.span, format!("calls `{}`", t.value));
                }
            }
            diags.push(d.help("a graph must not call a node it came from: call a model, or move the step out of the loop"));
            return;
        }
    }
}
