//! `mlc check`: validate a project without writing anything.

use std::path::PathBuf;

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, OutputFormat, print_diagnostics, stderr};
use crate::driver;

/// Check a project: parse, resolve and validate every `.kdl` file, then emit every object in
/// memory and check it against its schema (what `mlc build` would refuse); write nothing.
///
/// Example: `mlc check examples/bert-kafka-mig` or, in CI, `mlc check --format json`.
#[derive(Debug, Args)]
pub(crate) struct CheckArgs {
    /// The project directory, or any file or directory inside it (walks up to `mlc.kdl`).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Treat warnings as errors (exit 1 when any warning is reported).
    #[arg(long)]
    pub deny_warnings: bool,
    /// Local copies of remote artifacts, as `DIR/<scheme>/<rest of the URI>`, verified
    /// against their `sha256` (E0342) and read for the model-aware checks (`docs/models.md`).
    #[arg(long, value_name = "DIR")]
    pub artifacts: Option<PathBuf>,
}

/// Runs `mlc check`.
pub(crate) fn run(args: &CheckArgs, global: &GlobalArgs) -> ExitStatus {
    let dirs = crate::model::ArtifactDirs {
        local: args.artifacts.clone(),
    };
    let checked =
        driver::check_with_artifacts(&args.path, &crate::image::ImageInputs::default(), &dirs);
    print_diagnostics(&checked.diagnostics, &checked.sources, global);
    let failed = checked.diagnostics.has_errors()
        || (args.deny_warnings && checked.diagnostics.warning_count() > 0);
    if !failed && !global.quiet && global.format == OutputFormat::Human {
        let models = checked.project.as_ref().map_or(0, |p| p.models.len());
        let envs = checked.project.as_ref().map_or(0, |p| p.environments.len());
        stderr(&format!(
            "mlc: `{}` is valid ({} file(s), {models} model(s), {envs} environment(s))\n",
            checked.root.display(),
            checked.sources.len()
        ));
    }
    if failed {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}
