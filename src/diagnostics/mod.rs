//! Diagnostics: one [`Diagnostic`] type for every stage, the code registry with its
//! explanations, and the printers (human through miette, JSON).
//!
//! Stages push diagnostics into a [`Diagnostics`] sink and carry on; the driver decides
//! whether to stop between stages.

mod codes;
mod diagnostic;
mod render;
mod sarif;
mod suggest;

pub use codes::{Code, CodeInfo, IntoCode, REGISTRY, lookup};
pub use diagnostic::{Diagnostic, Diagnostics, Label, Severity};
pub(crate) use render::mask_secrets;
pub use render::{ColorChoice, render_human, render_json};
pub use sarif::render_sarif;
pub use suggest::{closest, did_you_mean};
