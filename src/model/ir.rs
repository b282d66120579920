//! The resolved model (IR): names resolved, defaults applied, units parsed. Spans are kept
//! beside the values that later stages may need to point at.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::catalog::GpuSpec;
use super::ir_scaling::{Behaviour, Credentials, Vpa};
use super::ir_triggers::{PubsubResource, RedisServer, ServicebusEntity, StreamTarget};
use super::units::{Duration, Quantity};
use crate::source::Span;

/// A value with the span it was written at.
#[derive(Debug, Clone, PartialEq)]
pub struct Spanned<T> {
    /// The value.
    pub value: T,
    /// Where it was written (or the node that implied it, for defaults).
    pub span: Span,
}

impl<T> Spanned<T> {
    /// Wraps `value` at `span`.
    pub fn new(value: T, span: Span) -> Self {
        Spanned { value, span }
    }
}

/// The whole resolved project.
#[derive(Debug, Clone)]
pub struct Project {
    /// Project name.
    pub name: Spanned<String>,
    /// The Kubernetes minor version targeted (`1.33`).
    pub kubernetes: String,
    /// Labels put on every object.
    pub labels: BTreeMap<String, String>,
    /// Annotations put on every object.
    pub annotations: BTreeMap<String, String>,
    /// The runtime image and how it is built.
    pub image: Image,
    /// Clusters by name (an implicit `default` exists).
    pub clusters: BTreeMap<String, Cluster>,
    /// GPU pools by name (shared with the plans that place models on them).
    pub pools: BTreeMap<String, Arc<Pool>>,
    /// Models as declared (before environment overrides); boxed behind an `Arc`, so a map of
    /// thousands of models holds pointers, not half-empty nodes of large values.
    pub models: BTreeMap<String, Arc<Model>>,
    /// Seldon Core 2 Servers by name.
    pub seldon_servers: BTreeMap<String, SeldonServer>,
    /// Pipelines by name.
    pub pipelines: BTreeMap<String, super::ir_pipeline::Pipeline>,
    /// Environments with their resolved models.
    pub environments: BTreeMap<String, Environment>,
    /// The project's `monitoring` block.
    pub monitoring: Option<super::monitoring::MonitoringSpec>,
    /// The project's `traffic` (environments may override it).
    pub traffic: Option<Spanned<super::ir_traffic::Traffic>>,
    /// What is emitted once per cluster, for every cluster with an environment or a pool.
    pub cluster_plans: Vec<super::plan::ClusterPlan>,
}

/// The runtime image settings of the project.
#[derive(Debug, Clone, Default)]
pub struct Image {
    /// Registry prefix, e.g. `ghcr.io/acme`.
    pub registry: Option<String>,
    /// Image tag of `mlc-serve` (defaults to this mlc version).
    pub tag: Option<String>,
    /// Image digest (`sha256:…`), when pinned.
    pub digest: Option<String>,
    /// Base image of the runtime stage, with its span.
    pub base: Option<Spanned<String>>,
    /// Source repository URL of mlc for the build stage.
    pub source: Option<String>,
    /// Source revision (tag or commit) for the build stage.
    pub revision: Option<String>,
    /// The `project` node, for warnings about the image.
    pub span: Option<Span>,
}

/// A cluster.
#[derive(Debug, Clone)]
pub struct Cluster {
    /// Name.
    pub name: Spanned<String>,
    /// Namespace of the NVIDIA GPU operator (for the device-plugin ConfigMap).
    pub gpu_operator_namespace: String,
    /// Whether it was declared (false for the implicit `default`).
    pub declared: bool,
    /// PriorityClasses declared for the cluster.
    pub priority_classes: Vec<PriorityClass>,
}

/// A PriorityClass declared on a cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PriorityClass {
    /// Name.
    pub name: String,
    /// Priority value (at most 1,000,000,000 for user classes).
    pub value: i32,
    /// `PreemptLowerPriority` or `Never`.
    pub preemption: String,
    /// Human description.
    pub description: Option<String>,
}

