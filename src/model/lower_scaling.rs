//! The scaling family of a `model`: `autoscale` with its policy, `batching` and
//! `disruption`.

use super::grammar;
use super::ir::{Autoscale, Batching, Disruption, Policy, Spanned};
use super::ir_scaling::Behaviour;
use super::lower_auth::lower_credentials;
use super::lower_behaviour::{lower_keda, lower_rules};
use super::lower_triggers::lower_trigger;
use super::reader::{Reader, check_children, no_children};
use super::units::Duration;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::{Node, ValueKind};

pub(super) fn lower_autoscale(node: &Node, diags: &mut Diagnostics) -> Option<Autoscale> {
    let mut r = Reader::new(node, diags, &["min", "max", "idle"], 0);
    let head = node.head_span();
    let min = r.u32("min").unwrap_or(Spanned::new(1, head));
    let max = r
        .u32("max")
        .unwrap_or_else(|| Spanned::new(min.value.max(1), head));
    let idle = r
        .duration("idle")
        .map_or(Duration { millis: 300_000 }, |d| d.value);
    check_children(node, diags, &grammar::AUTOSCALE);
    let mut policy: Option<Spanned<Policy>> = None;
    for child in node.children().iter().filter(|c| {
        grammar::AUTOSCALE.child(&c.name).is_some()
            && !grammar::AUTOSCALE_KNOBS.contains(&c.name.as_str())
    }) {
        let Some(p) = lower_policy(child, diags) else {
            continue;
        };
        if let Some(first) = &policy {
            diags.push(
                Diagnostic::error(Code::E0213, "a model scales on one policy only")
                    .label(child.name_span, "second policy")
                    .label(first.span, "first policy")
                    .help("one scaler per workload: keep one policy; combine signals in a Prometheus query if needed"),
            );
        } else {
            policy = Some(Spanned::new(p, child.head_span()));
        }
    }
    let behaviour = lower_knobs(node, min.value, diags);
    Some(Autoscale {
        min,
        max,
        idle,
        policy,
        behaviour,
        span: head,
    })
}

/// The behaviour knobs among `autoscale`'s children.
fn lower_knobs(node: &Node, min: u32, diags: &mut Diagnostics) -> Behaviour {
    let mut b = Behaviour::default();
    for child in node.children() {
        match child.name.as_str() {
            "keda" => {
                let (polling, idle, fallback) = lower_keda(child, diags);
                if let Some((n, span)) = idle {
                    if n >= min {
                        diags.push(
                            Diagnostic::error(Code::E0214, "`idle-replicas` must be below `min`")
                                .label(span, format!("{n} with min={min}"))
                                .help("KEDA's idle replica count is below the minimum (in practice `idle-replicas=0` with `min` ≥ 1)"),
                        );
                    } else {
                        b.idle_replicas = Some(n);
                    }
                }
                b.polling_seconds = polling;
                b.fallback = fallback;
                b.keda_span = Some(child.head_span());
            }
            "scale-up" | "scale-down" => {
                let rules = lower_rules(child, diags);
                b.hpa_span.get_or_insert(child.head_span());
                if child.name == "scale-up" {
                    b.scale_up = Some(rules);
                } else {
                    b.scale_down = Some(rules);
                }
            }
            _ => {}
        }
    }
    b
}

pub(super) fn percent_arg(r: &mut Reader<'_>, example: &str) -> Option<u32> {
    let v = r.u32_of(r.arg(0));
    if v.is_none() && r.node.args.is_empty() {
        r.missing("a target", example);
    }
    let v = v?;
    if v.value == 0 {
        r.diags.push(
            Diagnostic::error(Code::E0214, "a scaling target must be at least 1")
                .label(v.span, "zero")
                .help(format!("write e.g. `{example}`")),
        );
        return None;
    }
    Some(v.value)
}

