//! Parsing an inference request body into named tensors and the outputs asked for.

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::tensor::{DataType, Tensor, TensorData, element_count};

/// A parsed `$inference_request`.
#[derive(Debug)]
pub struct InferenceRequest {
    /// The request `id`, echoed in the response.
    pub id: Option<String>,
    /// Input tensors by name, in request order.
    pub inputs: Vec<(String, Tensor)>,
    /// Outputs asked for; `None` means all.
    pub outputs: Option<Vec<RequestedOutput>>,
    /// `binary_data_output`: return outputs as binary unless an output says otherwise.
    pub binary_output: bool,
}

/// One entry of the request's `outputs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestedOutput {
    /// Output name.
    pub name: String,
    /// Per-output `binary_data`, overriding `binary_data_output`.
    pub binary: Option<bool>,
}

#[derive(Deserialize)]
struct RawRequest<'a> {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    parameters: Option<Map<String, Value>>,
    #[serde(borrow)]
    inputs: Vec<RawInput<'a>>,
    #[serde(default)]
    outputs: Option<Vec<RawOutput>>,
}

#[derive(Deserialize)]
struct RawInput<'a> {
    name: String,
    shape: Vec<i64>,
    datatype: String,
    #[serde(default)]
    parameters: Option<Map<String, Value>>,
    #[serde(default, borrow)]
    data: Option<&'a RawValue>,
}

#[derive(Deserialize)]
struct RawOutput {
    name: String,
    #[serde(default)]
    parameters: Option<Map<String, Value>>,
}

impl InferenceRequest {
    /// Parses a body: all JSON when `json_len` is `None`, else `json_len` bytes of JSON followed by
    /// the binary tensors in input order.
    pub fn parse(body: &[u8], json_len: Option<usize>) -> Result<Self, ApiError> {
        let (json, mut binary) = match json_len {
            None => (body, &[][..]),
            Some(len) => body.split_at_checked(len).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "`Inference-Header-Content-Length` is {len} but the body has only {} bytes",
                    body.len()
                ))
            })?,
        };
        let raw: RawRequest<'_> = serde_json::from_slice(json)
            .map_err(|e| ApiError::bad_request(format!("malformed inference request: {e}")))?;
        let binary_output = flag(raw.parameters.as_ref(), "binary_data_output")?.unwrap_or(false);
        let mut inputs = Vec::with_capacity(raw.inputs.len());
        for input in raw.inputs {
            let tensor = read_input(&input, &mut binary)?;
            inputs.push((input.name, tensor));
        }
        if !binary.is_empty() {
            return Err(ApiError::bad_request(format!(
                "{} bytes of binary data follow the JSON header but no input claims them",
                binary.len()
            )));
        }
        let outputs = raw
            .outputs
            .map(|outputs| {
                outputs
                    .into_iter()
                    .map(|o| {
                        Ok(RequestedOutput {
                            binary: flag(o.parameters.as_ref(), "binary_data")?,
                            name: o.name,
                        })
                    })
                    .collect::<Result<Vec<_>, ApiError>>()
            })
            .transpose()?;
        Ok(Self {
            id: raw.id,
            inputs,
            outputs,
            binary_output,
        })
    }
}

fn read_input(input: &RawInput<'_>, binary: &mut &[u8]) -> Result<Tensor, ApiError> {
    let name = &input.name;
    let datatype = DataType::parse(&input.datatype).ok_or_else(|| {
        ApiError::bad_request(format!(
            "input `{name}`: unknown datatype `{}`",
            input.datatype
        ))
    })?;
    let count = element_count(&input.shape).ok_or_else(|| {
        ApiError::bad_request(format!("input `{name}`: invalid shape {:?}", input.shape))
    })?;
    if let Some(params) = &input.parameters
        && params.contains_key("shared_memory_region")
    {
        return Err(ApiError::bad_request(format!(
            "input `{name}`: shared memory is not supported"
        )));
    }
    let binary_size = input
        .parameters
        .as_ref()
        .and_then(|p| p.get("binary_data_size"))
        .map(|v| {
            v.as_u64()
                .and_then(|n| usize::try_from(n).ok())
                .ok_or_else(|| {
                    ApiError::bad_request(format!(
                        "input `{name}`: `binary_data_size` must be a non-negative integer"
                    ))
                })
        })
        .transpose()?;
    let data = match (binary_size, input.data) {
        (Some(size), None) => {
            let (bytes, rest) = binary.split_at_checked(size).ok_or_else(|| {
                ApiError::bad_request(format!(
                    "input `{name}`: `binary_data_size` is {size} but only {} bytes of binary data remain",
                    binary.len()
                ))
            })?;
            *binary = rest;
            TensorData::from_le_bytes(datatype, bytes)
        }
        (None, Some(raw)) => TensorData::from_json(datatype, raw.get(), count),
        (Some(_), Some(_)) => {
            return Err(ApiError::bad_request(format!(
                "input `{name}` has both `data` and `binary_data_size`"
            )));
        }
        (None, None) => {
            return Err(ApiError::bad_request(format!("input `{name}` has no `data`")));
        }
    }
    .map_err(|e| ApiError::bad_request(format!("input `{name}`: {e}")))?;
    if data.len() != count {
        return Err(ApiError::bad_request(format!(
            "input `{name}`: shape {:?} needs {count} elements but {} were given",
            input.shape,
            data.len()
        )));
    }
    Ok(Tensor {
        shape: input.shape.clone(),
        data,
    })
}

/// Reads a boolean parameter; a parameter of another type is an error.
fn flag(parameters: Option<&Map<String, Value>>, key: &str) -> Result<Option<bool>, ApiError> {
    match parameters.and_then(|p| p.get(key)) {
        None => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(other) => Err(ApiError::bad_request(format!(
            "parameter `{key}` must be a boolean, not {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::InferenceRequest;
    use crate::tensor::TensorData;

    #[test]
    fn parses_json_and_binary_inputs() {
        let header = br#"{"id":"7","inputs":[{"name":"a","shape":[2],"datatype":"INT32","parameters":{"binary_data_size":8}},{"name":"b","shape":[1,2],"datatype":"FP32","data":[[1,2]]}],"outputs":[{"name":"y","parameters":{"binary_data":true}}]}"#;
        let mut body = header.to_vec();
        body.extend_from_slice(&1i32.to_le_bytes());
        body.extend_from_slice(&(-2i32).to_le_bytes());
        let request = InferenceRequest::parse(&body, Some(header.len())).unwrap();
        assert_eq!(request.id.as_deref(), Some("7"));
        assert_eq!(request.inputs[0].1.data, TensorData::Int32(vec![1, -2]));
        assert_eq!(request.inputs[1].1.data, TensorData::Fp32(vec![1.0, 2.0]));
        assert_eq!(request.outputs.unwrap()[0].binary, Some(true));
    }

    #[test]
    fn rejects_count_mismatch_and_leftover_bytes() {
        let body = br#"{"inputs":[{"name":"a","shape":[3],"datatype":"FP32","data":[1,2]}]}"#;
        assert_eq!(InferenceRequest::parse(body, None).unwrap_err().status, 400);
        let header = br#"{"inputs":[{"name":"a","shape":[1],"datatype":"FP32","data":[1]}]}"#;
        let mut body = header.to_vec();
        body.push(0);
        assert_eq!(
            InferenceRequest::parse(&body, Some(header.len()))
                .unwrap_err()
                .status,
            400
        );
        assert_eq!(
            InferenceRequest::parse(body.as_slice(), Some(10_000))
                .unwrap_err()
                .status,
            400
        );
    }
}
