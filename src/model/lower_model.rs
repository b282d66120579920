//! Lowering a `model` node (after environment overrides are merged) into a [`Model`].

use std::collections::BTreeMap;

use super::ir::{
    Accelerator, AcceleratorKind, Artifact, Autoscale, Batching, Canary, Disruption, EnvValue,
    Format, Location, Model, Patch, Policy, Probes, Resources, Runtime, ServeTarget, Spanned,
    TopologySpread, Volume, VolumeSource,
};
use super::reader::{Reader, check_children, list, no_children};
use super::units::Duration;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::syntax::{Node, ValueKind};

/// Child nodes a `model` may contain.
pub const MODEL_CHILDREN: &[&str] = &[
    "version",
    "artifact",
    "format",
    "serve",
    "runtime",
    "accelerator",
    "resources",
    "batching",
    "autoscale",
    "canary",
    "disruption",
    "probes",
    "env",
    "service-account",
    "image-pull-secret",
    "storage",
    "priority-class",
    "labels",
    "annotations",
    "affinity",
    "topology-spread",
    "volume",
    "patch",
    "allow-from",
    "monitoring",
];

/// Children that may repeat, keyed by their first argument for environment overrides.
pub(crate) const KEYED_CHILDREN: &[&str] = &[
    "canary",
    "env",
    "image-pull-secret",
    "topology-spread",
    "volume",
    "patch",
];

const SCHEMES: &[&str] = Location::SCHEMES;

