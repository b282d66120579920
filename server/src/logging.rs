//! Log output on stderr, as text or one JSON object per line.

use mlc_serve_config::LogFormat;
use tracing_subscriber::fmt;

/// Installs the global subscriber; a second call keeps the first.
pub fn init(format: LogFormat) {
    let builder = fmt()
        .with_writer(std::io::stderr)
        .with_max_level(tracing::Level::INFO)
        .with_target(false);
    let _ = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}
