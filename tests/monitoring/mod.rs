//! Shared by the monitoring tests: building a project with `mlc`, reading the emitted rules
//! and dashboards, running promtool, and the metric names an expression uses.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "test support"
)]

pub mod live;

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

/// Whether `program --version` runs; else a counted skip naming what is missing.
pub fn tool(program: &str) -> bool {
    let ok = Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        crate::support::skip(&format!(
            "`{program}` is not on PATH (Debian package `prometheus`; `.ci/setup.d/50-prometheus.sh` installs it)"
        ));
    }
    ok
}

/// Writes `files` as a project in a new directory and runs `mlc build --out out` there.
pub fn build(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    for (name, text) in files {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let out = dir.path().join("out");
    let run = Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(["build", "--out"])
        .arg(&out)
        .arg(dir.path())
        .output()
        .expect("run mlc");
    assert!(
        run.status.success(),
        "mlc build failed:\n{}",
        String::from_utf8_lossy(&run.stderr)
    );
    (dir, out)
}

/// Every YAML file below `dir` whose object is of `kind`, as (path, JSON value), sorted.
pub fn objects(dir: &Path, kind: &str) -> Vec<(String, Value)> {
    crate::support::read_tree(dir)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".yaml") && !p.ends_with("kustomization.yaml"))
        .filter_map(|(p, bytes)| {
            let v: Value = serde_yaml::from_slice(&bytes).ok()?;
            (v["kind"] == kind).then(|| (dir.join(&p).display().to_string(), v))
        })
        .collect()
}

/// The dashboard JSON documents of every dashboard ConfigMap below `dir`.
pub fn dashboards(dir: &Path) -> Vec<(String, Value)> {
    objects(dir, "ConfigMap")
        .into_iter()
        .filter(|(_, cm)| {
            cm["metadata"]["name"]
                .as_str()
                .is_some_and(|n| n.ends_with("-dashboard"))
        })
        .flat_map(|(p, cm)| {
            cm["data"]
                .as_object()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .map(move |(k, text)| {
                    let board =
                        serde_json::from_str(text.as_str().unwrap()).expect("dashboard JSON");
                    (format!("{p}#{k}"), board)
                })
        })
        .collect()
}

/// Every panel query of a dashboard, with Grafana's `$__rate_interval` substituted.
pub fn panel_queries(board: &Value) -> Vec<String> {
    board["panels"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|p| p["targets"].as_array().cloned().unwrap_or_default())
        .filter_map(|t| {
            t["expr"]
                .as_str()
                .map(|e| e.replace("$__rate_interval", "5m"))
        })
        .collect()
}

/// Every alert expression of a PrometheusRule.
pub fn rule_exprs(rule: &Value) -> Vec<String> {
    rule["spec"]["groups"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|g| g["rules"].as_array().cloned().unwrap_or_default())
        .filter_map(|r| r["expr"].as_str().map(str::to_owned))
        .collect()
}

/// The metric names an expression selects (every identifier right before a `{`).
pub fn metric_names(expr: &str) -> Vec<String> {
    let bytes = expr.as_bytes();
    let mut out = Vec::new();
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'{' {
            continue;
        }
        let start = bytes[..i]
            .iter()
            .rposition(|c| !(c.is_ascii_alphanumeric() || *c == b'_' || *c == b':'))
            .map_or(0, |p| p + 1);
        if start < i {
            out.push(expr[start..i].to_owned());
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Runs promtool with `args` in `dir`; the combined output, or a failure with it.
pub fn promtool(dir: &Path, args: &[&str]) -> Result<String, String> {
    let out = Command::new("promtool")
        .args(args)
        .current_dir(dir)
        .output()
        .map_err(|e| e.to_string())?;
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    if out.status.success() {
        Ok(text)
    } else {
        Err(text)
    }
}

/// A project with every default alert: mlc-serve on KServe, a MIG slice, an HPA on CPU.
pub const DEFAULTS_PROJECT: &str = r#"
project shop {
    kubernetes "1.33"
    image base="debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f" revision="v0.1.0"
    monitoring
}
pool a100 {
    gpu "A100-80GB" per-node=8 nodes=1
    mig mixed "all-balanced"
    taint "nvidia.com/gpu"
}
environment prod namespace=shop-prod
model ranker {
    artifact "s3://models/ranker/model.onnx" sha256="9f2c1b7e4d3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
    accelerator pool=a100 mig="1g.10gb"
    autoscale min=2 max=4 {
        cpu 70
    }
}
"#;
