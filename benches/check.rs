//! `cargo bench --bench check`: times `mlc check` (discover, read, parse, lower, validate)
//! on generated projects of 20 and 1,000 models spread over several files, and prints the
//! median and best wall time per run; then times `mlc build` (check, emit, render, write the
//! tree) on the same projects. Figures, not assertions.

#![allow(
    clippy::unwrap_used,
    clippy::print_stdout,
    reason = "a benchmark binary prints its figures"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

fn write_project(dir: &Path, models: usize) {
    let mut root = String::from(
        "project bench {\n    kubernetes \"1.33\"\n    image base=\"debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f\"\n}\n\ncluster gpu\n\npool h100 cluster=gpu {\n    gpu \"H100-80GB\" per-node=8 nodes=400\n    mig mixed \"all-1g.10gb\"\n    taint \"nvidia.com/gpu\"\n}\n\nenvironment staging cluster=gpu namespace=staging\nenvironment prod cluster=gpu namespace=prod\n",
    );
    root.push('\n');
    std::fs::write(dir.join("mlc.kdl"), root).unwrap();
    std::fs::create_dir_all(dir.join("models")).unwrap();
    let per_file = 10;
    for file in 0..models.div_ceil(per_file) {
        let mut text = String::new();
        for i in file * per_file..((file + 1) * per_file).min(models) {
            let accel = if i % 2 == 0 {
                "accelerator pool=h100 mig=\"1g.10gb\""
            } else {
                "accelerator cpu"
            };
            let _ = write!(
                text,
                "model m{i} {{\n    version \"1.0.{i}\"\n    artifact \"s3://models/m{i}/model.onnx\" sha256=\"{i:064x}\"\n    format onnx\n    serve kserve mode=standard\n    {accel}\n    resources cpu=1 memory=\"2Gi\"\n    batching max-batch=16 max-delay=\"5ms\"\n    autoscale min=2 max=6 {{\n        kafka bootstrap=\"kafka:9092\" topic=t{i} group=g{i} lag=50\n    }}\n    env LOG_LEVEL \"info\"\n}}\n\n"
            );
        }
        std::fs::write(
            dir.join("models").join(format!("batch-{file:03}.kdl")),
            text,
        )
        .unwrap();
    }
}

fn measure(models: usize, runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), models);
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let checked = mlc::driver::check(dir.path());
        times.push(start.elapsed());
        assert!(
            !checked.diagnostics.has_errors(),
            "generated project must check clean"
        );
    }
    times.sort();
    let (sources, _) = mlc::driver::load(dir.path());
    let start = Instant::now();
    for _ in 0..runs {
        let _ = mlc::driver::parse_all(&sources);
    }
    let parse = start.elapsed() / u32::try_from(runs).unwrap();
    println!(
        "  of which KDL parsing: {:.3} ms",
        parse.as_secs_f64() * 1e3
    );
    let median = times[times.len() / 2];
    println!(
        "mlc check, {models:>5} models: median {:>8.3} ms, best {:>8.3} ms over {runs} runs ({} threads)",
        median.as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
        rayon::current_num_threads()
    );
}

/// `mlc build` of the same project: check, emit, render and write the whole tree.
fn measure_build(models: usize, runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    write_project(dir.path(), models);
    let out = dir.path().join("manifests");
    let options = mlc::emit::EmitOptions::default();
    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut files = 0;
    for _ in 0..runs {
        let start = Instant::now();
        let built = mlc::driver::build(dir.path(), &options, |_| Vec::new());
        let tree = built.tree.expect("generated project must build");
        mlc::render::write::write_tree(&out, &tree).unwrap();
        times.push(start.elapsed());
        files = tree.files.len();
    }
    times.sort();
    println!(
        "mlc build, {models:>5} models: median {:>8.3} ms, best {:>8.3} ms over {runs} runs ({files} files written)",
        times[times.len() / 2].as_secs_f64() * 1e3,
        times[0].as_secs_f64() * 1e3,
    );
}

fn main() {
    measure(20, 200);
    measure(1000, 20);
    measure_build(20, 50);
    measure_build(1000, 10);
}
