//! `mlc build` (being written).

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, stderr};

/// Not available yet.
#[derive(Debug, Args)]
pub(crate) struct BuildArgs {}

/// Runs `mlc build`.
pub(crate) fn run(_args: &BuildArgs, _global: &GlobalArgs) -> ExitStatus {
    stderr("mlc: `build` is not available in this build\n");
    ExitStatus::Error
}
