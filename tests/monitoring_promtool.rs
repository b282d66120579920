//! The emitted rules and dashboards against the real `promtool` (Debian's 2.42):
//! `promtool check rules` on every rule file of the golden trees and of a project with every
//! default alert; `promtool test rules` with synthetic series: each default alert fires when
//! its condition has held for its window, is still pending before, and stays silent below its
//! threshold; every dashboard query, `$__rate_interval` substituted, checked as a recording
//! rule; every metric name in rules and dashboards is one the runtime table or facts §9 know.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod monitoring;
mod support;

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::{Value, json};

/// The metric names the rules and dashboards may use: mlc-serve's (docs/runtime.md), KServe
/// ModelServer's (facts §2.3), kube-state-metrics' and DCGM's (facts §9).
const KNOWN: &[&str] = &[
    "mlc_serve_requests_total",
    "mlc_serve_request_duration_seconds_bucket",
    "mlc_serve_queue_duration_seconds_bucket",
    "mlc_serve_batch_size_bucket",
    "mlc_serve_queue_depth",
    "request_predict_seconds_bucket",
    "request_predict_seconds_count",
    "kube_horizontalpodautoscaler_status_current_replicas",
    "kube_horizontalpodautoscaler_spec_max_replicas",
    "kube_horizontalpodautoscaler_spec_min_replicas",
    "DCGM_FI_DEV_FB_USED",
    "DCGM_FI_DEV_FB_FREE",
    "DCGM_FI_DEV_GPU_UTIL",
];

