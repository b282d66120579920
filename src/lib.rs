//! mlc compiles KDL descriptions of ML model serving into Kubernetes manifests.
//!
//! The pipeline runs in one direction, each stage handing a typed value to the next and
//! collecting [`diagnostics::Diagnostic`]s:
//!
//! ```text
//! *.kdl ─syntax─▶ AST (spans) ─model─▶ IR (resolved, defaults, units)
//!       ─validate─▶ IR + diagnostics ─emit─▶ objects ─render─▶ bytes
//! ```
//!
//! [`driver`] discovers the project and runs the stages; [`cli`] is the command line.

pub mod admission;
pub mod canonical;
pub mod cli;
pub mod diagnostics;
pub mod driver;
pub mod emit;
pub mod image;
pub mod model;
pub mod onnx;
pub mod render;
pub mod report;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod validate;
