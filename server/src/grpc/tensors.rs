//! Between the gRPC messages and tensors: inputs from `raw_input_contents` (the binary
//! encoding of the REST extension, BYTES length-prefixed) or from the typed `contents` fields;
//! outputs always as `raw_output_contents`, as Triton answers.

use super::pb::model_infer_request::InferInputTensor;
use super::pb::model_infer_response::InferOutputTensor;
use super::pb::{InferTensorContents, ModelInferRequest};
use crate::error::ApiError;
use crate::tensor::{DataType, Tensor, TensorData, check_elements, element_count};

/// The request's inputs by name, in request order; takes the raw contents out of `request`.
pub(crate) fn inputs(request: &mut ModelInferRequest) -> Result<Vec<(String, Tensor)>, ApiError> {
    let raw = std::mem::take(&mut request.raw_input_contents);
    let given = std::mem::take(&mut request.inputs);
    if !raw.is_empty() && raw.len() != given.len() {
        return Err(ApiError::bad_request(format!(
            "{} inputs but {} raw_input_contents: give one raw entry per input, or none",
            given.len(),
            raw.len()
        )));
    }
    let mut raw = raw.into_iter();
    given
        .into_iter()
        .map(|input| {
            let bytes = raw.next();
            let tensor = input_tensor(&input, bytes)?;
            Ok((input.name, tensor))
        })
        .collect()
}

fn input_tensor(input: &InferInputTensor, raw: Option<Vec<u8>>) -> Result<Tensor, ApiError> {
    let name = &input.name;
    let fail = |e: String| ApiError::bad_request(format!("input `{name}`: {e}"));
    let datatype = DataType::parse(&input.datatype)
        .ok_or_else(|| fail(format!("unknown datatype `{}`", input.datatype)))?;
    let count = element_count(&input.shape)
        .ok_or_else(|| fail(format!("invalid shape {:?}", input.shape)))?;
    let data = match (raw, &input.contents) {
        (Some(_), Some(_)) => {
            return Err(fail(
                "`contents` must not be set when raw_input_contents is used".to_owned(),
            ));
        }
        (Some(bytes), None) => TensorData::from_le_bytes(datatype, &bytes).map_err(fail)?,
        (None, contents) => {
            from_contents(datatype, contents.clone().unwrap_or_default()).map_err(fail)?
        }
    };
    if data.len() != count {
        return Err(fail(format!(
            "shape {:?} needs {count} elements but {} were given",
            input.shape,
            data.len()
        )));
    }
    Ok(Tensor {
        shape: input.shape.clone(),
        data,
    })
}

fn narrow<S: Copy + std::fmt::Display, T: TryFrom<S>>(
    values: Vec<S>,
    datatype: DataType,
) -> Result<Vec<T>, String> {
    values
        .into_iter()
        .map(|v| T::try_from(v).map_err(|_| format!("`{v}` is not a valid {datatype} value")))
        .collect()
}

/// The typed `contents` field the protocol assigns to `datatype`.
fn from_contents(datatype: DataType, c: InferTensorContents) -> Result<TensorData, String> {
    Ok(match datatype {
        DataType::Bool => TensorData::Bool(c.bool_contents),
        DataType::Int8 => TensorData::Int8(narrow(c.int_contents, datatype)?),
        DataType::Int16 => TensorData::Int16(narrow(c.int_contents, datatype)?),
        DataType::Int32 => TensorData::Int32(c.int_contents),
        DataType::Int64 => TensorData::Int64(c.int64_contents),
        DataType::Uint8 => TensorData::Uint8(narrow(c.uint_contents, datatype)?),
        DataType::Uint16 => TensorData::Uint16(narrow(c.uint_contents, datatype)?),
        DataType::Uint32 => TensorData::Uint32(c.uint_contents),
        DataType::Uint64 => TensorData::Uint64(c.uint64_contents),
        DataType::Fp32 => TensorData::Fp32(c.fp32_contents),
        DataType::Fp64 => TensorData::Fp64(c.fp64_contents),
        DataType::Bytes => {
            check_elements(&c.bytes_contents)?;
            TensorData::Bytes(c.bytes_contents)
        }
        DataType::Fp16 | DataType::Bf16 => {
            return Err(format!(
                "{datatype} has no typed contents field: send it in raw_input_contents"
            ));
        }
    })
}

/// One output's metadata and its raw bytes.
pub(crate) fn output(
    name: String,
    tensor: &Tensor,
) -> Result<(InferOutputTensor, Vec<u8>), ApiError> {
    let mut raw = Vec::new();
    tensor
        .data
        .write_le_bytes(&mut raw)
        .map_err(|e| ApiError::internal(format!("output `{name}`: {e}")))?;
    Ok((
        InferOutputTensor {
            name,
            datatype: tensor.data.datatype().name().to_owned(),
            shape: tensor.shape.clone(),
            parameters: std::collections::HashMap::new(),
            contents: None,
        },
        raw,
    ))
}
