//! mlc's embedded Prometheus Operator schemas (`schemas/monitoring/`, written from the facts)
//! and the upstream CRDs (`tests/fixtures/upstream/`, `check.py --strict`) give the same
//! verdict on every document of `tests/monitoring/cases.yaml`, and the verdict its name says
//! (`good-…` or `bad-…`). Needs python3 with PyYAML and jsonschema; skipped when missing,
//! except under `CI=true`.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

#[test]
fn embedded_monitoring_schemas_agree_with_the_upstream_crds() {
    support::embedded_and_upstream_agree(&support::repo().join("tests/monitoring/cases.yaml"), 12);
}