fn golden_trees() -> Vec<std::path::PathBuf> {
    let mut v: Vec<_> = std::fs::read_dir(support::repo().join("golden/build"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path().join("expected"))
        .filter(|p| p.is_dir())
        .collect();
    v.sort();
    v
}

fn write_yaml(path: &Path, value: &Value) {
    std::fs::write(path, serde_yaml::to_string(value).unwrap()).unwrap();
}

#[test]
fn promtool_checks_every_emitted_rule_file_and_dashboard_query() {
    if !monitoring::tool("promtool") {
        return;
    }
    let (_dir, out) = monitoring::build(&[("mlc.kdl", monitoring::DEFAULTS_PROJECT)]);
    let mut trees = golden_trees();
    trees.push(out);
    let work = tempfile::tempdir().unwrap();
    let (mut rules, mut boards) = (0, 0);
    for tree in &trees {
        for (path, rule) in monitoring::objects(tree, "PrometheusRule") {
            let file = work.path().join(format!("rules-{rules}.yaml"));
            write_yaml(&file, &rule["spec"]);
            monitoring::promtool(work.path(), &["check", "rules", file.to_str().unwrap()])
                .unwrap_or_else(|e| panic!("promtool check rules {path}:\n{e}"));
            for expr in monitoring::rule_exprs(&rule) {
                for name in monitoring::metric_names(&expr) {
                    assert!(
                        KNOWN.contains(&name.as_str()),
                        "{path}: unknown metric {name}"
                    );
                }
            }
            rules += 1;
        }
        for (path, board) in monitoring::dashboards(tree) {
            let queries = monitoring::panel_queries(&board);
            assert!(!queries.is_empty(), "{path}: no panel queries");
            let records: Vec<Value> = queries
                .iter()
                .enumerate()
                .map(|(i, q)| json!({"record": format!("mlc:dashboard_panel:{i}"), "expr": q}))
                .collect();
            for q in &queries {
                for name in monitoring::metric_names(q) {
                    assert!(
                        KNOWN.contains(&name.as_str()),
                        "{path}: unknown metric {name}"
                    );
                }
            }
            let file = work.path().join(format!("dashboard-{boards}.yaml"));
            write_yaml(
                &file,
                &json!({"groups": [{"name": "dashboard", "rules": records}]}),
            );
            monitoring::promtool(work.path(), &["check", "rules", file.to_str().unwrap()])
                .unwrap_or_else(|e| panic!("dashboard queries of {path}:\n{e}"));
            boards += 1;
        }
    }
    assert!(rules >= 6, "only {rules} rule files found");
    assert!(boards >= 5, "only {boards} dashboards found");
}

/// Synthetic series (name with labels, promtool `values` notation) that put one alert above
/// (`true`) or below its default threshold.
fn series(alert: &str, above: bool) -> Vec<(String, String)> {
    let m = r#"mlc_environment="prod",mlc_model="ranker",model="ranker""#;
    let hpa = r#"namespace="shop-prod",horizontalpodautoscaler="ranker-predictor""#;
    let pod = r#"namespace="shop-prod",pod="ranker-predictor-5d9f8-x2x7q""#;
    let s =
        |name: &str, labels: &str, values: &str| (format!("{name}{{{labels}}}"), values.to_owned());
    let bucket = |le: &str, v: &str| {
        s(
            "mlc_serve_request_duration_seconds_bucket",
            &format!("{m},le=\"{le}\""),
            v,
        )
    };
    let codes = |code: &str, v: &str| {
        s(
            "mlc_serve_requests_total",
            &format!("{m},code=\"{code}\""),
            v,
        )
    };
    match (alert, above) {
        // 10 requests a minute, all between 0.5 s and 1 s (above), or all under 0.25 s.
        ("ModelLatencyHigh", true) => vec![
            bucket("0.25", "0+0x40"),
            bucket("0.5", "0+0x40"),
            bucket("1", "0+10x40"),
            bucket("+Inf", "0+10x40"),
        ],
        ("ModelLatencyHigh", false) => vec![
            bucket("0.25", "0+10x40"),
            bucket("0.5", "0+10x40"),
            bucket("1", "0+10x40"),
            bucket("+Inf", "0+10x40"),
        ],
        // 5 % of answers are 5xx (above) or 0.5 % (below the 1 % threshold).
        ("ModelErrorRatioHigh", true) => vec![codes("200", "0+95x40"), codes("503", "0+5x40")],
        ("ModelErrorRatioHigh", false) => vec![codes("200", "0+199x40"), codes("500", "0+1x40")],
        ("ModelRequestsRejected", true) => vec![codes("200", "0+90x40"), codes("429", "0+10x40")],
        ("ModelRequestsRejected", false) => vec![codes("200", "0+199x40"), codes("429", "0+1x40")],
        // The default queue threshold is 80 % of mlc-serve's 256 places: 204.
        ("ModelQueueBacklog", true) => vec![s("mlc_serve_queue_depth", m, "250x40")],
        ("ModelQueueBacklog", false) => vec![s("mlc_serve_queue_depth", m, "150x40")],
        ("ModelReplicasAtMaximum", up) => vec![
            s(
                "kube_horizontalpodautoscaler_status_current_replicas",
                hpa,
                if up { "4x40" } else { "3x40" },
            ),
            s(
                "kube_horizontalpodautoscaler_spec_max_replicas",
                hpa,
                "4x40",
            ),
        ],
        // Framebuffer MiB: 95 % used (above) or 80 % (below 90 %).
        ("ModelGpuMemoryHigh", up) => vec![
            s(
                "DCGM_FI_DEV_FB_USED",
                pod,
                if up { "9500x40" } else { "8000x40" },
            ),
            s(
                "DCGM_FI_DEV_FB_FREE",
                pod,
                if up { "500x40" } else { "2000x40" },
            ),
        ],
        _ => panic!("no synthetic series for {alert}"),
    }
}

/// The labels an alert carries besides the rule's: what its expression keeps of the series.
fn kept_labels(alert: &str) -> BTreeMap<&'static str, &'static str> {
    match alert {
        "ModelReplicasAtMaximum" => {
            BTreeMap::from([("horizontalpodautoscaler", "ranker-predictor")])
        }
        "ModelGpuMemoryHigh" => BTreeMap::from([("pod", "ranker-predictor-5d9f8-x2x7q")]),
        _ => BTreeMap::new(),
    }
}

#[test]
fn each_default_alert_fires_after_its_window_and_stays_silent_below_its_threshold() {
    if !monitoring::tool("promtool") {
        return;
    }
    let (_dir, out) = monitoring::build(&[("mlc.kdl", monitoring::DEFAULTS_PROJECT)]);
    let rules = monitoring::objects(&out, "PrometheusRule");
    let [(_, rule)] = rules.as_slice() else {
        panic!("expected one PrometheusRule, got {}", rules.len());
    };
    let work = tempfile::tempdir().unwrap();
    // The annotations' templates are checked by `promtool check rules`; here only when the
    // alerts fire matters, so they are left out (promtool would compare their rendered text).
    let mut spec = rule["spec"].clone();
    for r in spec["groups"][0]["rules"].as_array_mut().unwrap() {
        r.as_object_mut().unwrap().remove("annotations");
    }
    write_yaml(&work.path().join("rules.yaml"), &spec);
    let all: Vec<Value> = spec["groups"][0]["rules"].as_array().unwrap().clone();
    let names: Vec<&str> = all.iter().filter_map(|r| r["alert"].as_str()).collect();
    assert_eq!(
        names,
        [
            "ModelLatencyHigh",
            "ModelErrorRatioHigh",
            "ModelRequestsRejected",
            "ModelQueueBacklog",
            "ModelReplicasAtMaximum",
            "ModelGpuMemoryHigh"
        ],
        "the defaults of an mlc-serve GPU model with an HPA"
    );
    let mut tests = Vec::new();
    for r in &all {
        let name = r["alert"].as_str().unwrap();
        let window = r["for"].as_str().unwrap();
        let minutes: u64 = window
            .trim_end_matches('m')
            .parse()
            .expect("a window in minutes");
        let mut labels: BTreeMap<String, String> =
            serde_json::from_value(r["labels"].clone()).unwrap();
        labels.extend(
            kept_labels(name)
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v.to_owned())),
        );
        let input = |above| {
            series(name, above)
                .into_iter()
                .map(|(s, v)| json!({"series": s, "values": v}))
                .collect::<Vec<_>>()
        };
        // Above: still pending a minute before the window has passed, firing two minutes after
        // it (a rate needs two samples, so its condition holds from the first minute).
        tests.push(json!({
            "interval": "1m",
            "input_series": input(true),
            "alert_rule_test": [
                {"eval_time": format!("{}m", minutes - 1), "alertname": name, "exp_alerts": []},
                {"eval_time": format!("{}m", minutes + 2), "alertname": name,
                 "exp_alerts": [{"exp_labels": labels}]},
            ],
        }));
        tests.push(json!({
            "interval": "1m",
            "input_series": input(false),
            "alert_rule_test": [
                {"eval_time": format!("{}m", minutes + 2), "alertname": name, "exp_alerts": []},
                {"eval_time": "35m", "alertname": name, "exp_alerts": []},
            ],
        }));
    }
    write_yaml(
        &work.path().join("tests.yaml"),
        &json!({"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests}),
    );
    let text = monitoring::promtool(work.path(), &["test", "rules", "tests.yaml"])
        .unwrap_or_else(|e| panic!("promtool test rules:\n{e}"));
    assert!(text.contains("SUCCESS"), "{text}");
}
