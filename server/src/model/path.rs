//! Finding the `.onnx` file a configured `path` means.

use std::path::{Path, PathBuf};

/// Resolves `path`: a file is used as is; in a directory (such as `/mnt/models` under `KServe`),
/// `model.onnx`, else the only `.onnx` file.
pub fn resolve_model_file(path: &Path) -> Result<PathBuf, String> {
    let meta = std::fs::metadata(path)
        .map_err(|e| format!("cannot read model path `{}`: {e}", path.display()))?;
    if meta.is_file() {
        return Ok(path.to_path_buf());
    }
    let preferred = path.join("model.onnx");
    if preferred.is_file() {
        return Ok(preferred);
    }
    let entries = std::fs::read_dir(path)
        .map_err(|e| format!("cannot list model directory `{}`: {e}", path.display()))?;
    let mut found: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "onnx"))
        .collect();
    found.sort();
    match found.as_slice() {
        [one] => Ok(one.clone()),
        [] => Err(format!(
            "no `.onnx` file in model directory `{}`",
            path.display()
        )),
        several => Err(format!(
            "model directory `{}` holds {} `.onnx` files and no `model.onnx`: name the file in `path`",
            path.display(),
            several.len()
        )),
    }
}
