//! What mlc-serve adds over a direct ONNX Runtime call, measured in one run on iris:
//!
//! 1. in-process `Session::run` (tensor built from a `Vec`, outputs copied out), batch 1;
//! 2. the same inference through the release `mlc-serve` binary, HTTP/1.1 JSON over loopback,
//!    one keep-alive connection, one request at a time;
//! 3. throughput with several connections, without and with dynamic batching.
//!
//! Prerequisites: the ONNX Runtime library and `iris_logreg.onnx`, found as the tests find
//! them (`source .ci/setup`); the bench names what is missing and stops.
//!
//! Run: `cargo bench -p mlc-serve --bench overhead`
//! (`MLC_BENCH_SECONDS` sets the time per phase, default 3). Prints figures; asserts nothing.

#![allow(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::cast_precision_loss,
    reason = "a benchmark program: it prints figures and stops on a broken setup"
)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[path = "support/fixtures.rs"]
mod fixtures;

use ort::session::Session;
use ort::value::Tensor;

const ROW: [f32; 4] = [6.7, 3.0, 5.2, 2.3];

fn main() {
    let (library, model) = match bench_fixtures() {
        Ok(found) => found,
        Err(missing) => {
            eprintln!("overhead bench stopped: {missing}");
            return;
        }
    };
    let seconds: u64 = std::env::var("MLC_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let phase = Duration::from_secs(seconds);
    println!(
        "mlc-serve overhead on iris_logreg.onnx, batch 1, {seconds} s per phase, {} CPUs",
        cores()
    );

    let direct = direct_runs(&library, &model, phase);
    report("direct ort Session::run (in process)", &direct, phase);

    let plain = Server::start(&library, &model, &[]);
    let http = http_runs(plain.addr, 1, phase);
    report("mlc-serve HTTP JSON, 1 connection", &http, phase);
    let p50_direct = percentile(&direct, 0.5);
    let p50_http = percentile(&http, 0.5);
    println!(
        "overhead: p50 {:.1}x the direct call ({:.1} us added per request); throughput {:.1}x lower",
        p50_http.as_secs_f64() / p50_direct.as_secs_f64(),
        (p50_http.saturating_sub(p50_direct)).as_secs_f64() * 1e6,
        direct.len() as f64 / http.len().max(1) as f64,
    );
    let concurrent = http_runs(plain.addr, 4, phase);
    report(
        "mlc-serve HTTP JSON, 4 connections, no batching",
        &concurrent,
        phase,
    );
    drop(plain);

    let batched = Server::start(
        &library,
        &model,
        &["--max-batch-size", "32", "--max-queue-delay", "0ms"],
    );
    let concurrent = http_runs(batched.addr, 4, phase);
    report(
        "mlc-serve HTTP JSON, 4 connections, batching max 32",
        &concurrent,
        phase,
    );
    let metrics = get(batched.addr, "/metrics");
    let runs = metric(&metrics, "mlc_serve_batch_requests_count");
    let requests = metric(&metrics, "mlc_serve_batch_requests_sum");
    println!(
        "  batching formed {runs} runs for {requests} requests ({:.2} requests per run)",
        requests / runs.max(1.0)
    );
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, std::num::NonZero::get)
}

/// The ONNX Runtime library and the iris model, or what is missing.
fn bench_fixtures() -> Result<(PathBuf, PathBuf), String> {
    let (library, _) = mlc_serve::ort_library::locate(None).map_err(|_| {
        "no ONNX Runtime library (`source .ci/setup` installs it and sets ORT_DYLIB_PATH)"
            .to_owned()
    })?;
    let model = fixtures::models(&["iris_logreg.onnx"])?
        .pop()
        .ok_or_else(|| "iris_logreg.onnx not found".to_owned())?;
    Ok((library, model))
}

