//! `mlc completions`: shell completion scripts.

use clap::{Args, CommandFactory};
use clap_complete::Shell;

use super::Cli;
use super::output::{ExitStatus, stdout};

/// Print a shell completion script.
///
/// Example: `mlc completions bash > /etc/bash_completion.d/mlc`, or for zsh
/// `mlc completions zsh > "${fpath[1]}/_mlc"`.
#[derive(Debug, Args)]
pub(crate) struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub(crate) shell: Shell,
}

/// Runs `mlc completions`.
pub(crate) fn run(args: &CompletionsArgs) -> ExitStatus {
    let mut buffer = Vec::new();
    clap_complete::generate(args.shell, &mut Cli::command(), "mlc", &mut buffer);
    stdout(&String::from_utf8_lossy(&buffer));
    ExitStatus::Success
}
