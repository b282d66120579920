//! mlc-serve against its baselines, on iris (HTTP dominates) and magika (the model dominates):
//! requests/s, p50 and p99 at concurrency 1, 8 and 32, with batch 1 and batch 32 requests, for
//!
//! - (a) direct in-process `Session::run` (one session shared by the client threads, like the
//!   server's one session per model; tensor built from a `Vec`, outputs copied out);
//! - (b) the release `mlc-serve` binary (one session) without and with dynamic batching
//!   (`--max-batch-size` 1024 rows for iris, 2 for magika, `--max-queue-delay 5ms`): JSON
//!   tensors for iris, binary tensors for magika (as tritonclient sends them);
//! - (c) `benches/peer_fastapi.py`, a minimal FastAPI + onnxruntime server (JSON tensors).
//!
//! Each measurement is a closed loop (every client sends its next request when the previous one
//! answers): req/s counts every response from the first request to the last; p50 and p99 are
//! taken after a warm-up that fills the queues. Session runs come from the server's
//! `mlc_serve_batch_requests` histogram. Then the ratios against the targets. Everything runs on
//! 127.0.0.1 and is bounded in time (about 3 minutes on 2 cores).
//!
//! Prerequisites: the ONNX Runtime library and the test models, both from `source .ci/setup`
//! (the models are found as the tests find them: `MLC_MODELS_DIR`, `.cache/models`,
//! `tests/fixtures/models`; the bench names a missing one and stops), and for (c)
//! `pip install fastapi uvicorn onnxruntime numpy` (skipped with a notice when they do not
//! import).
//!
//! Run: `cargo bench -p mlc-serve --bench compare` (`MLC_BENCH_SECONDS` per measurement,
//! default 1). Prints figures; asserts nothing.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_sign_loss,
    clippy::cast_possible_wrap,
    clippy::too_many_lines,
    reason = "a benchmark program: it prints figures and stops on a broken setup"
)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use ort::session::Session;
use ort::value::Tensor;

#[path = "support/fixtures.rs"]
mod fixtures;
#[path = "compare/grpc.rs"]
mod grpc;
#[path = "compare/pairs.rs"]
mod pairs;

const CONCURRENCY: [usize; 3] = [1, 8, 32];
const BATCHES: [usize; 2] = [1, 32];
const WARMUP: Duration = Duration::from_millis(200);

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Model {
    Iris,
    Magika,
}

impl Model {
    fn name(self) -> &'static str {
        match self {
            Self::Iris => "iris",
            Self::Magika => "magika",
        }
    }
    fn file(self) -> &'static str {
        match self {
            Self::Iris => "iris_logreg.onnx",
            Self::Magika => "magika_standard_v3_3.onnx",
        }
    }
    fn width(self) -> usize {
        match self {
            Self::Iris => 4,
            Self::Magika => 2048,
        }
    }
}

/// `batch` rows of deterministic input.
fn iris_rows(batch: usize) -> Vec<f32> {
    let rows = [
        [5.1, 3.5, 1.4, 0.2],
        [5.9, 3.0, 4.2, 1.5],
        [6.7, 3.0, 5.2, 2.3],
    ];
    (0..batch).flat_map(|r| rows[r % 3]).collect()
}

fn magika_rows(batch: usize) -> Vec<i32> {
    (0..batch * 2048)
        .map(|i| ((i * 37 + i / 2048 * 11) % 257) as i32)
        .collect()
}

/// An HTTP request body and its extra headers.
struct Body {
    bytes: Vec<u8>,
    headers: String,
}

fn json_body(model: Model, batch: usize) -> Body {
    let (name, datatype, data) = match model {
        Model::Iris => ("X", "FP32", serde_json::json!(iris_rows(batch))),
        Model::Magika => ("bytes", "INT32", serde_json::json!(magika_rows(batch))),
    };
    let body = serde_json::json!({"inputs": [{"name": name, "shape": [batch, model.width()], "datatype": datatype, "data": data}]});
    Body {
        bytes: body.to_string().into_bytes(),
        headers: "Content-Type: application/json\r\n".to_owned(),
    }
}

