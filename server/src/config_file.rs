//! Reading the configuration file (YAML, of which JSON is a subset).

use std::path::Path;

use mlc_serve_config::Config;

/// Reads and parses the file at `path`.
pub fn read(path: &Path) -> Result<Config, String> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        format!(
            "cannot read the configuration file `{}`: {e}",
            path.display()
        )
    })?;
    parse(&text).map_err(|e| format!("invalid configuration file `{}`: {e}", path.display()))
}

/// Parses configuration text.
pub fn parse(text: &str) -> Result<Config, String> {
    serde_saphyr::from_str(text).map_err(|e| e.to_string())
}
