//! The pod family of a `model`: `serve`, `runtime`, `accelerator`, `resources`, `probes`,
//! `env`, `service-account`, `volume`, `topology-spread`, `patch` and `allow-from`.

use std::collections::BTreeMap;

use super::grammar;
use super::ir::{
    Accelerator, AcceleratorKind, EnvValue, Patch, Probes, Resources, Runtime, ServeTarget,
    Spanned, TopologySpread, Volume, VolumeSource,
};
use super::lower_model::{json_arg, string_map};
use super::reader::{Reader, check_children, no_children};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::{Node, ValueKind};

pub(super) fn lower_serve(node: &Node, diags: &mut Diagnostics) -> Option<Spanned<ServeTarget>> {
    let mut r = Reader::new(node, diags, &["mode", "server"], 1);
    no_children(node, r.diags);
    let target = r.choice_of(
        r.arg(0),
        "serve target",
        &[("kserve", 0u8), ("deployment", 1), ("seldon", 2)],
    )?;
    let _ = r.str("server");
    if let Some(server) = node.prop("server")
        && (target.value != 2 || node.prop("mode").and_then(|m| m.value.as_str()) != Some("core2"))
    {
        r.diags.push(
            Diagnostic::error(Code::E0212, "`server` applies to `serve seldon mode=core2` only")
                .label(server.key_span, "a Seldon Core 2 Server")
                .help("Core 2 schedules Models onto Servers: write `serve seldon mode=core2 server=…`, or remove `server`"),
        );
    }
    if target.value == 2 {
        let mode = r
            .choice_of(
                r.value("mode"),
                "Seldon mode",
                &[
                    ("v1", ServeTarget::SeldonV1),
                    ("core2", ServeTarget::SeldonCore2),
                ],
            )
            .map_or(ServeTarget::SeldonV1, |m| m.value);
        return Some(Spanned::new(mode, node.head_span()));
    }
    if target.value == 1 {
        if let Some(mode) = node.prop("mode") {
            r.diags.push(
                Diagnostic::error(Code::E0212, "`mode` applies to `serve kserve` only")
                    .label(mode.key_span, "not used by `serve deployment`")
                    .help("remove `mode`"),
            );
        }
        return Some(Spanned::new(ServeTarget::Deployment, target.span));
    }
    if let Some(alias) = r
        .value("mode")
        .and_then(|v| v.as_str().map(|s| (s, v.span)))
    {
        let hint = match alias.0.to_ascii_lowercase().as_str() {
            "serverless" => Some("knative"),
            "rawdeployment" | "raw" => Some("standard"),
            _ => None,
        };
        if let Some(hint) = hint {
            r.diags.push(
                Diagnostic::error(Code::E0206, format!("unknown KServe mode `{}`", alias.0))
                    .label(alias.1, "expected one of: `standard`, `knative`")
                    .help(format!(
                        "KServe v0.20 calls this mode `{}`: write `mode={hint}`",
                        if hint == "knative" {
                            "Knative"
                        } else {
                            "Standard"
                        }
                    )),
            );
            return None;
        }
    }
    let mode = r
        .choice_of(
            r.value("mode"),
            "KServe mode",
            &[
                ("standard", ServeTarget::KserveStandard),
                ("knative", ServeTarget::KserveKnative),
            ],
        )
        .map_or(ServeTarget::KserveStandard, |m| m.value);
    Some(Spanned::new(mode, node.head_span()))
}

pub(super) fn lower_runtime(node: &Node, diags: &mut Diagnostics) -> Runtime {
    let mut r = Reader::new(node, diags, &["image", "port", "health"], 1);
    no_children(node, r.diags);
    let port = r.u32("port").and_then(|p| {
        u16::try_from(p.value).ok().filter(|p| *p > 0).or_else(|| {
            r.diags.push(
                Diagnostic::error(Code::E0214, format!("port {} is out of range", p.value))
                    .label(p.span, "expected 1 to 65535")
                    .help("use a TCP port from 1 to 65535"),
            );
            None
        })
    });
    Runtime {
        name: r.arg_str(0).map(|s| s.value),
        image: r.str("image").map(|s| s.value),
        port,
        health: r.str("health").map(|s| s.value),
    }
}

