//! Answers sent before the request body is read (a 429 taken before the body, a 404), with the
//! real binary on 127.0.0.1, bounded in time: a client that writes its whole large body before
//! reading, as most HTTP clients do, gets the answer and not a reset connection, because the
//! server reads and discards the rest of the body; the connection then serves the next request.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::float_cmp,
    reason = "test code: a failed expectation panics, gauges are exact"
)]

mod common;

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use common::{Server, fixtures, metric};

/// Larger than what the loopback socket buffers hold (a 4 MiB send buffer and the receiver's
/// initial window), so without a drain the server would close with unread bytes.
const LARGE: usize = 12 << 20;

fn connect(addr: SocketAddr) -> TcpStream {
    let stream = TcpStream::connect(addr).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
}

/// Writes a POST of `len` body bytes (all of them, before reading anything), then reads one
/// response: its head, or how the connection failed.
fn post_all_then_read(stream: &mut TcpStream, path: &str, len: usize) -> Result<String, String> {
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: {len}\r\n\r\n"
    );
    stream
        .write_all(head.as_bytes())
        .map_err(|e| format!("writing the head: {e}"))?;
    let chunk = vec![b' '; 64 << 10];
    let mut left = len;
    while left > 0 {
        let n = left.min(chunk.len());
        stream
            .write_all(&chunk[..n])
            .map_err(|e| format!("writing the body, {left} bytes left: {e}"))?;
        left -= n;
    }
    read_response(stream)
}

/// Reads one `Content-Length` response; its head.
fn read_response(stream: &mut TcpStream) -> Result<String, String> {
    let mut raw = Vec::new();
    let mut byte = [0u8; 1];
    while !raw.ends_with(b"\r\n\r\n") {
        match stream.read(&mut byte) {
            Ok(1) => raw.push(byte[0]),
            Ok(_) => return Err("the connection closed before a response".to_owned()),
            Err(e) => return Err(format!("reading the response: {e}")),
        }
    }
    let head = String::from_utf8_lossy(&raw).into_owned();
    let length = common::content_length(&head);
    let mut body = vec![0u8; length];
    stream
        .read_exact(&mut body)
        .map_err(|e| format!("reading the response body: {e}"))?;
    Ok(head)
}

fn live(stream: &mut TcpStream) -> Result<String, String> {
    stream
        .write_all(b"GET /v2/health/live HTTP/1.1\r\nHost: test\r\n\r\n")
        .map_err(|e| e.to_string())?;
    read_response(stream)
}

#[test]
fn a_429_before_a_large_body_reaches_a_client_still_sending_and_the_connection_serves_on() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "server:\n  queue_depth: 1\n  max_body_bytes: 16777216\n  request_timeout: 20s\nmodels:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Server::start(&fx, "early-429", &config);
    // A request whose body has not arrived yet holds the model's one queue place.
    let mut holder = connect(server.addr);
    holder
        .write_all(b"POST /v2/models/iris/infer HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
        .unwrap();
    let started = Instant::now();
    while metric(&server.metrics(), "mlc_serve_queue_depth{model=\"iris\"}") != 1.0 {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the held request never took its queue place"
        );
        std::thread::sleep(Duration::from_millis(20));
    }

    // The queue is full: a large request is refused before its body is read, and its client,
    // which writes the whole body before reading, still gets the 429.
    let mut client = connect(server.addr);
    for round in 0..2 {
        let head = post_all_then_read(&mut client, "/v2/models/iris/infer", LARGE)
            .unwrap_or_else(|e| panic!("round {round}: {e}"));
        assert!(head.starts_with("HTTP/1.1 429"), "round {round}: {head}");
        assert!(
            head.to_ascii_lowercase().contains("retry-after: 1"),
            "{head}"
        );
    }
    // The body was drained whole: the same connection serves the next request.
    let head = live(&mut client).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    // Unknown model, answered before the body is read, on the same connection.
    let head = post_all_then_read(&mut client, "/v2/models/nope/infer", LARGE).unwrap();
    assert!(head.starts_with("HTTP/1.1 404"), "{head}");
    let head = live(&mut client).unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");

    // The held request completes its body (not valid JSON: 400) and frees its place.
    holder.write_all(&[b' '; 99]).unwrap();
    let head = read_response(&mut holder).unwrap();
    assert!(head.starts_with("HTTP/1.1 400"), "{head}");
}

#[test]
fn a_body_declared_over_the_limit_is_answered_413_with_connection_close() {
    let Some(fx) = fixtures() else { return };
    let config = format!(
        "server:\n  max_body_bytes: 1048576\nmodels:\n  - name: iris\n    path: {}\n",
        fx.model("iris_logreg.onnx").display()
    );
    let server = Server::start(&fx, "early-413", &config);
    // A client that reads while it sends (as curl does) gets the 413 at once; the server
    // reads up to the limit meanwhile and then closes, since the rest cannot be drained.
    let mut client = connect(server.addr);
    client
        .write_all(
            format!(
                "POST /v2/models/iris/infer HTTP/1.1\r\nHost: test\r\nContent-Length: {}\r\n\r\n",
                4 << 20
            )
            .as_bytes(),
        )
        .unwrap();
    let head = read_response(&mut client).unwrap();
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    assert!(
        head.to_ascii_lowercase().contains("connection: close"),
        "{head}"
    );
}
