//! `cargo bench --bench fleet`: `mlc` on a fleet of 10 to 50,000 models (per model an
//! InferenceService on KServe Standard with KEDA-class Prometheus scaling, a MIG slice on
//! every third model, a ServiceAccount, a NetworkPolicy, a PodDisruptionBudget and the
//! runtime ConfigMap), as whole processes, every object validated:
//!
//! - `mlc build --stdout` with 1 and 2 threads: median wall time, CPU time, peak RSS,
//!   objects per second, and the 2-thread speed-up;
//! - the same split by stage, in process (front end; emit, check and write the objects;
//!   assemble the tree and `mlc.lock`; write it);
//! - `mlc build` of the tree, fresh and as a no-op rebuild, on disk (the target directory,
//!   up to 10,000 models) and on a tmpfs (`/dev/shm`, when there is one).
//!
//! `MLC_FLEET_BASELINE=/path/to/an/older/mlc` adds that binary's `--stdout` figures and the
//! ratio, in the same run. Sizes can be chosen: `cargo bench --bench fleet -- 1000 10000`.
//! Figures, not assertions.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stdout,
    clippy::cast_precision_loss,
    reason = "a benchmark binary prints its figures"
)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Writes the fleet project of `models` models, ten to a file.
fn write_project(dir: &Path, models: usize) {
    std::fs::create_dir_all(dir.join("models")).unwrap();
    std::fs::write(
        dir.join("mlc.kdl"),
        r#"project fleet {
    kubernetes "1.33"
    image revision="v1" base="debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f"
}

cluster gpu

pool a100 cluster=gpu {
    gpu "A100-80GB" per-node=8 nodes=20000
    mig mixed "all-1g.10gb"
    taint "nvidia.com/gpu"
}

environment prod cluster=gpu namespace=ml-prod
"#,
    )
    .unwrap();
    for file in 0..models.div_ceil(10) {
        let mut text = String::new();
        for i in file * 10..((file + 1) * 10).min(models) {
            let accel = if i % 3 == 0 {
                "accelerator pool=a100 mig=\"1g.10gb\""
            } else {
                "accelerator cpu"
            };
            let _ = write!(
                text,
                r#"model m{i} {{
    version "1.0.{i}"
    artifact "s3://models/m{i}/model.onnx" sha256="{i:064x}"
    format onnx
    serve kserve mode=standard
    {accel}
    resources cpu=1 memory="2Gi"
    autoscale min=2 max=6 {{
        prometheus server="http://prometheus.monitoring:9090" query="sum(rate(requests_total{{model=\"m{i}\"}}[1m]))" threshold=100
    }}
    service-account m{i}
    allow-from gateway
    disruption max-unavailable=1
}}

"#
            );
        }
        std::fs::write(
            dir.join("models").join(format!("batch-{file:04}.kdl")),
            text,
        )
        .unwrap();
    }
}

/// One process run, as the measuring child saw it.
#[derive(Clone, Copy)]
struct Run {
    wall: Duration,
    cpu: Duration,
    rss_mib: f64,
}

/// The measuring child: runs the command after `--` with stdout discarded, and prints its
/// wall time, CPU time and peak RSS (the only child it waits for, so `RUSAGE_CHILDREN` is
/// that command's).
fn child_main(args: &[String]) {
    let start = Instant::now();
    let status = Command::new(&args[0])
        .args(&args[1..])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    let wall = start.elapsed();
    let usage =
        nix::sys::resource::getrusage(nix::sys::resource::UsageWho::RUSAGE_CHILDREN).unwrap();
    let cpu = |t: nix::sys::time::TimeVal| {
        Duration::from_micros(
            u64::try_from(t.tv_sec()).unwrap() * 1_000_000 + u64::try_from(t.tv_usec()).unwrap(),
        )
    };
    let cpu = cpu(usage.user_time()) + cpu(usage.system_time());
    println!(
        "{} {} {} {}",
        wall.as_micros(),
        cpu.as_micros(),
        usage.max_rss(),
        i32::from(status.success())
    );
}

/// Runs `mlc ARGS` through the measuring child with `threads` rayon threads.
fn measure(mlc: &Path, args: &[&str], threads: usize) -> Run {
    let out = Command::new(std::env::current_exe().unwrap())
        .env("MLC_FLEET_CHILD", "1")
        .env("RAYON_NUM_THREADS", threads.to_string())
        .arg("--")
        .arg(mlc)
        .args(args)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let fields: Vec<u128> = text
        .split_whitespace()
        .filter_map(|f| f.parse().ok())
        .collect();
    assert!(fields.len() == 4 && fields[3] == 1, "mlc {args:?} failed");
    Run {
        wall: Duration::from_micros(u64::try_from(fields[0]).unwrap()),
        cpu: Duration::from_micros(u64::try_from(fields[1]).unwrap()),
        rss_mib: fields[2] as f64 / 1024.0,
    }
}

