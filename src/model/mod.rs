//! Stage 2: AST → IR. Names resolved across files, defaults applied, quantities and
//! durations parsed, environment overrides merged into one resolved model per environment.
//!
//! Takes every parsed [`crate::syntax::Document`] of a project, gives a [`Project`] (or
//! `None` when the project node itself is unusable) and diagnostics in the 01xx/02xx blocks.

mod artifacts;
pub mod catalog;
pub mod grammar;
mod ir;
mod ir_pipeline;
mod ir_scaling;
mod ir_traffic;
mod ir_triggers;
mod layout;
mod lower_artifact;
mod lower_auth;
mod lower_behaviour;
mod lower_canary;
mod lower_model;
mod lower_pipeline;
mod lower_pod;
mod lower_pool;
mod lower_project;
mod lower_redis;
mod lower_scaling;
mod lower_traffic;
mod lower_triggers;
mod lower_vpa;
pub mod monitoring;
pub mod names;
mod overrides;
pub mod plan;
mod reader;
mod rules;
pub mod units;

pub use artifacts::{
    ACTIVATION_MARGIN, ArtifactDirs, DEFAULT_MEMORY_BYTES, derived_memory_bytes, read_artifacts,
};
pub use ir::*;
pub use ir_pipeline::*;
pub use ir_scaling::*;
pub use ir_traffic::*;
pub use ir_triggers::*;
pub use layout::{layout_counts, named_layout};
pub use lower_project::{KUBERNETES_VERSIONS, check_ref, lower};
