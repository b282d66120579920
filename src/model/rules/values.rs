//! Range and shape rules on the values written in a project (see the module root).

use super::k8s;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::source::Span;
use crate::syntax::{Node, Prop, Value, ValueKind};

fn integer(v: &Value) -> Option<i128> {
    match v.kind {
        ValueKind::Integer(i) => Some(i),
        _ => None,
    }
}

/// `E0214` when the whole number `prop` of `node` is below 1 (it used to be raised to 1).
fn at_least_one(node: &Node, prop: &str, example: &str, diags: &mut Diagnostics) {
    if let Some(p) = node.prop(prop)
        && integer(&p.value).is_some_and(|i| i < 1)
    {
        diags.push(
            Diagnostic::error(
                Code::E0214,
                format!("`{prop}` must be ≥ 1, found {}", p.value.display()),
            )
            .label(p.value.span, "below 1")
            .help(format!("write a whole number ≥ 1, e.g. `{example}`")),
        );
    }
}

/// `E0201` when `v` (a Secret, ConfigMap, claim or account name) is not a DNS subdomain.
fn object_name(v: &Value, what: &str, example: &str, diags: &mut Diagnostics) {
    let Some(s) = v.as_str() else { return };
    if let Some(problem) = k8s::subdomain_problem(s) {
        diags.push(
            Diagnostic::error(Code::E0201, format!("{what} name {} is not a DNS subdomain ({problem})", v.display()))
                .label(v.span, "not a DNS subdomain")
                .help(format!("{what} names are DNS subdomains (lower-case letters, digits, `-` and `.`), e.g. `{example}`")),
        );
    }
}

fn prop_name(node: &Node, prop: &str, what: &str, example: &str, diags: &mut Diagnostics) {
    if let Some(p) = node.prop(prop) {
        object_name(&p.value, what, example, diags);
    }
}

/// `E0201` when `v` is not a ConfigMap or Secret data key.
fn data_key(v: &Value, diags: &mut Diagnostics) {
    let Some(s) = v.as_str() else { return };
    if let Some(problem) = k8s::data_key_problem(s) {
        diags.push(
            Diagnostic::error(
                Code::E0201,
                format!(
                    "`key` {} is not a Secret or ConfigMap key ({problem})",
                    v.display()
                ),
            )
            .label(v.span, "not a Secret or ConfigMap key")
            .help("a key is letters, digits, `-`, `_` and `.`, e.g. `key=token`"),
        );
    }
}

fn syntax_error(span: Span, what: &str, found: &str, problem: &str, help: &str) -> Diagnostic {
    Diagnostic::error(
        Code::E0215,
        format!("{what} {found} is not valid ({problem})"),
    )
    .label(span, format!("not a valid {what}"))
    .help(help.to_owned())
}

const KEY_HELP: &str = "a key is `[prefix/]name`: the name at most 63 letters, digits, `-`, `_` and `.`, the prefix a DNS subdomain, e.g. `\"example.com/team\"=search`";

/// Checks one `K=V` of `labels`, `annotations`, `node-labels` or `node-selector` (`E0215`);
/// whether it is well-formed.
pub(super) fn key_value(prop: &Prop, label: bool, diags: &mut Diagnostics) -> bool {
    let what = if label { "label" } else { "annotation" };
    if let Some(problem) = k8s::key_problem(&prop.key) {
        diags.push(syntax_error(
            prop.key_span,
            &format!("{what} key"),
            &format!("{:?}", prop.key),
            problem,
            KEY_HELP,
        ));
        return false;
    }
    if label
        && let Some(s) = prop.value.as_str()
        && let Some(problem) = k8s::label_value_problem(s)
    {
        diags.push(syntax_error(
            prop.value.span,
            "label value",
            &prop.value.display(),
            problem,
            "label values are at most 63 letters, digits, `-`, `_` and `.`; free text belongs in `annotations`",
        ));
        return false;
    }
    true
}

/// A cluster's `priority-class NAME`: a DNS subdomain, without the reserved `system-` prefix.
pub(super) fn cluster(node: &Node, diags: &mut Diagnostics) {
    for pc in node
        .children()
        .iter()
        .filter(|c| c.name == "priority-class")
    {
        let Some(name) = pc.args.first() else {
            continue;
        };
        let Some(s) = name.as_str() else { continue };
        if s.starts_with("system-") {
            diags.push(
                Diagnostic::error(Code::E0201, format!("PriorityClass name {} uses the reserved prefix `system-`", name.display()))
                    .label(name.span, "reserved prefix")
                    .help("the `system-` prefix is reserved for Kubernetes' own classes: name it e.g. `ml-high`; a model may still refer to `system-cluster-critical`"),
            );
        } else {
            object_name(name, "PriorityClass", "ml-high", diags);
        }
    }
}

