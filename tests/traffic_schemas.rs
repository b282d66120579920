//! mlc's embedded traffic schemas (Istio VirtualService and DestinationRule in
//! `schemas/istio/`, Gateway API HTTPRoute in `schemas/gateway-api/`, written from the facts;
//! the core Ingress in `schemas/k8s/definitions.json`, from k8s-openapi) and the upstream
//! schemas (`tests/fixtures/upstream/`, `check.py --strict`) give the same verdict on every
//! document of `tests/traffic/cases.yaml`, and the verdict its name says (`good-…` or
//! `bad-…`); the documents of `tests/traffic/stricter.yaml` break API server rules the
//! upstream schemas do not carry, and only the embedded schemas refuse them. Needs python3
//! with PyYAML and jsonschema; skipped when missing, except under `CI=true`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

#[test]
fn embedded_traffic_schemas_agree_with_the_upstream_schemas() {
    support::embedded_and_upstream_agree(&support::repo().join("tests/traffic/cases.yaml"), 38);
}

#[test]
fn embedded_traffic_schemas_refuse_what_only_the_api_server_refuses() {
    let cases = support::repo().join("tests/traffic/stricter.yaml");
    let out = std::process::Command::new("python3")
        .arg(support::upstream_dir().join("check.py"))
        .arg("--strict")
        .arg(&cases)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout);
    if text.contains('#') {
        assert!(
            out.status.success(),
            "the upstream schemas accept every stricter case:\n{text}"
        );
    } else {
        support::skip("check.py could not run (python3 with PyYAML and jsonschema)");
    }
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple(&std::fs::read_to_string(&cases).expect("read"))
            .expect("the cases parse as YAML");
    assert_eq!(docs.len(), 6);
    for doc in &docs {
        let name = doc["metadata"]["name"].as_str().expect("a name");
        assert!(
            mlc::schema::embedded().validate(doc).is_err(),
            "the embedded schema accepts {name}"
        );
    }
}
