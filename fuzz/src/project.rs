//! A structure-aware description of a KDL project, derived with `arbitrary` from the fuzzer's
//! bytes and rendered to KDL text that is valid KDL by construction: models, pools, clusters,
//! environments, scaling policies, canaries and patches, with names drawn from small sets so
//! that references usually resolve and the deep rules (capacity, MIG layouts, the scaling
//! matrix, admission rules over the emitted objects) are reached.

use std::fmt::Write;

use arbitrary::Arbitrary;

const CLUSTERS: [&str; 3] = ["default", "gpu-east", "cpu-west"];
const POOLS: [&str; 3] = ["h100", "a100", "t4"];
const MODELS: [&str; 3] = ["ranker", "bert", "encoder"];
const ENVS: [&str; 3] = ["dev", "staging", "prod"];
const GPUS: [&str; 7] = [
    "H100-80GB",
    "A100-80GB",
    "A100-40GB",
    "T4",
    "L4",
    "A30-24GB",
    "custom-gpu",
];
const MIG_PROFILES: [&str; 7] = [
    "1g.10gb",
    "2g.20gb",
    "3g.40gb",
    "7g.80gb",
    "1g.5gb",
    "1g.10gb+me",
    "4g.20gb",
];
const FORMATS: [&str; 7] = [
    "onnx",
    "sklearn",
    "tensorflow",
    "triton",
    "custom",
    "pytorch",
    "mlflow",
];
const SCHEMES: [&str; 6] = ["s3", "gs", "pvc", "https", "hf", "oci"];
const TARGETS: [&str; 6] = [
    "inferenceservice",
    "deployment",
    "scaledobject",
    "horizontalpodautoscaler",
    "poddisruptionbudget",
    "service",
];

/// One pick from a fixed list.
#[derive(Debug, Clone, Copy, Arbitrary)]
pub struct Pick(u8);

impl Pick {
    fn of<'a>(self, list: &[&'a str]) -> &'a str {
        list.get(usize::from(self.0) % list.len())
            .copied()
            .unwrap_or("x")
    }
}

/// Free text, rendered as a KDL string with every character that needs it escaped.
#[derive(Debug, Clone, Arbitrary)]
pub struct Text(String);

impl Text {
    fn kdl(&self) -> String {
        quote(&self.0)
    }
}

