//! The models a bench serves, found where the tests find them (`tests/support/models.rs`):
//! `MLC_MODELS_DIR`, the repository's `.cache/models` (filled by `source .ci/setup`, or
//! `python3 .ci/fetch_models.py .cache`), `tests/fixtures/models`, then the optional shared
//! directory.

use std::path::{Path, PathBuf};

#[path = "../../../tests/support/models.rs"]
mod models;

/// The path of each of `files`, in order, or what is missing and where it was looked for.
pub(crate) fn models(files: &[&str]) -> Result<Vec<PathBuf>, String> {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let dirs = models::model_dirs(&repo);
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for file in files {
        match dirs.iter().map(|d| d.join(file)).find(|p| p.is_file()) {
            Some(path) => found.push(path),
            None => missing.push(*file),
        }
    }
    if missing.is_empty() {
        return Ok(found);
    }
    let searched: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    Err(format!(
        "model {} not found (searched {}); `source .ci/setup` fetches the test models into .cache/models",
        missing.join(", "),
        searched.join(", ")
    ))
}
