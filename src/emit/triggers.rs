//! Trigger metadata of the queue triggers beyond kafka, rabbitmq and SQS (Redis lists and
//! streams, NATS JetStream, GCP Pub/Sub, Azure Service Bus): KEDA's names, string values.

use crate::model::{
    Policy, PubsubResource, RedisAddress, RedisServer, RedisTopology, ServicebusEntity,
    StreamTarget,
};

/// Metadata pairs, in any order (the trigger sorts them).
type Pairs = Vec<(&'static str, String)>;

fn redis_server(server: &RedisServer, out: &mut Pairs) {
    match &server.address {
        RedisAddress::Addresses(a) => out.push(("address", a.clone())),
        RedisAddress::HostPort { host, port } => {
            out.push(("host", host.clone()));
            out.push(("port", port.to_string()));
        }
    }
    if let RedisTopology::Sentinel { master } = &server.topology {
        out.push(("sentinelMaster", master.clone()));
    }
    if let Some(d) = server.database {
        out.push(("databaseIndex", d.to_string()));
    }
    if server.tls {
        out.push(("enableTLS", "true".to_owned()));
    }
}

fn activation(out: &mut Pairs, key: &'static str, value: Option<u32>) {
    if let Some(v) = value {
        out.push((key, v.to_string()));
    }
}

/// The KEDA trigger type and metadata of `policy`, when it is one of these triggers.
pub(super) fn queue_trigger(policy: &Policy) -> Option<(&'static str, Pairs)> {
    let mut out = Pairs::new();
    let type_ = match policy {
        Policy::RedisList {
            server,
            list,
            length,
            activation: a,
            ..
        } => {
            redis_server(server, &mut out);
            out.push(("listName", list.clone()));
            out.push(("listLength", length.to_string()));
            activation(&mut out, "activationListLength", *a);
            server.trigger_type(false)
        }
        Policy::RedisStream {
            server,
            stream,
            target,
            activation: a,
            ..
        } => {
            redis_server(server, &mut out);
            out.push(("stream", stream.clone()));
            match target {
                StreamTarget::Length(n) => out.push(("streamLength", n.to_string())),
                StreamTarget::Pending { group, count } => {
                    out.push(("consumerGroup", group.clone()));
                    out.push(("pendingEntriesCount", count.to_string()));
                }
                StreamTarget::Lag { group, count } => {
                    out.push(("consumerGroup", group.clone()));
                    out.push(("lagCount", count.to_string()));
                }
            }
            activation(&mut out, "activationLagCount", *a);
            server.trigger_type(true)
        }
        Policy::NatsJetstream {
            endpoint,
            account,
            stream,
            consumer,
            lag,
            activation: a,
            https,
            ..
        } => {
            if let Some(e) = endpoint {
                out.push(("natsServerMonitoringEndpoint", e.clone()));
            }
            if let Some(acc) = account {
                out.push(("account", acc.clone()));
            }
            out.push(("stream", stream.clone()));
            out.push(("consumer", consumer.clone()));
            out.push(("lagThreshold", lag.to_string()));
            activation(&mut out, "activationLagThreshold", *a);
            if *https {
                out.push(("useHttps", "true".to_owned()));
            }
            "nats-jetstream"
        }
        Policy::GcpPubsub {
            resource,
            mode,
            value,
            activation: a,
            ..
        } => {
            match resource {
                PubsubResource::Subscription(s) => out.push(("subscriptionName", s.clone())),
                PubsubResource::Topic(t) => out.push(("topicName", t.clone())),
            }
            out.push(("mode", (*mode).to_owned()));
            out.push(("value", value.to_string()));
            activation(&mut out, "activationValue", *a);
            "gcp-pubsub"
        }
        Policy::AzureServicebus {
            entity,
            count,
            activation: a,
            namespace,
            ..
        } => {
            match entity {
                ServicebusEntity::Queue(q) => out.push(("queueName", q.clone())),
                ServicebusEntity::Subscription {
                    topic,
                    subscription,
                } => {
                    out.push(("topicName", topic.clone()));
                    out.push(("subscriptionName", subscription.clone()));
                }
            }
            out.push(("messageCount", count.to_string()));
            activation(&mut out, "activationMessageCount", *a);
            if let Some(n) = namespace {
                out.push(("namespace", n.clone()));
            }
            "azure-servicebus"
        }
        _ => return None,
    };
    Some((type_, out))
}
