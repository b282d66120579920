//! `mlc explain`: the long explanation of a diagnostic code.

use std::fmt::Write as _;

use clap::Args;

use super::output::{ExitStatus, stderr, stdout};
use crate::diagnostics::{REGISTRY, Severity, lookup};

/// Explain a diagnostic code, with an erroneous and a fixed example.
///
/// Example: `mlc explain E0301`, or `mlc explain --list` for every code.
#[derive(Debug, Args)]
pub(crate) struct ExplainArgs {
    /// The code, such as `E0301`.
    #[arg(required_unless_present = "list")]
    pub code: Option<String>,
    /// List every code with its title.
    #[arg(long, conflicts_with = "code")]
    pub list: bool,
}

/// Runs `mlc explain`.
pub(crate) fn run(args: &ExplainArgs) -> ExitStatus {
    if args.list {
        let mut text = String::new();
        for code in REGISTRY {
            let kind = match code.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Note => "note",
            };
            let _ = writeln!(text, "{}  {kind:<7}  {}", code.code, code.title);
        }
        stdout(&text);
        return ExitStatus::Success;
    }
    let code = args.code.as_deref().unwrap_or_default();
    match lookup(code) {
        Some(info) => {
            stdout(info.explanation);
            ExitStatus::Success
        }
        None => {
            stderr(&format!(
                "error: `{code}` is not an mlc diagnostic code\n  help: `mlc explain --list` shows every code\n"
            ));
            ExitStatus::Failure
        }
    }
}
