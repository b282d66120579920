//! IR of the queue triggers beyond kafka, rabbitmq and SQS: Redis lists and streams, NATS
//! JetStream, GCP Pub/Sub and Azure Service Bus (facts: `docs/facts/keda-scalers.md`).

/// Where a Redis scaler connects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisAddress {
    /// `address=`: `host:port`, or a comma list of them (cluster, sentinel).
    Addresses(String),
    /// `host=` and `port=`.
    HostPort {
        /// The host name.
        host: String,
        /// The port.
        port: u32,
    },
}

/// How the Redis servers are deployed: the KEDA trigger type follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RedisTopology {
    /// One server (`redis`, `redis-streams`).
    Standalone,
    /// Redis Cluster (`redis-cluster`, `redis-cluster-streams`).
    Cluster,
    /// Sentinels in front of a master (`redis-sentinel`, `redis-sentinel-streams`).
    Sentinel {
        /// `sentinelMaster`: the master's name.
        master: String,
    },
}

/// The Redis connection of a `redis` or `redis-streams` trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisServer {
    /// Address or host and port.
    pub address: RedisAddress,
    /// Standalone, cluster or sentinel.
    pub topology: RedisTopology,
    /// `databaseIndex` (not for a cluster).
    pub database: Option<u32>,
    /// `enableTLS`.
    pub tls: bool,
}

impl RedisServer {
    /// The KEDA trigger type for a list (`stream = false`) or a stream.
    pub fn trigger_type(&self, stream: bool) -> &'static str {
        match (&self.topology, stream) {
            (RedisTopology::Standalone, false) => "redis",
            (RedisTopology::Standalone, true) => "redis-streams",
            (RedisTopology::Cluster, false) => "redis-cluster",
            (RedisTopology::Cluster, true) => "redis-cluster-streams",
            (RedisTopology::Sentinel { .. }, false) => "redis-sentinel",
            (RedisTopology::Sentinel { .. }, true) => "redis-sentinel-streams",
        }
    }
}

/// What a `redis-streams` trigger counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StreamTarget {
    /// No consumer group: `streamLength` (XLEN) per replica.
    Length(u32),
    /// A consumer group's pending entries (XPENDING), `pendingEntriesCount` per replica.
    Pending {
        /// `consumerGroup`.
        group: String,
        /// Target per replica.
        count: u32,
    },
    /// A consumer group's lag, `lagCount` per replica (Redis 7).
    Lag {
        /// `consumerGroup`.
        group: String,
        /// Target per replica.
        count: u32,
    },
}

/// What a `gcp-pubsub` trigger watches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubsubResource {
    /// `subscriptionName`.
    Subscription(String),
    /// `topicName`.
    Topic(String),
}

/// What an `azure-servicebus` trigger counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServicebusEntity {
    /// `queueName`.
    Queue(String),
    /// `topicName` and `subscriptionName`.
    Subscription {
        /// The topic.
        topic: String,
        /// Its subscription.
        subscription: String,
    },
}