fn binary_body(model: Model, batch: usize) -> Body {
    let (name, datatype, raw): (&str, &str, Vec<u8>) = match model {
        Model::Iris => (
            "X",
            "FP32",
            iris_rows(batch)
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        ),
        Model::Magika => (
            "bytes",
            "INT32",
            magika_rows(batch)
                .iter()
                .flat_map(|v| v.to_le_bytes())
                .collect(),
        ),
    };
    let header = serde_json::json!({
        "inputs": [{"name": name, "shape": [batch, model.width()], "datatype": datatype,
                    "parameters": {"binary_data_size": raw.len()}}],
        "parameters": {"binary_data_output": true}
    })
    .to_string();
    let headers = format!(
        "Content-Type: application/octet-stream\r\nInference-Header-Content-Length: {}\r\n",
        header.len()
    );
    let mut bytes = header.into_bytes();
    bytes.extend(raw);
    Body { bytes, headers }
}

/// One measurement.
struct Sample {
    /// Latencies of the requests completed inside the window (after the warm-up).
    times: Vec<Duration>,
    /// Successful requests over the whole measurement, warm-up and drain included.
    total: usize,
    /// From the first request sent to the last response received.
    elapsed: Duration,
    errors: usize,
}

impl Sample {
    /// Requests per second over the whole closed loop: the system is saturated from the first
    /// request to the last response, so bursts of batched completions do not skew it.
    fn rate(&self) -> f64 {
        self.total as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }
}

fn percentile(times: &[Duration], q: f64) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    let index = ((sorted.len().saturating_sub(1)) as f64 * q).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// A closed loop: `threads` clients each send a request as soon as the previous one answers.
/// After `warmup` (the queues fill), the requests completing within `window` are measured;
/// then the clients stop and the requests in flight drain before it returns.
fn measure<F>(threads: usize, warmup: Duration, window: Duration, make: impl Fn() -> F) -> Sample
where
    F: FnMut() -> bool + Send + 'static,
{
    let begin = Instant::now();
    let start_at = begin + warmup;
    let end_at = start_at + window;
    let handles: Vec<_> = (0..threads)
        .map(|_| {
            let mut work = make();
            std::thread::spawn(move || {
                let mut times = Vec::new();
                let (mut total, mut errors) = (0, 0);
                let mut last = begin;
                while Instant::now() < end_at {
                    let t = Instant::now();
                    let ok = work();
                    let finished = Instant::now();
                    last = finished;
                    if ok {
                        total += 1;
                    } else {
                        errors += 1;
                    }
                    if ok && (start_at..end_at).contains(&finished) {
                        times.push(finished - t);
                    }
                }
                (times, total, errors, last)
            })
        })
        .collect();
    let mut sample = Sample {
        times: Vec::new(),
        total: 0,
        elapsed: Duration::ZERO,
        errors: 0,
    };
    for h in handles {
        let (times, total, errors, last) = h.join().unwrap();
        sample.times.extend(times);
        sample.total += total;
        sample.errors += errors;
        sample.elapsed = sample.elapsed.max(last - begin);
    }
    sample
}

fn direct(
    session: &Arc<Mutex<Session>>,
    model: Model,
    batch: usize,
) -> impl FnMut() -> bool + Send + use<> {
    let session = Arc::clone(session);
    let iris = iris_rows(batch);
    let magika = magika_rows(batch);
    move || {
        let mut session = session.lock().unwrap();
        let shape = vec![batch as i64, model.width() as i64];
        match model {
            Model::Iris => {
                let input = Tensor::from_array((shape, iris.clone())).unwrap();
                let outputs = session.run(ort::inputs!["X" => input]).unwrap();
                let (_, labels) = outputs["label"].try_extract_tensor::<i64>().unwrap();
                let (_, probs) = outputs["probabilities"]
                    .try_extract_tensor::<f32>()
                    .unwrap();
                std::hint::black_box((labels.to_vec(), probs.to_vec()));
            }
            Model::Magika => {
                let input = Tensor::from_array((shape, magika.clone())).unwrap();
                let outputs = session.run(ort::inputs!["bytes" => input]).unwrap();
                let (_, scores) = outputs["target_label"].try_extract_tensor::<f32>().unwrap();
                std::hint::black_box(scores.to_vec());
            }
        }
        true
    }
}