/// A ResourceQuota on an environment's namespace.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Quota {
    /// Total CPU requests.
    pub cpu: Option<Quantity>,
    /// Total memory requests.
    pub memory: Option<Quantity>,
    /// Total GPUs (`requests.nvidia.com/gpu`).
    pub gpus: Option<u32>,
    /// Total pods.
    pub pods: Option<u32>,
}

/// How a pool shares its GPUs.
#[derive(Debug, Clone, PartialEq)]
pub enum Sharing {
    /// Whole GPUs.
    Whole,
    /// MIG with the mixed strategy and a per-GPU layout.
    MigMixed(MigLayout),
    /// MIG with the single strategy and one profile.
    MigSingle(Spanned<String>),
}

/// A per-GPU MIG layout (mixed strategy).
#[derive(Debug, Clone, PartialEq)]
pub struct MigLayout {
    /// The mig-parted config name (`all-balanced`, `all-1g.10gb`), or `None` for custom counts.
    pub config: Option<String>,
    /// Instances per profile on one GPU.
    pub counts: BTreeMap<String, Spanned<u32>>,
    /// Where the layout was written.
    pub span: Span,
}

/// Time-slicing or MPS over a pool's resources.
#[derive(Debug, Clone, PartialEq)]
pub struct Oversubscription {
    /// Time-slicing or MPS.
    pub kind: OversubscriptionKind,
    /// Replicas per device.
    pub replicas: Spanned<u32>,
    /// `renameByDefault`: the shared resource becomes `<resource>.shared`.
    pub rename: bool,
    /// Where it was written.
    pub span: Span,
}

/// The device-plugin sharing mechanism.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OversubscriptionKind {
    /// CUDA time-slicing.
    TimeSlicing,
    /// CUDA MPS.
    Mps,
}

/// A GPU the pool uses: from the catalog or declared by the project.
#[derive(Debug, Clone, PartialEq)]
pub enum GpuRef {
    /// A catalog entry.
    Catalog(&'static GpuSpec),
    /// A GPU declared by a `gpu-model` node.
    Declared {
        /// Its name.
        name: String,
        /// Its product labels.
        product_labels: Vec<String>,
        /// Its usable memory in GiB.
        usable_gib: Option<f64>,
    },
}

impl GpuRef {
    /// The GPU's name.
    pub fn name(&self) -> &str {
        match self {
            GpuRef::Catalog(spec) => spec.name,
            GpuRef::Declared { name, .. } => name,
        }
    }

    /// The product-label spellings known for it.
    pub fn product_labels(&self) -> Vec<String> {
        match self {
            GpuRef::Catalog(spec) => spec
                .product_labels
                .iter()
                .map(|s| (*s).to_owned())
                .collect(),
            GpuRef::Declared { product_labels, .. } => product_labels.clone(),
        }
    }

    /// Its MIG geometry, for catalog MIG GPUs.
    pub fn mig(&self) -> Option<&'static super::catalog::MigSpec> {
        match self {
            GpuRef::Catalog(spec) => spec.mig.as_ref(),
            GpuRef::Declared { .. } => None,
        }
    }

    /// Usable memory of a whole GPU in GiB, where known.
    pub fn usable_gib(&self) -> Option<f64> {
        match self {
            GpuRef::Catalog(spec) => spec.usable_gib,
            GpuRef::Declared { usable_gib, .. } => *usable_gib,
        }
    }
}

/// A Kubernetes taint on the pool's nodes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taint {
    /// Taint key.
    pub key: String,
    /// Taint value, if any.
    pub value: Option<String>,
    /// `NoSchedule`, `PreferNoSchedule` or `NoExecute`.
    pub effect: String,
}

