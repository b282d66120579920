//! The queue triggers beyond kafka, rabbitmq and SQS: `redis`, `redis-streams` (in
//! `lower_redis.rs`), `nats-jetstream`, `gcp-pubsub` and `azure-servicebus`, with the metadata
//! each KEDA scaler reads (facts: `docs/facts/keda-scalers.md`).

use super::ir::Policy;
use super::ir_triggers::{PubsubResource, ServicebusEntity};
use super::lower_auth::lower_credentials;
use super::lower_redis::{redis_list, redis_stream};
use super::lower_scaling::required;
use super::reader::Reader;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

/// `E0212` for two properties that exclude each other, both written.
pub(super) fn exclusive(r: &mut Reader<'_>, a: &str, b: &str, help: &str) -> bool {
    let (Some(va), Some(vb)) = (r.value(a), r.value(b)) else {
        return false;
    };
    r.diags.push(
        Diagnostic::error(Code::E0212, format!("`{a}` and `{b}` cannot both be set"))
            .label(va.span, a.to_owned())
            .label(vb.span, b.to_owned())
            .help(help.to_owned()),
    );
    true
}

/// An optional count (`activation=`, a target): `None` when absent or wrong.
pub(super) fn count(r: &mut Reader<'_>, key: &str) -> Option<u32> {
    r.u32(key).map(|v| v.value)
}

/// The lowering of trigger `node` (one of this module's), or `None` on error.
pub(super) fn lower_trigger(node: &Node, diags: &mut Diagnostics) -> Option<Policy> {
    match node.name.as_str() {
        "redis" => redis_list(node, diags),
        "redis-streams" => redis_stream(node, diags),
        "nats-jetstream" => nats(node, diags),
        "gcp-pubsub" => pubsub(node, diags),
        _ => servicebus(node, diags),
    }
}

fn nats(node: &Node, diags: &mut Diagnostics) -> Option<Policy> {
    let mut r = Reader::new(
        node,
        diags,
        &[
            "endpoint",
            "account",
            "stream",
            "consumer",
            "lag",
            "activation",
            "https",
            "auth",
        ],
        0,
    );
    let ex = "nats-jetstream endpoint=\"nats.nats:8222\" account=\"$G\" stream=jobs consumer=workers lag=10";
    let endpoint = r.str("endpoint").map(|s| s.value);
    let account = r.str("account").map(|s| s.value);
    let stream = required(&mut r, "stream", ex);
    let consumer = required(&mut r, "consumer", ex);
    let lag = count(&mut r, "lag").unwrap_or(10);
    let activation = count(&mut r, "activation");
    let https = r.bool("https").is_some_and(|b| b.value);
    let shorthand = r.str("auth");
    let has_auth = shorthand.is_some() || node.children().iter().any(|c| c.name == "auth");
    if !has_auth {
        for (key, value) in [("endpoint", &endpoint), ("account", &account)] {
            if value.is_none() && r.value(key).is_none() {
                r.missing(&format!("`{key}`"), ex);
            }
        }
    }
    let auth = lower_credentials(node, shorthand, diags);
    if has_auth && auth.is_none() {
        return None;
    }
    if !has_auth && (endpoint.is_none() || account.is_none()) {
        return None;
    }
    Some(Policy::NatsJetstream {
        endpoint,
        account,
        stream: stream?,
        consumer: consumer?,
        lag,
        activation,
        https,
        auth,
    })
}

