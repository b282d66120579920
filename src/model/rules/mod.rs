//! Value rules at the source (DESIGN §8.16): every name, key, path, number and literal the
//! language passes on to Kubernetes is checked where it is written, on the AST, so that the
//! error points at the token. Lowering reads the same nodes for their meaning; these rules
//! only refuse values, they never change one.
//!
//! - `values.rs`: numbers in range, Secret/ConfigMap names and keys, mount paths,
//!   PriorityClass names, label, annotation and taint syntax (`E0201`, `E0214`, `E0215`, `E0216`);
//! - `managed.rs`: labels and annotations mlc sets itself, or that change how KServe, KEDA,
//!   Knative or Argo CD treat an object (`E0218`);
//! - `secrets.rs`: credential-looking literals (`E0217`), with the detector the diagnostics
//!   printers mask with.

pub(crate) mod k8s;
mod managed;
mod secrets;
mod values;

use crate::diagnostics::Diagnostics;
use crate::syntax::{Document, Node};

/// Where a `labels` or `annotations` node is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Owner {
    /// `project { labels … }`: every emitted object.
    Project,
    /// A model's (or an environment's model override).
    Model,
    /// A model's `service-account { annotations … }`.
    ServiceAccount,
}

/// Checks every document (in parallel, one document a task). Runs beside lowering;
/// diagnostics only.
pub(crate) fn check(docs: &[Document], diags: &mut Diagnostics) {
    use rayon::prelude::*;
    let found: Vec<Diagnostics> = docs
        .par_iter()
        .map(|doc| {
            let mut diags = Diagnostics::default();
            for node in &doc.nodes {
                check_top(node, &mut diags);
            }
            diags
        })
        .collect();
    for d in found {
        diags.extend(d);
    }
}

fn check_top(node: &Node, diags: &mut Diagnostics) {
    secrets::check_node(node, diags);
    match node.name.as_str() {
        "project" => project(node, diags),
        "cluster" => values::cluster(node, diags),
        "pool" => values::pool(node, diags),
        "model" => model(node, diags),
        "environment" => node
            .children()
            .iter()
            .filter(|c| c.name == "model")
            .for_each(|m| model(m, diags)),
        _ => {}
    }
}

fn project(node: &Node, diags: &mut Diagnostics) {
    for child in node.children() {
        metadata(child, Owner::Project, diags);
    }
}

fn model(node: &Node, diags: &mut Diagnostics) {
    for child in node.children() {
        metadata(child, Owner::Model, diags);
        if child.name == "service-account" {
            values::service_account(child, diags);
            for grandchild in child.children() {
                metadata(grandchild, Owner::ServiceAccount, diags);
            }
        }
        if child.name == "canary" {
            // A canary's own `env` and `resources` follow the model's rules.
            child
                .children()
                .iter()
                .for_each(|c| values::model_child(c, diags));
        }
        values::model_child(child, diags);
    }
}

/// `labels` and `annotations`: syntax, then managed keys.
fn metadata(node: &Node, owner: Owner, diags: &mut Diagnostics) {
    let label = match node.name.as_str() {
        "labels" => true,
        "annotations" => false,
        _ => return,
    };
    for prop in &node.props {
        if values::key_value(prop, label, diags) {
            managed::check(prop, label, owner, diags);
        }
    }
}
