//! The command line: one file per subcommand, global flags flattened in, one printer.
//! Only this module and `main.rs` print or choose the exit status.

mod build;
mod capacity;
mod check;
mod completions;
mod diff;
mod explain;
mod image;
mod init;
mod inspect;
mod output;
mod validate;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use output::{ExitStatus, GlobalArgs, OutputFormat};

/// Compile concise KDL descriptions of ML model serving into Kubernetes manifests.
#[derive(Debug, Parser)]
#[command(name = "mlc", version, about, propagate_version = true)]
pub struct Cli {
    #[command(flatten)]
    global: GlobalArgs,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(init::InitArgs),
    Check(check::CheckArgs),
    Build(build::BuildArgs),
    Capacity(capacity::CapacityArgs),
    Validate(validate::ValidateArgs),
    Image(image::ImageArgs),
    Diff(diff::DiffArgs),
    Explain(explain::ExplainArgs),
    #[command(alias = "explain-model")]
    Inspect(inspect::InspectArgs),
    Completions(completions::CompletionsArgs),
}

/// Runs the command line and returns the process exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            // A usage error means mlc could not run: exit 2, like every other such failure.
            let status = if e.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
            let _ = e.print();
            return status.into();
        }
    };
    let status = match cli.command {
        Command::Init(args) => init::run(&args, &cli.global),
        Command::Check(args) => check::run(&args, &cli.global),
        Command::Build(args) => build::run(&args, &cli.global),
        Command::Capacity(args) => capacity::run(&args, &cli.global),
        Command::Validate(args) => validate::run(&args, &cli.global),
        Command::Image(args) => image::run(&args, &cli.global),
        Command::Diff(args) => diff::run(&args, &cli.global),
        Command::Explain(args) => explain::run(&args),
        Command::Inspect(args) => inspect::run(&args, &cli.global),
        Command::Completions(args) => completions::run(&args),
    };
    status.into()
}