pub(super) fn required(r: &mut Reader<'_>, key: &str, example: &str) -> Option<String> {
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

pub(super) fn lower_policy(node: &Node, diags: &mut Diagnostics) -> Option<Policy> {
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
            let mut r = Reader::new(
                node,
                diags,
                &["server", "query", "threshold", "activation", "auth"],
                0,
            );
            let ex = "prometheus server=\"http://prometheus.monitoring:9090\" query=\"sum(rate(x[1m]))\" threshold=100";
            let server = required(&mut r, "server", ex);
            let query = required(&mut r, "query", ex);
            let shorthand = r.str("auth");
            let threshold = if r.value("threshold").is_some() {
                number(&mut r, "threshold", "threshold=100")
            } else {
                r.missing("`threshold`", ex);
                None
            };
            let activation = number(&mut r, "activation", "activation=5");
            let auth = lower_credentials(node, shorthand, diags);
            Some(Policy::Prometheus {
                server: server?,
                query: query?,
                threshold: threshold?,
                activation,
                auth,
            })
        }
        "kafka" => {
            let mut r = Reader::new(
                node,
                diags,
                &["bootstrap", "topic", "group", "lag", "activation", "auth"],
                0,
            );
            let ex = "kafka bootstrap=\"kafka:9092\" topic=requests group=sentiment lag=100";
            let bootstrap = required(&mut r, "bootstrap", ex);
            let topic = required(&mut r, "topic", ex);
            let group = required(&mut r, "group", ex);
            let lag = r.u32("lag").map_or(10, |v| v.value.max(1));
            let activation = r.u32("activation").map(|v| v.value);
            let shorthand = r.str("auth");
            let auth = lower_credentials(node, shorthand, diags);
            Some(Policy::Kafka {
                bootstrap: bootstrap?,
                topic: topic?,
                group: group?,
                lag,
                activation,
                auth,
            })
        }
        "rabbitmq" => {
            let mut r = Reader::new(node, diags, &["queue", "length", "activation", "auth"], 0);
            let ex = "rabbitmq queue=requests length=20 auth=rabbitmq-conn";
            let queue = required(&mut r, "queue", ex);
            let length = r.u32("length").map_or(20, |v| v.value.max(1));
            let activation = r.u32("activation").map(|v| v.value);
            let shorthand = r.str("auth");
            let has_block = node.children().iter().any(|c| c.name == "auth");
            if shorthand.is_none() && !has_block && r.value("auth").is_none() {
                r.missing("`auth`", ex);
            }
            let auth = lower_credentials(node, shorthand, diags);
            Some(Policy::Rabbitmq {
                queue: queue?,
                length,
                activation,
                auth: auth?,
            })
        }
        "redis" | "redis-streams" | "nats-jetstream" | "gcp-pubsub" | "azure-servicebus" => {
            lower_trigger(node, diags)
        }
        "cron" => {
            let mut r = Reader::new(node, diags, &["timezone", "start", "end", "replicas"], 0);
            no_children(node, r.diags);
            let ex = "cron timezone=\"Europe/Paris\" start=\"0 7 * * 1-5\" end=\"0 19 * * 1-5\" replicas=4";
            let timezone = required(&mut r, "timezone", ex);
            let start = required(&mut r, "start", ex);
            let end = required(&mut r, "end", ex);
            let replicas = match r.u32("replicas") {
                Some(v) if v.value >= 1 => Some(v.value),
                Some(v) => {
                    r.diags.push(
                        Diagnostic::error(Code::E0214, "`replicas` must be at least 1")
                            .label(v.span, "zero")
                            .help("the replicas to run inside the window, e.g. `replicas=4`"),
                    );
                    None
                }
                None => {
                    r.missing("`replicas`", ex);
                    None
                }
            };
            Some(Policy::Cron {
                timezone: timezone?,
                start: start?,
                end: end?,
                replicas: replicas?,
            })
        }
        _ => {
            let mut r = Reader::new(
                node,
                diags,
                &["queue-url", "region", "length", "activation", "auth"],
                0,
            );
            let ex = "sqs queue-url=\"https://sqs.eu-west-1.amazonaws.com/1234/requests\" region=eu-west-1 length=5";
            let queue_url = required(&mut r, "queue-url", ex);
            let region = required(&mut r, "region", ex);
            let length = r.u32("length").map_or(5, |v| v.value.max(1));
            let activation = r.u32("activation").map(|v| v.value);
            let shorthand = r.str("auth");
            let auth = lower_credentials(node, shorthand, diags);
            Some(Policy::Sqs {
                queue_url: queue_url?,
                region: region?,
                length,
                activation,
                auth,
            })
        }
    }
}

/// Property `key` as a number (an integer, a float, or a string holding one), as text.
fn number(r: &mut Reader<'_>, key: &str, example: &str) -> Option<String> {
    let v = r.value(key)?;
    match &v.kind {
        ValueKind::Integer(i) => Some(i.to_string()),
        ValueKind::Float(f) => Some(f.to_string()),
        ValueKind::String(s) if s.parse::<f64>().is_ok() => Some(s.clone()),
        _ => {
            r.string_of(Some(v));
            r.diags.push(
                Diagnostic::error(
                    Code::E0104,
                    format!("expected a number, found {}", v.display()),
                )
                .label(v.span, "expected a number")
                .help(format!("write e.g. `{example}`")),
            );
            None
        }
    }
}

pub(super) fn lower_disruption(
    node: &Node,
    diags: &mut Diagnostics,
) -> Option<Spanned<Disruption>> {
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
                        Code::E0104,
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
                    Code::E0212,
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

/// `batching max-batch=… max-delay=…`.
pub(super) fn lower_batching(c: &Node, diags: &mut Diagnostics) -> Batching {
    let mut r = Reader::new(c, diags, &["max-batch", "max-delay"], 0);
    no_children(c, r.diags);
    let max_batch = r.u32("max-batch").map_or(8, |v| v.value);
    let max_delay = r
        .duration("max-delay")
        .map_or(Duration { millis: 5 }, |v| v.value);
    if max_batch == 0 {
        let span = r.value("max-batch").map_or(c.head_span(), |v| v.span);
        r.diags.push(
            Diagnostic::error(Code::E0214, "`max-batch` must be at least 1")
                .label(span, "zero")
                .help("use `max-batch=1` to turn batching off, or remove `batching`"),
        );
    }
    Batching {
        max_batch,
        max_delay,
    }
}
