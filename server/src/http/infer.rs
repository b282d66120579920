//! `POST /v2/models/{name}[/versions/{version}]/infer`.

use std::sync::Arc;
use std::time::Instant;

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use super::body::read_limited;
use super::drain::{DrainLimits, answer_early};
use super::metadata::ModelPath;
use super::state::AppState;
use crate::error::ApiError;
use crate::protocol::{HEADER_CONTENT_LENGTH, InferenceRequest, OutputTensor, encode_response};

/// Handles one inference request: admission, timeout, metrics.
pub(crate) async fn infer(
    State(state): State<Arc<AppState>>,
    Path(path): Path<ModelPath>,
    request: Request,
) -> Response {
    let started = Instant::now();
    // The request's own headers, not a copy (what the `HeaderMap` extractor would make).
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let metrics = state.metrics.model(&path.name);
    let _in_flight = metrics.track_in_flight();
    // Taken by `handle` when it reads the body; still here when the answer came first.
    let mut body = Some(body);
    let response = match state.lifecycle.admit() {
        None => {
            // Refused while draining: the client should reconnect, to another pod.
            let mut refused = ApiError::shutting_down().into_response();
            refused
                .headers_mut()
                .insert(header::CONNECTION, HeaderValue::from_static("close"));
            refused
        }
        Some(_admitted) => {
            let work = handle(&state, &path, &headers, &mut body);
            match tokio::time::timeout(state.request_timeout, work).await {
                Ok(Ok(response)) => response,
                Ok(Err(error)) => error.into_response(),
                Err(_) => ApiError::new(
                    StatusCode::GATEWAY_TIMEOUT,
                    format!(
                        "inference did not finish within {:?}",
                        state.request_timeout
                    ),
                )
                .into_response(),
            }
        }
    };
    // Answered before the body was read: drain it, so that the client, maybe still sending,
    // reads the answer rather than a reset connection.
    let response = match body {
        Some(unread) => answer_early(
            &headers,
            unread,
            response,
            DrainLimits {
                bytes: state.max_body_bytes,
                time: state.request_timeout,
            },
        ),
        None => response,
    };
    let took = started.elapsed();
    metrics.count_request(response.status().as_u16());
    metrics.request_duration.observe(took.as_secs_f64());
    if response.status().is_success() {
        metrics.stats.success.add(took);
    } else {
        metrics.stats.fail.add(took);
    }
    response
}

async fn handle(
    state: &AppState,
    path: &ModelPath,
    headers: &HeaderMap,
    body: &mut Option<Body>,
) -> Result<Response, ApiError> {
    let model = state.find(&path.name, path.version.as_deref())?;
    // The queue place is taken before the body is read: an overloaded model refuses at once,
    // without buffering a body it would refuse, and memory stays within the queue's bound.
    let slot = model.reserve()?;
    let json_len = headers
        .get(HEADER_CONTENT_LENGTH)
        .map(|v| {
            v.to_str()
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok())
                .ok_or_else(|| {
                    ApiError::bad_request(
                        "`Inference-Header-Content-Length` must be a non-negative integer",
                    )
                })
        })
        .transpose()?;
    let body = read_limited(headers, body, state.max_body_bytes).await?;
    let request = InferenceRequest::parse(&body, json_len)?;
    drop(body);

    let outputs = &model.metadata.outputs;
    let wanted: Vec<(usize, bool)> = match &request.outputs {
        None => (0..outputs.len())
            .map(|i| (i, request.binary_output))
            .collect(),
        Some(asked) => asked
            .iter()
            .map(|o| {
                let index = outputs
                    .iter()
                    .position(|s| s.name == o.name)
                    .ok_or_else(|| {
                        let known: Vec<&str> = outputs.iter().map(|s| s.name.as_str()).collect();
                        ApiError::bad_request(format!(
                            "unknown output `{}`; the model's outputs are {known:?}",
                            o.name
                        ))
                    })?;
                Ok((index, o.binary.unwrap_or(request.binary_output)))
            })
            .collect::<Result<_, ApiError>>()?,
    };
    let inputs = model.metadata.bind_inputs(request.inputs)?;
    let mut results: Vec<Option<crate::tensor::Tensor>> = model
        .infer_in(slot, inputs)
        .await?
        .into_iter()
        .map(Some)
        .collect();

    let mut selected = Vec::with_capacity(wanted.len());
    for (index, binary) in wanted {
        let name = outputs
            .get(index)
            .map(|s| s.name.clone())
            .unwrap_or_default();
        let tensor = results
            .get_mut(index)
            .and_then(Option::take)
            .ok_or_else(|| ApiError::bad_request(format!("output `{name}` is asked for twice")))?;
        selected.push(OutputTensor {
            name,
            tensor,
            binary,
        });
    }
    let (bytes, json_len) = encode_response(
        &model.name,
        model.version.as_deref(),
        request.id.as_deref(),
        &selected,
    )
    .map_err(|e| ApiError::internal(format!("cannot encode the response: {e}")))?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    match json_len {
        None => {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            );
        }
        Some(len) => {
            headers.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/octet-stream"),
            );
            headers.insert(HEADER_CONTENT_LENGTH, HeaderValue::from(len));
        }
    }
    Ok(response)
}
