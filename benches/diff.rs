//! `cargo bench --bench diff`: times `mlc diff` of two revisions of a generated project of
//! 1,000 models (the head raises `max` of every tenth model and changes the artifact of every
//! twentieth): both sides compiled in memory, then diffed, and the diff alone; prints the
//! median and best wall time. Figures, not assertions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark binary prints its figures"
)]

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use mlc::report::diff::{Side, diff, text};

fn write_project(dir: &Path, models: usize, head: bool) {
    let root = "project bench {\n    kubernetes \"1.33\"\n    image base=\"debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f\"\n}\n\ncluster gpu\n\npool h100 cluster=gpu price-per-hour=\"0.55\" {\n    gpu \"H100-80GB\" per-node=8 nodes=400\n    mig mixed \"all-1g.10gb\"\n    taint \"nvidia.com/gpu\"\n}\n\nenvironment staging cluster=gpu namespace=staging\nenvironment prod cluster=gpu namespace=prod\n";
    std::fs::write(dir.join("mlc.kdl"), root).unwrap();
    std::fs::create_dir_all(dir.join("models")).unwrap();
    let per_file = 10;
    for file in 0..models.div_ceil(per_file) {
        let mut out = String::new();
        for i in file * per_file..((file + 1) * per_file).min(models) {
            let accel = if i % 2 == 0 {
                "accelerator pool=h100 mig=\"1g.10gb\""
            } else {
                "accelerator cpu"
            };
            let max = if head && i % 10 == 0 { 8 } else { 6 };
            let revision = if head && i % 20 == 0 { 2 } else { 1 };
            let _ = write!(
                out,
                "model m{i} {{\n    version \"1.{revision}.{i}\"\n    artifact \"s3://models/m{i}/{revision}/model.onnx\" sha256=\"{i:064x}\"\n    format onnx\n    serve kserve mode=standard\n    {accel}\n    resources cpu=1 memory=\"2Gi\"\n    autoscale min=2 max={max} {{\n        cpu 70\n    }}\n}}\n\n"
            );
        }
        std::fs::write(dir.join("models").join(format!("batch-{file:03}.kdl")), out).unwrap();
    }
}

fn side(dir: &Path) -> Side {
    // As `mlc diff` does: check (emit and validate in memory), no rendering.
    let checked = mlc::driver::check_with(dir, &mlc::image::ImageInputs::default());
    Side::from_project(checked.project.as_ref().unwrap())
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn median_and_best(mut times: Vec<Duration>) -> (f64, f64) {
    times.sort();
    (ms(times[times.len() / 2]), ms(times[0]))
}

fn main() {
    let models = 1000;
    let runs = 5;
    let base_dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    let head_dir = tempfile::tempdir_in(env!("CARGO_TARGET_TMPDIR")).unwrap();
    write_project(base_dir.path(), models, false);
    write_project(head_dir.path(), models, true);
    let mut whole = Vec::new();
    let mut only = Vec::new();
    let mut lines = 0;
    for _ in 0..runs {
        let start = Instant::now();
        // As `mlc diff` does: both sides built at once.
        let (base, head) = rayon::join(|| side(base_dir.path()), || side(head_dir.path()));
        let mid = Instant::now();
        let d = diff(&base, &head);
        lines = text(&d).lines().count();
        only.push(mid.elapsed());
        whole.push(start.elapsed());
    }
    let (w_med, w_best) = median_and_best(whole);
    let (d_med, d_best) = median_and_best(only);
    println!(
        "mlc diff, {models} models x 2 environments, two revisions: compile both + diff median {w_med:.0} ms (best {w_best:.0} ms); the diff alone median {d_med:.1} ms (best {d_best:.1} ms); {lines} lines of text"
    );
}
