//! mlc's embedded InferenceGraph and Seldon schemas (`schemas/kserve/`, `schemas/seldon/`,
//! written from the facts) and the upstream CRDs (`tests/fixtures/upstream/`,
//! `check.py --strict`) give the same verdict on every document of
//! `tests/pipelines/cases.yaml`, and the verdict its name says
//! (`good-…` or `bad-…`). Needs python3 with PyYAML and jsonschema; skipped when missing,
//! except under `CI=true`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

use serde_json::Value;

#[test]
fn embedded_pipeline_and_seldon_schemas_agree_with_the_upstream_crds() {
    let cases = support::repo().join("tests/pipelines/cases.yaml");
    let out = std::process::Command::new("python3")
        .arg(support::upstream_dir().join("check.py"))
        .arg("--strict")
        .arg(&cases)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !text.contains('#') {
        support::skip(&format!(
            "check.py could not run (python3 with PyYAML and jsonschema): {}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return;
    }
    let docs: Vec<Value> =
        serde_saphyr::from_multiple(&std::fs::read_to_string(&cases).unwrap()).unwrap();
    assert!(docs.len() >= 19);
    let prefix = format!("{}#", cases.display());
    for (i, doc) in docs.iter().enumerate() {
        let name = doc["metadata"]["name"].as_str().unwrap();
        let expected = name.starts_with("good-");
        let line = text
            .lines()
            .find(|l| {
                l.strip_prefix(&prefix)
                    .is_some_and(|r| r.split_whitespace().next() == Some(&i.to_string()))
            })
            .unwrap_or_else(|| panic!("no check.py verdict for document {i}:\n{text}"));
        let upstream = line.ends_with(": OK");
        let embedded = mlc::schema::embedded().validate(doc).is_ok();
        assert_eq!(upstream, expected, "check.py on {name}: {line}");
        assert_eq!(embedded, expected, "embedded schema on {name}");
    }
}
