//! `cargo bench --bench validate`: objects per second of schema validation, printed as
//! figures, not assertions:
//! 1. in memory, as `mlc build` validates (`mlc::schema::embedded().validate`);
//! 2. `mlc validate` end to end (read, parse, validate, locate) on a generated tree of mixed
//!    Deployment / Service / InferenceService / ScaledObject manifests (1,000 objects by
//!    default, `MLC_BENCH_OBJECTS` to change), best of three runs;
//! 3. the peer, `python3 check.py --strict` from the shared upstream schemas
//!    (`MLC_SHARED_DIR`, default `../shared`), on the same files in one bulk call, and the ratio.

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

fn manifests(i: usize) -> String {
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
---
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

fn write_tree(dir: &Path, objects: usize) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for i in 0..objects.div_ceil(4) {
        let sub = dir.join(format!("env-{}", i % 8));
        std::fs::create_dir_all(&sub).unwrap();
        let path = sub.join(format!("model-{i:05}.yaml"));
        std::fs::write(&path, manifests(i)).unwrap();
        files.push(path);
    }
    files
}

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

fn main() {
    let objects: usize = std::env::var("MLC_BENCH_OBJECTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000)
        .max(4);
    let dir = tempfile::tempdir().unwrap();
    let files = write_tree(dir.path(), objects);
    let objects = files.len() * 4;

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
    let per_sec = (rounds * docs.len()) as f64 / start.elapsed().as_secs_f64();
    println!("in-memory validation (one thread): {per_sec:>10.0} objects/s");

    // 2. `mlc validate` end to end.
    let mlc = best_of(3, || {
        Command::new(env!("CARGO_BIN_EXE_mlc"))
            .args(["--quiet", "validate"])
            .arg(dir.path())
            .status()
            .is_ok_and(|s| s.success())
    })
    .expect("mlc validate must pass on the generated tree");
    let mlc_rate = objects as f64 / mlc.as_secs_f64();
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    println!(
        "mlc validate, {objects} objects in {} files: {:>8.1} ms, {mlc_rate:>10.0} objects/s ({threads} threads)",
        files.len(),
        mlc.as_secs_f64() * 1e3
    );

    // 3. The peer on the same files.
    let shared = std::env::var_os("MLC_SHARED_DIR").map_or_else(
        || PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared"),
        PathBuf::from,
    );
    let check = shared.join("schemas/upstream/check.py");
    if !check.is_file() {
        println!("peer: {} not found; no ratio", check.display());
        return;
    }
    let peer = best_of(1, || {
        Command::new("python3")
            .arg(&check)
            .args(["--strict", "--quiet"])
            .args(&files)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    match peer {
        Some(peer) => {
            let peer_rate = objects as f64 / peer.as_secs_f64();
            println!(
                "peer `python3 check.py --strict` (jsonschema, one process): {:>8.1} ms, {peer_rate:>10.0} objects/s",
                peer.as_secs_f64() * 1e3
            );
            println!(
                "ratio mlc validate / check.py: {:.1}x",
                mlc_rate / peer_rate
            );
        }
        None => {
            println!("peer: check.py failed or cannot run (needs PyYAML and jsonschema); no ratio");
        }
    }
}
