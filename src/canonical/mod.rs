//! Canonical bytes, shared by every stage that makes them: the one YAML writer (YAML 1.1
//! quoting, sorted keys) and sha256 digests. A leaf: it imports no stage.

pub mod digest;
pub mod yaml;