/// A GPU node pool of one cluster.
#[derive(Debug, Clone)]
pub struct Pool {
    /// Name.
    pub name: Spanned<String>,
    /// The cluster it belongs to.
    pub cluster: Spanned<String>,
    /// The GPU model.
    pub gpu: Spanned<GpuRef>,
    /// GPUs per node.
    pub per_node: Spanned<u32>,
    /// Nodes in the pool.
    pub nodes: Spanned<u32>,
    /// MIG sharing.
    pub sharing: Sharing,
    /// Time-slicing or MPS, if any.
    pub oversubscription: Option<Oversubscription>,
    /// Taints of the nodes.
    pub taints: Vec<Taint>,
    /// Extra node labels that placement requires (added to the product-label affinity).
    pub node_labels: BTreeMap<String, String>,
    /// An explicit node selector that replaces the product-label affinity.
    pub node_selector: BTreeMap<String, String>,
    /// `runtimeClassName` for pods on this pool.
    pub runtime_class: Option<String>,
    /// The price of one unit (GPU, MIG slice or shared replica) per hour, for the cost
    /// figures of `mlc capacity` and `mlc diff`.
    pub price_per_hour: Option<Spanned<f64>>,
    /// The whole node.
    pub span: Span,
}

impl Pool {
    /// Total GPUs in the pool.
    pub fn gpus(&self) -> u64 {
        u64::from(self.per_node.value) * u64::from(self.nodes.value)
    }
}

/// Model formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    /// ONNX, served by mlc-serve.
    Onnx,
    /// scikit-learn.
    Sklearn,
    /// XGBoost.
    Xgboost,
    /// LightGBM.
    Lightgbm,
    /// PyTorch.
    Pytorch,
    /// TensorFlow SavedModel.
    Tensorflow,
    /// Triton model repository.
    Triton,
    /// Hugging Face.
    Huggingface,
    /// An MLflow model directory.
    Mlflow,
    /// A custom image.
    Custom,
}

impl Format {
    /// Every format with its KDL spelling.
    pub const ALL: &'static [(&'static str, Format)] = &[
        ("onnx", Format::Onnx),
        ("sklearn", Format::Sklearn),
        ("xgboost", Format::Xgboost),
        ("lightgbm", Format::Lightgbm),
        ("pytorch", Format::Pytorch),
        ("tensorflow", Format::Tensorflow),
        ("triton", Format::Triton),
        ("huggingface", Format::Huggingface),
        ("mlflow", Format::Mlflow),
        ("custom", Format::Custom),
    ];

    /// The KDL spelling.
    pub fn as_str(self) -> &'static str {
        Format::ALL
            .iter()
            .find(|(_, f)| *f == self)
            .map_or("custom", |(s, _)| s)
    }
}

/// Where and how a model is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServeTarget {
    /// KServe, Standard (raw deployment) mode.
    KserveStandard,
    /// KServe, Knative (serverless) mode.
    KserveKnative,
    /// A plain Deployment and Service.
    Deployment,
    /// Seldon Core v1: a `SeldonDeployment` (`machinelearning.seldon.io/v1`).
    SeldonV1,
    /// Seldon Core 2: `Model`, `Experiment`, `Pipeline` (`mlops.seldon.io/v1alpha1`).
    SeldonCore2,
}

impl ServeTarget {
    /// The name used in messages.
    pub fn describe(self) -> &'static str {
        match self {
            ServeTarget::KserveStandard => "`serve kserve mode=standard`",
            ServeTarget::KserveKnative => "`serve kserve mode=knative`",
            ServeTarget::Deployment => "`serve deployment`",
            ServeTarget::SeldonV1 => "`serve seldon`",
            ServeTarget::SeldonCore2 => "`serve seldon mode=core2`",
        }
    }

    /// Whether KServe serves the model (an InferenceService).
    pub fn is_kserve(self) -> bool {
        matches!(
            self,
            ServeTarget::KserveStandard | ServeTarget::KserveKnative
        )
    }

    /// Whether Seldon (Core v1 or Core 2) serves the model.
    pub fn is_seldon(self) -> bool {
        matches!(self, ServeTarget::SeldonV1 | ServeTarget::SeldonCore2)
    }
}

/// The model artifact.
#[derive(Debug, Clone, PartialEq)]
pub struct Artifact {
    /// The URI as written.
    pub uri: Spanned<String>,
    /// Where the files are, by scheme, with the parts mlc needs split out once.
    pub location: Location,
    /// The sha256 digest (64 lower-case hex digits), when given.
    pub sha256: Option<Spanned<String>>,
}

