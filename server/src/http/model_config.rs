//! `GET /v2/models/{name}[/versions/{version}]/config`: the model configuration extension
//! (Triton's), answered from the ONNX metadata and the serving settings, so tools that read a
//! Triton model configuration (`tritonclient`'s `get_model_config`, perf_analyzer) work.

use std::sync::Arc;

use axum::Json;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::metadata::ModelPath;
use super::state::AppState;
use crate::model::{Model, TensorSpec};
use crate::tensor::DataType;

/// The configuration of one model.
pub(crate) async fn config(
    State(state): State<Arc<AppState>>,
    Path(path): Path<ModelPath>,
) -> Response {
    match state.find(&path.name, path.version.as_deref()) {
        Err(e) => e.into_response(),
        Ok(model) => Json(triton_config(&model)).into_response(),
    }
}

/// Triton's `ModelConfig` as JSON. With batching, `max_batch_size` is set and the dimensions
/// leave out the batch dimension, as Triton writes them.
pub(crate) fn triton_config(model: &Model) -> Value {
    let batched = model.max_batch_size.is_some();
    let tensor = |spec: &TensorSpec| {
        let dims = if batched {
            spec.shape.get(1..).unwrap_or_default()
        } else {
            &spec.shape
        };
        json!({"name": spec.name, "data_type": triton_type(spec.datatype), "dims": dims})
    };
    let mut config = json!({
        "name": model.name,
        "platform": "onnxruntime_onnx",
        "backend": "onnxruntime",
        "max_batch_size": model.max_batch_size.unwrap_or(0),
        "input": model.metadata.inputs.iter().map(tensor).collect::<Vec<_>>(),
        "output": model.metadata.outputs.iter().map(tensor).collect::<Vec<_>>(),
        "instance_group": [{"name": model.name, "kind": "KIND_CPU", "count": model.sessions}],
    });
    if let (Some(delay), Some(map)) = (model.max_queue_delay, config.as_object_mut()) {
        map.insert(
            "dynamic_batching".to_owned(),
            json!({ "max_queue_delay_microseconds": u64::try_from(delay.as_micros()).unwrap_or(u64::MAX) }),
        );
    }
    config
}

/// Triton's name of a datatype (`TYPE_FP32`, `TYPE_STRING` for BYTES).
fn triton_type(datatype: DataType) -> String {
    match datatype {
        DataType::Bytes => "TYPE_STRING".to_owned(),
        other => format!("TYPE_{}", other.name()),
    }
}
