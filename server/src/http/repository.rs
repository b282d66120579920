//! The model repository extension, as Triton and `KServe` define it, over the configured
//! models: `POST /v2/repository/index` lists them with their state, `POST
//! /v2/repository/models/{name}/load` loads one (again) from its path, `.../unload` stops
//! serving it. Off unless `server.model_repository` is true.

use std::sync::Arc;

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::state::{AppState, Unavailable};
use crate::error::ApiError;

fn enabled(state: &AppState) -> Result<(), ApiError> {
    if state.loader.repository_api {
        Ok(())
    } else {
        Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "the model repository API is off: set `server.model_repository: true`",
        ))
    }
}

/// `POST /v2/repository/index`: every configured model, `READY` or `UNAVAILABLE` with the
/// reason; `{"ready": true}` in the body lists only the ready ones.
pub(crate) async fn index(State(state): State<Arc<AppState>>, body: Bytes) -> Response {
    if let Err(e) = enabled(&state) {
        return e.into_response();
    }
    let only_ready = if body.iter().all(u8::is_ascii_whitespace) {
        false
    } else {
        match serde_json::from_slice::<Value>(&body) {
            Ok(v) => v.get("ready").and_then(Value::as_bool).unwrap_or(false),
            Err(e) => {
                return ApiError::bad_request(format!("malformed index request: {e}"))
                    .into_response();
            }
        }
    };
    let loaded = state.loaded();
    let unavailable = state.unavailable();
    let mut entries = Vec::new();
    for (name, config) in &state.loader.configs {
        let version = config.version.clone().unwrap_or_default();
        let entry = match (loaded.contains_key(name), unavailable.get(name)) {
            (true, None) => {
                json!({"name": name, "version": version, "state": "READY", "reason": ""})
            }
            (_, why) => {
                if only_ready {
                    continue;
                }
                let reason = match why {
                    Some(Unavailable::Failed(reason)) => reason.clone(),
                    Some(Unavailable::Unloaded) | None => "unloaded".to_owned(),
                };
                json!({"name": name, "version": version, "state": "UNAVAILABLE", "reason": reason})
            }
        };
        entries.push(entry);
    }
    Json(Value::Array(entries)).into_response()
}

/// `POST /v2/repository/models/{name}/load`.
pub(crate) async fn load(State(state): State<Arc<AppState>>, Path(name): Path<String>) -> Response {
    if let Err(e) = enabled(&state) {
        return e.into_response();
    }
    let loader = Arc::clone(&state);
    let model = name.clone();
    match tokio::task::spawn_blocking(move || loader.load(&model)).await {
        Ok(Ok(())) => {
            tracing::info!(model = %name, "loaded through the repository API");
            Json(json!({"name": name, "load": true})).into_response()
        }
        Ok(Err(e)) => e.into_response(),
        Err(_) => ApiError::internal("loading the model failed unexpectedly").into_response(),
    }
}

/// `POST /v2/repository/models/{name}/unload`.
pub(crate) async fn unload(
    State(state): State<Arc<AppState>>,
    Path(name): Path<String>,
) -> Response {
    if let Err(e) = enabled(&state) {
        return e.into_response();
    }
    match state.unload(&name) {
        Ok(()) => {
            tracing::info!(model = %name, "unloaded through the repository API");
            Json(json!({"name": name, "unload": true})).into_response()
        }
        Err(e) => e.into_response(),
    }
}
