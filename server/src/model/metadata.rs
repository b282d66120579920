//! What a model takes and gives, read from its session, and the checks of a request against it.

use ort::session::Session;
use ort::value::ValueType;
use serde::Serialize;

use crate::error::ApiError;
use crate::tensor::{DataType, Tensor};

/// One input or output: name, datatype, and shape with `-1` for a dynamic dimension.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TensorSpec {
    /// Tensor name in the graph.
    pub name: String,
    /// Element type.
    #[serde(serialize_with = "datatype_name")]
    pub datatype: DataType,
    /// Dimensions; `-1` where the graph leaves one free.
    pub shape: Vec<i64>,
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's `serialize_with` passes a reference"
)]
fn datatype_name<S: serde::Serializer>(dt: &DataType, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(dt.name())
}

/// The inputs and outputs of a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelMetadata {
    /// Inputs, in graph order.
    pub inputs: Vec<TensorSpec>,
    /// Outputs, in graph order.
    pub outputs: Vec<TensorSpec>,
}

impl ModelMetadata {
    /// Reads the metadata of a session; a non-tensor input or output is an error.
    pub fn from_session(session: &Session) -> Result<Self, String> {
        let spec = |outlet: &ort::value::Outlet, kind: &str| match outlet.dtype() {
            ValueType::Tensor { ty, shape, .. } => DataType::from_onnx(*ty)
                .map(|datatype| TensorSpec {
                    name: outlet.name().to_owned(),
                    datatype,
                    shape: shape.to_vec(),
                })
                .ok_or_else(|| {
                    format!(
                        "{kind} `{}` has element type {ty}, which is not supported",
                        outlet.name()
                    )
                }),
            other => Err(format!(
                "{kind} `{}` is a {other}, not a tensor (for scikit-learn classifiers, convert with `zipmap=False`)",
                outlet.name()
            )),
        };
        Ok(Self {
            inputs: session
                .inputs()
                .iter()
                .map(|o| spec(o, "input"))
                .collect::<Result<_, _>>()?,
            outputs: session
                .outputs()
                .iter()
                .map(|o| spec(o, "output"))
                .collect::<Result<_, _>>()?,
        })
    }

    /// The signature in the runtime config's terms, to compare with the one mlc compiled
    /// the config against.
    pub fn signature(&self) -> mlc_serve_config::Signature {
        let tensors = |list: &[TensorSpec]| {
            list.iter()
                .map(|t| mlc_serve_config::TensorSignature {
                    name: t.name.clone(),
                    datatype: t.datatype.name().to_owned(),
                    shape: t.shape.clone(),
                })
                .collect()
        };
        mlc_serve_config::Signature {
            inputs: tensors(&self.inputs),
            outputs: tensors(&self.outputs),
        }
    }

    /// Why the model cannot batch along dimension 0, if it cannot: every input and output must
    /// have a dynamic first dimension (Triton's rule).
    pub fn batching_obstacle(&self) -> Option<String> {
        let inputs = self.inputs.iter().map(|s| ("input", s));
        let outputs = self.outputs.iter().map(|s| ("output", s));
        inputs
            .chain(outputs)
            .find_map(|(kind, spec)| match spec.shape.first() {
                Some(-1) => None,
                Some(_) => Some(format!(
                    "{kind} `{}` has a fixed first dimension {:?}",
                    spec.name, spec.shape
                )),
                None => Some(format!("{kind} `{}` is a scalar", spec.name)),
            })
    }

    /// Matches request inputs to the model's: every input given once, with the model's datatype,
    /// rank and fixed dimensions. Returns the tensors in graph order.
    pub fn bind_inputs(&self, given: Vec<(String, Tensor)>) -> Result<Vec<Tensor>, ApiError> {
        let mut bound: Vec<Option<Tensor>> = vec![None; self.inputs.len()];
        for (name, tensor) in given {
            let Some(index) = self.inputs.iter().position(|s| s.name == name) else {
                let known: Vec<&str> = self.inputs.iter().map(|s| s.name.as_str()).collect();
                return Err(ApiError::bad_request(format!(
                    "unknown input `{name}`; the model's inputs are {known:?}"
                )));
            };
            let (Some(spec), Some(slot)) = (self.inputs.get(index), bound.get_mut(index)) else {
                return Err(ApiError::internal("input index out of range"));
            };
            check_tensor(spec, &tensor)?;
            if slot.replace(tensor).is_some() {
                return Err(ApiError::bad_request(format!(
                    "input `{name}` is given twice"
                )));
            }
        }
        bound
            .into_iter()
            .zip(&self.inputs)
            .map(|(tensor, spec)| {
                tensor
                    .ok_or_else(|| ApiError::bad_request(format!("missing input `{}`", spec.name)))
            })
            .collect()
    }
}

fn check_tensor(spec: &TensorSpec, tensor: &Tensor) -> Result<(), ApiError> {
    let datatype = tensor.data.datatype();
    if datatype != spec.datatype {
        return Err(ApiError::bad_request(format!(
            "input `{}` has datatype {datatype} but the model expects {}",
            spec.name, spec.datatype
        )));
    }
    let fits = tensor.shape.len() == spec.shape.len()
        && tensor
            .shape
            .iter()
            .zip(&spec.shape)
            .all(|(got, want)| *want < 0 || got == want);
    if !fits {
        return Err(ApiError::bad_request(format!(
            "input `{}` has shape {:?} but the model expects {:?} (-1 = any)",
            spec.name, tensor.shape, spec.shape
        )));
    }
    Ok(())
}