impl Artifact {
    /// Whether the URI names a directory (ends with `/`, or is a repository reference).
    pub fn is_directory(&self) -> bool {
        self.uri.value.ends_with('/')
            || matches!(
                self.location,
                Location::Remote(RemoteScheme::Hf | RemoteScheme::Oci)
            )
    }
}

/// Where an artifact's files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// `pvc://<claim>/<path>`: a PersistentVolumeClaim mounted read-only.
    Pvc {
        /// The claim name.
        claim: String,
        /// The path inside the claim (no leading `/`; may be empty or end with `/`).
        path: String,
    },
    /// `file://<path>`: a file of the project, relative to its root.
    File {
        /// The path after `file://`.
        path: String,
    },
    /// A remote store that a storage initializer fetches from.
    Remote(RemoteScheme),
}

/// The schemes of remote artifacts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RemoteScheme {
    /// `s3://`
    S3,
    /// `gs://`
    Gs,
    /// `https://`
    Https,
    /// `http://`
    Http,
    /// `oci://`
    Oci,
    /// `hf://`
    Hf,
}

impl Location {
    /// Every scheme mlc accepts, with its spelling.
    pub const SCHEMES: &'static [&'static str] =
        &["s3", "gs", "pvc", "https", "http", "oci", "hf", "file"];

    /// Splits `uri` once; `None` for a scheme outside [`Location::SCHEMES`].
    pub fn parse(uri: &str) -> Option<Location> {
        let (scheme, rest) = uri.split_once("://")?;
        Some(match scheme {
            "pvc" => {
                let (claim, path) = rest.split_once('/').unwrap_or((rest, ""));
                Location::Pvc {
                    claim: claim.to_owned(),
                    path: path.to_owned(),
                }
            }
            "file" => Location::File {
                path: rest.to_owned(),
            },
            "s3" => Location::Remote(RemoteScheme::S3),
            "gs" => Location::Remote(RemoteScheme::Gs),
            "https" => Location::Remote(RemoteScheme::Https),
            "http" => Location::Remote(RemoteScheme::Http),
            "oci" => Location::Remote(RemoteScheme::Oci),
            "hf" => Location::Remote(RemoteScheme::Hf),
            _ => return None,
        })
    }
}

/// What accelerator a model asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum AcceleratorKind {
    /// CPU only.
    Cpu,
    /// Whole dedicated GPUs.
    Gpus(Spanned<u32>),
    /// One MIG slice of a profile (optionally time-sliced).
    Mig {
        /// The profile.
        profile: Spanned<String>,
        /// Whether the slice is shared by time-slicing.
        shared: bool,
    },
    /// One shared (time-sliced or MPS) GPU.
    Shared,
}

/// A model's accelerator request.
#[derive(Debug, Clone, PartialEq)]
pub struct Accelerator {
    /// The kind of request.
    pub kind: AcceleratorKind,
    /// The pool, for GPU requests.
    pub pool: Option<Spanned<String>>,
    /// Where it was written (the model node when defaulted).
    pub span: Span,
}

/// CPU and memory requests and limits.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Resources {
    /// CPU request.
    pub cpu: Option<Spanned<Quantity>>,
    /// Memory request.
    pub memory: Option<Spanned<Quantity>>,
    /// CPU limit (defaults to the request).
    pub cpu_limit: Option<Spanned<Quantity>>,
    /// Memory limit (defaults to the request).
    pub memory_limit: Option<Spanned<Quantity>>,
}

/// Dynamic batching.
#[derive(Debug, Clone, PartialEq)]
pub struct Batching {
    /// Largest batch.
    pub max_batch: u32,
    /// Longest wait for a batch to fill.
    pub max_delay: Duration,
}

