//! The gRPC side of a test server: its address, read from the start-up log.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::Server;

/// The address the server's gRPC listener reported (`gRPC listening on ADDR`).
pub(crate) fn grpc_addr(server: &Server) -> SocketAddr {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let log = server.log_text();
        if let Some(rest) = log.split("gRPC listening on ").nth(1) {
            let addr = rest
                .split(|c: char| c.is_whitespace() || c == '"')
                .next()
                .unwrap_or("");
            return addr.parse().unwrap_or_else(|e| panic!("`{addr}`: {e}"));
        }
        assert!(
            Instant::now() < deadline,
            "no gRPC listener in the log:\n{log}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