fn http(addr: SocketAddr, path: &str, body: &Arc<Body>) -> impl FnMut() -> bool + Send + use<> {
    // The whole request, head and body, rendered once and sent with one write.
    let mut request = format!(
        "POST {path} HTTP/1.1\r\nHost: bench\r\n{}Content-Length: {}\r\n\r\n",
        body.headers,
        body.bytes.len()
    )
    .into_bytes();
    request.extend_from_slice(&body.bytes);
    let mut client: Option<Client> = None;
    move || {
        let c = client.get_or_insert_with(|| Client::connect(addr));
        let status = c.send(&request);
        if status == 0 {
            client = None;
        }
        status == 200
    }
}

/// A process on a loopback port, killed when dropped.
struct Process {
    child: Child,
    addr: SocketAddr,
    /// The gRPC listener, when started with `--grpc-port`.
    grpc: Option<SocketAddr>,
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start_mlc_serve(library: &Path, model: &Path, name: &str, extra: &[&str]) -> Process {
    let mut child = Command::new(env!("CARGO_BIN_EXE_mlc-serve"))
        .arg("--model")
        .arg(model)
        .args(["--name", name, "--host", "127.0.0.1", "--port", "0"])
        .args(extra)
        .env("ORT_DYLIB_PATH", library)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().expect("mlc-serve exited").unwrap();
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().parse().unwrap();
        }
    };
    let grpc = extra.contains(&"--grpc-port").then(|| {
        loop {
            let line = lines.next().expect("mlc-serve exited").unwrap();
            if let Some(rest) = line.split("gRPC listening on ").nth(1) {
                break rest.split_whitespace().next().unwrap().parse().unwrap();
            }
        }
    });
    std::thread::spawn(move || lines.for_each(drop));
    Process { child, addr, grpc }
}

