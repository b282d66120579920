//! `mlc capacity`: what the project asks of each GPU pool at minimum and maximum replicas,
//! and what the pool holds, as a table, JSON (`--format json`) or an HTML page (`--html`).

use std::path::PathBuf;

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, OutputFormat, print_diagnostics, stdout};
use crate::driver;
use crate::report::capacity::{Report, html, json, text};

/// Report GPU capacity per cluster and pool: GPUs, MIG slices per profile and shared
/// replicas, used at every model's minimum and maximum replicas, and free.
///
/// Example: `mlc capacity examples/bert-kafka-mig`, `mlc capacity --html > capacity.html`.
#[derive(Debug, Args)]
pub(crate) struct CapacityArgs {
    /// The project directory, or any file or directory inside it (walks up to `mlc.kdl`).
    #[arg(default_value = ".")]
    pub path: PathBuf,
    /// Print a self-contained HTML page (table and SVG chart) instead of the table.
    #[arg(long)]
    pub html: bool,
}

/// Runs `mlc capacity`.
pub(crate) fn run(args: &CapacityArgs, global: &GlobalArgs) -> ExitStatus {
    let checked = driver::check_front(&args.path);
    let Some(project) = checked.project.as_ref() else {
        print_diagnostics(&checked.diagnostics, &checked.sources, global);
        return ExitStatus::Failure;
    };
    let report = Report::of(project);
    if args.html {
        stdout(&html(&report));
    } else {
        match global.format {
            OutputFormat::Json | OutputFormat::Sarif => stdout(&json(&report)),
            OutputFormat::Human => stdout(&text(&report)),
        }
    }
    ExitStatus::Success
}
