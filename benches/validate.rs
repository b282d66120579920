//! `cargo bench --bench validate`: objects per second of schema validation, printed as
//! figures, not assertions:
//! 1. in memory, as `mlc build` validates (`mlc::schema::embedded().validate`), on one thread
//!    and on every core;
//! 2. `mlc validate` end to end (read, parse, validate, locate) on a generated tree of mixed
//!    Deployment / Service / InferenceService / ScaledObject manifests (20,000 objects by
//!    default, `MLC_BENCH_OBJECTS` to change), best of three runs;
//! 3. side by side in the same run, on the same core-kind objects (Deployment and Service,
//!    1,000 by default, `MLC_BENCH_PEER_OBJECTS`): `mlc validate` and the peer, the PyPI
//!    `kubernetes-validate` (offline, ships its schemas), called once in bulk with
//!    `--strict -k 1.33.0` (mlc's schemas are Kubernetes 1.33); then the ratio. Without
//!    `kubernetes-validate`, `check.py --strict` from the shared upstream schemas
//!    (`MLC_SHARED_DIR`, default `../shared`) stands in; with neither, a notice and no ratio.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a benchmark binary prints approximate figures"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

/// The core-kind documents of model `i`: a Deployment and a Service.
fn core(i: usize) -> String {
    let mut text = String::new();
    let _ = write!(
        text,
        "apiVersion: apps/v1
kind: Deployment
metadata:
  name: model-{i}
  namespace: ml
  labels: {{app.kubernetes.io/name: model-{i}}}
spec:
  replicas: 2
  selector: {{matchLabels: {{app.kubernetes.io/name: model-{i}}}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: model-{i}}}
      annotations: {{mlc.dev/config-sha256: \"{i:064x}\"}}
    spec:
      automountServiceAccountToken: false
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
        - name: server
          image: images.example/mlc/server@sha256:{i:064x}
          args: [\"--config\", \"/etc/mlc/config.json\"]
          ports: [{{name: http, containerPort: 8080}}]
          resources:
            requests: {{cpu: 500m, memory: 1Gi}}
            limits: {{memory: 1Gi}}
          readinessProbe: {{httpGet: {{path: /v2/health/ready, port: http}}}}
          livenessProbe: {{httpGet: {{path: /v2/health/live, port: http}}}}
          securityContext: {{allowPrivilegeEscalation: false, capabilities: {{drop: [ALL]}}}}
---
apiVersion: v1
kind: Service
metadata: {{name: model-{i}, namespace: ml}}
spec:
  selector: {{app.kubernetes.io/name: model-{i}}}
  ports: [{{name: http, port: 80, targetPort: http}}]
"
    );
    text
}

/// All four documents of model `i`: the core kinds, an InferenceService and a ScaledObject.
fn manifests(i: usize) -> String {
    let mut text = core(i);
    let _ = write!(
        text,
        "---
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: model-{i}
  namespace: ml
  annotations: {{serving.kserve.io/deploymentMode: Standard, serving.kserve.io/autoscalerClass: external}}
spec:
  predictor:
    minReplicas: 1
    maxReplicas: 4
    automountServiceAccountToken: false
    model:
      modelFormat: {{name: onnx}}
      runtime: mlc-onnx
      storageUri: s3://models/model-{i}
      resources: {{requests: {{cpu: \"1\", memory: 2Gi}}, limits: {{memory: 2Gi}}}}
---
apiVersion: keda.sh/v1alpha1
kind: ScaledObject
metadata: {{name: model-{i}, namespace: ml}}
spec:
  scaleTargetRef: {{name: model-{i}-predictor}}
  minReplicaCount: 1
  maxReplicaCount: 4
  triggers:
    - type: kafka
      metadata: {{bootstrapServers: \"kafka:9092\", consumerGroup: model-{i}, topic: requests, lagThreshold: \"50\"}}
"
    );
    text
}

fn write_tree(dir: &Path, files: usize, text: impl Fn(usize) -> String) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for i in 0..files {
        let sub = dir.join(format!("env-{}", i % 8));
        std::fs::create_dir_all(&sub).unwrap();
        let path = sub.join(format!("model-{i:05}.yaml"));
        std::fs::write(&path, text(i)).unwrap();
        out.push(path);
    }
    out
}

/// The fastest of `runs` timings of `f`, or `None` as soon as one run fails.
fn best_of(runs: usize, mut f: impl FnMut() -> bool) -> Option<Duration> {
    let mut best: Option<Duration> = None;
    for _ in 0..runs {
        let start = Instant::now();
        if !f() {
            return None;
        }
        let t = start.elapsed();
        best = Some(best.map_or(t, |b| b.min(t)));
    }
    best
}

fn env_count(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// `mlc validate` on `dir`, best of three, in seconds.
fn mlc_validate(dir: &Path) -> Duration {
    best_of(3, || {
        Command::new(env!("CARGO_BIN_EXE_mlc"))
            .args(["--quiet", "validate"])
            .arg(dir)
            .status()
            .is_ok_and(|s| s.success())
    })
    .expect("mlc validate must pass on the generated tree")
}

fn rate(objects: usize, t: Duration) -> f64 {
    objects as f64 / t.as_secs_f64()
}

/// How the peer is run: a label and the command line before the file names.
fn peer_command() -> Option<(String, Command)> {
    let probe = Command::new("python3")
        .args(["-m", "kubernetes_validate", "--version"])
        .output();
    if probe.is_ok_and(|o| o.status.success()) {
        let mut command = Command::new("python3");
        command.args([
            "-m",
            "kubernetes_validate",
            "--strict",
            "--quiet",
            "--no-warn",
            "-k",
            "1.33.0",
        ]);
        return Some((
            "kubernetes-validate --strict -k 1.33.0 (PyPI, one bulk call)".to_owned(),
            command,
        ));
    }
    println!(
        "notice: the peer `kubernetes-validate` is not installed (`python3 -m pip install kubernetes-validate`); trying check.py"
    );
    let shared = std::env::var_os("MLC_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    );
    let check = shared.join("schemas/upstream/check.py");
    if !check.is_file() {
        println!(
            "notice: {} not found either; no peer, no ratio",
            check.display()
        );
        return None;
    }
    let mut command = Command::new("python3");
    command.arg(&check).args(["--strict", "--quiet"]);
    Some((
        "check.py --strict (jsonschema, one bulk call)".to_owned(),
        command,
    ))
}

fn main() {
    let objects = env_count("MLC_BENCH_OBJECTS", 20_000).max(4);
    let peer_objects = env_count("MLC_BENCH_PEER_OBJECTS", 1_000).max(2);
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    let dir = tempfile::tempdir().unwrap();
    let mixed = dir.path().join("mixed");
    let files = write_tree(&mixed, objects.div_ceil(4), manifests);
    let objects = files.len() * 4;
    let core_dir = dir.path().join("core");
    let core_files = write_tree(&core_dir, peer_objects.div_ceil(2), core);
    let core_objects = core_files.len() * 2;

    // 1. In memory, as `mlc build` calls it.
    let docs: Vec<Value> = serde_saphyr::from_multiple(&manifests(7)).unwrap();
    let schemas = mlc::schema::embedded();
    for doc in &docs {
        assert!(
            schemas.validate(doc).is_ok(),
            "benchmark objects must be valid"
        );
    }
    let rounds = 5000;
    let start = Instant::now();
    for _ in 0..rounds {
        for doc in &docs {
            std::hint::black_box(schemas.validate(doc).is_ok());
        }
    }
    let one = rate(rounds * docs.len(), start.elapsed());
    println!("in-memory validation, one thread: {one:>10.0} objects/s");
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                for _ in 0..rounds {
                    for doc in &docs {
                        std::hint::black_box(schemas.validate(doc).is_ok());
                    }
                }
            });
        }
    });
    let all = rate(threads * rounds * docs.len(), start.elapsed());
    println!("in-memory validation, {threads} threads: {all:>10.0} objects/s");

    // 2. `mlc validate` end to end on the mixed tree.
    let mlc = mlc_validate(&mixed);
    let mlc_rate = rate(objects, mlc);
    println!(
        "mlc validate, {objects} objects (Deployment/Service/InferenceService/ScaledObject) in {} files: {:>8.1} ms, {mlc_rate:>8.0} objects/s ({threads} threads)",
        files.len(),
        mlc.as_secs_f64() * 1e3
    );

    // 3. The same core-kind objects through mlc and the peer, side by side.
    let mlc_core = mlc_validate(&core_dir);
    let mlc_core_rate = rate(core_objects, mlc_core);
    println!(
        "mlc validate, {core_objects} core-kind objects (Deployment/Service) in {} files: {:>8.1} ms, {mlc_core_rate:>8.0} objects/s",
        core_files.len(),
        mlc_core.as_secs_f64() * 1e3
    );
    let Some((label, mut command)) = peer_command() else {
        return;
    };
    let start = Instant::now();
    let ok = command
        .args(&core_files)
        .stdout(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    let peer = start.elapsed();
    if !ok {
        println!("notice: the peer `{label}` failed or cannot run; no ratio");
        return;
    }
    let peer_rate = rate(core_objects, peer);
    println!(
        "peer {label}, the same {core_objects} objects: {:>8.1} ms, {peer_rate:>8.1} objects/s",
        peer.as_secs_f64() * 1e3
    );
    println!(
        "ratio mlc validate / peer: {:.0}x on the same core-kind objects, {:.0}x taking mlc's rate on the {objects}-object tree",
        mlc_core_rate / peer_rate,
        mlc_rate / peer_rate
    );
}