/// Lowers a model whose children are `children` (the model node gives name and spans).
pub(crate) fn lower_model(
    node: &Node,
    name: Spanned<String>,
    children: &[Node],
    diags: &mut Diagnostics,
) -> Option<Model> {
    let head = node.head_span();
    let find = |n: &str| children.iter().find(|c| c.name == n);
    let version = find("version").and_then(|c| {
        let mut r = Reader::new(c, diags, &[], 1);
        no_children(c, r.diags);
        r.arg_str(0).map(|s| s.value)
    });
    let artifact = match find("artifact") {
        Some(c) => lower_artifact(c, diags),
        None => {
            Reader::new(node, diags, &[], 1).missing(
                "an `artifact`",
                "artifact \"s3://models/bert/1.0/model.onnx\" sha256=\"…\"",
            );
            None
        }
    };
    let format = match find("format") {
        Some(c) => {
            let mut r = Reader::new(c, diags, &[], 1);
            no_children(c, r.diags);
            let f = r.choice_of(r.arg(0), "model format", Format::ALL);
            if f.is_none() && c.args.is_empty() {
                r.missing("a format", "format onnx");
            }
            f
        }
        None => match find("artifact")
            .and_then(|a| a.args.first())
            .and_then(|v| v.as_str())
        {
            // Infer from the path as written, even when the URI itself is rejected.
            Some(uri)
                if std::path::Path::new(uri)
                    .extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("onnx")) =>
            {
                Some(Spanned::new(Format::Onnx, head))
            }
            _ => {
                Reader::new(node, diags, &[], 1).missing("a `format`", "format onnx");
                None
            }
        },
    };
    let serve = find("serve").map_or(Some(Spanned::new(ServeTarget::KserveStandard, head)), |c| {
        lower_serve(c, diags)
    });
    let runtime = find("runtime").map_or_else(Runtime::default, |c| lower_runtime(c, diags));
    let accelerator = find("accelerator").map_or(
        Some(Accelerator {
            kind: AcceleratorKind::Cpu,
            pool: None,
            span: head,
        }),
        |c| lower_accelerator(c, diags),
    );
    let resources = find("resources").map_or_else(Resources::default, |c| {
        let mut r = Reader::new(c, diags, &["cpu", "memory", "cpu-limit", "memory-limit"], 0);
        no_children(c, r.diags);
        Resources {
            cpu: r.quantity("cpu"),
            memory: r.quantity("memory"),
            cpu_limit: r.quantity("cpu-limit"),
            memory_limit: r.quantity("memory-limit"),
        }
    });
    let batching = find("batching").map(|c| {
        let mut r = Reader::new(c, diags, &["max-batch", "max-delay"], 0);
        no_children(c, r.diags);
        let max_batch = r.u32("max-batch").map_or(8, |v| v.value);
        let max_delay = r
            .duration("max-delay")
            .map_or(Duration { millis: 5 }, |v| v.value);
        if max_batch == 0 {
            let span = r.value("max-batch").map_or(c.head_span(), |v| v.span);
            r.diags.push(
                Diagnostic::error("E0214", "`max-batch` must be at least 1")
                    .label(span, "zero")
                    .help("use `max-batch=1` to turn batching off, or remove `batching`"),
            );
        }
        Batching {
            max_batch,
            max_delay,
        }
    });
    let autoscale = find("autoscale").map_or(
        Some(Autoscale {
            min: Spanned::new(1, head),
            max: Spanned::new(1, head),
            idle: Duration { millis: 300_000 },
            policy: None,
            span: head,
        }),
        |c| lower_autoscale(c, diags),
    );
    let mut canaries: Vec<Canary> = Vec::new();
    for c in children.iter().filter(|c| c.name == "canary") {
        if let Some(canary) = lower_canary(c, diags) {
            if !super::names::check_name("canary", &canary.name, diags) {
                continue;
            }
            if let Some(first) = canaries.iter().find(|k| k.name.value == canary.name.value) {
                diags.push(
                    Diagnostic::error(
                        "E0202",
                        format!("canary `{}` is defined more than once", canary.name.value),
                    )
                    .label(canary.name.span, "defined again here")
                    .label(first.name.span, "first defined here")
                    .help("each canary predictor needs its own name"),
                );
                continue;
            }
            canaries.push(canary);
        }
    }
    let disruption = find("disruption").and_then(|c| lower_disruption(c, diags));
    let probes = find("probes").map_or_else(Probes::default, |c| {
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
    });
    let mut env = BTreeMap::new();
    for c in children.iter().filter(|c| c.name == "env") {
        if let Some((k, v)) = lower_env(c, diags) {
            env.insert(k, v);
        }
    }
    let (service_account, service_account_annotations) = find("service-account")
        .map_or((None, BTreeMap::new()), |c| lower_service_account(c, diags));
    let image_pull_secrets = children
        .iter()
        .filter(|c| c.name == "image-pull-secret")
        .filter_map(|c| single_string(c, diags, "image-pull-secret \"regcred\""))
        .collect();
    let storage_secret = find("storage").and_then(|c| {
        let mut r = Reader::new(c, diags, &["secret"], 0);
        no_children(c, r.diags);
        r.str("secret").map(|s| s.value)
    });
    let priority_class =
        find("priority-class").and_then(|c| single_string(c, diags, "priority-class \"ml-high\""));
    let labels = find("labels")
        .map(|c| string_map(c, diags))
        .unwrap_or_default();
    let annotations = find("annotations")
        .map(|c| string_map(c, diags))
        .unwrap_or_default();
    let affinity = find("affinity").and_then(|c| json_arg(c, diags, 0));
    let topology_spread = children
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
        .collect();
    let volumes = children
        .iter()
        .filter(|c| c.name == "volume")
        .filter_map(|c| lower_volume(c, diags))
        .collect();
    let patches = children
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
        .collect();
    let allow_from = find("allow-from").map_or_else(Vec::new, |c| {
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
    });
    Some(Model {
        name,
        version,
        artifact: artifact?,
        format: format?,
        serve: serve?,
        runtime,
        accelerator: accelerator?,
        resources,
        batching,
        autoscale: autoscale?,
        canaries,
        disruption,
        probes,
        env,
        service_account,
        service_account_annotations,
        image_pull_secrets,
        storage_secret,
        priority_class,
        labels,
        annotations,
        affinity,
        topology_spread,
        volumes,
        patches,
        allow_from,
        // An environment's override keeps the base block before its own (see
        // `merge_children`), so folding in order lets the override win per setting.
        monitoring: super::monitoring::MonitoringSpec::fold(
            &children
                .iter()
                .filter(|c| c.name == "monitoring")
                .map(|c| super::monitoring::lower_monitoring(c, false, diags))
                .collect::<Vec<_>>(),
        ),
        span: head,
    })
}

