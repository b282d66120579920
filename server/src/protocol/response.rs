//! Writing an `$inference_response`: JSON, followed by binary tensors when some were asked for.

use serde::Serialize;

use crate::tensor::{Tensor, TensorData};

/// One output of a response.
#[derive(Debug)]
pub struct OutputTensor {
    /// Output name.
    pub name: String,
    /// The tensor.
    pub tensor: Tensor,
    /// Whether to send it in the binary part of the body.
    pub binary: bool,
}

#[derive(Serialize)]
struct Response<'a> {
    model_name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    model_version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a str>,
    outputs: Vec<Output<'a>>,
}

#[derive(Serialize)]
struct Output<'a> {
    name: &'a str,
    datatype: &'static str,
    shape: &'a [i64],
    #[serde(skip_serializing_if = "Option::is_none")]
    parameters: Option<BinaryParameters>,
    #[serde(skip_serializing_if = "Option::is_none")]
    data: Option<&'a TensorData>,
}

#[derive(Serialize)]
struct BinaryParameters {
    binary_data_size: usize,
}

/// Encodes a response; returns the body and, when binary tensors follow the JSON, the JSON
/// length for `Inference-Header-Content-Length`.
pub fn encode_response(
    model_name: &str,
    model_version: Option<&str>,
    id: Option<&str>,
    outputs: &[OutputTensor],
) -> Result<(Vec<u8>, Option<usize>), serde_json::Error> {
    let mut binary = Vec::new();
    let mut entries = Vec::with_capacity(outputs.len());
    for output in outputs {
        let mut entry = Output {
            name: &output.name,
            datatype: output.tensor.data.datatype().name(),
            shape: &output.tensor.shape,
            parameters: None,
            data: None,
        };
        if output.binary {
            let start = binary.len();
            output
                .tensor
                .data
                .write_le_bytes(&mut binary)
                .map_err(<serde_json::Error as serde::ser::Error>::custom)?;
            entry.parameters = Some(BinaryParameters {
                binary_data_size: binary.len() - start,
            });
        } else {
            entry.data = Some(&output.tensor.data);
        }
        entries.push(entry);
    }
    let mut body = serde_json::to_vec(&Response {
        model_name,
        model_version,
        id,
        outputs: entries,
    })?;
    if outputs.iter().any(|o| o.binary) {
        let json_len = body.len();
        body.extend_from_slice(&binary);
        Ok((body, Some(json_len)))
    } else {
        Ok((body, None))
    }
}