/// The median wall-time run of `runs` runs (its CPU time and RSS come with it).
fn median(mut runs: Vec<Run>) -> Run {
    runs.sort_by_key(|r| r.wall);
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn stdout_figures(
    label: &str,
    mlc: &Path,
    project: &Path,
    objects: usize,
    runs: usize,
) -> [Run; 2] {
    let dir = project.to_str().unwrap();
    let mut out = [None, None];
    for threads in [1, 2] {
        let run = median(
            (0..runs)
                .map(|_| measure(mlc, &["build", "--quiet", "--stdout", dir], threads))
                .collect(),
        );
        println!(
            "  {label} --stdout, {threads} thread(s): {:>9.1} ms wall, {:>9.1} ms CPU, peak RSS {:>7.1} MiB, {:>9.0} objects/s",
            ms(run.wall),
            ms(run.cpu),
            run.rss_mib,
            objects as f64 / run.wall.as_secs_f64()
        );
        out[threads - 1] = Some(run);
    }
    let [Some(one), Some(two)] = out else {
        unreachable!()
    };
    println!(
        "  {label} 2 threads vs 1: {:.2}x faster",
        one.wall.as_secs_f64() / two.wall.as_secs_f64()
    );
    [one, two]
}

/// The in-process split by stage (medians of `runs`).
fn stages(project: &Path, out: &Path, runs: usize) {
    let inputs = mlc::image::ImageInputs::default();
    let mut rows: Vec<[Duration; 4]> = Vec::new();
    for _ in 0..runs {
        let t0 = Instant::now();
        let checked = mlc::driver::check_front(project);
        assert!(!checked.diagnostics.has_errors());
        let t1 = Instant::now();
        drop(checked);
        let objects =
            mlc::driver::build_objects(project, &inputs, &mlc::model::ArtifactDirs::default());
        let t2 = Instant::now();
        drop(objects);
        let t3 = Instant::now();
        let built = mlc::driver::build(project, &inputs);
        let t4 = Instant::now();
        mlc::render::write::write_tree(out, built.tree.as_ref().unwrap()).unwrap();
        let t5 = Instant::now();
        // Each call starts from the sources: a stage is the difference of two calls.
        let (front, objects, whole) = (t1 - t0, t2 - t1, t4 - t3);
        rows.push([
            front,
            objects.saturating_sub(front),
            whole.saturating_sub(objects),
            t5 - t4,
        ]);
    }
    let med = |k: usize| {
        let mut v: Vec<Duration> = rows.iter().map(|r| r[k]).collect();
        v.sort();
        ms(v[v.len() / 2])
    };
    println!(
        "  in process ({} threads): front end {:.1} ms, emit + check + write objects {:.1} ms, tree and mlc.lock {:.1} ms, write the tree {:.1} ms",
        rayon::current_num_threads(),
        med(0),
        med(1),
        med(2),
        med(3)
    );
}

fn tree_figures(mlc: &Path, project: &Path, base: &Path, label: &str, runs: usize) {
    let out = base.join(format!("fleet-tree-{}", std::process::id()));
    let args = |out: &Path| {
        vec![
            "build".to_owned(),
            "--quiet".to_owned(),
            "--out".to_owned(),
            out.to_str().unwrap().to_owned(),
            project.to_str().unwrap().to_owned(),
        ]
    };
    let a = args(&out);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let fresh = median(
        (0..runs)
            .map(|_| {
                let _ = std::fs::remove_dir_all(&out);
                measure(mlc, &a, 2)
            })
            .collect(),
    );
    let noop = median((0..runs).map(|_| measure(mlc, &a, 2)).collect());
    let files = walkdir::WalkDir::new(&out)
        .into_iter()
        .filter(|e| e.as_ref().is_ok_and(|e| e.file_type().is_file()))
        .count();
    println!(
        "  tree on {label} ({files} files): fresh {:>8.1} ms wall ({:.1} MiB), no-op rebuild {:>8.1} ms wall ({:.1} MiB)",
        ms(fresh.wall),
        fresh.rss_mib,
        ms(noop.wall),
        noop.rss_mib
    );
    let _ = std::fs::remove_dir_all(&out);
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if std::env::var_os("MLC_FLEET_CHILD").is_some() {
        let at = args.iter().position(|a| a == "--").unwrap();
        child_main(&args[at + 1..]);
        return;
    }
    let only: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let mlc = PathBuf::from(env!("CARGO_BIN_EXE_mlc"));
    let baseline = std::env::var_os("MLC_FLEET_BASELINE").map(PathBuf::from);
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let shm = Path::new("/dev/shm");
    for (models, runs) in [(10, 20), (100, 20), (1000, 10), (10_000, 3), (50_000, 1)] {
        if !only.is_empty() && !only.contains(&models) {
            continue;
        }
        let dir = tempfile::tempdir_in(tmp).unwrap();
        write_project(dir.path(), models);
        let yaml = Command::new(&mlc)
            .args(["build", "--quiet", "--stdout"])
            .arg(dir.path())
            .output()
            .unwrap();
        let objects = yaml
            .stdout
            .split(|b| *b == b'\n')
            .filter(|l| *l == b"---")
            .count();
        println!(
            "{models} models, {objects} objects, {:.1} MiB of YAML:",
            yaml.stdout.len() as f64 / (1024.0 * 1024.0)
        );
        let ours = stdout_figures("mlc", &mlc, dir.path(), objects, runs);
        if let Some(base) = &baseline {
            let theirs = stdout_figures("baseline", base, dir.path(), objects, runs);
            for t in 0..2 {
                println!(
                    "  vs baseline, {} thread(s): {:.2}x faster, {:.2}x the peak RSS",
                    t + 1,
                    theirs[t].wall.as_secs_f64() / ours[t].wall.as_secs_f64(),
                    ours[t].rss_mib / theirs[t].rss_mib
                );
            }
        }
        stages(
            dir.path(),
            &tmp.join(format!("fleet-stages-{models}")),
            runs,
        );
        let _ = std::fs::remove_dir_all(tmp.join(format!("fleet-stages-{models}")));
        // A fresh 50,000-model tree takes minutes of kernel time on a slow disk.
        if models <= 10_000 {
            tree_figures(&mlc, dir.path(), tmp, "disk", runs);
        }
        if shm.is_dir() {
            tree_figures(&mlc, dir.path(), shm, "tmpfs", runs);
        }
    }
}
