//! Start-up and the serving loop: load ONNX Runtime and the models, listen, drain on SIGTERM.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use mlc_serve_config::Config;

use crate::grpc;
use crate::http::{AppState, router};
use crate::lifecycle::{Lifecycle, termination_signal};
use crate::metrics::Metrics;
use crate::model::{Model, load};
use crate::ort_library;

/// Loads the ONNX Runtime library and every model of `config`; must run inside a Tokio runtime.
pub fn prepare(config: &Config) -> Result<AppState, String> {
    let configured = config.server.ort_library.as_deref().map(Path::new);
    let (library, source) = ort_library::locate(configured)?;
    let env = ort_library::init(&library)?;
    tracing::info!(library = %library.display(), source = ?source, "ONNX Runtime loaded");
    let metrics = Arc::new(Metrics::new(config.models.iter().map(|m| m.name.as_str())));
    let queue_depth = usize::try_from(config.server.queue_depth).unwrap_or(usize::MAX);
    let mut models = BTreeMap::new();
    for model_config in &config.models {
        let handle = metrics
            .model_handle(&model_config.name)
            .ok_or_else(|| format!("no metrics for model `{}`", model_config.name))?;
        let model: Model = load(&env, model_config, queue_depth, handle)?;
        models.insert(model.name.clone(), Arc::new(model));
    }
    Ok(AppState {
        models,
        metrics,
        lifecycle: Arc::new(Lifecycle::default()),
        max_body_bytes: usize::try_from(config.server.max_body_bytes).unwrap_or(usize::MAX),
        request_timeout: config.server.request_timeout.as_std(),
    })
}

/// Serves `state` on the configured address until SIGTERM/Ctrl-C, then drains: readiness turns
/// false, new inference requests get 503, and accepted ones finish within `shutdown_grace`.
pub async fn serve(config: &Config, state: AppState) -> Result<(), String> {
    let address = format!("{}:{}", config.server.host, config.server.port);
    let listener = tokio::net::TcpListener::bind(&address)
        .await
        .map_err(|e| format!("cannot listen on {address}: {e}"))?;
    let local = listener.local_addr().map_err(|e| e.to_string())?;
    tracing::info!("listening on http://{local}");
    let grpc_listener = match config.server.grpc_port {
        None => None,
        Some(port) => {
            let address = format!("{}:{port}", config.server.host);
            let listener = tokio::net::TcpListener::bind(&address)
                .await
                .map_err(|e| format!("cannot listen for gRPC on {address}: {e}"))?;
            let local = listener.local_addr().map_err(|e| e.to_string())?;
            tracing::info!("gRPC listening on {local}");
            Some(listener)
        }
    };

    let lifecycle = Arc::clone(&state.lifecycle);
    let grace = config.server.shutdown_grace.as_std();
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let (stopped_tx, stopped_rx) = tokio::sync::watch::channel(false);
    let drain = async move {
        termination_signal().await;
        tracing::info!(
            in_flight = lifecycle.in_flight(),
            "shutting down: not ready, draining accepted requests"
        );
        lifecycle.begin_drain();
        let _ = started_tx.send(());
        lifecycle.drained().await;
        tracing::info!("drained");
        let _ = stopped_tx.send(true);
    };
    let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
        let _ = rx.wait_for(|stopped| *stopped).await;
    };
    let deadline = async move {
        if started_rx.await.is_ok() {
            tokio::time::sleep(grace).await;
        } else {
            std::future::pending::<()>().await;
        }
    };
    let state = Arc::new(state);
    let grpc_server = async {
        let Some(listener) = grpc_listener else {
            return Ok(());
        };
        tonic::transport::Server::builder()
            .add_service(grpc::router(Arc::clone(&state)))
            .serve_with_incoming_shutdown(
                tonic::transport::server::TcpIncoming::from(listener).with_nodelay(Some(true)),
                stopped(stopped_rx.clone()),
            )
            .await
            .map_err(|e| format!("gRPC server failed: {e}"))
    };
    tokio::spawn(drain);
    let http_server = axum::serve(listener, router(Arc::clone(&state)))
        .with_graceful_shutdown(stopped(stopped_rx.clone()));
    let servers = async {
        let (http, grpc) = tokio::join!(
            async { http_server.await.map_err(|e| format!("server failed: {e}")) },
            grpc_server
        );
        http.and(grpc)
    };
    tokio::select! {
        result = servers => result?,
        () = deadline => tracing::warn!("shutdown grace of {grace:?} expired with requests still running"),
    }
    tracing::info!("stopped");
    Ok(())
}
