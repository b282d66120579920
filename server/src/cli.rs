//! Command-line arguments, and the configuration they select.

use std::path::PathBuf;

use clap::Parser;
use mlc_serve_config::{Batching, Config, Duration, LogFormat, ModelConfig, ServerConfig};

/// Serve ONNX models over the Open Inference Protocol v2 (`KServe` V2) with ONNX Runtime.
///
/// Reads the models and settings from a configuration file (`--config`), or serves one model
/// given with `--model`.
#[derive(Debug, Parser)]
#[command(name = "mlc-serve", version)]
pub struct Cli {
    /// Configuration file (YAML or JSON)
    #[arg(
        long,
        value_name = "PATH",
        default_value = "/etc/mlc-serve/config.yaml"
    )]
    pub config: PathBuf,
    /// Serve this one model (an `.onnx` file or a directory holding one) instead of `--config`
    #[arg(long, value_name = "PATH")]
    pub model: Option<PathBuf>,
    /// Name of the `--model` in URLs [default: the file name without `.onnx`]
    #[arg(long, requires = "model")]
    pub name: Option<String>,
    /// Batch up to this many rows of `--model` requests together
    #[arg(long, value_name = "ROWS", requires = "model")]
    pub max_batch_size: Option<u32>,
    /// Longest wait for a batch to fill, such as `5ms` (with `--max-batch-size`)
    #[arg(long, value_name = "DURATION", requires = "max_batch_size")]
    pub max_queue_delay: Option<Duration>,
    /// Sessions (parallel runs) of `--model`
    #[arg(long, value_name = "N", requires = "model")]
    pub sessions: Option<u32>,
    /// Port to listen on (overrides the configuration; 0 picks a free port)
    #[arg(long)]
    pub port: Option<u16>,
    /// Port of the gRPC service (overrides the configuration; 0 picks a free port)
    #[arg(long, value_name = "PORT")]
    pub grpc_port: Option<u16>,
    /// Address to listen on (overrides the configuration)
    #[arg(long, value_name = "ADDR")]
    pub host: Option<String>,
    /// Path of `libonnxruntime.so` (overrides the configuration and `ORT_DYLIB_PATH`)
    #[arg(long, value_name = "PATH")]
    pub ort_lib: Option<PathBuf>,
    /// Log format: `text` or `json` (overrides the configuration)
    #[arg(long, value_name = "FORMAT", value_parser = parse_log_format)]
    pub log_format: Option<LogFormat>,
    /// Check the configuration, the ONNX Runtime library and every model, then exit
    #[arg(long)]
    pub check: bool,
}

fn parse_log_format(text: &str) -> Result<LogFormat, String> {
    match text {
        "text" => Ok(LogFormat::Text),
        "json" => Ok(LogFormat::Json),
        _ => Err(format!(
            "`{text}` is not a log format: use `text` or `json`"
        )),
    }
}

impl Cli {
    /// The configuration: from `--model` and its flags, or from the `--config` file; command-line
    /// flags override the file. Validated.
    pub fn configuration(&self) -> Result<Config, String> {
        let mut config = match &self.model {
            Some(model) => self.single_model(model),
            None => crate::config_file::read(&self.config)?,
        };
        if let Some(port) = self.port {
            config.server.port = port;
        }
        if let Some(port) = self.grpc_port {
            config.server.grpc_port = Some(port);
        }
        if let Some(host) = &self.host {
            config.server.host.clone_from(host);
        }
        if let Some(format) = self.log_format {
            config.server.log_format = format;
        }
        if let Some(lib) = &self.ort_lib {
            config.server.ort_library = Some(lib.display().to_string());
        }
        let problems = config.validate();
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(format!(
                "invalid configuration:\n  {}",
                problems.join("\n  ")
            ))
        }
    }

    fn single_model(&self, model: &std::path::Path) -> Config {
        let name = self.name.clone().unwrap_or_else(|| {
            model
                .file_stem()
                .and_then(|s| s.to_str())
                .unwrap_or("model")
                .to_owned()
        });
        Config {
            server: ServerConfig::default(),
            models: vec![ModelConfig {
                name,
                version: None,
                path: model.display().to_string(),
                batching: self.max_batch_size.map(|max_batch_size| Batching {
                    max_batch_size,
                    max_queue_delay: self.max_queue_delay.unwrap_or_default(),
                }),
                sessions: self.sessions.unwrap_or(1),
                intra_op_threads: 1,
                signature: None,
            }],
        }
    }
}
