//! Requests through the proxy: HTTP/1.1 clients that keep their connection alive (so a split
//! that held per connection rather than per request would show), each answer's
//! `model_version` counted.

use std::collections::BTreeMap;
use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpStream;
use std::time::Duration;

/// One kept-alive client connection to 127.0.0.1:`port`, reopened when the server closes it.
pub struct Client {
    port: u16,
    conn: Option<BufReader<TcpStream>>,
    /// How many connections it opened.
    pub opened: usize,
}

impl Client {
    /// A client of 127.0.0.1:`port`, not connected yet.
    pub fn new(port: u16) -> Self {
        Self {
            port,
            conn: None,
            opened: 0,
        }
    }

    /// `POST path` with `Host: host` and a JSON `body`: the status and the body.
    pub fn post(&mut self, host: &str, path: &str, body: &str) -> Result<(u16, String), String> {
        let conn = match self.conn.take() {
            Some(conn) => conn,
            None => {
                let stream = TcpStream::connect(("127.0.0.1", self.port))
                    .map_err(|e| format!("connect to 127.0.0.1:{}: {e}", self.port))?;
                stream
                    .set_read_timeout(Some(Duration::from_secs(30)))
                    .map_err(|e| e.to_string())?;
                self.opened += 1;
                BufReader::new(stream)
            }
        };
        let mut conn = conn;
        let head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        let stream = conn.get_mut();
        stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(body.as_bytes()))
            .map_err(|e| format!("send: {e}"))?;
        let mut line = String::new();
        conn.read_line(&mut line)
            .map_err(|e| format!("status line: {e}"))?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| format!("not an HTTP status line: {line:?}"))?;
        let (mut length, mut close) = (None, false);
        loop {
            line.clear();
            conn.read_line(&mut line)
                .map_err(|e| format!("headers: {e}"))?;
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            let (name, value) = header.split_once(':').unwrap_or((header, ""));
            match name.to_ascii_lowercase().as_str() {
                "content-length" => length = value.trim().parse::<usize>().ok(),
                "connection" => close = value.trim().eq_ignore_ascii_case("close"),
                "transfer-encoding" => return Err(format!("unexpected {header}")),
                _ => {}
            }
        }
        let length = length.ok_or("an answer without Content-Length")?;
        let mut body = vec![0; length];
        conn.read_exact(&mut body)
            .map_err(|e| format!("body: {e}"))?;
        if !close {
            self.conn = Some(conn);
        }
        Ok((status, String::from_utf8_lossy(&body).into_owned()))
    }
}

/// What `clients` kept-alive clients saw sending `total` requests between them.
#[derive(Debug, Default)]
pub struct Seen {
    /// Answers with status 200, by their `model_version`.
    pub versions: BTreeMap<String, usize>,
    /// Every other answer or failure, as `status: body` or the error.
    pub failures: Vec<String>,
    /// Connections the clients opened.
    pub connections: usize,
}

/// Sends `total` inference requests (`body` to `path`, `Host: host`) through 127.0.0.1:`port`
/// from `clients` concurrent clients.
pub fn send(port: u16, host: &str, path: &str, body: &str, total: usize, clients: usize) -> Seen {
    let seen = std::thread::scope(|s| {
        let workers: Vec<_> = (0..clients)
            .map(|c| {
                let count = total / clients + usize::from(c < total % clients);
                s.spawn(move || {
                    let mut client = Client::new(port);
                    let mut seen = Seen::default();
                    for _ in 0..count {
                        match client.post(host, path, body) {
                            Ok((200, answer)) => {
                                let version = serde_json::from_str::<serde_json::Value>(&answer)
                                    .ok()
                                    .and_then(|v| v["model_version"].as_str().map(str::to_owned))
                                    .unwrap_or_else(|| format!("(no model_version in {answer})"));
                                *seen.versions.entry(version).or_default() += 1;
                            }
                            Ok((status, answer)) => {
                                seen.failures.push(format!("{status}: {answer}"));
                            }
                            Err(e) => seen.failures.push(e),
                        }
                    }
                    seen.connections = client.opened;
                    seen
                })
            })
            .collect();
        workers
            .into_iter()
            .map(|w| w.join().expect("client thread"))
            .collect::<Vec<_>>()
    });
    let mut all = Seen::default();
    for s in seen {
        for (v, n) in s.versions {
            *all.versions.entry(v).or_default() += n;
        }
        all.failures.extend(s.failures);
        all.connections += s.connections;
    }
    all
}
