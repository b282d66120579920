//! A real HAProxy routing as the followed objects say: one frontend on 127.0.0.1 matching each
//! route's hosts (the `Host` header without its port) and path prefixes in order, one backend
//! per rule with a weighted `server` line per destination (`balance roundrobin`, which
//! honours the weights request by request, also on a kept-alive client connection), each
//! server at the local port standing in for that destination's pod and container port.

use std::fmt::Write as _;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use super::follow::Route;
use super::live::{Running, wait_for};
use super::pods::Pod;

/// HAProxy's largest server weight.
const MAX_WEIGHT: u32 = 256;

fn gcd(a: u32, b: u32) -> u32 {
    if b == 0 { a } else { gcd(b, a % b) }
}

/// The configuration for `routes` on 127.0.0.1:`port`; `local` gives the port on 127.0.0.1
/// where a pod's container port answers.
pub fn config(
    routes: &[Route],
    port: u16,
    local: impl Fn(&Pod, u16) -> Option<u16>,
) -> Result<String, String> {
    let mut front = format!(
        "global\n    maxconn 512\n\ndefaults\n    mode http\n    timeout connect 5s\n    timeout client 60s\n    timeout server 60s\n\nfrontend router\n    bind 127.0.0.1:{port}\n    http-request set-var(txn.host) req.hdr(host),field(1,:),lower\n"
    );
    let mut backs = String::new();
    for (r, route) in routes.iter().enumerate() {
        let hosts = if route.hosts.is_empty() {
            String::new()
        } else {
            for host in &route.hosts {
                let host = host.to_lowercase();
                let test = host.strip_prefix('*').map_or_else(
                    || format!("-m str {host}"),
                    |suffix| format!("-m end {suffix}"),
                );
                let _ = writeln!(front, "    acl route{r}_host var(txn.host) {test}");
            }
            format!(" route{r}_host")
        };
        for (i, rule) in route.rules.iter().enumerate() {
            let name = format!("route{r}_rule{i}");
            let _ = writeln!(front, "    acl {name}_path path_beg {}", rule.prefix);
            let _ = writeln!(front, "    use_backend {name} if{hosts} {name}_path");
            let divisor = rule.backends.iter().fold(0, |g, b| gcd(g, b.weight));
            if divisor == 0 {
                return Err(format!("{} rule {i}: every weight is 0", route.source));
            }
            let _ = writeln!(backs, "\nbackend {name}\n    balance roundrobin");
            for (j, b) in rule.backends.iter().enumerate() {
                let weight = b.weight / divisor;
                if weight > MAX_WEIGHT {
                    return Err(format!(
                        "{} rule {i}: weights {:?} do not reduce to HAProxy's 0..={MAX_WEIGHT}",
                        route.source,
                        rule.backends.iter().map(|b| b.weight).collect::<Vec<_>>()
                    ));
                }
                let to = local(&b.pod, b.port).ok_or_else(|| {
                    format!(
                        "no local stand-in for Deployment {} port {}",
                        b.pod.deployment, b.port
                    )
                })?;
                let _ = writeln!(
                    backs,
                    "    server {}-{j} 127.0.0.1:{to} weight {weight}",
                    b.pod.deployment
                );
            }
        }
    }
    Ok(front + &backs)
}

/// Checks `config` with `haproxy -c`, then runs HAProxy in the foreground with it until dropped;
/// returns once its port accepts connections.
pub fn start(dir: &Path, config: &str, port: u16) -> Running {
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, config).expect("write haproxy.cfg");
    let check = Command::new("haproxy")
        .arg("-c")
        .arg("-f")
        .arg(&file)
        .output()
        .expect("run haproxy -c");
    assert!(
        check.status.success(),
        "haproxy -c refuses the generated configuration:\n{config}\n{}{}",
        String::from_utf8_lossy(&check.stdout),
        String::from_utf8_lossy(&check.stderr)
    );
    let proxy = Running(
        Command::new("haproxy")
            .arg("-db")
            .arg("-f")
            .arg(&file)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start haproxy"),
    );
    wait_for("haproxy", Duration::from_secs(10), || {
        TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    proxy
}
