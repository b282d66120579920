//! End to end on 127.0.0.1: two real `mlc-serve` processes, each serving the PP-OCRv4 text
//! detector (`ppocrv4_det.onnx`, a real convolutional network whose run time grows with the
//! image) with one ONNX Runtime session, scraped by a real Prometheus as the PodMonitors
//! `mlc build` emitted describe (path, interval, timeout and relabellings, turned into static
//! scrape configs), one target per model as one pod per model would be.
//!
//! - `slow`: the server's defaults (a 256-request queue, a 30 s timeout). The injected load is
//!   eight clients sending 480×480 images at once: each request waits in the queue for the
//!   runs before it, so queue time dominates its latency. A few malformed bodies get 400.
//! - `failing`: a tiny queue (`queue_depth: 1`) and a short `request_timeout` (250 ms). The
//!   injected load is six clients sending 960×960 images, whose run takes longer than the
//!   timeout: admitted requests end in 504, the others find the queue full and get 429 (the
//!   clients honour `Retry-After`).
//!
//! Before the load both models answer small images quickly, and Prometheus' HTTP API shows
//! every emitted latency, error and rejected expression below its alert threshold; after
//! the load it shows the slow model's p95 latency above its threshold with no errors, and the
//! failing model's error and rejected ratios above theirs; each alert expression selects
//! exactly the model it should, and every mlc-serve metric the rules and the dashboard name
//! is among the scraped series. The values are the expressions' own; nothing is timed but the
//! bounded waits (the test takes about 30 s and stops by itself).

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    clippy::print_stderr,
    reason = "tests fail loudly"
)]

mod monitoring;
mod support;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use monitoring::live::{self, Running};
use serde_json::Value;

const PROJECT: &str = r#"
project shop {
    kubernetes "1.33"
    image base="debian:bookworm-slim@sha256:2a3d4b2bd1b9e4f55c2b9d6c3f1e7a8b9c0d1e2f3a4b5c6d7e8f9a0b1c2d3e4f" revision="v0.1.0"
    monitoring monitor=pod-monitor interval="1s" scrape-timeout="1s"
}
environment prod namespace=shop-prod
model slow {
    artifact "s3://models/ocr/model.onnx" sha256="9f2c1b7e4d3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
    serve deployment
    autoscale min=2 max=4 {
        cpu 70
    }
}
model failing {
    artifact "s3://models/ocr/model.onnx" sha256="9f2c1b7e4d3a5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8"
    serve deployment
    autoscale min=2 max=4 {
        cpu 70
    }
}
"#;

/// The edge of the small images both models answer quickly, and of the injected loads'.
const LIGHT: usize = 64;
const SLOW_IMAGE: usize = 480;
const FAILING_IMAGE: usize = 960;
/// How long the injected load runs, and how many requests the quiet phase sends per model.
const LOAD: Duration = Duration::from_secs(8);
const QUIET_REQUESTS: usize = 20;

