//! `cargo bench --bench check`: times `mlc check` on generated projects of 10 to 10,000
//! models spread over several files: its front end (discover, read, parse, lower, validate),
//! the whole in-memory check (plus emission and schema validation) and the `mlc` process;
//! prints the median and best wall time per run; then times `mlc build` (check, emit,
//! render, write the tree) on the same projects. Figures, not assertions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
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

fn median_and_best(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    (ms(times[times.len() / 2]), ms(times[0]))
}

fn measure(models: usize, runs: usize) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    write_project(dir.path(), models);
    let mut front: Vec<Duration> = Vec::with_capacity(runs);
    let mut whole: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let checked = mlc::driver::check_front(dir.path());
        front.push(start.elapsed());
        assert!(
            !checked.diagnostics.has_errors(),
            "generated project must check clean"
        );
        let start = Instant::now();
        let checked = mlc::driver::check(dir.path());
        whole.push(start.elapsed());
        assert!(!checked.diagnostics.has_errors());
    }
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
    let (m, b) = median_and_best(front);
    println!(
        "mlc check front end (parse + validate), {models:>5} models: median {m:>8.3} ms, best {b:>8.3} ms over {runs} runs ({} threads)",
        rayon::current_num_threads()
    );
    let (m, b) = median_and_best(whole);
    println!(
        "mlc check whole (+ emit and schema-validate in memory), {models:>5} models: median {m:>8.3} ms, best {b:>8.3} ms"
    );
    // The process: what the pre-commit hook pays (start-up and first schema compiles included).
    let runs = runs.min(30);
    let mut process: Vec<Duration> = Vec::with_capacity(runs);
    for _ in 0..runs {
        let start = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
            .args(["check", "--quiet"])
            .arg(dir.path())
            .output()
            .unwrap();
        process.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (m, b) = median_and_best(process);
    println!(
        "`mlc check` as a process, {models:>5} models: median {m:>8.3} ms, best {b:>8.3} ms over {runs} runs"
    );
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kib: f64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0);
    kib / 1024.0
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// `mlc build` of the same project: every stage timed separately, medians over `runs`.
fn measure_build(models: usize, runs: usize) {
    let dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    write_project(dir.path(), models);
    let out = dir.path().join("manifests");
    let options = mlc::emit::EmitOptions {
        mlc_serve_image: "ghcr.io/acme/mlc-serve:v1".into(),
    };
    let mut stages: Vec<[Duration; 6]> = Vec::new();
    let mut objects = 0;
    for _ in 0..runs {
        let t0 = Instant::now();
        let (sources, _) = mlc::driver::load(dir.path());
        let t1 = Instant::now();
        let (project, diags) = mlc::driver::check_sources(dir.path(), &sources);
        assert!(!diags.has_errors());
        let project = project.unwrap();
        let t2 = Instant::now();
        let (objs, _) = mlc::emit::emit(&project, &options);
        assert!(mlc::driver::validate_objects(&objs).is_empty());
        let t3 = Instant::now();
        objects = objs.len();
        let mut rendered: Vec<_> = objs
            .into_iter()
            .map(|o| mlc::render::Rendered::of(o, true))
            .collect();
        let tree = mlc::render::tree::build(&project, &mut rendered, &sources, Vec::new());
        let t4 = Instant::now();
        mlc::render::write::write_tree(&out, &tree).unwrap();
        let t5 = Instant::now();
        stages.push([t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t5 - t0]);
    }
    let median = |k: usize| {
        let mut v: Vec<Duration> = stages.iter().map(|s| s[k]).collect();
        v.sort();
        v[v.len() / 2]
    };
    let total = median(5);
    #[expect(clippy::cast_precision_loss, reason = "object counts are small")]
    let per_sec = objects as f64 / total.as_secs_f64();
    println!(
        "mlc build, {models:>5} models, {objects:>6} objects: {:>9.3} ms total ({per_sec:>9.0} objects/s) = read {:.3} + check {:.3} + emit and schema-validate {:.3} + render {:.3} + write {:.3} ms; peak RSS so far {:.1} MiB",
        ms(total),
        ms(median(0)),
        ms(median(1)),
        ms(median(2)),
        ms(median(3)),
        ms(median(4)),
        peak_rss_mib()
    );
}

fn main() {
    // `cargo bench --bench check -- 20 1000` times only those project sizes.
    let only: Vec<usize> = std::env::args().filter_map(|a| a.parse().ok()).collect();
    let wanted = |models: usize| only.is_empty() || only.contains(&models);
    for (models, runs) in [(10, 200), (20, 200), (100, 50), (1000, 20), (10_000, 3)] {
        if wanted(models) {
            measure(models, runs);
        }
    }
    for (models, runs) in [(10, 50), (100, 20), (1000, 10), (10_000, 2)] {
        if wanted(models) {
            measure_build(models, runs);
        }
    }
}
