//! Where the test models are (see `tests/fixtures/models/README.md`), first match wins:
//! `MLC_MODELS_DIR` (set by `.ci/setup`), the repository's `.cache/models`,
//! `tests/fixtures/models`, then `$MLC_SHARED_DIR/models` or `../shared/models` when present
//! (an optional extra source, never required).
//!
//! Shared by the root crate's tests (`tests/support/mod.rs`) and mlc-serve's
//! (`server/tests/common/mod.rs`, through `#[path]`).

use std::path::{Path, PathBuf};

/// The directories searched for a test model, for the repository at `repo`.
pub(crate) fn model_dirs(repo: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("MLC_MODELS_DIR")
        .map(PathBuf::from)
        .into_iter()
        .collect();
    dirs.push(repo.join(".cache/models"));
    dirs.push(repo.join("tests/fixtures/models"));
    dirs.push(
        std::env::var_os("MLC_SHARED_DIR")
            .map_or_else(|| repo.join("../shared"), PathBuf::from)
            .join("models"),
    );
    dirs
}
