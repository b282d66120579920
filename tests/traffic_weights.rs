//! Shifting a canary's percentage changes only the weight fields of the emitted objects
//! (DESIGN §8.15): no pod template, rollout hash or other object moves, on every target.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use mlc::image::ImageInputs;
use serde_json::Value;

/// Every emitted YAML document of the project in `dir` (written with `kdl`), by path.
fn build(dir: &Path, kdl: &str) -> BTreeMap<String, Value> {
    std::fs::write(dir.join("mlc.kdl"), kdl).expect("write mlc.kdl");
    let built = mlc::driver::build(dir, &ImageInputs::default());
    let tree = built.tree.unwrap_or_else(|| {
        panic!(
            "the build failed: {:?}",
            built
                .checked
                .diagnostics
                .iter()
                .map(|d| d.message.clone())
                .collect::<Vec<_>>()
        )
    });
    tree.files
        .iter()
        .filter(|(p, _)| p.starts_with("envs/") && p.ends_with(".yaml"))
        .map(|(p, bytes)| {
            let text = std::str::from_utf8(bytes).expect("emitted YAML is UTF-8");
            let value: Value = serde_saphyr::from_str(text).expect("emitted YAML parses");
            (p.clone(), value)
        })
        .collect()
}

/// The JSON pointers at which `a` and `b` differ.
fn differences(a: &Value, b: &Value, at: &str, out: &mut Vec<String>) {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for k in x.keys().chain(y.keys().filter(|k| !x.contains_key(*k))) {
                let (va, vb) = (
                    x.get(k).unwrap_or(&Value::Null),
                    y.get(k).unwrap_or(&Value::Null),
                );
                differences(va, vb, &format!("{at}/{k}"), out);
            }
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                differences(va, vb, &format!("{at}/{i}"), out);
            }
        }
        _ if a != b => out.push(at.to_owned()),
        _ => {}
    }
}

/// Builds `example` as written and with its canary at `to` percent, and checks that every
/// difference is a weight field of a routing object.
fn only_weights_move(example: &str, from: &str, to: &str) {
    let src = std::fs::read_to_string(
        support::repo()
            .join("examples")
            .join(example)
            .join("mlc.kdl"),
    )
    .expect("read the example");
    assert!(src.contains(from), "{example} has no `{from}`");
    let dir = tempfile::tempdir().expect("temp dir");
    let before = build(dir.path(), &src);
    let after = build(dir.path(), &src.replacen(from, to, 1));
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "{example}: the set of objects changed"
    );
    let mut moved = Vec::new();
    for (path, a) in &before {
        let mut diffs = Vec::new();
        differences(a, &after[path], "", &mut diffs);
        moved.extend(diffs.into_iter().map(|d| format!("{path}#{d}")));
    }
    assert!(
        !moved.is_empty(),
        "{example}: shifting the weights changed nothing"
    );
    let weight = |d: &String| {
        d.ends_with("/weight")
            || d.ends_with("/trafficPercent")
            || d.ends_with("/canaryTrafficPercent")
    };
    let other: Vec<&String> = moved.iter().filter(|d| !weight(d)).collect();
    assert!(
        other.is_empty(),
        "{example}: more than the weights changed: {other:#?}"
    );
}

#[test]
fn istio_weights_move_alone() {
    only_weights_move("traffic-istio", "percent=10", "percent=35");
}

#[test]
fn gateway_api_weights_move_alone() {
    only_weights_move("traffic-gateway", "percent=20", "percent=40");
}

#[test]
fn kserve_weights_move_alone() {
    only_weights_move("ab-rollout", "percent=50", "percent=25");
}
