//! Model-aware rules, where the model stage could read the ONNX file (`plan.onnx`): batching
//! needs a dynamic first dimension (`E0340`), and the weights plus the activation margin must
//! fit the accelerator (`E0320`, `W0315`, from `gpu.rs`) and the pod's memory (`E0341`, `W0315`).

use crate::diagnostics::{Code, Diagnostic, Diagnostics};
use crate::model::plan::Plan;
use crate::model::{ACTIVATION_MARGIN, Model};
use crate::onnx::{OnnxModel, size_text};

const GIB: f64 = 1_073_741_824.0;

/// Rules for one model whose ONNX file was read.
pub(crate) fn check(model: &Model, plan: &Plan, diags: &mut Diagnostics) {
    let Some(onnx) = &plan.onnx else { return };
    if let Some(batching) = model.batching.as_ref().filter(|b| b.max_batch > 1)
        && let Some(why) = onnx.batching_obstacle()
    {
        diags.push(
            Diagnostic::error(
                Code::E0340,
                format!(
                    "`{}` batches up to {} requests, but its model cannot batch: {why}",
                    model.name.value, batching.max_batch
                ),
            )
            .label(model.artifact.uri.span, "this model")
            .note("mlc-serve batches along the first dimension: every input and output needs a dynamic one (`mlc inspect` shows the shapes)")
            .help("remove `batching`, or export the model with a dynamic first (batch) dimension"),
        );
    }
    check_host_fit(model, onnx, diags);
}

/// E0341 / W0315: the weights against the pod's memory limit (or request), when given.
fn check_host_fit(model: &Model, onnx: &OnnxModel, diags: &mut Diagnostics) {
    let r = &model.resources;
    let Some(memory) = r.memory_limit.as_ref().or(r.memory.as_ref()) else {
        return;
    };
    #[expect(clippy::cast_precision_loss, reason = "bytes far below 2^52")]
    let weights = onnx.weight_bytes as f64;
    let available = memory.value.value;
    if weights > available {
        diags.push(
            Diagnostic::error(
                Code::E0341,
                format!(
                    "the model's {} of weights do not fit the pod's memory of `{}`",
                    size_text(onnx.weight_bytes),
                    memory.value
                ),
            )
            .label(memory.span, "too small")
            .label(model.artifact.uri.span, "weights read from this model")
            .note("the runtime reads the weights into host memory before it serves (and before it copies them to a GPU): the pod is OOM-killed while loading")
            .help(format!(
                "set `resources memory=…` to at least {} (the weights plus 25 %), or leave it out and mlc derives it",
                size_text(needed(onnx))
            )),
        );
    } else if weights * (1.0 + ACTIVATION_MARGIN) > available {
        diags.push(thin(
            model,
            onnx,
            &memory.value.to_string(),
            memory.span,
            "pod memory",
        ));
    }
}

/// E0320 / W0315: the weights against the accelerator's usable memory, in GiB.
pub(crate) fn check_accelerator_fit(
    model: &Model,
    onnx: &OnnxModel,
    usable_gib: f64,
    diags: &mut Diagnostics,
) {
    #[expect(clippy::cast_precision_loss, reason = "bytes far below 2^52")]
    let weights = onnx.weight_bytes as f64;
    let usable = usable_gib * GIB;
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "usable memory is positive and far below 2^63 bytes"
    )]
    let usable_text = size_text(usable as u64);
    if weights > usable {
        diags.push(
            Diagnostic::error(
                Code::E0320,
                format!(
                    "the model's {} of weights do not fit the accelerator's {usable_text}",
                    size_text(onnx.weight_bytes)
                ),
            )
            .label(model.artifact.uri.span, "too large")
            .label(model.accelerator.span, "this accelerator")
            .help("ask for a larger MIG profile or more GPUs"),
        );
    } else if weights * (1.0 + ACTIVATION_MARGIN) > usable {
        diags.push(thin(
            model,
            onnx,
            &usable_text,
            model.accelerator.span,
            "accelerator",
        ));
    }
}

fn needed(onnx: &OnnxModel) -> u64 {
    #[expect(
        clippy::cast_precision_loss,
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "bytes far below 2^52"
    )]
    let bytes = (onnx.weight_bytes as f64 * (1.0 + ACTIVATION_MARGIN)).ceil() as u64;
    bytes
}

fn thin(
    model: &Model,
    onnx: &OnnxModel,
    available: &str,
    span: crate::source::Span,
    what: &str,
) -> Diagnostic {
    Diagnostic::warning(
        Code::W0315,
        format!(
            "the model's {} of weights leave less than 25 % of the {what} ({available}) for activations",
            size_text(onnx.weight_bytes)
        ),
    )
    .label(span, format!("{available} of {what}"))
    .label(model.artifact.uri.span, "weights read from this model")
    .note("activations, the runtime's buffers and batching need memory beyond the weights: a large input or batch runs out of memory")
    .help(format!(
        "give it at least {} (the weights plus 25 %)",
        size_text(needed(onnx))
    ))
}