/// Checks the model's child node names (unknown / repeated).
pub(crate) fn check_model_children(node: &Node, diags: &mut Diagnostics) {
    check_children(node, diags, MODEL_CHILDREN, KEYED_CHILDREN);
}

fn single_string(node: &Node, diags: &mut Diagnostics, example: &str) -> Option<String> {
    let mut r = Reader::new(node, diags, &[], 1);
    no_children(node, r.diags);
    let s = r.arg_str(0);
    if s.is_none() && node.args.is_empty() {
        r.missing("a value", example);
    }
    s.map(|s| s.value)
}

/// `labels k=v …` → a map (keys with `/` are written quoted).
pub(crate) fn string_map(node: &Node, diags: &mut Diagnostics) -> BTreeMap<String, String> {
    let mut r = Reader::free(node, diags, 0);
    let map = r
        .string_props()
        .into_iter()
        .map(|(k, v)| (k, v.value))
        .collect();
    no_children(node, diags);
    map
}

fn json_arg(node: &Node, diags: &mut Diagnostics, index: usize) -> Option<serde_json::Value> {
    let mut r = Reader::new(node, diags, &[], index + 1);
    let text = r.arg_str(index)?;
    match serde_json::from_str::<serde_json::Value>(&text.value) {
        Ok(v) if v.is_object() => Some(v),
        Ok(_) => {
            diags.push(
                Diagnostic::error("E0104", "expected a JSON object")
                    .label(text.span, "not a JSON object")
                    .help("write a JSON object in a raw string: #\"{\"key\": \"value\"}\"#"),
            );
            None
        }
        Err(e) => {
            diags.push(
                Diagnostic::error("E0104", format!("invalid JSON: {e}"))
                    .label(text.span, "not valid JSON")
                    .help("write the JSON in a raw string: #\"{\"key\": \"value\"}\"#"),
            );
            None
        }
    }
}

pub(crate) fn lower_artifact(node: &Node, diags: &mut Diagnostics) -> Option<Artifact> {
    let mut r = Reader::new(node, diags, &["sha256"], 1);
    no_children(node, r.diags);
    let sha = r.str("sha256");
    let Some(uri) = r.arg_str(0) else {
        if node.args.is_empty() {
            r.missing("a URI", "artifact \"s3://models/bert/1.0/model.onnx\"");
        }
        return None;
    };
    let scheme = uri.value.split_once("://").map(|(s, _)| s.to_owned());
    let rest_ok = uri
        .value
        .split_once("://")
        .is_some_and(|(_, rest)| !rest.is_empty() && !rest.contains(char::is_whitespace));
    let location = Location::parse(&uri.value).filter(|_| rest_ok);
    let location = match (location, scheme) {
        (Some(location), _) => location,
        (None, other) => {
            let why = match other {
                Some(s) if !SCHEMES.contains(&s.as_str()) => format!("unsupported scheme `{s}`"),
                Some(_) => "the URI has no path".to_owned(),
                None => "it has no `scheme://`".to_owned(),
            };
            diags.push(
                Diagnostic::error(
                    "E0209",
                    format!("invalid artifact URI `{}`: {why}", uri.value),
                )
                .label(uri.span, "invalid URI")
                .help(format!(
                    "use one of the schemes {}, e.g. `\"s3://bucket/model.onnx\"`",
                    list(SCHEMES)
                )),
            );
            return None;
        }
    };
    let sha256 = sha.and_then(|s| {
        let hex = s
            .value
            .strip_prefix("sha256:")
            .unwrap_or(&s.value)
            .to_owned();
        if super::units::is_sha256_hex(&hex) {
            Some(Spanned::new(hex, s.span))
        } else {
            diags.push(
                Diagnostic::error("E0210", "malformed sha256 digest")
                    .label(
                        s.span,
                        format!(
                            "{} characters; expected 64 lower-case hex digits",
                            hex.len()
                        ),
                    )
                    .help("compute it with `sha256sum model.onnx` and paste the 64 hex digits"),
            );
            None
        }
    });
    Some(Artifact {
        uri,
        location,
        sha256,
    })
}

