//! The server under faults, with the real binary on 127.0.0.1, each test bounded in time:
//! SIGTERM under load (readiness false at once, serving through the drain delay, then clean
//! 503s and exit within the grace), a model that fails to load (not ready with the reason, the
//! others serve), malformed HTTP/2 and gRPC frames, slow headers and the connection bound,
//! 10,000 idle keep-alive connections held by a separate client process (peak RSS within
//! 256 MiB), and overload (429 and memory bounded by the queue).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::cast_precision_loss,
    clippy::float_cmp,
    reason = "test code: a failed expectation panics, gauges are exact"
)]

mod common;
#[path = "common/grpc.rs"]
mod grpc_support;
#[path = "common/raw.rs"]
mod raw;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use common::{IRIS_ROWS, Server, fixtures, iris_request, python_modules, run_python};
use grpc_support::grpc_addr;
use raw::{Outcome, reset_peak_rss, rss_kib, try_post};

#[test]
fn sigterm_under_load_serves_through_the_drain_delay_then_refuses_cleanly() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "server:\n  shutdown_grace: 15s\n  drain_delay: 2s\nmodels:\n  - name: iris\n    path: {}\n    batching:\n      max_batch_size: 64\n      max_queue_delay: 5ms\n",
        fx.model("iris_logreg.onnx").display()
    );
    let mut server = Server::start(&fx, "sigterm-load", &config);
    let addr = server.addr;
    let body = Arc::new(iris_request(&[IRIS_ROWS[1].0]).to_string().into_bytes());
    let served = Arc::new(AtomicUsize::new(0));
    let signalled = Arc::new(AtomicBool::new(false));
    let served_after_signal = Arc::new(AtomicUsize::new(0));
    const CLIENTS: usize = 64;
    let clients: Vec<_> = (0..CLIENTS)
        .map(|_| {
            let (body, served, signalled, after) = (
                Arc::clone(&body),
                Arc::clone(&served),
                Arc::clone(&signalled),
                Arc::clone(&served_after_signal),
            );
            std::thread::spawn(move || {
                let deadline = Instant::now() + Duration::from_mins(1);
                // Each client sends until it is refused, as a client behind a load balancer
                // would then go elsewhere.
                loop {
                    let was_signalled = signalled.load(Ordering::SeqCst);
                    let outcome = try_post(addr, "/v2/models/iris/infer", &body);
                    match outcome {
                        Outcome::Status(200) => {
                            served.fetch_add(1, Ordering::SeqCst);
                            if was_signalled {
                                after.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                        other => return other,
                    }
                    if Instant::now() > deadline {
                        return Outcome::Status(200);
                    }
                }
            })
        })
        .collect();
    let loaded = Instant::now();
    while served.load(Ordering::SeqCst) < 500 {
        assert!(
            loaded.elapsed() < Duration::from_secs(30),
            "no load built up"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    server.sigterm();
    signalled.store(true, Ordering::SeqCst);
    let signal_at = Instant::now();
    let mut ready = 200;
    while signal_at.elapsed() < Duration::from_secs(5) {
        ready = server.get("/v2/health/ready").status;
        if ready == 503 {
            break;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    assert_eq!(ready, 503, "readiness did not turn false");
    let outcomes: Vec<Outcome> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let status = server
        .wait_exit(Duration::from_secs(20))
        .expect("mlc-serve did not exit");
    eprintln!(
        "{} served, {} after SIGTERM; final outcomes {outcomes:?}",
        served.load(Ordering::SeqCst),
        served_after_signal.load(Ordering::SeqCst)
    );
    assert!(status.success(), "{status:?}\n{}", server.log_text());
    assert!(
        outcomes
            .iter()
            .all(|o| matches!(o, Outcome::Status(503) | Outcome::Refused)),
        "a request was broken or failed: {outcomes:?}"
    );
    assert!(
        outcomes.contains(&Outcome::Status(503)),
        "no client saw the clean 503"
    );
    assert!(
        served_after_signal.load(Ordering::SeqCst) > 0,
        "nothing was served during the drain delay"
    );
    let log = server.log_text();
    assert!(
        log.contains("drain delay") && log.contains("stopped"),
        "{log}"
    );
}

#[test]
fn a_model_that_fails_to_load_leaves_the_server_not_ready_and_the_others_serving() {
    let Some(fx) = fixtures() else { return };
    let broken = Path::new(env!("CARGO_TARGET_TMPDIR")).join("broken-model.onnx");
    std::fs::write(&broken, b"this is not an ONNX model").unwrap();
    let config = format!(
        "models:\n  - name: iris\n    path: {}\n  - name: broken\n    path: {}\n",
        fx.model("iris_logreg.onnx").display(),
        broken.display()
    );
    let server = Server::start(&fx, "failed-load", &config);
    let ready = server.get("/v2/health/ready");
    assert_eq!(ready.status, 503);
    assert!(
        ready.error().contains("broken") && ready.error().contains("cannot load"),
        "{}",
        ready.error()
    );
    let model_ready = server.get("/v2/models/broken/ready");
    assert_eq!(model_ready.status, 503);
    assert!(
        model_ready.error().contains("cannot load"),
        "{}",
        model_ready.error()
    );
    assert_eq!(server.get("/v2/models/broken").status, 503);
    assert_eq!(server.get("/v2/models/iris/ready").status, 200);
    let r = server.post_json("/v2/models/iris/infer", &iris_request(&[IRIS_ROWS[0].0]));
    assert_eq!(r.status, 200);
    let r = server.post_json("/v2/models/broken/infer", &iris_request(&[IRIS_ROWS[0].0]));
    assert_eq!(r.status, 503);
    let metrics = server.metrics();
    assert_eq!(
        common::metric(&metrics, "mlc_serve_model_ready{model=\"broken\"}"),
        0.0
    );
}

/// Sends `bytes` on a fresh connection and reads until the server closes it (or 5 s pass).
fn send_and_drain(addr: std::net::SocketAddr, bytes: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let _ = stream.write_all(bytes);
    let mut out = Vec::new();
    let _ = stream.read_to_end(&mut out);
    out
}

/// An HTTP/2 frame: length, type, flags, stream id, payload.
fn frame(kind: u8, flags: u8, stream: u32, payload: &[u8]) -> Vec<u8> {
    let len = u32::try_from(payload.len()).unwrap().to_be_bytes();
    let mut out = vec![len[1], len[2], len[3], kind, flags];
    out.extend_from_slice(&stream.to_be_bytes());
    out.extend_from_slice(payload);
    out
}

/// A gRPC call's HEADERS block, HPACK literals without indexing or Huffman coding.
fn grpc_headers(path: &str) -> Vec<u8> {
    let mut block = Vec::new();
    for (name, value) in [
        (":method", "POST"),
        (":scheme", "http"),
        (":path", path),
        (":authority", "test"),
        ("content-type", "application/grpc"),
        ("te", "trailers"),
    ] {
        block.push(0);
        block.push(u8::try_from(name.len()).unwrap());
        block.extend_from_slice(name.as_bytes());
        block.push(u8::try_from(value.len()).unwrap());
        block.extend_from_slice(value.as_bytes());
    }
    block
}

#[test]
fn malformed_http2_and_grpc_frames_do_not_disturb_the_server() {
    let Some(fx) = fixtures() else { return };
    if !python_modules(&["tritonclient.grpc"], "pip install 'tritonclient[grpc]'") {
        return;
    }
    let config = format!(
        "server:\n  grpc_port: 0\nmodels:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Server::start(&fx, "malformed-frames", &config);
    let grpc = grpc_addr(&server);
    let preface = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".to_vec();
    let settings = frame(4, 0, 0, &[]);
    let path = "/inference.GRPCInferenceService/ModelInfer";
    let mut cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "not HTTP/2 at all",
            b"GET / HTTP/1.1\r\n\r\n garbage \x00\xff".to_vec(),
        ),
        (
            "a broken preface",
            b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n".to_vec(),
        ),
        ("a frame of an unknown type with a huge length", {
            let mut b = preface.clone();
            b.extend_from_slice(&[0xff, 0xff, 0xff, 0x42, 0, 0, 0, 0, 1]);
            b
        }),
        ("HEADERS on stream 0", {
            let mut b = preface.clone();
            b.extend(settings.clone());
            b.extend(frame(1, 0x4, 0, &grpc_headers(path)));
            b
        }),
        ("a HEADERS block that is not HPACK", {
            let mut b = preface.clone();
            b.extend(settings.clone());
            b.extend(frame(1, 0x4, 1, &[0xff; 40]));
            b
        }),
    ];
    // Valid HTTP/2, broken gRPC: a message shorter than its length prefix, and one that is not
    // protobuf.
    for (what, message) in [
        (
            "a gRPC message shorter than its prefix",
            vec![0, 0, 0, 0, 100, 1, 2, 3],
        ),
        (
            "a gRPC message that is not protobuf",
            vec![0, 0, 0, 0, 3, 0xff, 0xff, 0xff],
        ),
        (
            "a gRPC message flagged compressed without an encoding",
            vec![1, 0, 0, 0, 1, 0],
        ),
    ] {
        let mut b = preface.clone();
        b.extend(settings.clone());
        b.extend(frame(1, 0x4, 1, &grpc_headers(path)));
        b.extend(frame(0, 0x1, 1, &message));
        cases.push((what, b));
    }
    // The HTTP port takes the same abuse.
    for (port, addr) in [("gRPC", grpc), ("HTTP", server.addr)] {
        for (what, bytes) in &cases {
            let answer = send_and_drain(addr, bytes);
            eprintln!("{port} port, {what}: {} bytes back", answer.len());
        }
    }
    // Still serving on both ports.
    assert_eq!(server.get("/v2/health/ready").status, 200);
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/grpc_live.py");
    let out = run_python(&script, &[&grpc.to_string()], Duration::from_secs(30));
    assert!(out.contains("live ready"), "{out}");
    assert!(
        !server.log_text().contains("panicked"),
        "{}",
        server.log_text()
    );
}

#[test]
fn ten_thousand_idle_keep_alive_connections_stay_within_256_mib() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "models:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Server::start(&fx, "idle-connections", &config);
    let pid = server.child.id();
    let (idle_rss, _) = rss_kib(pid);
    const CONNECTIONS: usize = 10_000;
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/python/idle_connections.py");
    let mut client = Command::new("python3")
        .arg(script)
        .args([server.addr.to_string(), CONNECTIONS.to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(client.stdout.take().unwrap()).lines();
    let first = lines.next().and_then(Result::ok).unwrap_or_default();
    assert_eq!(
        first,
        format!("held {CONNECTIONS}"),
        "the client could not hold them"
    );
    // With every connection open and idle, the server still serves.
    let r = server.post_json("/v2/models/iris/infer", &iris_request(&[IRIS_ROWS[2].0]));
    assert_eq!(r.status, 200);
    let (rss, peak) = rss_kib(pid);
    drop(client.stdin.take());
    let _ = client.wait();
    eprintln!(
        "{CONNECTIONS} idle connections: RSS {} MiB (idle {} MiB), peak {} MiB",
        rss / 1024,
        idle_rss / 1024,
        peak / 1024
    );
    assert!(peak <= 256 * 1024, "peak RSS {peak} KiB over 256 MiB");
}

/// Reads one `Content-Length` response off a keep-alive connection; `None` when the
/// connection closed, timed out or broke first.
fn read_response(stream: &mut TcpStream) -> Option<String> {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            _ => return None,
        }
    }
    let head = String::from_utf8_lossy(&raw).into_owned();
    let length = common::content_length(&head);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(head)
}

const LIVE: &[u8] = b"GET /v2/health/live HTTP/1.1\r\nHost: test\r\n\r\n";

#[test]
fn slow_headers_are_cut_off_and_connections_are_bounded() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "server:\n  header_read_timeout: 1s\n  max_connections: 8\nmodels:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Server::start(&fx, "slowloris", &config);
    // A slowloris: headers trickled a line at a time, never finished.
    let mut slow = TcpStream::connect(server.addr).unwrap();
    slow.set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    slow.write_all(b"POST /v2/models/iris/infer HTTP/1.1\r\nHost: test\r\n")
        .unwrap();
    let started = Instant::now();
    loop {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "the trickling client was never cut off"
        );
        if slow.write_all(b"X-Slow: 1\r\n").is_err() {
            break;
        }
        let mut buf = [0u8; 256];
        match slow.read(&mut buf) {
            Err(e)
                if e.kind() == std::io::ErrorKind::WouldBlock
                    || e.kind() == std::io::ErrorKind::TimedOut => {}
            // Closed (or answered and closed): cut off.
            _ => break,
        }
    }
    eprintln!("slowloris cut off after {:?}", started.elapsed());

    // Eight connections held open (served once, now idle): a ninth waits in the backlog.
    let mut held: Vec<TcpStream> = (0..8)
        .map(|_| {
            let mut c = TcpStream::connect(server.addr).unwrap();
            c.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
            c.write_all(LIVE).unwrap();
            assert!(read_response(&mut c).unwrap().starts_with("HTTP/1.1 200"));
            c
        })
        .collect();
    let mut waiting = TcpStream::connect(server.addr).unwrap();
    waiting
        .set_read_timeout(Some(Duration::from_millis(500)))
        .unwrap();
    waiting.write_all(LIVE).unwrap();
    assert!(
        read_response(&mut waiting).is_none(),
        "a connection over max_connections was served"
    );
    // One held connection closes: the waiting one is served.
    drop(held.pop());
    waiting
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let answer = read_response(&mut waiting).expect("the waiting connection was not served");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[test]
fn overload_is_refused_with_429_and_memory_stays_within_the_queue() {
    let Some(fx) = fixtures() else { return };
    const QUEUE: usize = 2;
    const MAX_BODY: usize = 4 << 20;
    let config = format!(
        "server:\n  queue_depth: {QUEUE}\n  max_body_bytes: {MAX_BODY}\nmodels:\n  - name: ocr\n    path: {}\n",
        fx.model("ppocrv4_det.onnx").display()
    );
    let server = Arc::new(Server::start(&fx, "overload-rss", &config));
    // A 480×480 image, 2.7 MiB of FP32 as binary data.
    let side = 480;
    let bytes = vec![0u8; 3 * side * side * 4];
    let header = serde_json::json!({
        "inputs": [{"name": "x", "shape": [1, 3, side, side], "datatype": "FP32",
                    "parameters": {"binary_data_size": bytes.len()}}],
        "parameters": {"binary_data_output": true}
    })
    .to_string();
    let len = header.len().to_string();
    let mut body = header.into_bytes();
    body.extend_from_slice(&bytes);
    let body = Arc::new(body);
    let send = |server: &Server| {
        common::request(
            server.addr,
            "POST",
            "/v2/models/ocr/infer",
            &[("Inference-Header-Content-Length", &len)],
            &body,
        )
        .status
    };
    // Idle: served a few requests one at a time (ONNX Runtime's arena and the session
    // thread's buffers hold one run's memory from the first run on), nothing in flight. The
    // peak is counted from here.
    for _ in 0..3 {
        assert_eq!(send(&server), 200);
    }
    let (idle, _) = rss_kib(server.child.id());
    reset_peak_rss(server.child.id());
    const CLIENTS: usize = 16;
    let statuses: Vec<u16> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..CLIENTS)
            .map(|_| scope.spawn(|| (0..4).map(|_| send(&server)).collect::<Vec<u16>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap())
            .collect()
    });
    let (_, peak) = rss_kib(server.child.id());
    let ok = statuses.iter().filter(|s| **s == 200).count();
    let refused = statuses.iter().filter(|s| **s == 429).count();
    // The queue's bytes as docs/runtime.md defines them: `queue_depth` places, each holding at
    // most a body of `max_body_bytes` and its decoded tensors (binary data: no larger).
    let queue_kib = (QUEUE * 2 * MAX_BODY / 1024) as u64;
    eprintln!(
        "{ok} served, {refused} refused; RSS idle {} KiB, peak under overload {} KiB (+{} KiB), queue's bytes {} KiB",
        idle,
        peak,
        peak.saturating_sub(idle),
        queue_kib
    );
    assert_eq!(ok + refused, statuses.len(), "{statuses:?}");
    assert!(refused > 0, "no 429 under overload");
    assert!(
        peak <= idle + queue_kib,
        "peak RSS under overload {peak} KiB is over idle {idle} KiB + the queue's {queue_kib} KiB"
    );
}
