//! End to end on 127.0.0.1: a real `mlc-serve` serving `iris_logreg.onnx` as two models, one
//! slow on purpose (a 700 ms batch delay) and one failing on purpose (a 3 s batch delay past
//! the server's 1 s request timeout, so its requests end in 504), scraped by a real Prometheus
//! as the PodMonitors `mlc build` emitted describe (path, interval, timeout and relabellings,
//! turned into static scrape configs). After bounded load, Prometheus' HTTP API shows the
//! emitted expressions returning what the load implies: the slow model's p95 latency above
//! 500 ms and its error ratio 0 (its malformed requests are 400s), the failing model's error
//! ratio above 0.5; each alert expression selects exactly the model it should; every
//! mlc-serve metric the rules and the dashboard name is among the scraped series. Every wait
//! is bounded (at most about 45 s in all); the whole test takes about 15 s.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly"
)]

mod monitoring;
mod support;

use std::io::{Read as _, Write as _};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

const PROJECT: &str = r#"
project shop {
    kubernetes "1.33"
    image base="debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f" revision="v0.1.0"
    monitoring monitor=pod-monitor interval="1s" scrape-timeout="1s"
}
environment prod namespace=shop-prod
model slow {
    artifact "s3://models/iris/model.onnx" sha256="9f2c1b7e4d3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
    serve deployment
    autoscale min=2 max=4 {
        cpu 70
    }
}
model failing {
    artifact "s3://models/iris/model.onnx" sha256="9f2c1b7e4d3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
    serve deployment
    autoscale min=2 max=4 {
        cpu 70
    }
}
"#;

const IRIS: &str =
    r#"{"inputs":[{"name":"X","shape":[1,4],"datatype":"FP32","data":[5.1,3.5,1.4,0.2]}]}"#;

/// Kills a process we started when the test ends, however it ends.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// One HTTP/1.0 request (no chunked answers); the status and body, `None` when nobody answers.
fn http(port: u16, method: &str, path: &str, body: &str) -> Option<(u16, String)> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    let request = format!(
        "{method} {path} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    stream.write_all(request.as_bytes()).ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    let status = response.split_whitespace().nth(1)?.parse().ok()?;
    let body = response
        .split_once("\r\n\r\n")
        .map_or("", |(_, b)| b)
        .to_owned();
    Some((status, body))
}

fn wait_for(what: &str, limit: Duration, mut ready: impl FnMut() -> bool) {
    let start = Instant::now();
    while !ready() {
        assert!(start.elapsed() < limit, "{what} not ready within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn ort_library() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from) {
        return path.is_file().then_some(path);
    }
    let out = Command::new("python3")
        .args([
            "-c",
            "import onnxruntime, os; print(os.path.join(os.path.dirname(onnxruntime.__file__), 'capi', 'libonnxruntime.so.' + onnxruntime.__version__))",
        ])
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && path.is_file()).then_some(path)
}

