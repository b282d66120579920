//! Stage 5: objects → bytes. Canonical YAML, the output tree with its kustomizations and
//! `mlc.lock`, atomic replacement of the tree, and the `--check` diff.

pub mod tree;
pub mod write;
pub mod yaml;
