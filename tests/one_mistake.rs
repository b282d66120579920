//! One mistake, one diagnostic: each golden error case below holds exactly one mistake, and
//! `mlc build` on it exits 1 with exactly one diagnostic (an error with the case's code and a
//! primary span on the token named here) and writes nothing.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

mod support;

/// (golden case under `golden/errors/`, the text the primary span covers).
const CASES: &[(&str, &str)] = &[
    ("E0105-storage-without-secret", "storage"),
    ("E0201-empty-secret-key", "\"\""),
    ("E0201-system-priority-class", "\"system-ml-high\""),
    ("E0201-uppercase-secret-name", "\"API_Credentials\""),
    ("E0206-unknown-layout-hides-slices", "\"all-balancd\""),
    ("E0214-cpu-utilization-120", "120"),
    ("E0214-failure-threshold-zero", "0"),
    ("E0214-kafka-lag-zero", "0"),
    ("E0215-label-value-with-space", "\"search team\""),
    ("E0215-taint-value-with-space", "\"GPU nodes\""),
    ("E0216-dotdot-mount-path", "\"/cache/../etc\""),
    ("E0216-relative-mount-path", "\"cache\""),
    (
        "E0217-aws-secret-in-env",
        "\"wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY\"",
    ),
    (
        "E0217-password-in-artifact-url",
        "\"https://admin:hunter2@models.example.com/bert-sentiment/2.1.0/model.onnx\"",
    ),
    (
        "E0217-password-in-prometheus-url",
        "\"http://admin:s3cr3t-pw@prometheus.monitoring:9090\"",
    ),
    (
        "E0218-autoscaler-class-annotation",
        "\"serving.kserve.io/autoscalerClass\"",
    ),
    ("E0218-managed-by-label", "\"app.kubernetes.io/managed-by\""),
    ("E0301-malformed-mig-profile", "\"mig-1g.10gb\""),
    ("E0302-too-many-hides-overflow", "\"1g.10gb\" 8"),
    ("E0305-one-replica-hides-capacity", "1"),
    (
        "E0322-min-available-equals-min",
        "disruption min-available=2",
    ),
];

fn copy(from: &std::path::Path, to: &std::path::Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.unwrap();
        let target = to.join(entry.path().strip_prefix(from).unwrap());
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

#[test]
fn each_mistake_gives_one_coded_diagnostic_on_its_token_and_writes_nothing() {
    let mut failures = Vec::new();
    for (case, token) in CASES {
        let code = case.split('-').next().unwrap();
        let dir = tempfile::tempdir().unwrap();
        copy(
            &support::repo()
                .join("golden/errors")
                .join(case)
                .join("input"),
            dir.path(),
        );
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
            .args(["--format", "json", "build", "."])
            .current_dir(dir.path())
            .output()
            .unwrap();
        let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
        let diagnostics = report["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let codes: Vec<&str> = diagnostics
            .iter()
            .filter_map(|d| d["code"].as_str())
            .collect();
        if out.status.code() != Some(1) || codes != [code] {
            failures.push(format!(
                "{case}: exit {:?}, codes {codes:?}",
                out.status.code()
            ));
            continue;
        }
        if dir.path().join("manifests").exists() {
            failures.push(format!("{case}: wrote manifests/"));
        }
        let d = &diagnostics[0];
        let file = d["labels"][0]["file"].as_str().unwrap_or_default();
        let text = std::fs::read_to_string(dir.path().join(file)).unwrap_or_default();
        let start = d["labels"][0]["start_byte"]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let end = d["labels"][0]["end_byte"]
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .unwrap_or(0);
        let spanned = text.get(start..end).unwrap_or_default();
        if spanned != *token {
            failures.push(format!(
                "{case}: span covers {spanned:?}, expected {token:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
