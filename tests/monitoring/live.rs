//! Real processes for `tests/monitoring_e2e.rs`: `mlc-serve` and Prometheus on 127.0.0.1, a
//! tiny HTTP/1.1 client, Prometheus' query API, and a PodMonitor turned into a static scrape
//! config. Every wait is bounded.

use std::fmt::Write as _;
use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

/// Kills a process we started when the test ends, however it ends.
pub struct Running(pub Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A free port on 127.0.0.1.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One request (`Connection: close`); the status and body, `None` when nobody answers. The
/// body is written even when the server has already answered (a 429 or 413 comes before the
/// body is read), and the answer read after.
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> Option<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_mins(1))).ok()?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        let _ = write!(head, "{k}: {v}\r\n");
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).ok()?;
    let _ = stream.write_all(body);
    let mut raw = Vec::new();
    let _ = stream.read_to_end(&mut raw);
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&raw[..split]).ok()?;
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    Some((status, raw[split + 4..].to_vec()))
}

/// A GET's status and body as text.
pub fn get(port: u16, path: &str) -> Option<(u16, String)> {
    http(port, "GET", path, &[], b"").map(|(s, b)| (s, String::from_utf8_lossy(&b).into_owned()))
}

/// Waits until `ready`, at most `limit` (then the test fails naming `what`).
pub fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "{what} not ready within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// Builds `mlc-serve` in this test's target directory (a no-op when up to date).
pub fn mlc_serve() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap().to_path_buf();
    let status = Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .args(["build", "--quiet", "--package", "mlc-serve", "--target-dir"])
        .arg(&target)
        .current_dir(crate::support::repo())
        .status()
        .unwrap();
    assert!(status.success(), "cargo build -p mlc-serve failed");
    target.join("debug").join("mlc-serve")
}

/// Starts `mlc-serve` with the config file `config` listening on `port`; waits until ready.
pub fn start_serve(binary: &Path, ort: &Path, config: &Path, port: u16) -> Running {
    let serve = Running(
        Command::new(binary)
            .arg("--config")
            .arg(config)
            .env("ORT_DYLIB_PATH", ort)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mlc-serve"),
    );
    wait_for("mlc-serve", Duration::from_secs(20), || {
        get(port, "/v2/health/ready").is_some_and(|(s, _)| s == 200)
    });
    serve
}

/// Starts Prometheus in `dir` with `scrape_configs`, evaluating every second; waits until ready.
pub fn start_prometheus(dir: &Path, port: u16, scrape_configs: &[Value]) -> Running {
    let config = dir.join("prometheus.yml");
    std::fs::write(
        &config,
        serde_yaml::to_string(
            &json!({"global": {"evaluation_interval": "1s"}, "scrape_configs": scrape_configs}),
        )
        .unwrap(),
    )
    .unwrap();
    let prometheus = Running(
        Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus"),
    );
    wait_for("prometheus", Duration::from_secs(20), || {
        get(port, "/-/ready").is_some_and(|(s, _)| s == 200)
    });
    prometheus
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An instant query: each result's labels and value.
pub fn query(port: u16, expr: &str) -> Vec<(Value, f64)> {
    let (status, body) = get(
        port,
        &format!("/api/v1/query?query={}", percent_encode(expr)),
    )
    .expect("Prometheus answers");
    assert_eq!(status, 200, "{expr}: {body}");
    let v: Value = serde_json::from_str(&body).unwrap();
    v["data"]["result"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let value = r["value"][1].as_str().unwrap().parse().unwrap();
            (r["metric"].clone(), value)
        })
        .collect()
}

/// The one value of an instant query that must return exactly one series.
pub fn scalar(port: u16, expr: &str) -> f64 {
    let result = query(port, expr);
    assert_eq!(result.len(), 1, "{expr}: {result:?}");
    result[0].1
}

/// Every metric name Prometheus has scraped.
pub fn scraped_names(port: u16) -> Vec<String> {
    let (_, body) = get(port, "/api/v1/label/__name__/values").unwrap();
    let names: Value = serde_json::from_str(&body).unwrap();
    names["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n.as_str().map(str::to_owned))
        .collect()
}

/// A PodMonitor endpoint as a Prometheus scrape config for the target `127.0.0.1:port`.
pub fn scrape_config(monitor: &Value, port: u16) -> Value {
    let ep = &monitor["spec"]["podMetricsEndpoints"][0];
    let relabel: Vec<Value> = ep["relabelings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            json!({
                "action": r["action"].as_str().unwrap().to_lowercase(),
                "target_label": r["targetLabel"],
                "replacement": r["replacement"],
            })
        })
        .collect();
    json!({
        "job_name": format!("{}/{}", monitor["metadata"]["namespace"].as_str().unwrap(), monitor["metadata"]["name"].as_str().unwrap()),
        "metrics_path": ep["path"],
        "scrape_interval": ep["interval"],
        "scrape_timeout": ep["scrapeTimeout"],
        "static_configs": [{"targets": [format!("127.0.0.1:{port}")]}],
        "relabel_configs": relabel,
    })
}

/// The sum of the `mlc_serve_requests_total` samples of `model` in mlc-serve's own `/metrics`.
pub fn served_requests(port: u16, model: &str) -> f64 {
    let (_, text) = get(port, "/metrics").expect("mlc-serve answers /metrics");
    let label = format!("model=\"{model}\"");
    text.lines()
        .filter(|l| l.starts_with("mlc_serve_requests_total{") && l.contains(&label))
        .filter_map(|l| l.rsplit_once(' ')?.1.parse::<f64>().ok())
        .sum()
}
