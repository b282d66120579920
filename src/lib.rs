//! mlc compiles KDL descriptions of ML model serving into Kubernetes manifests.
pub mod cli;
