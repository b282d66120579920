//! `redis` and `redis-streams`: the connection (address or host and port, standalone,
//! cluster or sentinel, database, TLS) and what each counts (facts:
//! `docs/facts/keda-scalers.md`).

use super::ir::Policy;
use super::ir_triggers::{RedisAddress, RedisServer, RedisTopology, StreamTarget};
use super::lower_auth::lower_credentials;
use super::lower_scaling::required;
use super::lower_triggers::{count, exclusive};
use super::reader::Reader;
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::syntax::Node;

const REDIS_SERVER: &[&str] = &[
    "address",
    "host",
    "port",
    "topology",
    "sentinel-master",
    "database",
    "tls",
    "auth",
];

fn redis_server(r: &mut Reader<'_>, ex: &str) -> Option<RedisServer> {
    if exclusive(
        r,
        "address",
        "host",
        "KEDA takes `address` (host:port, a comma list for a cluster) or `host` with `port`: keep one",
    ) {
        return None;
    }
    let address = match (r.str("address"), r.value("host")) {
        (Some(a), _) => RedisAddress::Addresses(a.value),
        (None, Some(_)) => {
            let host = r.str("host")?;
            let Some(port) = r.u32("port") else {
                if r.value("port").is_none() {
                    r.missing("`port` (with `host`)", ex);
                }
                return None;
            };
            RedisAddress::HostPort {
                host: host.value,
                port: port.value,
            }
        }
        (None, None) => {
            if r.value("address").is_none() {
                r.missing("`address` (or `host` and `port`)", ex);
            }
            return None;
        }
    };
    let topology = match r.value("topology") {
        Some(v) => {
            r.choice_of(
                Some(v),
                "Redis topology",
                &[
                    ("standalone", "standalone"),
                    ("cluster", "cluster"),
                    ("sentinel", "sentinel"),
                ],
            )?
            .value
        }
        None => "standalone",
    };
    let master = r.str("sentinel-master");
    let topology = match (topology, master) {
        ("standalone", None) => RedisTopology::Standalone,
        ("sentinel", Some(m)) => RedisTopology::Sentinel { master: m.value },
        ("sentinel", None) => {
            r.missing(
                "`sentinel-master` (with `topology=sentinel`)",
                "redis address=\"sentinel-0:26379,sentinel-1:26379\" topology=sentinel sentinel-master=mymaster list=jobs",
            );
            return None;
        }
        (_, Some(m)) => {
            r.diags.push(
                Diagnostic::error(Code::E0212, "`sentinel-master` needs `topology=sentinel`")
                    .label(m.span, "a sentinel master")
                    .help("add `topology=sentinel`, or remove `sentinel-master`"),
            );
            return None;
        }
        (_, None) => RedisTopology::Cluster,
    };
    let database = r.u32("database");
    if let (Some(d), RedisTopology::Cluster) = (&database, &topology) {
        r.diags.push(
            Diagnostic::error(Code::E0212, "a Redis cluster has no `database` index")
                .label(d.span, "database index")
                .help("Redis Cluster serves database 0 only: remove `database`"),
        );
        return None;
    }
    Some(RedisServer {
        address,
        topology,
        database: database.map(|d| d.value),
        tls: r.bool("tls").is_some_and(|b| b.value),
    })
}

pub(super) fn redis_list(node: &Node, diags: &mut Diagnostics) -> Option<Policy> {
    let mut props = REDIS_SERVER.to_vec();
    props.extend(["list", "length", "activation"]);
    let mut r = Reader::new(node, diags, &props, 0);
    let ex = "redis address=\"redis.queues:6379\" list=jobs length=5";
    let server = redis_server(&mut r, ex);
    let list = required(&mut r, "list", ex);
    let length = count(&mut r, "length").unwrap_or(5);
    let activation = count(&mut r, "activation");
    let shorthand = r.str("auth");
    let auth = lower_credentials(node, shorthand, diags);
    Some(Policy::RedisList {
        server: server?,
        list: list?,
        length,
        activation,
        auth,
    })
}

pub(super) fn redis_stream(node: &Node, diags: &mut Diagnostics) -> Option<Policy> {
    let mut props = REDIS_SERVER.to_vec();
    props.extend(["stream", "group", "length", "pending", "lag", "activation"]);
    let mut r = Reader::new(node, diags, &props, 0);
    let ex = "redis-streams address=\"redis.queues:6379\" stream=jobs group=workers pending=5";
    let server = redis_server(&mut r, ex);
    let stream = required(&mut r, "stream", ex);
    let group = r.str("group");
    let target = match group {
        None => {
            for key in ["pending", "lag"] {
                if let Some(v) = r.value(key) {
                    r.diags.push(
                        Diagnostic::error(Code::E0212, format!("`{key}` needs a consumer `group`"))
                            .label(v.span, "counts a consumer group")
                            .help(
                                "add `group=NAME`, or scale on the stream's length with `length=`",
                            ),
                    );
                    return None;
                }
            }
            Some(StreamTarget::Length(count(&mut r, "length").unwrap_or(5)))
        }
        Some(g) => {
            if let Some(v) = r.value("length") {
                r.diags.push(
                    Diagnostic::error(Code::E0212, "`length` is not read with a consumer `group`")
                        .label(v.span, "stream length")
                        .label(g.span, "consumer group")
                        .help("with a group KEDA counts its pending entries (`pending=`) or its lag (`lag=`): use one of them, or remove `group`"),
                );
                return None;
            }
            if exclusive(
                &mut r,
                "pending",
                "lag",
                "KEDA counts a group's pending entries or its lag: keep one",
            ) {
                return None;
            }
            match count(&mut r, "lag") {
                Some(n) => Some(StreamTarget::Lag {
                    group: g.value,
                    count: n,
                }),
                None => Some(StreamTarget::Pending {
                    group: g.value,
                    count: count(&mut r, "pending").unwrap_or(5),
                }),
            }
        }
    };
    let activation = count(&mut r, "activation");
    let shorthand = r.str("auth");
    let auth = lower_credentials(node, shorthand, diags);
    Some(Policy::RedisStream {
        server: server?,
        stream: stream?,
        target: target?,
        activation,
        auth,
    })
}
