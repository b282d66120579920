//! [`Grpc`]: the RPCs of `inference.GRPCInferenceService` over the shared [`AppState`].

use std::sync::Arc;
use std::time::Instant;

use axum::http::StatusCode;
use tonic::codec::CompressionEncoding;
use tonic::{Request, Response, Status};

use super::pb::grpc_inference_service_server::{GrpcInferenceService, GrpcInferenceServiceServer};
use super::pb::model_metadata_response::TensorMetadata;
use super::pb::{
    ModelInferRequest, ModelInferResponse, ModelMetadataRequest, ModelMetadataResponse,
    ModelReadyRequest, ModelReadyResponse, ServerLiveRequest, ServerLiveResponse,
    ServerMetadataRequest, ServerMetadataResponse, ServerReadyRequest, ServerReadyResponse,
};
use super::status::to_status;
use super::tensors;
use crate::error::ApiError;
use crate::http::{AppState, EXTENSIONS};
use crate::model::{Model, TensorSpec};

/// The service: the same models, metrics and lifecycle as the HTTP API.
#[derive(Debug, Clone)]
pub struct Grpc {
    state: Arc<AppState>,
}

/// The service for `state`, taking messages up to the HTTP body limit, gzip- or
/// deflate-compressed ones too, and compressing answers for clients that accept it.
pub fn router(state: Arc<AppState>) -> GrpcInferenceServiceServer<Grpc> {
    let limit = state.max_body_bytes;
    GrpcInferenceServiceServer::new(Grpc { state })
        .max_decoding_message_size(limit)
        .max_encoding_message_size(usize::MAX)
        .accept_compressed(CompressionEncoding::Gzip)
        .accept_compressed(CompressionEncoding::Deflate)
        .send_compressed(CompressionEncoding::Gzip)
        .send_compressed(CompressionEncoding::Deflate)
}

/// An empty version string means "no version given".
fn version(v: &str) -> Option<&str> {
    (!v.is_empty()).then_some(v)
}

impl Grpc {
    fn find(&self, name: &str, v: &str) -> Result<Arc<Model>, Status> {
        self.state.find(name, version(v)).map_err(to_status)
    }

    async fn infer(&self, mut request: ModelInferRequest) -> Result<ModelInferResponse, ApiError> {
        let model = self
            .state
            .find(&request.model_name, version(&request.model_version))?;
        let given = tensors::inputs(&mut request)?;
        let outputs = &model.metadata.outputs;
        let wanted: Vec<usize> = if request.outputs.is_empty() {
            (0..outputs.len()).collect()
        } else {
            request
                .outputs
                .iter()
                .map(|o| {
                    outputs
                        .iter()
                        .position(|s| s.name == o.name)
                        .ok_or_else(|| {
                            let known: Vec<&str> =
                                outputs.iter().map(|s| s.name.as_str()).collect();
                            ApiError::bad_request(format!(
                                "unknown output `{}`; the model's outputs are {known:?}",
                                o.name
                            ))
                        })
                })
                .collect::<Result<_, _>>()?
        };
        let inputs = model.metadata.bind_inputs(given)?;
        let results = model.infer(inputs).await?;
        let mut response = ModelInferResponse {
            model_name: model.name.clone(),
            model_version: model.version.clone().unwrap_or_default(),
            id: request.id,
            ..ModelInferResponse::default()
        };
        for index in wanted {
            let (Some(spec), Some(tensor)) = (outputs.get(index), results.get(index)) else {
                return Err(ApiError::internal("an output is missing"));
            };
            let (meta, raw) = tensors::output(spec.name.clone(), tensor)?;
            response.outputs.push(meta);
            response.raw_output_contents.push(raw);
        }
        Ok(response)
    }
}

fn tensor_metadata(spec: &TensorSpec) -> TensorMetadata {
    TensorMetadata {
        name: spec.name.clone(),
        datatype: spec.datatype.name().to_owned(),
        shape: spec.shape.clone(),
    }
}

#[tonic::async_trait]
impl GrpcInferenceService for Grpc {
    async fn server_live(
        &self,
        _: Request<ServerLiveRequest>,
    ) -> Result<Response<ServerLiveResponse>, Status> {
        Ok(Response::new(ServerLiveResponse { live: true }))
    }

    async fn server_ready(
        &self,
        _: Request<ServerReadyRequest>,
    ) -> Result<Response<ServerReadyResponse>, Status> {
        Ok(Response::new(ServerReadyResponse {
            ready: self.state.is_ready(),
        }))
    }

    async fn model_ready(
        &self,
        request: Request<ModelReadyRequest>,
    ) -> Result<Response<ModelReadyResponse>, Status> {
        let request = request.into_inner();
        self.find(&request.name, &request.version)?;
        Ok(Response::new(ModelReadyResponse {
            ready: self.state.is_ready(),
        }))
    }

    async fn server_metadata(
        &self,
        _: Request<ServerMetadataRequest>,
    ) -> Result<Response<ServerMetadataResponse>, Status> {
        Ok(Response::new(ServerMetadataResponse {
            name: "mlc-serve".to_owned(),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            extensions: EXTENSIONS.iter().map(|e| (*e).to_owned()).collect(),
        }))
    }

    async fn model_metadata(
        &self,
        request: Request<ModelMetadataRequest>,
    ) -> Result<Response<ModelMetadataResponse>, Status> {
        let request = request.into_inner();
        let model = self.find(&request.name, &request.version)?;
        Ok(Response::new(ModelMetadataResponse {
            name: model.name.clone(),
            versions: model.version.iter().cloned().collect(),
            platform: "onnx_onnxv1".to_owned(),
            inputs: model.metadata.inputs.iter().map(tensor_metadata).collect(),
            outputs: model.metadata.outputs.iter().map(tensor_metadata).collect(),
            properties: std::collections::HashMap::new(),
        }))
    }

    async fn model_infer(
        &self,
        request: Request<ModelInferRequest>,
    ) -> Result<Response<ModelInferResponse>, Status> {
        let started = Instant::now();
        let request = request.into_inner();
        let metrics = self.state.metrics.model(&request.model_name);
        let _in_flight = metrics.track_in_flight();
        let result = match self.state.lifecycle.admit() {
            None => Err(ApiError::shutting_down()),
            Some(_admitted) => {
                let timeout = self.state.request_timeout;
                tokio::time::timeout(timeout, self.infer(request))
                    .await
                    .unwrap_or_else(|_| {
                        Err(ApiError::new(
                            StatusCode::GATEWAY_TIMEOUT,
                            format!("inference did not finish within {timeout:?}"),
                        ))
                    })
            }
        };
        let took = started.elapsed();
        let code = result.as_ref().map_or_else(|e| e.status.as_u16(), |_| 200);
        metrics.count_request(code);
        metrics.request_duration.observe(took.as_secs_f64());
        if result.is_ok() {
            metrics.stats.success.add(took);
        } else {
            metrics.stats.fail.add(took);
        }
        result.map(Response::new).map_err(to_status)
    }
}
