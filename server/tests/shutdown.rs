//! Graceful shutdown of the real binary: on SIGTERM readiness turns 503 at once, new inference
//! requests get 503 (no drain delay here), the request in flight finishes, and the process
//! exits 0 within the grace.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::float_cmp,
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    clippy::cast_possible_wrap,
    reason = "test code: a failed expectation panics, exact values are intended"
)]

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use common::{IRIS_ROWS, Server, fixtures, iris_request};

#[test]
fn sigterm_drains_in_flight_requests_then_exits_zero() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "server:\n  shutdown_grace: 10s\nmodels:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    let mut server = Server::start(&fx, "shutdown", &config);
    let addr = server.addr;
    // A request whose body is held back stays in flight (admitted, reading its body) until
    // the rest is sent.
    let body = iris_request(&[IRIS_ROWS[2].0]).to_string().into_bytes();
    let (first, rest) = body.split_at(body.len() / 2);
    let mut stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let head = format!(
        "POST /v2/models/iris/infer HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(first).unwrap();
    // Wait until the request is admitted (in flight), however slow the machine is.
    let admitted = Instant::now();
    while common::metric(
        &server.metrics(),
        "mlc_serve_in_flight_requests{model=\"iris\"}",
    ) < 1.0
    {
        assert!(
            admitted.elapsed() < Duration::from_secs(5),
            "the request was never admitted"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
    let signalled = Instant::now();
    server.sigterm();

    let mut ready_status = 200;
    while signalled.elapsed() < Duration::from_secs(1) {
        ready_status = server.get("/v2/health/ready").status;
        if ready_status == 503 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(ready_status, 503, "readiness did not turn false");
    assert_eq!(server.get("/v2/health/live").status, 200);
    let refused = server.post_json("/v2/models/iris/infer", &iris_request(&[IRIS_ROWS[0].0]));
    assert_eq!(refused.status, 503);
    assert!(refused.error().contains("shutting down"));

    stream.write_all(rest).unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).unwrap();
    let answer = String::from_utf8_lossy(&answer);
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(answer.contains(r#""data":[2]"#), "{answer}");

    let status = server
        .wait_exit(Duration::from_secs(5))
        .expect("mlc-serve did not exit");
    assert!(
        status.success(),
        "exit status {status:?}\n{}",
        server.log_text()
    );
    assert!(signalled.elapsed() < Duration::from_secs(5));
    std::thread::sleep(Duration::from_millis(50));
    let log = server.log_text();
    assert!(
        log.contains("shutting down") && log.contains("stopped"),
        "{log}"
    );
}
