//! A client that reports broken connections instead of panicking, and the memory of a process,
//! for the fault tests.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

/// What one request got: an HTTP status, or how the connection failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// A complete response head with this status.
    Status(u16),
    /// `connect` was refused: nobody listens (after shutdown).
    Refused,
    /// The connection was reset or closed before a response: what a drain must never do.
    Broken,
}

/// Sends `body` to `path` on a fresh connection (`Connection: close`).
pub(crate) fn try_post(addr: SocketAddr, path: &str, body: &[u8]) -> Outcome {
    let mut stream = match TcpStream::connect(addr) {
        Ok(s) => s,
        Err(e) if e.kind() == std::io::ErrorKind::ConnectionRefused => return Outcome::Refused,
        Err(_) => return Outcome::Broken,
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(30)));
    let head = format!(
        "POST {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    if stream.write_all(head.as_bytes()).is_err() || stream.write_all(body).is_err() {
        return Outcome::Broken;
    }
    let mut raw = Vec::new();
    if stream.read_to_end(&mut raw).is_err() {
        return Outcome::Broken;
    }
    let text = String::from_utf8_lossy(&raw);
    text.strip_prefix("HTTP/1.1 ")
        .and_then(|rest| rest.get(..3))
        .and_then(|code| code.parse().ok())
        .map_or(Outcome::Broken, Outcome::Status)
}

/// The resident set of process `pid` now and at its peak, in KiB (`VmRSS`, `VmHWM`).
pub(crate) fn rss_kib(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak resident set (`VmHWM`) of process `pid` to its current size (Linux
/// `clear_refs`), so a later [`rss_kib`] peak covers only what happened since.
pub(crate) fn reset_peak_rss(pid: u32) {
    std::fs::write(format!("/proc/{pid}/clear_refs"), "5")
        .unwrap_or_else(|e| panic!("cannot reset the peak RSS of process {pid}: {e}"));
}
