//! Helpers shared by the integration tests.
#![allow(
    dead_code,
    unreachable_pub,
    clippy::print_stderr,
    clippy::expect_used,
    clippy::manual_assert,
    reason = "test support: panics and notices are the point"
)]

use std::path::{Path, PathBuf};

mod models;
mod skip;
#[allow(
    unused_imports,
    reason = "each test binary uses part of the support code"
)]
pub(crate) use skip::{in_ci, skip};

/// The ONNX Runtime library: `ORT_DYLIB_PATH` (set by `.ci/setup`), else the installed
/// `onnxruntime` wheel's.
pub fn ort_library() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH").map(PathBuf::from) {
        return path.is_file().then_some(path);
    }
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import onnxruntime, os; print(os.path.join(os.path.dirname(onnxruntime.__file__), 'capi', 'libonnxruntime.so.' + onnxruntime.__version__))",
        ])
        .output()
        .ok()?;
    let path = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    (out.status.success() && path.is_file()).then_some(path)
}

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The shared data directory (`MLC_SHARED_DIR`, default `../shared`), or `None` with a
/// counted skip when it is missing outside CI. Under `CI=true` a missing directory panics.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("MLC_SHARED_DIR")
        .map_or_else(|| repo().join("..").join("shared"), PathBuf::from);
    if dir.join("DESIGN.md").is_file() {
        return Some(dir);
    }
    skip(&format!(
        "shared data directory {} is missing",
        dir.display()
    ));
    None
}

/// The test model `file` from the first of [`models::model_dirs`] that has it.
pub fn find_model(file: &str) -> Option<PathBuf> {
    models::model_dirs(&repo())
        .into_iter()
        .map(|d| d.join(file))
        .find(|p| p.is_file())
}

/// Runs `f` on a rayon pool of `threads` threads.
pub fn with_threads<T: Send>(threads: usize, f: impl FnOnce() -> T + Send) -> T {
    rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("thread pool")
        .install(f)
}

/// Every file below `dir` as (relative path, bytes), sorted.
pub fn read_tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    if !dir.exists() {
        return out;
    }
    for entry in walkdir::WalkDir::new(dir).sort_by_file_name() {
        let entry = entry.expect("walk");
        if entry.file_type().is_file() {
            let rel = entry
                .path()
                .strip_prefix(dir)
                .expect("prefix")
                .to_string_lossy()
                .replace('\\', "/");
            out.push((rel, std::fs::read(entry.path()).expect("read")));
        }
    }
    out
}

/// Whether tests run in bless mode.
pub fn bless() -> bool {
    std::env::var_os("MLC_BLESS").is_some_and(|v| v == "1")
}

/// The committed copy of the upstream schemas, CRDs, examples and `check.py`
/// (`tests/fixtures/upstream/`, provenance in `tests/fixtures/PROVENANCE.md`).
pub fn upstream_dir() -> PathBuf {
    repo().join("tests").join("fixtures").join("upstream")
}

/// The committed OASIS SARIF 2.1.0 JSON Schema (`tests/fixtures/sarif/`).
pub fn sarif_schema() -> PathBuf {
    repo()
        .join("tests")
        .join("fixtures")
        .join("sarif")
        .join("sarif-schema-2.1.0.json")
}

/// Asserts that the embedded schemas and the upstream CRDs (`check.py --strict`) give every
/// document of the multi-document `cases` file (at least `min_docs` of them) the verdict its
/// name says (`good-…` or `bad-…`). Skips when check.py cannot run (python3 with PyYAML and
/// jsonschema), except under `CI=true`.
pub fn embedded_and_upstream_agree(cases: &Path, min_docs: usize) {
    let out = std::process::Command::new("python3")
        .arg(upstream_dir().join("check.py"))
        .arg("--strict")
        .arg(cases)
        .output()
        .expect("python3");
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    if !text.contains('#') {
        skip(&format!(
            "check.py could not run (python3 with PyYAML and jsonschema): {}",
            String::from_utf8_lossy(&out.stderr)
        ));
        return;
    }
    let docs: Vec<serde_json::Value> =
        serde_saphyr::from_multiple(&std::fs::read_to_string(cases).expect("read the cases"))
            .expect("the cases parse as YAML");
    assert!(docs.len() >= min_docs, "only {} documents", docs.len());
    let prefix = format!("{}#", cases.display());
    for (i, doc) in docs.iter().enumerate() {
        let name = doc["metadata"]["name"]
            .as_str()
            .expect("every case has a name");
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