fn pubsub(node: &Node, diags: &mut Diagnostics) -> Option<Policy> {
    let mut r = Reader::new(
        node,
        diags,
        &[
            "subscription",
            "topic",
            "mode",
            "value",
            "activation",
            "auth",
        ],
        0,
    );
    let ex = "gcp-pubsub subscription=requests-sub value=10";
    let help = "KEDA watches exactly one subscription or topic: keep one";
    let resource = if exclusive(&mut r, "subscription", "topic", help) {
        None
    } else {
        match (r.str("subscription"), r.str("topic")) {
            (Some(s), _) => Some(PubsubResource::Subscription(s.value)),
            (None, Some(t)) => Some(PubsubResource::Topic(t.value)),
            (None, None) => {
                if r.value("subscription").is_none() && r.value("topic").is_none() {
                    r.missing("`subscription` or `topic`", ex);
                }
                None
            }
        }
    };
    let mode = match r.value("mode") {
        Some(v) => Some(
            r.choice_of(
                Some(v),
                "Pub/Sub mode",
                &[
                    ("SubscriptionSize", "SubscriptionSize"),
                    ("OldestUnackedMessageAge", "OldestUnackedMessageAge"),
                ],
            )?
            .value,
        ),
        None => Some("SubscriptionSize"),
    };
    let value = count(&mut r, "value").unwrap_or(10);
    let activation = count(&mut r, "activation");
    let shorthand = r.str("auth");
    let auth = lower_credentials(node, shorthand, diags);
    Some(Policy::GcpPubsub {
        resource: resource?,
        mode: mode?,
        value,
        activation,
        auth,
    })
}

fn servicebus(node: &Node, diags: &mut Diagnostics) -> Option<Policy> {
    let mut r = Reader::new(
        node,
        diags,
        &[
            "queue",
            "topic",
            "subscription",
            "count",
            "activation",
            "namespace",
            "auth",
        ],
        0,
    );
    let ex = "azure-servicebus queue=requests count=5 auth=servicebus-conn";
    let entity = if exclusive(
        &mut r,
        "queue",
        "topic",
        "KEDA counts one queue, or one topic's subscription: keep one",
    ) {
        None
    } else {
        match (r.str("queue"), r.str("topic")) {
            (Some(q), _) => {
                if let Some(s) = r.value("subscription") {
                    r.diags.push(
                        Diagnostic::error(Code::E0212, "a queue has no `subscription`")
                            .label(s.span, "subscription")
                            .help("a subscription belongs to a topic: write `topic=NAME subscription=NAME`, or remove `subscription`"),
                    );
                    None
                } else {
                    Some(ServicebusEntity::Queue(q.value))
                }
            }
            (None, Some(t)) => match r.str("subscription") {
                Some(s) => Some(ServicebusEntity::Subscription {
                    topic: t.value,
                    subscription: s.value,
                }),
                None => {
                    if r.value("subscription").is_none() {
                        r.missing(
                            "`subscription` (with `topic`)",
                            "azure-servicebus topic=requests subscription=inference count=5",
                        );
                    }
                    None
                }
            },
            (None, None) => {
                if r.value("queue").is_none() && r.value("topic").is_none() {
                    r.missing("`queue` or `topic`", ex);
                }
                None
            }
        }
    };
    let count_target = count(&mut r, "count").unwrap_or(5);
    let activation = count(&mut r, "activation");
    let namespace = r.str("namespace").map(|s| s.value);
    let shorthand = r.str("auth");
    let has_auth = shorthand.is_some() || node.children().iter().any(|c| c.name == "auth");
    if !has_auth && namespace.is_none() && r.value("namespace").is_none() {
        let span = r.span();
        r.diags.push(
            Diagnostic::error(
                Code::E0105,
                "`azure-servicebus` is missing `namespace` (workload identity)",
            )
            .label(span, "needs `namespace` or `auth`")
            .note("without `auth` KEDA authenticates with Azure workload identity, which reaches the Service Bus namespace by name")
            .help("write `namespace=NAME` (the Service Bus namespace), or give the connection string with `auth=SECRET`"),
        );
        return None;
    }
    let auth = lower_credentials(node, shorthand, diags);
    if has_auth && auth.is_none() {
        return None;
    }
    Some(Policy::AzureServicebus {
        entity: entity?,
        count: count_target,
        activation,
        namespace,
        auth,
    })
}
