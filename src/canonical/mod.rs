//! Canonical bytes, shared by every stage that makes them: the YAML writer (YAML 1.1
//! quoting, sorted keys) and sha256 digests. A leaf: it imports no stage.
//!
//! - `yaml.rs`: the API, and the reference writer (serde-saphyr);
//! - `writer.rs`: the fast writer of objects, byte-identical to the reference;
//! - `digest.rs`: sha256.

pub mod digest;
mod writer;
pub mod yaml;
