//! `mlc inspect`: the I/O signature, opsets and weight size of an ONNX model file, as mlc
//! reads it for its model-aware checks (without ONNX Runtime).

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;

use super::output::{ExitStatus, GlobalArgs, OutputFormat, print_diagnostics, stdout};
use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::onnx::{OnnxModel, TensorSig, read_file, size_text};
use crate::source::SourceMap;

/// Show what an ONNX model takes and gives: inputs and outputs with their datatypes and
/// shapes, opsets, weight bytes (external-data files included), and whether it can batch.
///
/// Example: `mlc inspect models/iris.onnx`, or `mlc inspect --format json file://models/iris.onnx`.
#[derive(Debug, Args)]
pub(crate) struct InspectArgs {
    /// The model file (a path, or a `file://` URI).
    pub artifact: String,
}

/// Runs `mlc inspect`.
pub(crate) fn run(args: &InspectArgs, global: &GlobalArgs) -> ExitStatus {
    let path = PathBuf::from(
        args.artifact
            .strip_prefix("file://")
            .unwrap_or(&args.artifact),
    );
    let model = match read_file(&path) {
        Ok(model) => model,
        Err(e) => {
            let mut diags = Diagnostics::default();
            diags.push(
                Diagnostic::error(
                    Code::E0343,
                    format!("cannot read `{}` as an ONNX model: {e}", args.artifact),
                )
                .help(
                    "give the path of an `.onnx` file (the model's external-data files beside it)",
                ),
            );
            print_diagnostics(&diags, &SourceMap::default(), global);
            return ExitStatus::Failure;
        }
    };
    match global.format {
        OutputFormat::Json | OutputFormat::Sarif => stdout(&json(&args.artifact, &model)),
        OutputFormat::Human => stdout(&table(&args.artifact, &model)),
    }
    ExitStatus::Success
}

/// The report as one JSON document.
fn json(artifact: &str, model: &OnnxModel) -> String {
    let mut value = serde_json::to_value(model).unwrap_or_default();
    if let Some(map) = value.as_object_mut() {
        map.insert("artifact".to_owned(), artifact.into());
        map.insert(
            "batching".to_owned(),
            match model.batching_obstacle() {
                None => serde_json::json!({ "possible": true }),
                Some(why) => serde_json::json!({ "possible": false, "reason": why }),
            },
        );
    }
    let mut text = serde_json::to_string_pretty(&value).unwrap_or_default();
    text.push('\n');
    text
}

fn tensors(out: &mut String, title: &str, list: &[TensorSig]) {
    let name_w = list.iter().map(|t| t.name.len()).max().unwrap_or(0).max(4);
    let type_w = list
        .iter()
        .map(|t| t.datatype.len())
        .max()
        .unwrap_or(0)
        .max(8);
    let _ = writeln!(out, "\n{title}:");
    let _ = writeln!(out, "  {:<name_w$}  {:<type_w$}  shape", "name", "datatype");
    for t in list {
        let _ = writeln!(
            out,
            "  {:<name_w$}  {:<type_w$}  {}",
            t.name,
            t.datatype,
            t.shape_text()
        );
    }
}

/// The report as a table.
fn table(artifact: &str, model: &OnnxModel) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "model:    {artifact}");
    let producer = if model.producer.is_empty() {
        String::new()
    } else {
        format!(", produced by {}", model.producer)
    };
    let _ = writeln!(out, "ir:       version {}{producer}", model.ir_version);
    let opsets: Vec<String> = model
        .opsets
        .iter()
        .map(|o| format!("{} {}", o.domain, o.version))
        .collect();
    let _ = writeln!(out, "opsets:   {}", opsets.join(", "));
    let _ = writeln!(
        out,
        "weights:  {} ({} bytes; {} in the model file)",
        size_text(model.weight_bytes),
        model.weight_bytes,
        size_text(model.file_bytes)
    );
    for e in &model.external {
        let size = e.bytes.map_or_else(|| "missing".to_owned(), size_text);
        let _ = writeln!(out, "external: {} ({size})", e.location);
    }
    let batching = match model.batching_obstacle() {
        None => "possible (every input and output has a dynamic first dimension)".to_owned(),
        Some(why) => format!("not possible: {why}"),
    };
    let _ = writeln!(out, "batching: {batching}");
    tensors(&mut out, "inputs", &model.inputs);
    tensors(&mut out, "outputs", &model.outputs);
    out
}