pub(super) fn lower_accelerator(node: &Node, diags: &mut Diagnostics) -> Option<Accelerator> {
    let mut r = Reader::new(node, diags, &["pool", "gpus", "mig", "shared"], 1);
    no_children(node, r.diags);
    let span = node.head_span();
    let cpu = match r.arg(0) {
        Some(v) if v.kind == ValueKind::String("cpu".into()) => true,
        Some(v) => {
            let v = v.clone();
            r.diags.push(
                Diagnostic::error(Code::E0206, format!("unknown accelerator {}", v.display()))
                    .label(v.span, "expected `cpu` or properties")
                    .help("write `accelerator cpu`, or `accelerator pool=NAME gpus=1`, `mig=\"1g.10gb\"` or `shared=#true`"),
            );
            return None;
        }
        None => false,
    };
    let pool = r.str("pool");
    let gpus = r.u32("gpus");
    let mig = r.str("mig");
    let shared = r.bool("shared").is_some_and(|b| b.value);
    if cpu {
        if let Some(p) = node.props.first() {
            r.diags.push(
                Diagnostic::error(Code::E0212, "`accelerator cpu` takes no properties")
                    .label(p.key_span, "conflicts with `cpu`")
                    .help("write `accelerator cpu` alone, or drop `cpu` and name a pool"),
            );
        }
        return Some(Accelerator {
            kind: AcceleratorKind::Cpu,
            pool: None,
            span,
        });
    }
    let kind = match (gpus, mig, shared) {
        (Some(g), None, false) => AcceleratorKind::Gpus(g),
        (None, Some(profile), shared) => AcceleratorKind::Mig { profile, shared },
        (None, None, true) => AcceleratorKind::Shared,
        (None, None, false) if pool.is_some() => AcceleratorKind::Gpus(Spanned::new(1, span)),
        (None, None, false) => {
            r.missing("`cpu` or a pool", "accelerator pool=h100 gpus=1");
            return None;
        }
        _ => {
            r.diags.push(
                Diagnostic::error(Code::E0212, "`gpus`, `mig` and `shared` are different kinds of request")
                    .label(span, "conflicting accelerator request")
                    .help("ask for whole GPUs (`gpus=N`), a MIG slice (`mig=\"…\"`, optionally `shared=#true`) or a shared GPU (`shared=#true`)"),
            );
            return None;
        }
    };
    if pool.is_none() {
        r.missing("a `pool`", "accelerator pool=h100 gpus=1");
        return None;
    }
    Some(Accelerator { kind, pool, span })
}

pub(super) fn lower_env(node: &Node, diags: &mut Diagnostics) -> Option<(String, EnvValue)> {
    let mut r = Reader::new(node, diags, &["value", "secret", "config-map", "key"], 2);
    no_children(node, r.diags);
    let name = r.arg_str(0);
    let literal = r.arg_str(1).or_else(|| r.str("value"));
    let secret = r.str("secret");
    let config_map = r.str("config-map");
    let key = r.str("key");
    let Some(name) = name else {
        if node.args.is_empty() {
            r.missing("a name", "env LOG_LEVEL \"info\"");
        }
        return None;
    };
    if node.args.len() > 1 && node.prop("value").is_some() {
        r.diags.push(
            Diagnostic::error(Code::E0212, "an environment variable takes one value")
                .label(node.head_span(), "value given twice")
                .help("keep the second argument or `value=…`, not both"),
        );
        return None;
    }
    if !name
        .value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.' || c == '-')
        || name.value.starts_with(|c: char| c.is_ascii_digit())
    {
        r.diags.push(
            Diagnostic::error(
                Code::E0201,
                format!("invalid environment variable name `{}`", name.value),
            )
            .label(name.span, "not a C identifier")
            .help("use letters, digits and `_`, not starting with a digit"),
        );
        return None;
    }
    let value = match (literal, secret, config_map) {
        (Some(v), None, None) => EnvValue::Literal(v.value),
        (None, Some(s), None) | (None, None, Some(s)) => {
            let Some(key) = key else {
                r.missing("`key`", "env API_TOKEN secret=api-credentials key=token");
                return None;
            };
            if node.prop("secret").is_some() {
                EnvValue::Secret {
                    name: s.value,
                    key: key.value,
                }
            } else {
                EnvValue::ConfigMap {
                    name: s.value,
                    key: key.value,
                }
            }
        }
        (None, None, None) => {
            r.missing(
                "a value or a reference",
                "env LOG_LEVEL \"info\"` or `env TOKEN secret=creds key=token",
            );
            return None;
        }
        _ => {
            r.diags.push(
                Diagnostic::error(Code::E0212, "an environment variable takes one source")
                    .label(node.head_span(), "several sources")
                    .help("give a literal value, or `secret=… key=…`, or `config-map=… key=…`"),
            );
            return None;
        }
    };
    Some((name.value, value))
}

pub(super) fn lower_service_account(
    node: &Node,
    diags: &mut Diagnostics,
) -> (Option<String>, BTreeMap<String, String>) {
    let mut r = Reader::new(node, diags, &[], 1);
    let name = r.arg_str(0).map(|s| s.value);
    check_children(node, diags, &grammar::SERVICE_ACCOUNT);
    let annotations = node
        .children()
        .iter()
        .find(|c| c.name == "annotations")
        .map(|c| string_map(c, diags))
        .unwrap_or_default();
    (name, annotations)
}

