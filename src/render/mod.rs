//! Stage 5: objects → bytes. Canonical YAML, the output tree with its kustomizations and
//! `mlc.lock`, atomic replacement of the tree, and the `--check` diff.
//!
//! - `rendered.rs`: an object reduced to its bytes, digest and identity;
//! - `tree.rs`: the whole output tree and `mlc.lock`;
//! - `write.rs`: writing it atomically, reading it back, `--check`'s diff.

mod rendered;
pub mod tree;
pub mod write;

pub use rendered::Rendered;

/// The YAML writer render uses for every file (it lives in [`crate::canonical`], which emit
/// shares for the runtime config text).
pub use crate::canonical::yaml;