/// An autoscaling policy (at most one per model).
#[derive(Debug, Clone, PartialEq)]
pub enum Policy {
    /// Target CPU utilisation in percent.
    Cpu(u32),
    /// Target memory utilisation in percent.
    Memory(u32),
    /// Target concurrent requests per replica (Knative).
    Concurrency(u32),
    /// Target requests per second per replica (Knative).
    Rps(u32),
    /// A Prometheus query against a threshold.
    Prometheus {
        /// Prometheus server address.
        server: String,
        /// PromQL query.
        query: String,
        /// Threshold value.
        threshold: String,
        /// `activationThreshold`: above it the workload leaves zero (KEDA's default 0).
        activation: Option<String>,
        /// Credentials (bearer, basic or TLS), if any.
        auth: Option<Credentials>,
    },
    /// Kafka consumer-group lag.
    Kafka {
        /// Bootstrap servers.
        bootstrap: String,
        /// Topic.
        topic: String,
        /// Consumer group.
        group: String,
        /// Target lag per replica.
        lag: u32,
        /// `activationLagThreshold` (KEDA's default 0).
        activation: Option<u32>,
        /// SASL/TLS credentials, if any.
        auth: Option<Credentials>,
    },
    /// RabbitMQ queue length.
    Rabbitmq {
        /// Queue name.
        queue: String,
        /// Target messages per replica.
        length: u32,
        /// `activationValue` (KEDA's default 0).
        activation: Option<u32>,
        /// Credentials: the `host` connection string (and username/password).
        auth: Credentials,
    },
    /// AWS SQS queue length.
    Sqs {
        /// Queue URL.
        queue_url: String,
        /// AWS region.
        region: String,
        /// Target messages per replica.
        length: u32,
        /// `activationQueueLength` (KEDA's default 0).
        activation: Option<u32>,
        /// AWS credentials from a Secret; pod identity when absent.
        auth: Option<Credentials>,
    },
    /// A schedule: `replicas` between `start` and `end` (KEDA `cron`).
    Cron {
        /// IANA time zone.
        timezone: String,
        /// Cron expression of the window's start.
        start: String,
        /// Cron expression of the window's end.
        end: String,
        /// Replicas inside the window.
        replicas: u32,
    },
    /// Redis list length (KEDA `redis`, `redis-cluster`, `redis-sentinel`).
    RedisList {
        /// The connection.
        server: RedisServer,
        /// `listName`.
        list: String,
        /// `listLength`: target items per replica.
        length: u32,
        /// `activationListLength`: above it the workload leaves zero.
        activation: Option<u32>,
        /// Password (and username, TLS client certificate) from a Secret.
        auth: Option<Credentials>,
    },
    /// Redis stream length, pending entries or lag (KEDA `redis-streams` and variants).
    RedisStream {
        /// The connection.
        server: RedisServer,
        /// `stream`.
        stream: String,
        /// What is counted, and its target per replica.
        target: StreamTarget,
        /// `activationLagCount`.
        activation: Option<u32>,
        /// Password (and username, TLS client certificate) from a Secret.
        auth: Option<Credentials>,
    },
    /// NATS JetStream consumer lag (KEDA `nats-jetstream`).
    NatsJetstream {
        /// `natsServerMonitoringEndpoint`, unless read from the Secret.
        endpoint: Option<String>,
        /// `account`, unless read from the Secret.
        account: Option<String>,
        /// `stream`.
        stream: String,
        /// `consumer`.
        consumer: String,
        /// `lagThreshold`.
        lag: u32,
        /// `activationLagThreshold`.
        activation: Option<u32>,
        /// `useHttps`.
        https: bool,
        /// The endpoint or account from a Secret.
        auth: Option<Credentials>,
    },
    /// GCP Pub/Sub backlog (KEDA `gcp-pubsub`).
    GcpPubsub {
        /// The subscription or topic.
        resource: PubsubResource,
        /// `mode`: `SubscriptionSize` or `OldestUnackedMessageAge`.
        mode: &'static str,
        /// `value`: target per replica.
        value: u32,
        /// `activationValue`.
        activation: Option<u32>,
        /// A service-account key from a Secret; GCP workload identity when absent.
        auth: Option<Credentials>,
    },
    /// Azure Service Bus message count (KEDA `azure-servicebus`).
    AzureServicebus {
        /// The queue, or topic and subscription.
        entity: ServicebusEntity,
        /// `messageCount`: target per replica.
        count: u32,
        /// `activationMessageCount`.
        activation: Option<u32>,
        /// `namespace` (required with workload identity).
        namespace: Option<String>,
        /// The connection string from a Secret; Azure workload identity when absent.
        auth: Option<Credentials>,
    },
}

