//! `mlc validate` on hostile YAML ends with a coded error (E0403) and exit 1, never a crash:
//! an alias bomb ("billion laughs"), 10,000-deep nesting (flow sequences, flow mappings,
//! block sequences), a file above the 64 MiB read limit (the 100 MB scalar case) and invalid
//! UTF-8. Time and memory are measured with the release binary by hand (docs/validate.md);
//! no timed assertion here.

#![allow(clippy::expect_used, clippy::unwrap_used, reason = "tests fail loudly")]

use std::path::Path;

use serde_json::Value;

fn validate(dir: &Path, file: &str) -> (i32, Vec<String>) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_mlc"))
        .args(["--format", "json", "validate", file])
        .current_dir(dir)
        .output()
        .expect("run mlc");
    let report: Value = serde_json::from_slice(&out.stdout).unwrap_or_default();
    let codes = report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| d["code"].as_str().map(str::to_owned))
        .collect();
    (out.status.code().unwrap_or(-1), codes)
}

fn alias_bomb() -> String {
    let mut text = String::from("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: lol}\ndata:\n");
    text.push_str("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        let line = format!("  a{i}: &a{i} [{refs}]\n");
        text.push_str(&line);
    }
    text
}

#[test]
fn hostile_inputs_end_in_a_coded_error() {
    let dir = tempfile::tempdir().unwrap();
    let deep = 10_000;
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("alias-bomb.yaml", alias_bomb().into_bytes()),
        (
            "deep-flow-seq.yaml",
            format!("{}{}\n", "[".repeat(deep), "]".repeat(deep)).into_bytes(),
        ),
        (
            "deep-flow-map.yaml",
            format!("{}x{}\n", "{a: ".repeat(deep), "}".repeat(deep)).into_bytes(),
        ),
        (
            "deep-block-seq.yaml",
            format!("{}x\n", "- ".repeat(deep)).into_bytes(),
        ),
        (
            "invalid-utf8.yaml",
            b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata:\n  x: \"\xff\xfe\"\n"
                .to_vec(),
        ),
    ];
    for (name, bytes) in &cases {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    // Above the read limit: a sparse file, so the test writes almost nothing.
    let big = std::fs::File::create(dir.path().join("scalar-65mib.yaml")).unwrap();
    big.set_len(65 << 20).unwrap();
    drop(big);
    let names = cases
        .iter()
        .map(|(n, _)| *n)
        .chain(std::iter::once("scalar-65mib.yaml"));
    for name in names {
        let (status, codes) = validate(dir.path(), name);
        assert_eq!(
            (status, codes.as_slice()),
            (1, ["E0403".to_owned()].as_slice()),
            "{name}"
        );
    }
}