fn peer_available() -> bool {
    Command::new("python3")
        .args(["-c", "import fastapi, uvicorn, onnxruntime, numpy"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn start_peer(model: &Path, name: &str) -> Option<Process> {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/peer_fastapi.py");
    let child = Command::new("python3")
        .arg(script)
        .arg(model)
        .args([name, &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let process = Process {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        grpc: None,
    };
    let deadline = Instant::now() + Duration::from_secs(30);
    while Instant::now() < deadline {
        if let Ok(stream) = TcpStream::connect(process.addr) {
            let mut client = Client::from_stream(stream);
            if client.get("/v2/health/ready").0 == 200 {
                return Some(process);
            }
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!("NOTICE: the FastAPI peer did not start within 30 s; (c) skipped");
    None
}

/// (session runs, requests run) so far: the `mlc_serve_batch_requests` histogram's count and sum.
fn session_runs(addr: SocketAddr) -> (f64, f64) {
    let text = Client::connect(addr).get("/metrics").1;
    let value = |name: &str| -> f64 {
        text.lines()
            .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    };
    (
        value("mlc_serve_batch_requests_count"),
        value("mlc_serve_batch_requests_sum"),
    )
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum System {
    Direct,
    Serve,
    ServeBatching,
    Peer,
}

impl System {
    fn label(self) -> &'static str {
        match self {
            Self::Direct => "(a) direct Session::run",
            Self::Serve => "(b) mlc-serve",
            Self::ServeBatching => "(b) mlc-serve, batching",
            Self::Peer => "(c) FastAPI + onnxruntime",
        }
    }
}

struct Row {
    rate: f64,
    p50: Duration,
    p99: Duration,
    errors: usize,
    runs_per_request: Option<f64>,
}

fn main() {
    let Ok((library, _)) = mlc_serve::ort_library::locate(None) else {
        eprintln!(
            "compare bench stopped: no ONNX Runtime library (`source .ci/setup` installs it and sets ORT_DYLIB_PATH)"
        );
        return;
    };
    let seconds: f64 = std::env::var("MLC_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let phase = Duration::from_secs_f64(seconds);
    let peer = peer_available();
    if !peer {
        eprintln!(
            "NOTICE: fastapi/uvicorn/onnxruntime/numpy do not import in python3; (c) skipped (pip install fastapi uvicorn onnxruntime numpy)"
        );
    }
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    println!(
        "mlc-serve vs baselines, {seconds} s per measurement, {cores} CPUs, load generator on the same machine"
    );
    // `MLC_BENCH_MODELS=iris` (or `magika`) measures one model only.
    let only = std::env::var("MLC_BENCH_MODELS").unwrap_or_default();
    let models: Vec<Model> = [Model::Iris, Model::Magika]
        .into_iter()
        .filter(|m| only.is_empty() || only.split(',').any(|o| o == m.name()))
        .collect();
    let files: Vec<&str> = models.iter().map(|m| m.file()).collect();
    let paths = match fixtures::models(&files) {
        Ok(paths) => paths,
        Err(missing) => {
            eprintln!("compare bench stopped: {missing}");
            return;
        }
    };
    // `MLC_BENCH_SECTIONS`: `table` (the full table), `pairs` (the batching goals as interleaved
    // rounds of batching off and on, and direct runs for magika: `MLC_BENCH_PAIRS` rounds,
    // default 5), `grpc`; default all.
    let sections_text =
        std::env::var("MLC_BENCH_SECTIONS").unwrap_or_else(|_| "table,pairs,grpc".to_owned());
    let sections: Vec<&str> = sections_text.split(',').collect();
    let pair_count: usize = std::env::var("MLC_BENCH_PAIRS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(5);
    let mut pair_results: Vec<String> = Vec::new();
    let mut grpc_lines: Vec<String> = Vec::new();
    let env = mlc_serve::ort_library::init(&library).unwrap();
    let mut results: BTreeMap<(Model, usize, usize, System), Row> = BTreeMap::new();

    for (&model, path) in models.iter().zip(&paths) {
        let session = Arc::new(Mutex::new(
            Session::builder(&env)
                .unwrap()
                .with_intra_threads(1)
                .unwrap()
                .with_inter_threads(1)
                .unwrap()
                .commit_from_file(path)
                .unwrap(),
        ));
        let serve = start_mlc_serve(&library, path, model.name(), &["--grpc-port", "0"]);
        // Rows per batched run: 32 requests of 32 rows for iris; 2 for magika, whose cost per row
        // rises past 2 rows on one thread (onnxruntime 1.32, 1 intra-op thread, 2 loaded cores:
        // 8.3, 8.0, 8.5, 10.1 and 10.0 ms per row at 1, 2, 4, 8 and 16 rows), so a larger batch
        // would cost throughput and batch-32 magika requests run alone.
        let max_batch = match model {
            Model::Iris => "1024",
            Model::Magika => "2",
        };
        // 5 ms is the delay `mlc build` emits by default; batching is adaptive, so it is only
        // an upper bound on how long a batch stays open while the session is busy.
        let batching = start_mlc_serve(
            &library,
            path,
            model.name(),
            &[
                "--max-batch-size",
                max_batch,
                "--max-queue-delay",
                "5ms",
                "--grpc-port",
                "0",
            ],
        );
        if sections.contains(&"grpc") && model == Model::Iris {
            grpc_lines.extend(grpc_figures(&serve, &batching, phase));
        }
        if sections.contains(&"pairs") {
            let body = Arc::new(match model {
                Model::Iris => json_body(model, 1),
                Model::Magika => binary_body(model, 1),
            });
            pair_results.extend(pair_goals(
                model, &session, &serve, &batching, &body, phase, pair_count,
            ));
        }
        if !sections.contains(&"table") {
            continue;
        }
        let peer_process = if peer {
            start_peer(path, model.name())
        } else {
            None
        };
        let infer = format!("/v2/models/{}/infer", model.name());
        for batch in BATCHES {
            // The direct batch-`batch` run time (measured at concurrency 1, first).
            let mut single = Duration::ZERO;
            let serve_body = Arc::new(match model {
                Model::Iris => json_body(model, batch),
                Model::Magika => binary_body(model, batch),
            });
            let peer_body = Arc::new(json_body(model, batch));
            for concurrency in CONCURRENCY {
                let mut record = |system: System, sample: Sample, runs: Option<f64>| {
                    let row = Row {
                        rate: sample.rate(),
                        p50: percentile(&sample.times, 0.5),
                        p99: percentile(&sample.times, 0.99),
                        errors: sample.errors,
                        runs_per_request: runs,
                    };
                    println!(
                        "{:<7} batch {batch:>2} conc {concurrency:>2}  {:<27} {:>8.0} req/s {:>9.0} rows/s  p50 {:>8.2} ms  p99 {:>8.2} ms{}{}",
                        model.name(),
                        system.label(),
                        row.rate,
                        row.rate * batch as f64,
                        row.p50.as_secs_f64() * 1e3,
                        row.p99.as_secs_f64() * 1e3,
                        row.runs_per_request
                            .map_or(String::new(), |r| format!("  runs/request {r:.3}")),
                        if row.errors > 0 {
                            format!("  ERRORS {}", row.errors)
                        } else {
                            String::new()
                        },
                    );
                    results.insert((model, batch, concurrency, system), row);
                };
                // Let the queues fill (a round of `concurrency` runs), and measure at least 6 runs.
                let warmup = WARMUP.max(single.mul_f64(1.2 * concurrency as f64));
                let window = phase.max(single * 6);
                let sample = measure(concurrency, warmup, window, || {
                    direct(&session, model, batch)
                });
                if concurrency == 1 {
                    single = percentile(&sample.times, 0.5);
                }
                record(System::Direct, sample, None);
                for (system, server) in
                    [(System::Serve, &serve), (System::ServeBatching, &batching)]
                {
                    let (runs_before, requests_before) = session_runs(server.addr);
                    let sample = measure(concurrency, warmup, window, || {
                        http(server.addr, &infer, &serve_body)
                    });
                    let (runs, requests) = session_runs(server.addr);
                    let per_request = (runs - runs_before) / (requests - requests_before).max(1.0);
                    record(system, sample, Some(per_request));
                }
                if let Some(p) = &peer_process {
                    let sample = measure(concurrency, warmup, window, || {
                        http(p.addr, &infer, &peer_body)
                    });
                    record(System::Peer, sample, None);
                }
            }
        }
    }

    println!("\nratios against the targets");
    let rate = |m, b, c, s| results.get(&(m, b, c, s)).map(|r: &Row| r.rate);
    let mut out = String::new();
    for c in CONCURRENCY {
        let best = rate(Model::Iris, 1, c, System::Serve)
            .unwrap_or(0.0)
            .max(rate(Model::Iris, 1, c, System::ServeBatching).unwrap_or(0.0));
        if let Some(p) = rate(Model::Iris, 1, c, System::Peer) {
            let ratio = best / p;
            let _ = writeln!(
                out,
                "iris batch 1 conc {c:>2}: mlc-serve (best of b) / FastAPI = {ratio:.1}x (target >= 10x) {}",
                verdict(ratio >= 10.0)
            );
        }
    }
    for b in BATCHES {
        for c in CONCURRENCY {
            let Some(d) = rate(Model::Magika, b, c, System::Direct) else {
                continue;
            };
            for s in [System::Serve, System::ServeBatching] {
                let ratio = rate(Model::Magika, b, c, s).unwrap_or(0.0) / d;
                let _ = writeln!(
                    out,
                    "magika batch {b:>2} conc {c:>2}: {} / direct = {:.3} (target >= 0.95) {}",
                    s.label(),
                    ratio,
                    verdict(ratio >= 0.95)
                );
            }
        }
    }
    for model in [Model::Iris, Model::Magika] {
        for b in BATCHES {
            let (Some(plain), Some(batched)) = (
                results.get(&(model, b, 32, System::Serve)),
                results.get(&(model, b, 32, System::ServeBatching)),
            ) else {
                continue;
            };
            let cut = plain.runs_per_request.unwrap_or(1.0)
                / batched.runs_per_request.unwrap_or(1.0).max(1e-9);
            let speed = batched.rate / plain.rate;
            let _ = writeln!(
                out,
                "{} batch {b:>2} conc 32: batching cuts session runs {cut:.1}x (target >= 5x) {}; throughput {speed:.2}x without batching (target >= 1) {}",
                model.name(),
                verdict(cut >= 5.0),
                verdict(speed >= 1.0)
            );
        }
    }
    print!("{out}");
    if !grpc_lines.is_empty() {
        println!("\ngRPC (ModelInfer, raw_input_contents, one HTTP/2 connection per client)");
        for line in &grpc_lines {
            println!("{line}");
        }
    }
    if !pair_results.is_empty() {
        println!(
            "\nadaptive batching goals, medians of {pair_count} interleaved rounds (ratios: median of the per-round ratios)"
        );
        for line in &pair_results {
            println!("{line}");
        }
    }
}

/// gRPC req/s, p50 and p99 on iris, batch 1, at each concurrency, with batching off and on,
/// with the HTTP JSON figures of the same servers measured right after for comparison.
fn grpc_figures(serve: &Process, batching: &Process, window: Duration) -> Vec<String> {
    let message = grpc::iris_request(&iris_rows(1));
    let http_body = Arc::new(json_body(Model::Iris, 1));
    let mut lines = Vec::new();
    for c in CONCURRENCY {
        for (label, server) in [("batching off", serve), ("batching on", batching)] {
            let Some(addr) = server.grpc else { continue };
            let shared = grpc::shared(&message);
            let g = measure(c, WARMUP, window, || {
                grpc::client(addr, bytes::Bytes::clone(&shared))
            });
            let h = measure(c, WARMUP, window, || {
                http(server.addr, "/v2/models/iris/infer", &http_body)
            });
            let ms = |s: &Sample, q| percentile(&s.times, q).as_secs_f64() * 1e3;
            lines.push(format!(
                "iris batch 1 conc {c:>2} {label:<12}: gRPC {:>7.0} req/s p50 {:.3} ms p99 {:.3} ms{}; HTTP JSON {:>7.0} req/s p50 {:.3} ms p99 {:.3} ms",
                g.rate(),
                ms(&g, 0.5),
                ms(&g, 0.99),
                if g.errors > 0 { format!(" ERRORS {}", g.errors) } else { String::new() },
                h.rate(),
                ms(&h, 0.5),
                ms(&h, 0.99)
            ));
            println!("{}", lines.last().map_or("", String::as_str));
        }
    }
    lines
}

/// The adaptive-batching goals for `model` at batch 1, each from `count` interleaved rounds:
/// iris with batching on against off (concurrency 1 and 8: req/s >= 0.95x and p50 <= 1.10x;
/// 32: req/s >= 2.5x); magika with batching on against direct session runs (concurrency 1 and
/// 32: req/s >= 0.95x), with batching off in the same rounds. Each setting also prints the
/// session runs by requests per run of batching off and on.
fn pair_goals(
    model: Model,
    session: &Arc<Mutex<Session>>,
    serve: &Process,
    batching: &Process,
    body: &Arc<Body>,
    window: Duration,
    count: usize,
) -> Vec<String> {
    use pairs::{Side, rounds};
    let mut lines = Vec::new();
    let runs = |r: &pairs::SideResult| {
        r.runs
            .as_ref()
            .map_or_else(String::new, pairs::RunHistogram::render)
    };
    match model {
        Model::Iris => {
            for c in CONCURRENCY {
                let results = rounds(
                    &[
                        ("off", Side::Serve(serve.addr)),
                        ("on", Side::Serve(batching.addr)),
                    ],
                    model,
                    body,
                    c,
                    window,
                    count,
                    "iris",
                );
                let [off, on] = results.as_slice() else {
                    continue;
                };
                let (rate, p50) = (on.rate_ratio(off), on.p50_ratio(off));
                let goal = if c == 32 {
                    format!(
                        "req/s {rate:.3}x (target >= 2.5x) {}, p50 {p50:.3}x",
                        verdict(rate >= 2.5)
                    )
                } else {
                    format!(
                        "req/s {rate:.3}x (target >= 0.95x) {}, p50 {p50:.3}x (target <= 1.10x) {}",
                        verdict(rate >= 0.95),
                        verdict(p50 <= 1.10)
                    )
                };
                lines.push(format!(
                    "iris batch 1 conc {c:>2}: batching on / off: {goal}\n    medians: off {:.0} req/s p50 {:.3} ms p99 {:.3} ms; on {:.0} req/s p50 {:.3} ms p99 {:.3} ms\n    runs off: {}\n    runs on:  {}",
                    off.rate(),
                    off.p50(),
                    off.p99(),
                    on.rate(),
                    on.p50(),
                    on.p99(),
                    runs(off),
                    runs(on),
                ));
            }
        }
        Model::Magika => {
            for c in [1, 32] {
                let results = rounds(
                    &[
                        ("direct", Side::Direct(session)),
                        ("off", Side::Serve(serve.addr)),
                        ("on", Side::Serve(batching.addr)),
                    ],
                    model,
                    body,
                    c,
                    window,
                    count,
                    "magika",
                );
                let [direct, off, on] = results.as_slice() else {
                    continue;
                };
                let rate = on.rate_ratio(direct);
                lines.push(format!(
                    "magika batch 1 conc {c:>2}: batching on / direct: req/s {rate:.3}x (target >= 0.95x) {}; off / direct {:.3}x; on / off: req/s {:.3}x, p50 {:.3}x\n    medians: direct {:.1} req/s p50 {:.2} ms; off {:.1} req/s p50 {:.2} ms p99 {:.2} ms; on {:.1} req/s p50 {:.2} ms p99 {:.2} ms\n    runs off: {}\n    runs on:  {}",
                    verdict(rate >= 0.95),
                    off.rate_ratio(direct),
                    on.rate_ratio(off),
                    on.p50_ratio(off),
                    direct.rate(),
                    direct.p50(),
                    off.rate(),
                    off.p50(),
                    off.p99(),
                    on.rate(),
                    on.p50(),
                    on.p99(),
                    runs(off),
                    runs(on),
                ));
            }
        }
    }
    lines
}

fn verdict(ok: bool) -> &'static str {
    if ok { "MET" } else { "MISSED" }
}

/// A keep-alive HTTP/1.1 client reading `Content-Length` bodies.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(addr: SocketAddr) -> Self {
        Self::from_stream(TcpStream::connect(addr).unwrap())
    }

    fn from_stream(stream: TcpStream) -> Self {
        stream.set_nodelay(true).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .unwrap();
        Self {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    /// Sends a rendered request; the status (0 when the connection broke).
    fn send(&mut self, request: &[u8]) -> u16 {
        if self.writer.write_all(request).is_err() {
            return 0;
        }
        self.read_response().map_or(0, |(status, _)| status)
    }

    fn get(&mut self, path: &str) -> (u16, String) {
        let head = format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n");
        if self.writer.write_all(head.as_bytes()).is_err() {
            return (0, String::new());
        }
        self.read_response().map_or((0, String::new()), |(s, b)| {
            (s, String::from_utf8_lossy(&b).into_owned())
        })
    }

    fn read_response(&mut self) -> Option<(u16, Vec<u8>)> {
        let mut length = 0usize;
        let mut status = 0u16;
        let mut line = String::new();
        loop {
            line.clear();
            if self.reader.read_line(&mut line).ok()? == 0 {
                return None;
            }
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if status == 0 {
                status = trimmed.split(' ').nth(1)?.parse().ok()?;
            } else if let Some((name, value)) = trimmed.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().ok()?;
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).ok()?;
        Some((status, body))
    }
}