/// A pool's taints and node labels.
pub(super) fn pool(node: &Node, diags: &mut Diagnostics) {
    for child in node.children() {
        match child.name.as_str() {
            "taint" => {
                if let Some(key) = child.args.first()
                    && let Some(s) = key.as_str()
                    && let Some(problem) = k8s::key_problem(s)
                {
                    diags.push(syntax_error(
                        key.span,
                        "taint key",
                        &key.display(),
                        problem,
                        "a taint key is a label key, e.g. `taint \"nvidia.com/gpu\"`",
                    ));
                }
                if let Some(p) = child.prop("value")
                    && let Some(s) = p.value.as_str()
                    && let Some(problem) = k8s::label_value_problem(s)
                {
                    diags.push(syntax_error(
                        p.value.span,
                        "taint value",
                        &p.value.display(),
                        problem,
                        "a taint value is a label value, e.g. `value=present`",
                    ));
                }
            }
            "node-labels" | "node-selector" => {
                for prop in &child.props {
                    key_value(prop, true, diags);
                }
            }
            _ => {}
        }
    }
}

/// A model's `service-account NAME`.
pub(super) fn service_account(node: &Node, diags: &mut Diagnostics) {
    if let Some(name) = node.args.first() {
        object_name(name, "ServiceAccount", "sentiment-reader", diags);
    }
}

/// The rules on one child of a model.
pub(super) fn model_child(node: &Node, diags: &mut Diagnostics) {
    match node.name.as_str() {
        "autoscale" => node.children().iter().for_each(|p| policy(p, diags)),
        "probes" => at_least_one(node, "failure-threshold", "failure-threshold=3", diags),
        "topology-spread" => {
            at_least_one(node, "max-skew", "max-skew=1", diags);
            if let Some(key) = node.args.first()
                && let Some(s) = key.as_str()
                && let Some(problem) = k8s::key_problem(s)
            {
                diags.push(syntax_error(
                    key.span,
                    "topology key",
                    &key.display(),
                    problem,
                    KEY_HELP,
                ));
            }
        }
        "env" => {
            prop_name(node, "secret", "Secret", "api-credentials", diags);
            prop_name(node, "config-map", "ConfigMap", "flags", diags);
            if let Some(p) = node.prop("key") {
                data_key(&p.value, diags);
            }
        }
        "image-pull-secret" => {
            if let Some(name) = node.args.first() {
                object_name(name, "Secret", "regcred", diags);
            }
        }
        "storage" => match node.prop("secret") {
            Some(p) => object_name(&p.value, "Secret", "s3-credentials", diags),
            None if node.props.is_empty() && node.args.is_empty() => diags.push(
                Diagnostic::error(
                    Code::E0105,
                    "`storage` needs the Secret that holds the storage credentials",
                )
                .label(node.name_span, "no `secret`")
                .help("write `storage secret=s3-credentials`, or remove `storage`"),
            ),
            None => {}
        },
        "priority-class" => {
            if let Some(name) = node.args.first() {
                object_name(name, "PriorityClass", "ml-high", diags);
            }
        }
        "volume" => {
            prop_name(node, "secret", "Secret", "tls-certs", diags);
            prop_name(node, "config-map", "ConfigMap", "labels", diags);
            prop_name(node, "pvc", "PersistentVolumeClaim", "cache", diags);
            if let Some(p) = node.prop("mount")
                && let Some(s) = p.value.as_str()
                && let Some((problem, normal)) = k8s::mount_path_problem(s)
            {
                let help = match normal {
                    Some(n) => format!("write `mount=\"{n}\"`"),
                    None => "write an absolute path without `..` or `:`, e.g. `mount=\"/cache\"`"
                        .to_owned(),
                };
                diags.push(
                    Diagnostic::error(
                        Code::E0216,
                        format!(
                            "`mount` path {} is not valid ({problem})",
                            p.value.display()
                        ),
                    )
                    .label(p.value.span, "not an absolute, normalized path")
                    .help(help),
                );
            }
        }
        _ => {}
    }
}

/// An `autoscale` policy: utilisation in 1–100 %, lags and lengths ≥ 1, Secret names.
fn policy(node: &Node, diags: &mut Diagnostics) {
    match node.name.as_str() {
        "cpu" | "memory" => {
            if let Some(v) = node.args.first()
                && integer(v).is_some_and(|i| i > 100)
            {
                diags.push(
                    Diagnostic::error(
                        Code::E0214,
                        format!(
                            "`{}` utilization must be between 1 and 100 (%), found {}",
                            node.name,
                            v.display()
                        ),
                    )
                    .label(v.span, "above 100 %")
                    .help(format!(
                        "the target is a percentage of the request: e.g. `{} 70`",
                        node.name
                    )),
                );
            }
        }
        "kafka" | "nats-jetstream" => at_least_one(node, "lag", "lag=10", diags),
        "rabbitmq" => at_least_one(node, "length", "length=20", diags),
        "sqs" | "redis" => at_least_one(node, "length", "length=5", diags),
        "redis-streams" => {
            at_least_one(node, "length", "length=5", diags);
            at_least_one(node, "pending", "pending=5", diags);
            at_least_one(node, "lag", "lag=10", diags);
        }
        "gcp-pubsub" => at_least_one(node, "value", "value=10", diags),
        "azure-servicebus" => at_least_one(node, "count", "count=5", diags),
        _ => {}
    }
    if matches!(
        node.name.as_str(),
        "kafka"
            | "rabbitmq"
            | "sqs"
            | "redis"
            | "redis-streams"
            | "nats-jetstream"
            | "gcp-pubsub"
            | "azure-servicebus"
    ) {
        prop_name(node, "auth", "Secret", "kafka-client", diags);
    }
}
