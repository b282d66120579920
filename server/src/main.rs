//! `mlc-serve`: parse the arguments, start, serve, and map the outcome to an exit status
//! (0 after a clean shutdown, 1 when start-up fails).

use std::process::ExitCode;
use std::time::Duration;

use clap::Parser;
use mlc_serve::cli::Cli;
use mlc_serve::{app, logging};

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(&cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            report(&message);
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> Result<(), String> {
    let config = cli.configuration()?;
    logging::init(config.server.log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the async runtime: {e}"))?;
    let result = runtime.block_on(async {
        let state = app::prepare(&config)?;
        if cli.check {
            let reasons = state.failures();
            if !reasons.is_empty() {
                return Err(reasons.join("\n"));
            }
            tracing::info!(
                models = state.loaded().len(),
                "configuration, ONNX Runtime and models are usable"
            );
            return Ok(());
        }
        app::serve(&config, state).await
    });
    // Blocking inference threads still running after the grace period must not hold the exit.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

#[expect(
    clippy::print_stderr,
    reason = "start-up errors go to stderr before or without logging"
)]
fn report(message: &str) {
    eprintln!("error: {message}");
}