/// Builds `mlc-serve` in this test's target directory (a no-op when up to date).
fn mlc_serve() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    let target = exe.ancestors().nth(3).unwrap().to_path_buf();
    let status = Command::new(option_env!("CARGO").unwrap_or("cargo"))
        .args(["build", "--quiet", "--package", "mlc-serve", "--target-dir"])
        .arg(&target)
        .current_dir(support::repo())
        .status()
        .unwrap();
    assert!(status.success(), "cargo build -p mlc-serve failed");
    target.join("debug").join("mlc-serve")
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
fn query(port: u16, expr: &str) -> Vec<(Value, f64)> {
    let (status, body) = http(
        port,
        "GET",
        &format!("/api/v1/query?query={}", percent_encode(expr)),
        "",
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

/// A PodMonitor endpoint as a Prometheus scrape config for the target `127.0.0.1:port`.
fn scrape_config(monitor: &Value, port: u16) -> Value {
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

/// The alert expression without its comparison: what the alert measures.
fn measure(expr: &str) -> &str {
    expr.rsplit_once(" > ").map_or(expr, |(m, _)| m)
}

fn rule_of<'a>(rules: &'a [(String, Value)], model: &str, alert: &str) -> &'a str {
    rules
        .iter()
        .find(|(_, r)| r["metadata"]["name"] == model)
        .and_then(|(_, r)| {
            r["spec"]["groups"][0]["rules"]
                .as_array()?
                .iter()
                .find(|x| x["alert"] == alert)?["expr"]
                .as_str()
        })
        .unwrap_or_else(|| panic!("no {alert} rule for {model}"))
}

fn load(
    port: u16,
    model: &str,
    body: &'static str,
    until: Instant,
) -> std::thread::JoinHandle<Vec<u16>> {
    let path = format!("/v2/models/{model}/infer");
    std::thread::spawn(move || {
        let mut codes = Vec::new();
        while Instant::now() < until {
            if let Some((status, _)) = http(port, "POST", &path, body) {
                codes.push(status);
            }
        }
        codes
    })
}

#[test]
fn prometheus_scraping_mlc_serve_as_emitted_sees_the_injected_latency_and_errors() {
    let started = Instant::now();
    if !monitoring::tool("prometheus") {
        return;
    }
    let Some(model) = support::find_model("iris_logreg.onnx") else {
        support::skip("iris_logreg.onnx is missing (tests/fixtures/models)");
        return;
    };
    let Some(ort) = ort_library() else {
        support::skip("ONNX Runtime library not found (`source .ci/setup` sets ORT_DYLIB_PATH)");
        return;
    };
    let (dir, out) = monitoring::build(&[("mlc.kdl", PROJECT)]);
    let monitors = monitoring::objects(&out, "PodMonitor");
    let rules = monitoring::objects(&out, "PrometheusRule");
    assert_eq!((monitors.len(), rules.len()), (2, 2));

    let serve_port = free_port();
    let config = dir.path().join("serve.yaml");
    std::fs::write(
        &config,
        format!(
            "server:\n  host: 127.0.0.1\n  port: {serve_port}\n  request_timeout: 1s\nmodels:\n  - name: slow\n    path: {m}\n    batching:\n      max_batch_size: 64\n      max_queue_delay: 700ms\n  - name: failing\n    path: {m}\n    batching:\n      max_batch_size: 64\n      max_queue_delay: 3s\n",
            m = model.display()
        ),
    )
    .unwrap();
    let _serve = Running(
        Command::new(mlc_serve())
            .arg("--config")
            .arg(&config)
            .env("ORT_DYLIB_PATH", &ort)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start mlc-serve"),
    );
    wait_for("mlc-serve", Duration::from_secs(10), || {
        http(serve_port, "GET", "/v2/health/ready", "").is_some_and(|(s, _)| s == 200)
    });

    // Before Prometheus starts, every series the load moves exists (a counter that first
    // appears during the window would count from its first scrape, not from 0): slow 200s,
    // failing 504s (the first request to an idle batcher may still run in time), and a few
    // malformed requests (400, not a server error).
    let warm = Instant::now() + Duration::from_secs(2);
    let mut warm_codes: Vec<u16> = [
        load(serve_port, "slow", IRIS, warm),
        load(serve_port, "failing", IRIS, warm),
    ]
    .into_iter()
    .flat_map(|w| w.join().unwrap())
    .collect();
    for _ in 0..5 {
        warm_codes.extend(
            http(
                serve_port,
                "POST",
                "/v2/models/slow/infer",
                "{\"inputs\": 3}",
            )
            .map(|r| r.0),
        );
    }
    assert!(
        warm_codes.contains(&504) && warm_codes.contains(&400),
        "{warm_codes:?}"
    );

    let prom_port = free_port();
    let scrape: Vec<Value> = monitors
        .iter()
        .map(|(_, m)| scrape_config(m, serve_port))
        .collect();
    std::fs::write(
        dir.path().join("prometheus.yml"),
        serde_yaml::to_string(
            &json!({"global": {"evaluation_interval": "1s"}, "scrape_configs": scrape}),
        )
        .unwrap(),
    )
    .unwrap();
    let _prometheus = Running(
        Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("tsdb").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{prom_port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start prometheus"),
    );
    wait_for("prometheus", Duration::from_secs(10), || {
        http(prom_port, "GET", "/-/ready", "").is_some_and(|(s, _)| s == 200)
    });

    // Once both targets are scraped, six seconds of load: slow requests (each waits for
    // its batch to fill) and failing ones (504 after the 1 s timeout).
    wait_for("the first scrapes", Duration::from_secs(5), || {
        query(prom_port, "up == 1").len() == 2
    });
    let until = Instant::now() + Duration::from_secs(6);
    let workers: Vec<_> = (0..3)
        .map(|_| load(serve_port, "slow", IRIS, until))
        .chain((0..3).map(|_| load(serve_port, "failing", IRIS, until)))
        .collect();
    let codes: Vec<u16> = workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect();
    assert!(codes.contains(&200) && codes.contains(&504), "{codes:?}");

    let slow_latency = measure(rule_of(&rules, "slow", "ModelLatencyHigh")).to_owned();
    let slow_errors = measure(rule_of(&rules, "slow", "ModelErrorRatioHigh")).to_owned();
    let failing_errors = measure(rule_of(&rules, "failing", "ModelErrorRatioHigh")).to_owned();
    // Two scrapes after the load ended, each series has its final counts.
    let mut values = (Vec::new(), Vec::new(), Vec::new());
    wait_for(
        "the scrapes after the load",
        Duration::from_secs(10),
        || {
            values = (
                query(prom_port, &slow_latency),
                query(prom_port, &slow_errors),
                query(prom_port, &failing_errors),
            );
            values.0.first().is_some_and(|(_, v)| *v > 0.5)
                && values.2.first().is_some_and(|(_, v)| *v > 0.5)
        },
    );
    let latency = values.0[0].1;
    assert!(
        latency > 0.5 && latency <= 1.0,
        "slow p95 latency {latency}"
    );
    assert_eq!(values.1.len(), 1);
    assert!(
        values.1[0].1.abs() < f64::EPSILON,
        "slow error ratio {}",
        values.1[0].1
    );
    assert!(
        values.2[0].1 > 0.5 && values.2[0].1 <= 1.0,
        "failing error ratio {}",
        values.2[0].1
    );

    // The alert expressions themselves: the slow model is above its latency threshold and
    // below its error threshold; the failing model above its error threshold.
    assert_eq!(
        query(prom_port, rule_of(&rules, "slow", "ModelLatencyHigh")).len(),
        1
    );
    assert!(query(prom_port, rule_of(&rules, "slow", "ModelErrorRatioHigh")).is_empty());
    assert_eq!(
        query(prom_port, rule_of(&rules, "failing", "ModelErrorRatioHigh")).len(),
        1
    );

    // Every mlc-serve metric the rules and the dashboard name is scraped.
    let (_, body) = http(prom_port, "GET", "/api/v1/label/__name__/values", "").unwrap();
    let names: Value = serde_json::from_str(&body).unwrap();
    let scraped: Vec<&str> = names["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    let mut referenced: Vec<String> = rules
        .iter()
        .flat_map(|(_, r)| monitoring::rule_exprs(r))
        .chain(
            monitoring::dashboards(&out)
                .iter()
                .flat_map(|(_, b)| monitoring::panel_queries(b)),
        )
        .flat_map(|e| monitoring::metric_names(&e))
        .filter(|n| n.starts_with("mlc_serve_"))
        .collect();
    referenced.sort();
    referenced.dedup();
    assert!(referenced.len() >= 5, "{referenced:?}");
    for name in &referenced {
        assert!(
            scraped.contains(&name.as_str()),
            "{name} is not among the scraped series {scraped:?}"
        );
    }
    eprintln!(
        "monitoring e2e: slow p95 {latency:.3} s, failing error ratio {:.2}, {} requests, {} metric names checked, {:.1} s",
        values.2[0].1,
        codes.len(),
        referenced.len(),
        started.elapsed().as_secs_f64()
    );
}