pub(super) fn lower_volume(node: &Node, diags: &mut Diagnostics) -> Option<Volume> {
    let mut r = Reader::new(
        node,
        diags,
        &[
            "mount",
            "pvc",
            "secret",
            "config-map",
            "empty-dir",
            "read-only",
        ],
        1,
    );
    no_children(node, r.diags);
    let name = r.arg_str(0);
    let mount = r.str("mount");
    let read_only = r.bool("read-only").is_none_or(|b| b.value);
    let mut sources = Vec::new();
    if let Some(s) = r.str("pvc") {
        sources.push(VolumeSource::Pvc(s.value));
    }
    if let Some(s) = r.str("secret") {
        sources.push(VolumeSource::Secret(s.value));
    }
    if let Some(s) = r.str("config-map") {
        sources.push(VolumeSource::ConfigMap(s.value));
    }
    if r.bool("empty-dir").is_some_and(|b| b.value) {
        sources.push(VolumeSource::EmptyDir);
    }
    let ex = "volume cache mount=\"/cache\" empty-dir=#true";
    if mount.is_none() {
        r.missing("`mount`", ex);
    }
    if sources.len() != 1 {
        r.diags.push(
            Diagnostic::error(Code::E0212, "a volume takes exactly one source")
                .label(
                    node.head_span(),
                    if sources.is_empty() {
                        "no source"
                    } else {
                        "several sources"
                    },
                )
                .help("give one of `pvc=…`, `secret=…`, `config-map=…` or `empty-dir=#true`"),
        );
        return None;
    }
    let name = name?;
    super::names::check_name("volume", &name, r.diags);
    Some(Volume {
        name: name.value,
        mount: mount?.value,
        source: sources.remove(0),
        read_only,
    })
}

/// `resources cpu=… memory=… cpu-limit=… memory-limit=…`.
pub(super) fn lower_resources(c: &Node, diags: &mut Diagnostics) -> Resources {
    let mut r = Reader::new(c, diags, &["cpu", "memory", "cpu-limit", "memory-limit"], 0);
    no_children(c, r.diags);
    Resources {
        cpu: r.quantity("cpu"),
        memory: r.quantity("memory"),
        cpu_limit: r.quantity("cpu-limit"),
        memory_limit: r.quantity("memory-limit"),
    }
}

/// `probes initial-delay=… period=… timeout=… failure-threshold=…`.
pub(super) fn lower_probes(c: &Node, diags: &mut Diagnostics) -> Probes {
    let mut r = Reader::new(
        c,
        diags,
        &["initial-delay", "period", "timeout", "failure-threshold"],
        0,
    );
    no_children(c, r.diags);
    let d = Probes::default();
    Probes {
        initial_delay: r
            .duration("initial-delay")
            .map_or(d.initial_delay, |v| v.value),
        period: r.duration("period").map_or(d.period, |v| v.value),
        timeout: r.duration("timeout").map_or(d.timeout, |v| v.value),
        failure_threshold: r
            .u32("failure-threshold")
            .map_or(d.failure_threshold, |v| v.value.max(1)),
    }
}

/// Every `topology-spread`.
pub(super) fn lower_topology(children: &[Node], diags: &mut Diagnostics) -> Vec<TopologySpread> {
    children
        .iter()
        .filter(|c| c.name == "topology-spread")
        .filter_map(|c| {
            let mut r = Reader::new(c, diags, &["max-skew", "when-unsatisfiable"], 1);
            no_children(c, r.diags);
            let key = r.arg_str(0);
            let max_skew = r.u32("max-skew").map_or(1, |v| v.value.max(1));
            let when = r
                .choice_of(
                    r.value("when-unsatisfiable"),
                    "`when-unsatisfiable` value",
                    &[
                        ("ScheduleAnyway", "ScheduleAnyway"),
                        ("DoNotSchedule", "DoNotSchedule"),
                    ],
                )
                .map_or("ScheduleAnyway", |v| v.value);
            if key.is_none() {
                r.missing(
                    "a topology key",
                    "topology-spread \"topology.kubernetes.io/zone\" max-skew=1",
                );
            }
            key.map(|k| TopologySpread {
                key: k.value,
                max_skew,
                when_unsatisfiable: when.to_owned(),
            })
        })
        .collect()
}

/// Every `patch` (a target file stem and a JSON merge patch).
pub(super) fn lower_patches(children: &[Node], diags: &mut Diagnostics) -> Vec<Patch> {
    children
        .iter()
        .filter(|c| c.name == "patch")
        .filter_map(|c| {
            let mut r = Reader::new(c, diags, &[], 2);
            no_children(c, r.diags);
            let target = r.arg_str(0);
            let patch = json_arg(c, r.diags, 1);
            if target.is_none() || c.args.len() < 2 {
                Reader::new(c, diags, &[], 2).missing(
                    "a target and a JSON merge patch",
                    "patch \"inferenceservice\" \"{\\\"metadata\\\":{}}\"",
                );
            }
            Some(Patch {
                target: target?,
                patch: patch?,
            })
        })
        .collect()
}

/// `allow-from NS…`: sorted, deduplicated namespaces.
pub(super) fn lower_allow_from(c: &Node, diags: &mut Diagnostics) -> Vec<String> {
    let mut r = Reader::new(c, diags, &[], usize::MAX);
    no_children(c, r.diags);
    let mut namespaces = Vec::new();
    for i in 0..c.args.len() {
        if let Some(ns) = r.arg_str(i)
            && super::names::check_name("namespace", &ns, r.diags)
        {
            namespaces.push(ns.value);
        }
    }
    if c.args.is_empty() {
        r.missing("a namespace", "allow-from ingress-nginx monitoring");
    }
    namespaces.sort();
    namespaces.dedup();
    namespaces
}
