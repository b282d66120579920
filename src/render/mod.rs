//! Stage 5: objects → bytes. Canonical YAML, the output tree with its kustomizations and
//! `mlc.lock`, atomic replacement of the tree, and the `--check` diff.

pub mod tree;
pub mod write;

/// The YAML writer render uses for every file (it lives in [`crate::canonical`], which emit
/// shares for the runtime config text).
pub use crate::canonical::yaml;
