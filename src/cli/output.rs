//! Global flags, the exit status, and writing to stdout/stderr (a broken pipe is not an error).

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Args, ValueEnum};

use crate::diagnostics::{ColorChoice, Diagnostics, render_human, render_json};
use crate::source::SourceMap;

/// How diagnostics are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum OutputFormat {
    /// Graphical reports for people.
    #[default]
    Human,
    /// One JSON document (versioned, see docs/json-format.md).
    Json,
    /// A SARIF 2.1.0 log, for code scanning.
    Sarif,
}

/// Flags every subcommand accepts.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Diagnostic output format.
    #[arg(long, global = true, value_enum, default_value_t = OutputFormat::Human)]
    pub format: OutputFormat,
    /// When to colour human output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print nothing on success.
    #[arg(long, short, global = true)]
    pub quiet: bool,
}

/// The process exit status: 0 ok, 1 input errors, 2 mlc could not run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Everything went well.
    Success,
    /// The input has errors.
    Failure,
    /// mlc itself could not run.
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> ExitCode {
        match s {
            ExitStatus::Success => ExitCode::SUCCESS,
            ExitStatus::Failure => ExitCode::from(1),
            ExitStatus::Error => ExitCode::from(2),
        }
    }
}

/// Writes `text` to stdout, ignoring a closed pipe.
pub(crate) fn stdout(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes()).and_then(|()| out.flush());
}

/// Writes `text` to stderr, ignoring a closed pipe.
pub(crate) fn stderr(text: &str) {
    let mut err = std::io::stderr().lock();
    let _ = err.write_all(text.as_bytes()).and_then(|()| err.flush());
}

/// Prints diagnostics in the chosen format: human to stderr, JSON and SARIF to stdout.
pub(crate) fn print_diagnostics(diags: &Diagnostics, sources: &SourceMap, global: &GlobalArgs) {
    print_diagnostics_to(diags, sources, global, false);
}

/// Prints diagnostics; with `machine_to_stderr`, JSON and SARIF go to stderr too (when stdout
/// carries manifests).
pub(crate) fn print_diagnostics_to(
    diags: &Diagnostics,
    sources: &SourceMap,
    global: &GlobalArgs,
    machine_to_stderr: bool,
) {
    let machine = |text: String| {
        if machine_to_stderr {
            stderr(&text);
        } else {
            stdout(&text);
        }
    };
    match global.format {
        OutputFormat::Json => machine(render_json(diags, sources)),
        OutputFormat::Sarif => machine(crate::diagnostics::render_sarif(diags, sources)),
        OutputFormat::Human => {
            if diags.is_empty() {
                return;
            }
            let color = match global.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => std::io::stderr().is_terminal(),
            };
            let width = if std::io::stderr().is_terminal() {
                120
            } else {
                100
            };
            stderr(&render_human(diags, sources, color, width));
        }
    }
}