fn lower_serve(node: &Node, diags: &mut Diagnostics) -> Option<Spanned<ServeTarget>> {
    let mut r = Reader::new(node, diags, &["mode"], 1);
    no_children(node, r.diags);
    let target = r.choice_of(
        r.arg(0),
        "serve target",
        &[("kserve", true), ("deployment", false)],
    )?;
    if !target.value {
        if let Some(mode) = node.prop("mode") {
            r.diags.push(
                Diagnostic::error("E0212", "`mode` applies to `serve kserve` only")
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
                Diagnostic::error("E0206", format!("unknown KServe mode `{}`", alias.0))
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

fn lower_runtime(node: &Node, diags: &mut Diagnostics) -> Runtime {
    let mut r = Reader::new(node, diags, &["image", "port", "health"], 1);
    no_children(node, r.diags);
    let port = r.u32("port").and_then(|p| {
        u16::try_from(p.value).ok().filter(|p| *p > 0).or_else(|| {
            r.diags.push(
                Diagnostic::error("E0214", format!("port {} is out of range", p.value))
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

fn lower_accelerator(node: &Node, diags: &mut Diagnostics) -> Option<Accelerator> {
    let mut r = Reader::new(node, diags, &["pool", "gpus", "mig", "shared"], 1);
    no_children(node, r.diags);
    let span = node.head_span();
    let cpu = match r.arg(0) {
        Some(v) if v.kind == ValueKind::String("cpu".into()) => true,
        Some(v) => {
            let v = v.clone();
            r.diags.push(
                Diagnostic::error("E0206", format!("unknown accelerator {}", v.display()))
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
                Diagnostic::error("E0212", "`accelerator cpu` takes no properties")
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
                Diagnostic::error("E0212", "`gpus`, `mig` and `shared` are different kinds of request")
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

fn lower_autoscale(node: &Node, diags: &mut Diagnostics) -> Option<Autoscale> {
    let mut r = Reader::new(node, diags, &["min", "max", "idle"], 0);
    let head = node.head_span();
    let min = r.u32("min").unwrap_or(Spanned::new(1, head));
    let max = r
        .u32("max")
        .unwrap_or_else(|| Spanned::new(min.value.max(1), head));
    let idle = r
        .duration("idle")
        .map_or(Duration { millis: 300_000 }, |d| d.value);
    const POLICIES: &[&str] = &[
        "cpu",
        "memory",
        "concurrency",
        "rps",
        "prometheus",
        "kafka",
        "rabbitmq",
        "sqs",
    ];
    check_children(node, diags, POLICIES, POLICIES);
    let mut policy: Option<Spanned<Policy>> = None;
    for child in node
        .children()
        .iter()
        .filter(|c| POLICIES.contains(&c.name.as_str()))
    {
        let Some(p) = lower_policy(child, diags) else {
            continue;
        };
        if let Some(first) = &policy {
            diags.push(
                Diagnostic::error("E0213", "a model scales on one policy only")
                    .label(child.name_span, "second policy")
                    .label(first.span, "first policy")
                    .help("one scaler per workload: keep one policy; combine signals in a Prometheus query if needed"),
            );
        } else {
            policy = Some(Spanned::new(p, child.head_span()));
        }
    }
    Some(Autoscale {
        min,
        max,
        idle,
        policy,
        span: head,
    })
}

fn percent_arg(r: &mut Reader<'_>, example: &str) -> Option<u32> {
    let v = r.u32_of(r.arg(0));
    if v.is_none() && r.node.args.is_empty() {
        r.missing("a target", example);
    }
    let v = v?;
    if v.value == 0 {
        r.diags.push(
            Diagnostic::error("E0214", "a scaling target must be at least 1")
                .label(v.span, "zero")
                .help(format!("write e.g. `{example}`")),
        );
        return None;
    }
    Some(v.value)
}

fn required(r: &mut Reader<'_>, key: &str, example: &str) -> Option<String> {
    match r.str(key) {
        Some(s) => Some(s.value),
        None => {
            if r.value(key).is_none() {
                r.missing(&format!("`{key}`"), example);
            }
            None
        }
    }
}

fn lower_policy(node: &Node, diags: &mut Diagnostics) -> Option<Policy> {
    match node.name.as_str() {
        "cpu" | "memory" | "concurrency" | "rps" => {
            let mut r = Reader::new(node, diags, &[], 1);
            no_children(node, r.diags);
            let example = format!("{} 70", node.name);
            let v = percent_arg(&mut r, &example)?;
            Some(match node.name.as_str() {
                "cpu" => Policy::Cpu(v),
                "memory" => Policy::Memory(v),
                "concurrency" => Policy::Concurrency(v),
                _ => Policy::Rps(v),
            })
        }
        "prometheus" => {
            let mut r = Reader::new(node, diags, &["server", "query", "threshold"], 0);
            no_children(node, r.diags);
            let ex = "prometheus server=\"http://prometheus.monitoring:9090\" query=\"sum(rate(x[1m]))\" threshold=100";
            let server = required(&mut r, "server", ex);
            let query = required(&mut r, "query", ex);
            let threshold = match r.value("threshold") {
                Some(v) => match &v.kind {
                    ValueKind::Integer(i) => Some(i.to_string()),
                    ValueKind::Float(f) => Some(f.to_string()),
                    ValueKind::String(s) if s.parse::<f64>().is_ok() => Some(s.clone()),
                    _ => {
                        let v = v.clone();
                        r.string_of(Some(&v));
                        r.diags.push(
                            Diagnostic::error(
                                "E0104",
                                format!("expected a number, found {}", v.display()),
                            )
                            .label(v.span, "expected a number")
                            .help("write e.g. `threshold=100`"),
                        );
                        None
                    }
                },
                None => {
                    r.missing("`threshold`", ex);
                    None
                }
            };
            Some(Policy::Prometheus {
                server: server?,
                query: query?,
                threshold: threshold?,
            })
        }
        "kafka" => {
            let mut r = Reader::new(
                node,
                diags,
                &["bootstrap", "topic", "group", "lag", "auth"],
                0,
            );
            no_children(node, r.diags);
            let ex = "kafka bootstrap=\"kafka:9092\" topic=requests group=sentiment lag=100";
            let bootstrap = required(&mut r, "bootstrap", ex);
            let topic = required(&mut r, "topic", ex);
            let group = required(&mut r, "group", ex);
            let lag = r.u32("lag").map_or(10, |v| v.value.max(1));
            let auth = r.str("auth").map(|s| s.value);
            Some(Policy::Kafka {
                bootstrap: bootstrap?,
                topic: topic?,
                group: group?,
                lag,
                auth,
            })
        }
        "rabbitmq" => {
            let mut r = Reader::new(node, diags, &["queue", "length", "auth"], 0);
            no_children(node, r.diags);
            let ex = "rabbitmq queue=requests length=20 auth=rabbitmq-conn";
            let queue = required(&mut r, "queue", ex);
            let length = r.u32("length").map_or(20, |v| v.value.max(1));
            let auth = required(&mut r, "auth", ex);
            Some(Policy::Rabbitmq {
                queue: queue?,
                length,
                auth: auth?,
            })
        }
        _ => {
            let mut r = Reader::new(node, diags, &["queue-url", "region", "length", "auth"], 0);
            no_children(node, r.diags);
            let ex = "sqs queue-url=\"https://sqs.eu-west-1.amazonaws.com/1234/requests\" region=eu-west-1 length=5";
            let queue_url = required(&mut r, "queue-url", ex);
            let region = required(&mut r, "region", ex);
            let length = r.u32("length").map_or(5, |v| v.value.max(1));
            let auth = r.str("auth").map(|s| s.value);
            Some(Policy::Sqs {
                queue_url: queue_url?,
                region: region?,
                length,
                auth,
            })
        }
    }
}

fn lower_canary(node: &Node, diags: &mut Diagnostics) -> Option<Canary> {
    let mut r = Reader::new(node, diags, &["percent"], 1);
    let name = r.arg_str(0);
    let percent = r.i64_of(r.value("percent"));
    if percent.is_none() && r.value("percent").is_none() {
        r.missing("`percent`", "canary v2 percent=10 { artifact \"s3://…\" }");
    }
    check_children(node, diags, &["artifact", "version"], &[]);
    let artifact = match node.children().iter().find(|c| c.name == "artifact") {
        Some(a) => lower_artifact(a, diags),
        None => {
            Reader::new(node, diags, &["percent"], 1).missing(
                "an `artifact`",
                "canary v2 percent=10 { artifact \"s3://…\" }",
            );
            None
        }
    };
    let version = node
        .children()
        .iter()
        .find(|c| c.name == "version")
        .and_then(|c| {
            let mut r = Reader::new(c, diags, &[], 1);
            r.arg_str(0).map(|s| s.value)
        });
    if name.is_none() && node.args.is_empty() {
        Reader::new(node, diags, &["percent"], 1).missing("a name", "canary v2 percent=10 { … }");
    }
    Some(Canary {
        name: name?,
        percent: percent?,
        artifact: artifact?,
        version,
    })
}

fn lower_disruption(node: &Node, diags: &mut Diagnostics) -> Option<Spanned<Disruption>> {
    let mut r = Reader::new(node, diags, &["max-unavailable", "min-available"], 0);
    no_children(node, r.diags);
    let read = |r: &mut Reader<'_>, key: &str| -> Option<String> {
        let v = r.value(key)?;
        match &v.kind {
            ValueKind::Integer(i) if *i >= 0 => Some(i.to_string()),
            ValueKind::String(s)
                if s.strip_suffix('%')
                    .is_some_and(|n| n.parse::<u8>().is_ok_and(|n| n <= 100)) =>
            {
                Some(s.clone())
            }
            _ => {
                let v = v.clone();
                r.diags.push(
                    Diagnostic::error(
                        "E0104",
                        format!("expected a count or a percentage, found {}", v.display()),
                    )
                    .label(v.span, "expected e.g. `1` or `\"25%\"`")
                    .help("write a whole number of pods or a quoted percentage"),
                );
                None
            }
        }
    };
    let max = read(&mut r, "max-unavailable");
    let min = read(&mut r, "min-available");
    let span = node.head_span();
    match (max, min) {
        (Some(_), Some(_)) => {
            r.diags.push(
                Diagnostic::error(
                    "E0212",
                    "`max-unavailable` and `min-available` cannot both be set",
                )
                .label(span, "both set")
                .help("a PodDisruptionBudget takes one of them: keep one"),
            );
            None
        }
        (Some(m), None) => Some(Spanned::new(Disruption::MaxUnavailable(m), span)),
        (None, Some(m)) => Some(Spanned::new(Disruption::MinAvailable(m), span)),
        (None, None) => {
            if node.props.is_empty() {
                r.missing(
                    "`max-unavailable` or `min-available`",
                    "disruption max-unavailable=1",
                );
            }
            None
        }
    }
}

fn lower_env(node: &Node, diags: &mut Diagnostics) -> Option<(String, EnvValue)> {
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
            Diagnostic::error("E0212", "an environment variable takes one value")
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
                "E0201",
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
                Diagnostic::error("E0212", "an environment variable takes one source")
                    .label(node.head_span(), "several sources")
                    .help("give a literal value, or `secret=… key=…`, or `config-map=… key=…`"),
            );
            return None;
        }
    };
    Some((name.value, value))
}

fn lower_service_account(
    node: &Node,
    diags: &mut Diagnostics,
) -> (Option<String>, BTreeMap<String, String>) {
    let mut r = Reader::new(node, diags, &[], 1);
    let name = r.arg_str(0).map(|s| s.value);
    check_children(node, diags, &["annotations"], &[]);
    let annotations = node
        .children()
        .iter()
        .find(|c| c.name == "annotations")
        .map(|c| string_map(c, diags))
        .unwrap_or_default();
    (name, annotations)
}

fn lower_volume(node: &Node, diags: &mut Diagnostics) -> Option<Volume> {
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
            Diagnostic::error("E0212", "a volume takes exactly one source")
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