impl Policy {
    /// The KDL node name of the policy.
    pub fn keyword(&self) -> &'static str {
        match self {
            Policy::Cpu(_) => "cpu",
            Policy::Memory(_) => "memory",
            Policy::Concurrency(_) => "concurrency",
            Policy::Rps(_) => "rps",
            Policy::Prometheus { .. } => "prometheus",
            Policy::Kafka { .. } => "kafka",
            Policy::Rabbitmq { .. } => "rabbitmq",
            Policy::Sqs { .. } => "sqs",
            Policy::Cron { .. } => "cron",
            Policy::RedisList { .. } => "redis",
            Policy::RedisStream { .. } => "redis-streams",
            Policy::NatsJetstream { .. } => "nats-jetstream",
            Policy::GcpPubsub { .. } => "gcp-pubsub",
            Policy::AzureServicebus { .. } => "azure-servicebus",
        }
    }

    /// Whether KEDA drives this policy with an event source (not cpu/memory).
    pub fn is_event_driven(&self) -> bool {
        matches!(
            self,
            Policy::Prometheus { .. }
                | Policy::Kafka { .. }
                | Policy::Rabbitmq { .. }
                | Policy::Sqs { .. }
                | Policy::Cron { .. }
                | Policy::RedisList { .. }
                | Policy::RedisStream { .. }
                | Policy::NatsJetstream { .. }
                | Policy::GcpPubsub { .. }
                | Policy::AzureServicebus { .. }
        )
    }
}

/// Replica bounds and the scaling policy.
#[derive(Debug, Clone, PartialEq)]
pub struct Autoscale {
    /// Minimum replicas (0 = scale to zero).
    pub min: Spanned<u32>,
    /// Maximum replicas.
    pub max: Spanned<u32>,
    /// Idle period before scaling to zero.
    pub idle: Duration,
    /// The policy, if any (none = fixed replicas).
    pub policy: Option<Spanned<Policy>>,
    /// Behaviour knobs (KEDA polling/idle/fallback, HPA scale-up/down).
    pub behaviour: Behaviour,
    /// Where it was written (the model node when defaulted).
    pub span: Span,
}

/// A canary or A/B variant receiving part of the traffic.
#[derive(Debug, Clone, PartialEq)]
pub struct Canary {
    /// Variant name.
    pub name: Spanned<String>,
    /// Traffic percentage.
    pub percent: Spanned<i64>,
    /// Its artifact.
    pub artifact: Artifact,
    /// Its version label.
    pub version: Option<String>,
    /// Its minimum replicas (`min=`), when it runs fewer than the model's `min`.
    pub min: Option<Spanned<u32>>,
    /// Its own resources, replacing the model's.
    pub resources: Option<Resources>,
    /// Its own accelerator (pool, GPUs or MIG slice), replacing the model's.
    pub accelerator: Option<Accelerator>,
    /// Environment variables set over the model's.
    pub env: BTreeMap<String, EnvValue>,
    /// Its own serving image (`runtime image=…`).
    pub image: Option<Spanned<String>>,
    /// The sizing settings it writes (`min`, `resources`, `accelerator`, `env`, `runtime`),
    /// each with its span, for the targets that cannot honour them.
    pub sizing: Vec<(&'static str, Span)>,
    /// The canary node.
    pub span: Span,
}

/// The pod disruption budget.
#[derive(Debug, Clone, PartialEq)]
pub enum Disruption {
    /// `maxUnavailable`.
    MaxUnavailable(String),
    /// `minAvailable`.
    MinAvailable(String),
}

impl Disruption {
    /// Whether the budget lets at least one pod be evicted when `min` replicas run
    /// (Kubernetes rounds percentages up).
    pub fn allows_eviction(&self, min: u32) -> bool {
        let pct = |s: &str| s.strip_suffix('%').and_then(|n| n.parse::<u32>().ok());
        match self {
            Disruption::MaxUnavailable(v) => {
                pct(v).map_or_else(|| v.parse::<u32>().is_ok_and(|n| n > 0), |p| p > 0)
            }
            Disruption::MinAvailable(v) => pct(v).map_or_else(
                || v.parse::<u32>().is_ok_and(|n| n < min),
                |p| (p * min).div_ceil(100) < min,
            ),
        }
    }
}

/// Probe tuning.
#[derive(Debug, Clone, PartialEq)]
pub struct Probes {
    /// Delay before the first probe.
    pub initial_delay: Duration,
    /// Probe period.
    pub period: Duration,
    /// Probe timeout.
    pub timeout: Duration,
    /// Failures before the container is restarted or marked unready.
    pub failure_threshold: u32,
}

impl Default for Probes {
    fn default() -> Self {
        Probes {
            initial_delay: Duration { millis: 5_000 },
            period: Duration { millis: 10_000 },
            timeout: Duration { millis: 1_000 },
            failure_threshold: 3,
        }
    }
}

/// An environment variable: a literal or a secret reference.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvValue {
    /// A literal value.
    Literal(String),
    /// A key of a Secret.
    Secret {
        /// Secret name.
        name: String,
        /// Key.
        key: String,
    },
    /// A key of a ConfigMap.
    ConfigMap {
        /// ConfigMap name.
        name: String,
        /// Key.
        key: String,
    },
}

