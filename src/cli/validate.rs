//! `mlc validate` (being written).

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, stderr};

/// Not available yet.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {}

/// Runs `mlc validate`.
pub(crate) fn run(_args: &ValidateArgs, _global: &GlobalArgs) -> ExitStatus {
    stderr("mlc: `validate` is not available in this build\n");
    ExitStatus::Error
}
