//! Running one batch on a session: concatenate the jobs' inputs along dimension 0, run, and
//! split every output back by each job's rows.

use std::borrow::Cow;

use ort::session::Session;
use ort::value::DynValue;

use super::job::Job;
use super::metadata::ModelMetadata;
use crate::error::ApiError;
use crate::tensor::{DataType, Tensor, TensorData};

/// Runs `jobs` (one, or several compatible ones) and returns each job's outputs in graph order.
pub(crate) fn run_batch(
    session: &mut Session,
    metadata: &ModelMetadata,
    jobs: &mut [Job],
) -> Result<Vec<Vec<Tensor>>, ApiError> {
    let inputs = if let [job] = jobs {
        std::mem::take(&mut job.inputs)
    } else {
        concatenate(jobs)?
    };
    let mut values: Vec<(Cow<'_, str>, DynValue)> = Vec::with_capacity(inputs.len());
    for (spec, tensor) in metadata.inputs.iter().zip(inputs) {
        let value = tensor
            .data
            .into_ort(tensor.shape)
            .map_err(|e| ApiError::bad_request(format!("input `{}`: {e}", spec.name)))?;
        values.push((Cow::Borrowed(spec.name.as_str()), value));
    }
    let outputs = session.run(values).map_err(|e| {
        if e.code() == ort::error::ErrorCode::InvalidArgument {
            ApiError::bad_request(format!("ONNX Runtime refused the inputs: {e}"))
        } else {
            ApiError::internal(format!("inference failed: {e}"))
        }
    })?;
    let mut tensors = Vec::with_capacity(metadata.outputs.len());
    for spec in &metadata.outputs {
        let value = outputs
            .get(&spec.name)
            .ok_or_else(|| ApiError::internal(format!("output `{}` is missing", spec.name)))?;
        let datatype = value
            .dtype()
            .tensor_type()
            .and_then(DataType::from_onnx)
            .unwrap_or(spec.datatype);
        let tensor = TensorData::from_ort(datatype, value)
            .map_err(|e| ApiError::internal(format!("output `{}`: {e}", spec.name)))?;
        tensors.push(tensor);
    }
    if let [_] = jobs {
        return Ok(vec![tensors]);
    }
    split(metadata, &tensors, jobs)
}

/// Joins every job's inputs into one tensor per input.
fn concatenate(jobs: &[Job]) -> Result<Vec<Tensor>, ApiError> {
    let Some(first) = jobs.first() else {
        return Err(ApiError::internal("empty batch"));
    };
    let total_rows: usize = jobs.iter().filter_map(|j| j.rows).sum();
    let mut joined = Vec::with_capacity(first.inputs.len());
    for (index, head) in first.inputs.iter().enumerate() {
        let per_job = head.data.len()
            / head
                .shape
                .first()
                .and_then(|d| usize::try_from(*d).ok())
                .unwrap_or(1)
                .max(1);
        let mut data = TensorData::with_capacity(head.data.datatype(), per_job * total_rows)
            .map_err(ApiError::internal)?;
        for job in jobs {
            let part = job
                .inputs
                .get(index)
                .ok_or_else(|| ApiError::internal("batch inputs differ"))?;
            if !data.extend_from(&part.data) {
                return Err(ApiError::internal("batch datatypes differ"));
            }
        }
        let mut shape = head.shape.clone();
        if let Some(dim0) = shape.first_mut() {
            *dim0 = i64::try_from(total_rows).map_err(|_| ApiError::internal("batch too large"))?;
        }
        joined.push(Tensor { shape, data });
    }
    Ok(joined)
}

/// Cuts each batched output into the jobs' rows.
fn split(
    metadata: &ModelMetadata,
    outputs: &[Tensor],
    jobs: &[Job],
) -> Result<Vec<Vec<Tensor>>, ApiError> {
    let total_rows: usize = jobs.iter().filter_map(|j| j.rows).sum();
    let mut per_job: Vec<Vec<Tensor>> = jobs
        .iter()
        .map(|_| Vec::with_capacity(outputs.len()))
        .collect();
    for (spec, output) in metadata.outputs.iter().zip(outputs) {
        let dim0 = output.shape.first().and_then(|d| usize::try_from(*d).ok());
        if dim0 != Some(total_rows) {
            return Err(ApiError::internal(format!(
                "output `{}` has shape {:?}, not {total_rows} rows: the model cannot batch",
                spec.name, output.shape
            )));
        }
        let row_len = output.data.len() / total_rows.max(1);
        let mut start = 0;
        for (job, outs) in jobs.iter().zip(per_job.iter_mut()) {
            let rows = job.rows.unwrap_or(0);
            let end = start + rows * row_len;
            let data = output.data.slice(start..end).ok_or_else(|| {
                ApiError::internal(format!("output `{}` is shorter than the batch", spec.name))
            })?;
            let mut shape = output.shape.clone();
            if let Some(d) = shape.first_mut() {
                *d = i64::try_from(rows).unwrap_or(0);
            }
            outs.push(Tensor { shape, data });
            start = end;
        }
    }
    Ok(per_job)
}
