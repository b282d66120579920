//! InferenceGraph rules of KServe's validating webhook
//! (`pkg/apis/serving/v1alpha1/inference_graph_validation.go`, `docs/facts/pipelines-seldon.md` §1):
//! a `root` node, a DNS name, unique step names, exactly one target per step, splitter
//! weights on every step adding up to 100 (E0417).

use serde_json::Value;

use super::{Found, escape, int_at, name};

const SOURCE: &str = "KServe v0.20 webhook, validateInferenceGraph (inference_graph_validation.go); docs/facts/pipelines-seldon.md §1";

fn graph_name_ok(n: &str) -> bool {
    n.starts_with(|c: char| c.is_ascii_lowercase())
        && !n.ends_with('-')
        && n.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

pub(super) fn check(object: &Value, found: &mut Found<'_>) {
    let n = name(object);
    if !graph_name_ok(n) {
        found.push(
            "E0417",
            "/metadata/name",
            format!("InferenceGraph name `{n}` does not match `[a-z]([-a-z0-9]*[a-z0-9])?`"),
            "start with a lower-case letter; use lower-case letters, digits and `-`",
            SOURCE,
        );
    }
    let Some(nodes) = object.pointer("/spec/nodes").and_then(Value::as_object) else {
        return;
    };
    if !nodes.contains_key("root") {
        found.push(
            "E0417",
            "/spec/nodes",
            "an InferenceGraph needs a node named `root`",
            "name the entry node `root`",
            SOURCE,
        );
    }
    for (node_name, node) in nodes {
        let base = format!("/spec/nodes/{}", escape(node_name));
        let steps = node.get("steps").and_then(Value::as_array);
        let splitter = node.get("routerType").and_then(Value::as_str) == Some("Splitter");
        let mut seen: Vec<&str> = Vec::new();
        let mut sum = 0;
        let mut weights_complete = true;
        for (i, step) in steps.into_iter().flatten().enumerate() {
            let at = format!("{base}/steps/{i}");
            if let Some(step_name) = step
                .get("name")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
            {
                if seen.contains(&step_name) {
                    found.push(
                        "E0417",
                        format!("{at}/name"),
                        format!("node `{node_name}` has two steps named `{step_name}`"),
                        "step names are unique within a node",
                        SOURCE,
                    );
                }
                seen.push(step_name);
            }
            let targets = ["nodeName", "serviceName", "serviceUrl"]
                .iter()
                .filter(|k| {
                    step.get(**k)
                        .and_then(Value::as_str)
                        .is_some_and(|s| !s.is_empty())
                })
                .count();
            if targets != 1 {
                found.push(
                    "E0417",
                    at.clone(),
                    if targets == 0 {
                        format!("step {i} of node `{node_name}` has no target")
                    } else {
                        format!("step {i} of node `{node_name}` has more than one target")
                    },
                    "give exactly one of `nodeName`, `serviceName` and `serviceUrl`",
                    SOURCE,
                );
            }
            if splitter {
                match int_at(step, "/weight") {
                    Some(w) => sum += w,
                    None => {
                        weights_complete = false;
                        found.push(
                            "E0417",
                            at,
                            format!("splitter node `{node_name}`: step {i} has no `weight`"),
                            "give every step of a splitter its weight; the weights add up to 100",
                            SOURCE,
                        );
                    }
                }
            }
        }
        if splitter && weights_complete && sum != 100 {
            found.push(
                "E0417",
                format!("{base}/steps"),
                format!("splitter node `{node_name}`: the weights add up to {sum}, not 100"),
                "make the weights of the splitter's steps add up to exactly 100",
                SOURCE,
            );
        }
    }
}
