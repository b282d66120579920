//! `mlc image` (being written).

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, stderr};

/// Not available yet.
#[derive(Debug, Args)]
pub(crate) struct ImageArgs {}

/// Runs `mlc image`.
pub(crate) fn run(_args: &ImageArgs, _global: &GlobalArgs) -> ExitStatus {
    stderr("mlc: `image` is not available in this build\n");
    ExitStatus::Error
}