fn quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() || is_kdl_disallowed(c) => {
                let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Code points KDL v2 forbids in a document even inside strings.
fn is_kdl_disallowed(c: char) -> bool {
    matches!(c, '\u{200E}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// The whole project.
#[derive(Debug, Clone, Arbitrary)]
pub struct Project {
    labels: Vec<(Pick, Pick)>,
    clusters: Vec<Cluster>,
    gpu_models: Vec<GpuModel>,
    pools: Vec<Pool>,
    models: Vec<Model>,
    environments: Vec<Environment>,
    /// Put the models in `models/m.kdl` (after a NUL) instead of `mlc.kdl`.
    split: bool,
    /// Pipelines over the models (after the models, so older corpora decode as before).
    pipelines: Vec<Pipeline>,
}

/// A `pipeline` with router nodes whose steps name models or nodes.
#[derive(Debug, Clone, Arbitrary)]
struct Pipeline {
    name: Pick,
    router: Pick,
    steps: Vec<Step>,
    nodes: Vec<(Pick, Pick, Vec<Step>)>,
}

#[derive(Debug, Clone, Arbitrary)]
struct Step {
    name: Pick,
    model: Option<Pick>,
    node: Option<Pick>,
    weight: Option<i8>,
    condition: bool,
    dependency: Option<bool>,
    data: Option<bool>,
}

const ROUTERS: [&str; 5] = ["sequence", "switch", "ensemble", "splitter", "chain"];
const NODES: [&str; 4] = ["root", "a", "b", "c"];

impl Step {
    fn render(&self, out: &mut String, indent: &str) {
        let _ = write!(out, "{indent}step {}", self.name.of(&MODELS));
        if let Some(m) = self.model {
            let _ = write!(out, " model={}", m.of(&MODELS));
        }
        if let Some(n) = self.node {
            let _ = write!(out, " node={}", n.of(&NODES));
        }
        if let Some(w) = self.weight {
            let _ = write!(out, " weight={w}");
        }
        if self.condition {
            out.push_str(" condition=\"{ .x == 1 }\"");
        }
        if let Some(d) = self.dependency {
            let _ = write!(out, " dependency={}", if d { "hard" } else { "soft" });
        }
        if let Some(d) = self.data {
            let _ = write!(
                out,
                " data=\"{}\"",
                if d { "$response" } else { "$request" }
            );
        }
        out.push('\n');
    }
}

impl Pipeline {
    fn render(&self, out: &mut String) {
        let _ = writeln!(
            out,
            "pipeline p-{} router={} {{",
            self.name.of(&NODES),
            self.router.of(&ROUTERS)
        );
        for s in &self.steps {
            s.render(out, "    ");
        }
        for (name, router, steps) in &self.nodes {
            let _ = writeln!(
                out,
                "    node {} router={} {{",
                name.of(&NODES),
                router.of(&ROUTERS)
            );
            for s in steps {
                s.render(out, "        ");
            }
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    }
}

#[derive(Debug, Clone, Arbitrary)]
struct Cluster {
    name: Pick,
    operator_namespace: Option<Pick>,
    priority_classes: Vec<(Pick, u32, bool)>,
}

#[derive(Debug, Clone, Arbitrary)]
struct GpuModel {
    usable_gib: Option<u8>,
    product_label: Option<Pick>,
}

#[derive(Debug, Clone, Arbitrary)]
struct Pool {
    name: Pick,
    cluster: Option<Pick>,
    gpu: Pick,
    per_node: u8,
    nodes: u8,
    mig: Option<Mig>,
    sharing: Option<Sharing>,
    taints: Vec<(Option<Pick>, Pick)>,
    node_selector: bool,
}

#[derive(Debug, Clone, Arbitrary)]
enum Mig {
    Layout(Pick),
    Counts(Vec<(Pick, u8)>),
    Single(Pick),
}

#[derive(Debug, Clone, Arbitrary)]
enum Sharing {
    TimeSlicing { replicas: u8, rename: bool },
    Mps { replicas: u8 },
}

#[derive(Debug, Clone, Arbitrary)]
struct Model {
    name: Pick,
    body: ModelBody,
}

#[derive(Debug, Clone, Arbitrary)]
struct ModelBody {
    version: Option<Pick>,
    artifact: Option<Artifact>,
    format: Option<Pick>,
    serve: Option<Serve>,
    runtime: Option<Runtime>,
    accelerator: Option<Accelerator>,
    resources: Option<(u8, u8, Option<u8>)>,
    batching: Option<(u8, u8)>,
    autoscale: Option<Autoscale>,
    canaries: Vec<Canary>,
    disruption: Option<Disruption>,
    env: Vec<Env>,
    volumes: Vec<Volume>,
    patches: Vec<Patch>,
    labels: Vec<(Pick, Text)>,
    allow_from: Vec<Pick>,
    storage: Option<Pick>,
    priority_class: Option<Pick>,
    probes: Option<(u8, u8)>,
    topology_spread: Option<(u8, bool)>,
}

#[derive(Debug, Clone, Arbitrary)]
struct Artifact {
    scheme: Pick,
    directory: bool,
    sha: bool,
}

#[derive(Debug, Clone, Arbitrary)]
enum Serve {
    Standard,
    Knative,
    Deployment,
    Seldon,
    Core2,
}

#[derive(Debug, Clone, Arbitrary)]
struct Runtime {
    named: bool,
    port: u16,
}

#[derive(Debug, Clone, Arbitrary)]
enum Accelerator {
    Cpu,
    Gpus(Pick, u8),
    Mig(Pick, Pick, bool),
    Shared(Pick),
}

#[derive(Debug, Clone, Arbitrary)]
struct Autoscale {
    min: u8,
    max: Option<u8>,
    idle: Option<u8>,
    policy: Option<Policy>,
}

#[derive(Debug, Clone, Arbitrary)]
enum Policy {
    Cpu(u8),
    Memory(u8),
    Concurrency(u8),
    Rps(u8),
    Prometheus(u16),
    Kafka(u8, bool),
    Rabbitmq(u8),
    Sqs(u8, bool),
}

#[derive(Debug, Clone, Arbitrary)]
struct Canary {
    name: Pick,
    percent: u8,
    artifact: Option<Artifact>,
}

#[derive(Debug, Clone, Arbitrary)]
enum Disruption {
    MaxUnavailable(u8),
    MinAvailable(u8),
    Percent(bool, u8),
}

#[derive(Debug, Clone, Arbitrary)]
enum Env {
    Literal(Pick, Text),
    Secret(Pick, Pick),
    ConfigMap(Pick, Pick),
}

#[derive(Debug, Clone, Arbitrary)]
struct Volume {
    name: Pick,
    mount: Pick,
    source: u8,
}

#[derive(Debug, Clone, Arbitrary)]
struct Patch {
    target: Pick,
    body: PatchBody,
}

#[derive(Debug, Clone, Arbitrary)]
enum PatchBody {
    Annotation(Pick, Text),
    Replicas(u8),
    Null(Pick),
    Spec(Pick, u8),
}

#[derive(Debug, Clone, Arbitrary)]
struct Environment {
    name: Pick,
    cluster: Option<Pick>,
    namespace: Option<Pick>,
    quota: Option<(u8, u8)>,
    overrides: Vec<(Pick, ModelBody)>,
}

const WORDS: [&str; 8] = [
    "search",
    "ml-prod",
    "team-a",
    "gold",
    "x",
    "kafka-client",
    "token",
    "a.b",
];

impl Project {
    /// The project as KDL text: `mlc.kdl`, then (when split) a NUL and `models/m.kdl`, the
    /// form the fuzz targets' byte inputs take.
    pub fn render(&self) -> String {
        let mut out = String::from("project fuzz {\n    kubernetes \"1.33\"\n");
        if !self.labels.is_empty() {
            out.push_str("    labels");
            for (k, v) in &self.labels {
                let _ = write!(out, " {}={}", quote(k.of(&WORDS)), quote(v.of(&WORDS)));
            }
            out.push('\n');
        }
        out.push_str(
            "    image registry=\"ghcr.io/acme\" base=\"debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f\"\n}\n",
        );
        for c in &self.clusters {
            c.render(&mut out);
        }
        for g in &self.gpu_models {
            g.render(&mut out);
        }
        for p in &self.pools {
            p.render(&mut out);
        }
        for e in &self.environments {
            e.render(&mut out);
        }
        if self.split {
            out.push('\0');
        }
        for m in &self.models {
            let _ = writeln!(out, "model {} {{", m.name.of(&MODELS));
            m.body.render(&mut out, "    ");
            out.push_str("}\n");
        }
        for p in &self.pipelines {
            p.render(&mut out);
        }
        out
    }
}

impl Cluster {
    fn render(&self, out: &mut String) {
        let _ = write!(out, "cluster {}", self.name.of(&CLUSTERS));
        if let Some(ns) = self.operator_namespace {
            let _ = write!(out, " gpu-operator-namespace={}", quote(ns.of(&WORDS)));
        }
        if self.priority_classes.is_empty() {
            out.push('\n');
            return;
        }
        out.push_str(" {\n");
        for (name, value, never) in &self.priority_classes {
            let _ = write!(
                out,
                "    priority-class {} value={}",
                name.of(&WORDS),
                value % 1_100_000_000
            );
            if *never {
                out.push_str(" preemption=\"Never\"");
            }
            out.push('\n');
        }
        out.push_str("}\n");
    }
}

impl GpuModel {
    fn render(&self, out: &mut String) {
        out.push_str("gpu-model \"custom-gpu\"");
        if let Some(gib) = self.usable_gib {
            let _ = write!(out, " usable-memory=\"{gib}Gi\"");
        }
        match self.product_label {
            Some(label) => {
                let _ = writeln!(
                    out,
                    " {{\n    product-label {}\n}}",
                    quote(label.of(&WORDS))
                );
            }
            None => out.push('\n'),
        }
    }
}

impl Pool {
    fn render(&self, out: &mut String) {
        let _ = write!(out, "pool {}", self.name.of(&POOLS));
        if let Some(c) = self.cluster {
            let _ = write!(out, " cluster={}", c.of(&CLUSTERS));
        }
        let _ = writeln!(
            out,
            " {{\n    gpu {} per-node={} nodes={}",
            quote(self.gpu.of(&GPUS)),
            self.per_node % 10,
            self.nodes % 5
        );
        match &self.mig {
            None => {}
            Some(Mig::Layout(p)) => {
                let layout = if p.0 % 2 == 0 {
                    "all-balanced".to_owned()
                } else {
                    format!("all-{}", p.of(&MIG_PROFILES).replace('+', "."))
                };
                let _ = writeln!(out, "    mig mixed {}", quote(&layout));
            }
            Some(Mig::Counts(counts)) => {
                out.push_str("    mig mixed {\n");
                for (p, n) in counts.iter().take(4) {
                    let _ = writeln!(out, "        {} {}", quote(p.of(&MIG_PROFILES)), n % 8);
                }
                out.push_str("    }\n");
            }
            Some(Mig::Single(p)) => {
                let _ = writeln!(out, "    mig single {}", quote(p.of(&MIG_PROFILES)));
            }
        }
        match &self.sharing {
            None => {}
            Some(Sharing::TimeSlicing { replicas, rename }) => {
                let _ = writeln!(
                    out,
                    "    time-slicing replicas={} rename={}",
                    replicas % 50,
                    if *rename { "#true" } else { "#false" }
                );
            }
            Some(Sharing::Mps { replicas }) => {
                let _ = writeln!(out, "    mps replicas={}", replicas % 50);
            }
        }
        for (effect, key) in self.taints.iter().take(3) {
            let _ = write!(
                out,
                "    taint {}",
                quote(key.of(&["nvidia.com/gpu", "dedicated", "gpu"]))
            );
            if let Some(e) = effect {
                let _ = write!(
                    out,
                    " effect={}",
                    e.of(&["NoSchedule", "PreferNoSchedule", "NoExecute"])
                );
            }
            out.push('\n');
        }
        if self.node_selector {
            out.push_str(
                "    node-selector \"nvidia.com/gpu.product\"=\"NVIDIA-H100-80GB-HBM3\"\n",
            );
        }
        out.push_str("}\n");
    }
}

impl Artifact {
    fn render(&self, out: &mut String, indent: &str, model: &str) {
        let scheme = self.scheme.of(&SCHEMES);
        let path = if self.directory {
            format!("{model}/1/")
        } else {
            format!("{model}/1/model.onnx")
        };
        let _ = write!(out, "{indent}artifact \"{scheme}://models/{path}\"");
        if self.sha {
            out.push_str(
                " sha256=\"9f2c1b7e4d3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8\"",
            );
        }
        out.push('\n');
    }
}

impl ModelBody {
    fn render(&self, out: &mut String, indent: &str) {
        if let Some(v) = self.version {
            let _ = writeln!(
                out,
                "{indent}version {}",
                quote(v.of(&["1.0.0", "2", "0.1-rc"]))
            );
        }
        if let Some(a) = &self.artifact {
            a.render(out, indent, "m");
        }
        if let Some(f) = self.format {
            let _ = writeln!(out, "{indent}format {}", f.of(&FORMATS));
        }
        match self.serve {
            None => {}
            Some(Serve::Standard) => {
                let _ = writeln!(out, "{indent}serve kserve mode=standard");
            }
            Some(Serve::Knative) => {
                let _ = writeln!(out, "{indent}serve kserve mode=knative");
            }
            Some(Serve::Deployment) => {
                let _ = writeln!(out, "{indent}serve deployment");
            }
            Some(Serve::Seldon) => {
                let _ = writeln!(out, "{indent}serve seldon");
            }
            Some(Serve::Core2) => {
                let _ = writeln!(out, "{indent}serve seldon mode=core2");
            }
        }
        if let Some(r) = &self.runtime {
            let name = if r.named {
                " \"kserve-tritonserver\""
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "{indent}runtime{name} image=\"ghcr.io/acme/rt:1\" port={} health=\"/healthz\"",
                r.port
            );
        }
        match &self.accelerator {
            None => {}
            Some(Accelerator::Cpu) => {
                let _ = writeln!(out, "{indent}accelerator cpu");
            }
            Some(Accelerator::Gpus(p, n)) => {
                let _ = writeln!(
                    out,
                    "{indent}accelerator pool={} gpus={}",
                    p.of(&POOLS),
                    n % 10
                );
            }
            Some(Accelerator::Mig(p, m, shared)) => {
                let _ = write!(
                    out,
                    "{indent}accelerator pool={} mig={}",
                    p.of(&POOLS),
                    quote(m.of(&MIG_PROFILES))
                );
                if *shared {
                    out.push_str(" shared=#true");
                }
                out.push('\n');
            }
            Some(Accelerator::Shared(p)) => {
                let _ = writeln!(
                    out,
                    "{indent}accelerator pool={} shared=#true",
                    p.of(&POOLS)
                );
            }
        }
        if let Some((cpu, mem, limit)) = self.resources {
            let _ = write!(
                out,
                "{indent}resources cpu={} memory=\"{}Gi\"",
                cpu % 16,
                mem % 64
            );
            if let Some(l) = limit {
                let _ = write!(out, " memory-limit=\"{}Gi\"", l % 64);
            }
            out.push('\n');
        }
        if let Some((batch, delay)) = self.batching {
            let _ = writeln!(
                out,
                "{indent}batching max-batch={} max-delay=\"{}ms\"",
                batch % 64,
                delay
            );
        }
        if let Some(a) = &self.autoscale {
            a.render(out, indent);
        }
        for c in self.canaries.iter().take(2) {
            let _ = writeln!(
                out,
                "{indent}canary {} percent={} {{",
                c.name.of(&["b", "next", "x-y"]),
                c.percent % 110
            );
            if let Some(a) = &c.artifact {
                a.render(out, &format!("{indent}    "), "c");
            }
            let _ = writeln!(out, "{indent}}}");
        }
        match &self.disruption {
            None => {}
            Some(Disruption::MaxUnavailable(n)) => {
                let _ = writeln!(out, "{indent}disruption max-unavailable={}", n % 4);
            }
            Some(Disruption::MinAvailable(n)) => {
                let _ = writeln!(out, "{indent}disruption min-available={}", n % 4);
            }
            Some(Disruption::Percent(max, p)) => {
                let which = if *max {
                    "max-unavailable"
                } else {
                    "min-available"
                };
                let _ = writeln!(out, "{indent}disruption {which}=\"{}%\"", p % 120);
            }
        }
        for e in self.env.iter().take(3) {
            let names = [
                "LOG_LEVEL",
                "API_TOKEN",
                "AWS_SECRET_ACCESS_KEY",
                "FEATURES",
            ];
            match e {
                Env::Literal(n, v) => {
                    let _ = writeln!(out, "{indent}env {} {}", n.of(&names), v.kdl());
                }
                Env::Secret(n, s) => {
                    let _ = writeln!(
                        out,
                        "{indent}env {} secret={} key=token",
                        n.of(&names),
                        quote(s.of(&WORDS))
                    );
                }
                Env::ConfigMap(n, c) => {
                    let _ = writeln!(
                        out,
                        "{indent}env {} config-map={} key=features",
                        n.of(&names),
                        quote(c.of(&WORDS))
                    );
                }
            }
        }
        for v in self.volumes.iter().take(2) {
            let source = match v.source % 5 {
                0 => "pvc=cache",
                1 => "secret=certs",
                2 => "config-map=flags",
                3 => "empty-dir=#true",
                _ => "empty-dir=#false",
            };
            let _ = writeln!(
                out,
                "{indent}volume {} mount={} {source}",
                v.name.of(&["cache", "certs", "x"]),
                quote(
                    v.mount
                        .of(&["/cache", "/etc/certs", "rel/path", "/a/../b", "/mnt/models"])
                )
            );
        }
        for p in self.patches.iter().take(2) {
            let body = match &p.body {
                PatchBody::Annotation(k, v) => {
                    format!(
                        "{{\"metadata\":{{\"annotations\":{{{}:{}}}}}}}",
                        json_str(k.of(&[
                            "example.com/tier",
                            "serving.kserve.io/autoscalerClass",
                            "a"
                        ])),
                        json_str(&v.0)
                    )
                }
                PatchBody::Replicas(n) => format!("{{\"spec\":{{\"replicas\":{n}}}}}"),
                PatchBody::Null(k) => format!(
                    "{{\"spec\":{{{}:null}}}}",
                    json_str(k.of(&["predictor", "template", "selector", "triggers"]))
                ),
                PatchBody::Spec(k, n) => format!(
                    "{{\"spec\":{{{}:{n}}}}}",
                    json_str(k.of(&[
                        "minReplicaCount",
                        "idleReplicaCount",
                        "maxReplicas",
                        "minReplicas"
                    ]))
                ),
            };
            let hashes = "#".repeat(raw_hashes(&body));
            let _ = writeln!(
                out,
                "{indent}patch {} {hashes}\"{body}\"{hashes}",
                p.target.of(&TARGETS)
            );
        }
        if !self.labels.is_empty() {
            let _ = write!(out, "{indent}labels");
            for (k, v) in self.labels.iter().take(3) {
                let _ = write!(
                    out,
                    " {}={}",
                    quote(k.of(&["tier", "app.kubernetes.io/name", "example.com/x"])),
                    v.kdl()
                );
            }
            out.push('\n');
        }
        if !self.allow_from.is_empty() {
            let _ = write!(out, "{indent}allow-from");
            for ns in self.allow_from.iter().take(3) {
                let _ = write!(out, " {}", ns.of(&["search-gateway", "ml-prod", "Bad_NS"]));
            }
            out.push('\n');
        }
        if let Some(s) = self.storage {
            let _ = writeln!(out, "{indent}storage secret={}", quote(s.of(&WORDS)));
        }
        if let Some(p) = self.priority_class {
            let _ = writeln!(out, "{indent}priority-class {}", quote(p.of(&WORDS)));
        }
        if let Some((delay, threshold)) = self.probes {
            let _ = writeln!(
                out,
                "{indent}probes initial-delay=\"{delay}s\" failure-threshold={threshold}"
            );
        }
        if let Some((skew, strict)) = self.topology_spread {
            let when = if strict {
                "DoNotSchedule"
            } else {
                "ScheduleAnyway"
            };
            let _ = writeln!(
                out,
                "{indent}topology-spread \"topology.kubernetes.io/zone\" max-skew={skew} when-unsatisfiable={when}"
            );
        }
    }
}

fn json_str(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

impl Autoscale {
    fn render(&self, out: &mut String, indent: &str) {
        let _ = write!(out, "{indent}autoscale min={}", self.min % 8);
        if let Some(max) = self.max {
            let _ = write!(out, " max={}", max % 12);
        }
        if let Some(idle) = self.idle {
            let _ = write!(out, " idle=\"{idle}m\"");
        }
        let Some(policy) = &self.policy else {
            out.push('\n');
            return;
        };
        let body = match policy {
            Policy::Cpu(n) => format!("cpu {}", n % 130),
            Policy::Memory(n) => format!("memory {}", n % 130),
            Policy::Concurrency(n) => format!("concurrency {n}"),
            Policy::Rps(n) => format!("rps {n}"),
            Policy::Prometheus(t) => format!(
                "prometheus server=\"http://prometheus.monitoring:9090\" query=\"sum(rate(x[1m]))\" threshold={t}"
            ),
            Policy::Kafka(lag, auth) => format!(
                "kafka bootstrap=\"kafka:9092\" topic=requests group=g lag={lag}{}",
                if *auth { " auth=kafka-client" } else { "" }
            ),
            Policy::Rabbitmq(len) => {
                format!("rabbitmq queue=requests length={len} auth=rabbitmq-conn")
            }
            Policy::Sqs(len, auth) => format!(
                "sqs queue-url=\"https://sqs.eu-west-1.amazonaws.com/1234/requests\" region=eu-west-1 length={len}{}",
                if *auth { " auth=aws-creds" } else { "" }
            ),
        };
        let _ = writeln!(out, " {{\n{indent}    {body}\n{indent}}}");
    }
}

impl Environment {
    fn render(&self, out: &mut String) {
        let _ = write!(out, "environment {}", self.name.of(&ENVS));
        if let Some(c) = self.cluster {
            let _ = write!(out, " cluster={}", c.of(&CLUSTERS));
        }
        if let Some(ns) = self.namespace {
            let _ = write!(
                out,
                " namespace={}",
                quote(ns.of(&["ml-dev", "ml-prod", "kube-system"]))
            );
        }
        if self.quota.is_none() && self.overrides.is_empty() {
            out.push('\n');
            return;
        }
        out.push_str(" {\n");
        if let Some((cpu, gpus)) = self.quota {
            let _ = writeln!(
                out,
                "    quota cpu=\"{cpu}\" memory=\"64Gi\" gpus={gpus} pods=100"
            );
        }
        for (name, body) in self.overrides.iter().take(2) {
            let _ = writeln!(out, "    model {} {{", name.of(&MODELS));
            body.render(out, "        ");
            out.push_str("    }\n");
        }
        out.push_str("}\n");
    }
}

/// A byte-level edit applied to a rendered project: what turns a valid project into the
/// almost-valid one a user types.
#[derive(Debug, Clone, Arbitrary)]
pub enum Mutation {
    /// Delete `len` bytes at `at` (modulo the length).
    Delete { at: u16, len: u8 },
    /// Insert a token at `at`.
    Insert { at: u16, token: Pick },
    /// Duplicate the line holding `at`.
    DuplicateLine { at: u16 },
    /// Replace the byte at `at`.
    Replace { at: u16, byte: u8 },
}

const TOKENS: [&str; 12] = [
    "{",
    "}",
    "\"",
    " ",
    "\n",
    "=",
    "#true",
    "-1",
    "0",
    "99999999999",
    "#\"",
    "/*",
];

/// Applies `mutations` to `text`, keeping char boundaries.
pub fn mutate(text: &str, mutations: &[Mutation]) -> Vec<u8> {
    let mut bytes = text.as_bytes().to_vec();
    for m in mutations.iter().take(4) {
        if bytes.is_empty() {
            break;
        }
        let at = |a: u16, n: usize| usize::from(a) % n;
        match m {
            Mutation::Delete { at: a, len } => {
                let start = at(*a, bytes.len());
                let end = (start + usize::from(*len % 16)).min(bytes.len());
                bytes.drain(start..end);
            }
            Mutation::Insert { at: a, token } => {
                let i = at(*a, bytes.len() + 1);
                let t = token.of(&TOKENS).as_bytes();
                bytes.splice(i..i, t.iter().copied());
            }
            Mutation::DuplicateLine { at: a } => {
                let i = at(*a, bytes.len());
                let start = bytes[..i]
                    .iter()
                    .rposition(|b| *b == b'\n')
                    .map_or(0, |p| p + 1);
                let end = bytes[i..]
                    .iter()
                    .position(|b| *b == b'\n')
                    .map_or(bytes.len(), |p| i + p + 1);
                let line = bytes[start..end].to_vec();
                bytes.splice(end..end, line);
            }
            Mutation::Replace { at: a, byte } => {
                let i = at(*a, bytes.len());
                bytes[i] = *byte;
            }
        }
    }
    bytes
}

/// The number of `#` a KDL raw string around `body` needs: one more than the longest run of
/// `#` after a `"` inside it, so no `"#…` in the body closes the string early.
fn raw_hashes(body: &str) -> usize {
    let longest = body
        .split('"')
        .skip(1)
        .map(|rest| rest.bytes().take_while(|b| *b == b'#').count())
        .max()
        .unwrap_or(0);
    longest + 1
}
