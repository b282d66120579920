//! Finding and loading the ONNX Runtime shared library.
//!
//! Sources, first match wins: the configured path (`--ort-lib` or `server.ort_library`),
//! `ORT_DYLIB_PATH`, then the library inside an installed `onnxruntime` Python package
//! (`<package>/capi/libonnxruntime.so.<version>`). A source that is named but unusable is an
//! error rather than a reason to try the next one.

use std::path::{Path, PathBuf};
use std::process::Command;

use ort::environment::Environment;

/// The ONNX Runtime version mlc-serve is tested with.
pub const TESTED_VERSION: &str = "1.32.0";

/// Where the library was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// `--ort-lib` or `server.ort_library`.
    Configured,
    /// The `ORT_DYLIB_PATH` environment variable.
    Environment,
    /// The `onnxruntime` Python package.
    PythonPackage,
}

/// Finds the library: `configured` first, then `ORT_DYLIB_PATH`, then Python's `onnxruntime`.
pub fn locate(configured: Option<&Path>) -> Result<(PathBuf, Source), String> {
    if let Some(path) = configured {
        return existing(path, "the configured ONNX Runtime library")
            .map(|p| (p, Source::Configured));
    }
    if let Some(path) = std::env::var_os("ORT_DYLIB_PATH").filter(|p| !p.is_empty()) {
        return existing(Path::new(&path), "`ORT_DYLIB_PATH`").map(|p| (p, Source::Environment));
    }
    if let Some(path) = from_python_package() {
        return Ok((path, Source::PythonPackage));
    }
    Err(format!(
        "cannot find the ONNX Runtime library: no `--ort-lib`, no `server.ort_library`, \
         `ORT_DYLIB_PATH` is not set, and no `onnxruntime` Python package was found\n\
         help: install it and point mlc-serve at it:\n    \
         python3 -m pip install onnxruntime=={TESTED_VERSION}\n    \
         export ORT_DYLIB_PATH=\"$(python3 -c 'import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))')/capi/libonnxruntime.so.{TESTED_VERSION}\""
    ))
}

fn existing(path: &Path, what: &str) -> Result<PathBuf, String> {
    if path.is_file() {
        Ok(path.to_path_buf())
    } else {
        Err(format!(
            "{what} `{}` does not exist or is not a file\n\
             help: install ONNX Runtime with `python3 -m pip install onnxruntime=={TESTED_VERSION}` and give \
             the path of `onnxruntime/capi/libonnxruntime.so.{TESTED_VERSION}`",
            path.display()
        ))
    }
}

/// Asks `python3` where `onnxruntime` lives and picks `capi/libonnxruntime.so.<version>`.
fn from_python_package() -> Option<PathBuf> {
    let output = Command::new("python3")
        .args([
            "-c",
            "import onnxruntime, os; print(os.path.dirname(onnxruntime.__file__))",
        ])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let dir = PathBuf::from(String::from_utf8(output.stdout).ok()?.trim()).join("capi");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&dir)
        .ok()?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                n.strip_prefix("libonnxruntime.so.").is_some_and(|v| {
                    !v.is_empty() && v.chars().all(|c| c.is_ascii_digit() || c == '.')
                })
            })
        })
        .collect();
    found.sort();
    found.pop()
}

/// Loads the library at `path` and creates the process's ONNX Runtime environment.
pub fn init(path: &Path) -> Result<Environment, String> {
    ort::init_from(path)
        .map_err(|e| {
            format!(
                "cannot load the ONNX Runtime library `{}`: {e}\n\
                 help: use the library of the `onnxruntime` Python wheel, version {TESTED_VERSION} \
                 (`python3 -m pip install onnxruntime=={TESTED_VERSION}`)",
                path.display()
            )
        })?
        .with_name("mlc-serve")
        .with_telemetry(false)
        .build()
        .map_err(|e| format!("cannot create the ONNX Runtime environment: {e}"))
}