fn direct_runs(library: &Path, model: &Path, phase: Duration) -> Vec<Duration> {
    let env = mlc_serve::ort_library::init(library).unwrap();
    let mut session = Session::builder(&env)
        .unwrap()
        .with_intra_threads(1)
        .unwrap()
        .with_inter_threads(1)
        .unwrap()
        .commit_from_file(model)
        .unwrap();
    let mut once = || {
        let input = Tensor::from_array((vec![1i64, 4], ROW.to_vec())).unwrap();
        let outputs = session.run(ort::inputs!["X" => input]).unwrap();
        let (_, labels) = outputs["label"].try_extract_tensor::<i64>().unwrap();
        let (_, probs) = outputs["probabilities"]
            .try_extract_tensor::<f32>()
            .unwrap();
        assert_eq!(labels.to_vec(), [2]);
        probs.to_vec()
    };
    for _ in 0..1000 {
        once();
    }
    let mut times = Vec::new();
    let start = Instant::now();
    while start.elapsed() < phase {
        let t = Instant::now();
        std::hint::black_box(once());
        times.push(t.elapsed());
    }
    times
}

/// Sends the iris request on `connections` keep-alive connections for `phase`; returns every
/// request's latency.
fn http_runs(addr: SocketAddr, connections: usize, phase: Duration) -> Vec<Duration> {
    let body = Arc::new(format!(
        r#"{{"inputs":[{{"name":"X","shape":[1,4],"datatype":"FP32","data":[{},{},{},{}]}}]}}"#,
        ROW[0], ROW[1], ROW[2], ROW[3]
    ));
    let threads: Vec<_> = (0..connections)
        .map(|_| {
            let body = Arc::clone(&body);
            std::thread::spawn(move || {
                let mut client = Client::connect(addr);
                for _ in 0..500 {
                    client.post("/v2/models/iris/infer", &body);
                }
                let mut times = Vec::new();
                let start = Instant::now();
                while start.elapsed() < phase {
                    let t = Instant::now();
                    let response = client.post("/v2/models/iris/infer", &body);
                    times.push(t.elapsed());
                    debug_assert!(response.contains("\"data\":[2]"));
                }
                times
            })
        })
        .collect();
    threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect()
}

fn report(what: &str, times: &[Duration], phase: Duration) {
    println!(
        "{what:<52} {:>9.0} req/s   p50 {:>7.1} us   p99 {:>7.1} us",
        times.len() as f64 / phase.as_secs_f64(),
        percentile(times, 0.5).as_secs_f64() * 1e6,
        percentile(times, 0.99).as_secs_f64() * 1e6,
    );
}

fn percentile(times: &[Duration], q: f64) -> Duration {
    let mut sorted = times.to_vec();
    sorted.sort();
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "an index into the samples"
    )]
    let index = ((sorted.len().saturating_sub(1)) as f64 * q).round() as usize;
    sorted.get(index).copied().unwrap_or_default()
}

/// The release `mlc-serve` binary on a free loopback port, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Server {
    fn start(library: &Path, model: &Path, extra: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_mlc-serve"))
            .arg("--model")
            .arg(model)
            .args(["--name", "iris", "--host", "127.0.0.1", "--port", "0"])
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
        // Keep draining stderr so the server never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        Self { child, addr }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A keep-alive HTTP/1.1 client reading `Content-Length` bodies.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(addr: SocketAddr) -> Self {
        let stream = TcpStream::connect(addr).unwrap();
        stream.set_nodelay(true).unwrap();
        Self {
            writer: stream.try_clone().unwrap(),
            reader: BufReader::new(stream),
        }
    }

    fn post(&mut self, path: &str, body: &str) -> String {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        self.writer.write_all(request.as_bytes()).unwrap();
        self.read_response()
    }

    fn read_response(&mut self) -> String {
        let mut length = 0usize;
        let mut line = String::new();
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let trimmed = line.trim_end();
            if trimmed.is_empty() {
                break;
            }
            if let Some((name, value)) = trimmed.split_once(':')
                && name.eq_ignore_ascii_case("content-length")
            {
                length = value.trim().parse().unwrap();
            }
        }
        let mut body = vec![0u8; length];
        self.reader.read_exact(&mut body).unwrap();
        String::from_utf8(body).unwrap()
    }
}

fn get(addr: SocketAddr, path: &str) -> String {
    let mut client = Client::connect(addr);
    client
        .writer
        .write_all(format!("GET {path} HTTP/1.1\r\nHost: bench\r\n\r\n").as_bytes())
        .unwrap();
    client.read_response()
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && !l.starts_with('#'))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}