/// An inference request for a black `side`×`side` image, its tensor as binary data (the
/// binary tensor data extension): the headers and the body.
fn image_request(side: usize) -> (Vec<(&'static str, String)>, Arc<Vec<u8>>) {
    let data = vec![0u8; 3 * side * side * 4];
    let header = serde_json::json!({
        "inputs": [{"name": "x", "shape": [1, 3, side, side], "datatype": "FP32",
                    "parameters": {"binary_data_size": data.len()}}],
        "parameters": {"binary_data_output": true}
    })
    .to_string();
    let headers = vec![
        ("Content-Type", "application/octet-stream".to_owned()),
        ("Inference-Header-Content-Length", header.len().to_string()),
    ];
    let mut body = header.into_bytes();
    body.extend_from_slice(&data);
    (headers, Arc::new(body))
}

/// One inference request to `model` on `port`; its status (0 when nobody answered).
fn infer(port: u16, model: &str, request: &(Vec<(&'static str, String)>, Arc<Vec<u8>>)) -> u16 {
    live::http(
        port,
        "POST",
        &format!("/v2/models/{model}/infer"),
        &request.0,
        &request.1,
    )
    .map_or(0, |(status, _)| status)
}

/// `clients` threads sending `request` to `model` until `until`; every status they got. A
/// client that gets 429 waits the second its `Retry-After` asks for.
fn load(
    port: u16,
    model: &'static str,
    request: &(Vec<(&'static str, String)>, Arc<Vec<u8>>),
    clients: usize,
    until: Instant,
) -> Vec<std::thread::JoinHandle<Vec<u16>>> {
    (0..clients)
        .map(|_| {
            let request = request.clone();
            std::thread::spawn(move || {
                let mut codes = Vec::new();
                while Instant::now() < until {
                    let code = infer(port, model, &request);
                    if code == 429 {
                        std::thread::sleep(Duration::from_secs(1));
                    }
                    codes.push(code);
                }
                codes
            })
        })
        .collect()
}

fn join(workers: Vec<std::thread::JoinHandle<Vec<u16>>>) -> Vec<u16> {
    workers
        .into_iter()
        .flat_map(|w| w.join().unwrap())
        .collect()
}

fn count(codes: &[u16], code: u16) -> usize {
    codes.iter().filter(|c| **c == code).count()
}

/// An alert expression split at its comparison: what the alert measures, and its threshold.
fn split(expr: &str) -> (&str, f64) {
    let (measure, threshold) = expr.rsplit_once(" > ").expect("an alert compares with `>`");
    (
        measure,
        threshold.trim().parse().expect("a numeric threshold"),
    )
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

/// Writes an mlc-serve config serving `model` as `name` on `port`, with `server` settings.
fn serve_config(
    dir: &Path,
    name: &str,
    port: u16,
    server: &str,
    model: &Path,
) -> std::path::PathBuf {
    let path = dir.join(format!("serve-{name}.yaml"));
    std::fs::write(
        &path,
        format!(
            "server:\n  host: 127.0.0.1\n  port: {port}\n{server}models:\n  - name: {name}\n    path: {}\n",
            model.display()
        ),
    )
    .unwrap();
    path
}

/// Waits until Prometheus has scraped every request each server has counted.
fn wait_for_scrapes(prom: u16, targets: &[(&str, u16)]) {
    live::wait_for(
        "the scrapes of the final counts",
        Duration::from_secs(20),
        || {
            targets.iter().all(|(model, port)| {
                let served = live::served_requests(*port, model);
                live::query(
                    prom,
                    &format!("sum(mlc_serve_requests_total{{mlc_model=\"{model}\"}})"),
                )
                .first()
                .is_some_and(|(_, v)| (v - served).abs() < 0.5)
            })
        },
    );
}

/// The values of the measured expressions, in the order of `exprs`.
fn values(prom: u16, exprs: &[(&str, &str, &str, f64)]) -> Vec<f64> {
    exprs
        .iter()
        .map(|(_, _, measure, _)| live::scalar(prom, measure))
        .collect()
}

#[test]
fn prometheus_scraping_mlc_serve_as_emitted_sees_the_injected_latency_and_errors() {
    let started = Instant::now();
    if !monitoring::tool("prometheus") {
        return;
    }
    let Some(model) = support::find_model("ppocrv4_det.onnx") else {
        support::skip(
            "ppocrv4_det.onnx is missing (`source .ci/setup` fetches it into .cache/models)",
        );
        return;
    };
    let Some(ort) = support::ort_library() else {
        support::skip("ONNX Runtime library not found (`source .ci/setup` sets ORT_DYLIB_PATH)");
        return;
    };
    let (dir, out) = monitoring::build(&[("mlc.kdl", PROJECT)]);
    let monitors = monitoring::objects(&out, "PodMonitor");
    let rules = monitoring::objects(&out, "PrometheusRule");
    assert_eq!((monitors.len(), rules.len()), (2, 2));

    let binary = live::mlc_serve();
    let (slow_port, failing_port) = (live::free_port(), live::free_port());
    let slow_config = serve_config(dir.path(), "slow", slow_port, "", &model);
    let failing_config = serve_config(
        dir.path(),
        "failing",
        failing_port,
        "  queue_depth: 1\n  request_timeout: 250ms\n",
        &model,
    );
    let _slow = live::start_serve(&binary, &ort, &slow_config, slow_port);
    let _failing = live::start_serve(&binary, &ort, &failing_config, failing_port);

    let light = image_request(LIGHT);
    let slow_image = image_request(SLOW_IMAGE);
    let failing_image = image_request(FAILING_IMAGE);
    let malformed = (
        vec![("Content-Type", "application/json".to_owned())],
        Arc::new(br#"{"inputs": 3}"#.to_vec()),
    );

    // Before Prometheus starts, every series the load moves exists (a counter that first
    // appears during the load would count from its first scrape, not from 0): the slow
    // model's 200 and 400, the failing model's 200, 504 and 429.
    assert_eq!(infer(slow_port, "slow", &slow_image), 200);
    assert_eq!(infer(slow_port, "slow", &malformed), 400);
    let burst = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| s.spawn(|| infer(failing_port, "failing", &failing_image)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .collect::<Vec<u16>>()
    });
    assert!(
        burst.contains(&504) && burst.contains(&429),
        "the failing model's burst: {burst:?}"
    );
    // Its session is free again once the timed-out runs have finished.
    live::wait_for(
        "the failing model's idle session",
        Duration::from_secs(30),
        || infer(failing_port, "failing", &light) == 200,
    );

    let prom_port = live::free_port();
    let scrape: Vec<Value> = monitors
        .iter()
        .map(|(_, m)| {
            let port = if m["metadata"]["name"] == "slow" {
                slow_port
            } else {
                failing_port
            };
            live::scrape_config(m, port)
        })
        .collect();
    let _prometheus: Running = live::start_prometheus(dir.path(), prom_port, &scrape);
    live::wait_for("the first scrapes", Duration::from_secs(10), || {
        live::query(prom_port, "up == 1").len() == 2
    });
    let targets = [("slow", slow_port), ("failing", failing_port)];

    // The alert expressions this test reads: (model, alert, what it measures, threshold).
    let exprs: Vec<(&str, &str, &str, f64)> = [
        ("slow", "ModelLatencyHigh"),
        ("slow", "ModelErrorRatioHigh"),
        ("slow", "ModelRequestsRejected"),
        ("failing", "ModelErrorRatioHigh"),
        ("failing", "ModelRequestsRejected"),
    ]
    .into_iter()
    .map(|(m, a)| {
        let (measure, threshold) = split(rule_of(&rules, m, a));
        (m, a, measure, threshold)
    })
    .collect();

    // Quiet: small images, one at a time. Every expression is below its threshold.
    for (model, port) in targets {
        for _ in 0..QUIET_REQUESTS {
            assert_eq!(infer(port, model, &light), 200, "{model} under quiet load");
        }
    }
    wait_for_scrapes(prom_port, &targets);
    let quiet = values(prom_port, &exprs);
    for ((model, alert, _, threshold), v) in exprs.iter().zip(&quiet) {
        assert!(
            v < threshold,
            "{model} {alert} under quiet load: {v} ≥ {threshold}"
        );
        assert!(
            live::query(prom_port, rule_of(&rules, model, alert)).is_empty(),
            "{model} {alert} holds under quiet load"
        );
    }

    // The injected load.
    let until = Instant::now() + LOAD;
    let slow_workers = load(slow_port, "slow", &slow_image, 8, until);
    let failing_workers = load(failing_port, "failing", &failing_image, 6, until);
    let mut slow_codes: Vec<u16> = (0..5)
        .map(|_| infer(slow_port, "slow", &malformed))
        .collect();
    slow_codes.extend(join(slow_workers));
    let failing_codes = join(failing_workers);
    assert!(
        slow_codes.iter().all(|c| *c == 200 || *c == 400) && count(&slow_codes, 200) > 0,
        "slow: {slow_codes:?}"
    );
    assert!(
        count(&failing_codes, 504) > 0 && count(&failing_codes, 429) > 0,
        "failing: {failing_codes:?}"
    );
    wait_for_scrapes(prom_port, &targets);
    let loaded = values(prom_port, &exprs);

    // Under load: the slow model is above its latency threshold and has neither errors nor
    // rejections (its malformed requests are 4xx, not errors); the failing model is above
    // its error and rejected thresholds.
    let (latency, slow_errors, slow_rejected, failing_errors, failing_rejected) =
        (loaded[0], loaded[1], loaded[2], loaded[3], loaded[4]);
    assert!(latency > exprs[0].3, "slow p95 latency {latency}");
    assert!(
        latency < 30.0,
        "slow p95 latency {latency} beyond the 30 s timeout"
    );
    assert!(
        slow_errors.abs() < f64::EPSILON,
        "slow error ratio {slow_errors}"
    );
    assert!(
        slow_rejected.abs() < f64::EPSILON,
        "slow rejected ratio {slow_rejected}"
    );
    assert!(
        failing_errors > exprs[3].3 && failing_errors <= 1.0,
        "failing error ratio {failing_errors}"
    );
    assert!(
        failing_rejected > exprs[4].3 && failing_rejected <= 1.0,
        "failing rejected ratio {failing_rejected}"
    );
    for ((model, alert, _, _), holds) in exprs.iter().zip([true, false, false, true, true]) {
        let selected = live::query(prom_port, rule_of(&rules, model, alert));
        assert_eq!(
            selected.len(),
            usize::from(holds),
            "{model} {alert} under load: {selected:?}"
        );
    }

    // Every mlc-serve metric the rules and the dashboard name is scraped.
    let scraped = live::scraped_names(prom_port);
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
            scraped.contains(name),
            "{name} is not among the scraped series {scraped:?}"
        );
    }
    eprintln!(
        "monitoring e2e: quiet slow p95 {:.3} s, errors {:.2}/{:.2}, rejected {:.2}/{:.2}; \
         loaded slow p95 {latency:.3} s, slow errors {slow_errors:.2}, rejected {slow_rejected:.2}; \
         failing errors {failing_errors:.2}, rejected {failing_rejected:.2} \
         (slow {} requests, failing {} 504 and {} 429); {} metric names checked; {:.1} s",
        quiet[0],
        quiet[1],
        quiet[3],
        quiet[2],
        quiet[4],
        slow_codes.len(),
        count(&failing_codes, 504),
        count(&failing_codes, 429),
        referenced.len(),
        started.elapsed().as_secs_f64()
    );
}