/// An extra volume mounted into the model container.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Volume {
    /// Volume name.
    pub name: String,
    /// Mount path.
    pub mount: String,
    /// What is mounted.
    pub source: VolumeSource,
    /// Whether it is mounted read-only.
    pub read_only: bool,
}

/// The source of an extra volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VolumeSource {
    /// A PersistentVolumeClaim, by name.
    Pvc(String),
    /// A Secret, by name.
    Secret(String),
    /// A ConfigMap, by name.
    ConfigMap(String),
    /// A scratch `emptyDir`.
    EmptyDir,
}

/// A JSON merge patch on one emitted object.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    /// The object's file stem in the output (`inferenceservice`, `deployment`, …).
    pub target: Spanned<String>,
    /// The JSON merge patch.
    pub patch: serde_json::Value,
}

/// A topology spread constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologySpread {
    /// Topology key.
    pub key: String,
    /// Maximum skew.
    pub max_skew: u32,
    /// `DoNotSchedule` or `ScheduleAnyway`.
    pub when_unsatisfiable: String,
}

/// The format-specific serving runtime.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Runtime {
    /// A named KServe runtime (ServingRuntime) overriding the default.
    pub name: Option<String>,
    /// The container image, for custom/TF Serving/Triton images.
    pub image: Option<String>,
    /// The container port.
    pub port: Option<u16>,
    /// The readiness/liveness path.
    pub health: Option<String>,
}

