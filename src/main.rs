//! The `mlc` command line: parse arguments, dispatch, map the exit status.

use std::process::ExitCode;

fn main() -> ExitCode {
    mlc::cli::main()
}