/// One resolved model (per environment after overrides).
#[derive(Debug, Clone)]
pub struct Model {
    /// Name.
    pub name: Spanned<String>,
    /// The version label, if declared.
    pub version: Option<String>,
    /// Its artifact.
    pub artifact: Artifact,
    /// Its format.
    pub format: Spanned<Format>,
    /// Serve target.
    pub serve: Spanned<ServeTarget>,
    /// Runtime settings.
    pub runtime: Runtime,
    /// Accelerator request.
    pub accelerator: Accelerator,
    /// Resources.
    pub resources: Resources,
    /// Dynamic batching, if enabled.
    pub batching: Option<Batching>,
    /// Scaling.
    pub autoscale: Autoscale,
    /// Canary / A/B variants.
    pub canaries: Vec<Canary>,
    /// The stable variant's own name (`stable NAME`), when given.
    pub stable: Option<Spanned<String>>,
    /// The request timeout (`timeout "30s"`).
    pub timeout: Option<Spanned<Duration>>,
    /// How the model is reached from outside its namespace.
    pub expose: Option<Spanned<super::ir_traffic::Expose>>,
    /// The VerticalPodAutoscaler, if declared.
    pub vpa: Option<Vpa>,
    /// Disruption budget, if declared.
    pub disruption: Option<Spanned<Disruption>>,
    /// Probe tuning.
    pub probes: Probes,
    /// Environment variables, sorted by name.
    pub env: BTreeMap<String, EnvValue>,
    /// ServiceAccount name, if one is to be created or used.
    pub service_account: Option<String>,
    /// ServiceAccount annotations (cloud identity).
    pub service_account_annotations: BTreeMap<String, String>,
    /// Image pull secrets.
    pub image_pull_secrets: Vec<String>,
    /// Storage credentials secret for KServe's storage initializer, by name.
    pub storage_secret: Option<String>,
    /// Priority class name.
    pub priority_class: Option<String>,
    /// Extra labels.
    pub labels: BTreeMap<String, String>,
    /// Extra annotations.
    pub annotations: BTreeMap<String, String>,
    /// Node affinity and other affinity, as JSON (escape hatch).
    pub affinity: Option<serde_json::Value>,
    /// Topology spread constraints.
    pub topology_spread: Vec<TopologySpread>,
    /// Extra volumes.
    pub volumes: Vec<Volume>,
    /// Patches on emitted objects.
    pub patches: Vec<Patch>,
    /// Namespaces allowed to reach the serving port (its own is always allowed).
    pub allow_from: Vec<String>,
    /// The Seldon Core 2 Server it is pinned to (`serve seldon mode=core2 server=…`).
    pub seldon_server: Option<Spanned<String>>,
    /// The model's `monitoring` blocks folded (base, then the environment's override).
    pub monitoring: Option<super::monitoring::MonitoringSpec>,
    /// The model node.
    pub span: Span,
}

impl Model {
    /// Whether the model runs on mlc-serve: ONNX with no other runtime named.
    pub fn uses_mlc_serve(&self) -> bool {
        self.format.value == Format::Onnx
            && self.runtime.name.is_none()
            && self.runtime.image.is_none()
    }
}

/// A Seldon Core 2 `Server` the project declares (`seldon-server`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeldonServer {
    /// Its name.
    pub name: Spanned<String>,
    /// `serverConfig`: the ServerConfig it runs (`mlserver`, `triton`, …).
    pub config: String,
    /// Replicas, when given.
    pub replicas: Option<u32>,
    /// `extraCapabilities` added to the ServerConfig's.
    pub capabilities: Vec<String>,
    /// The node.
    pub span: Span,
}

/// An environment with its resolved models.
#[derive(Debug, Clone)]
pub struct Environment {
    /// Name.
    pub name: Spanned<String>,
    /// The cluster it targets.
    pub cluster: Spanned<String>,
    /// The namespace it targets.
    pub namespace: Spanned<String>,
    /// Every model, with this environment's overrides applied.
    pub models: BTreeMap<String, Arc<Model>>,
    /// The serving plan of each model (same keys as `models`), boxed as the models are.
    pub plans: BTreeMap<String, Box<super::plan::Plan>>,
    /// The plan of each pipeline in this environment.
    pub pipelines: BTreeMap<String, super::plan::PipelinePlan>,
    /// The mlc-serve ServingRuntime its KServe models share, if any uses it.
    pub runtime: Option<super::plan::SharedRuntime>,
    /// Whether it was declared (false for the implicit `default`).
    pub declared: bool,
    /// A quota on the namespace, when declared.
    pub quota: Option<Quota>,
    /// The environment's `monitoring` block.
    pub monitoring: Option<super::monitoring::MonitoringSpec>,
    /// How `serve deployment` variants are split: the environment's `traffic`, else the
    /// project's.
    pub traffic: Option<Spanned<super::ir_traffic::Traffic>>,
}

impl Environment {
    /// Each model with its plan, in name order.
    pub fn planned(&self) -> impl Iterator<Item = (&Model, &super::plan::Plan)> {
        self.models
            .values()
            .map(AsRef::as_ref)
            .zip(self.plans.values().map(AsRef::as_ref))
    }
}
