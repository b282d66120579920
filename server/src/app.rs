//! Start-up and the serving loop: load ONNX Runtime and the models, listen, drain on SIGTERM.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use mlc_serve_config::Config;

use crate::grpc;
use crate::http::{AppState, Loader, listener, router};
use crate::lifecycle::termination_signal;
use crate::metrics::Metrics;
use crate::model::load;
use crate::ort_library;

/// How long no request may arrive, after the drain, before the listeners close.
const QUIET: std::time::Duration = std::time::Duration::from_millis(300);

/// Loads the ONNX Runtime library and every model of `config`; must run inside a Tokio runtime.
/// A model that fails to load does not serve, and the state says why.
pub fn prepare(config: &Config) -> Result<AppState, String> {
    let configured = config.server.ort_library.as_deref().map(Path::new);
    let (library, source) = ort_library::locate(configured)?;
    let env = ort_library::init(&library)?;
    tracing::info!(library = %library.display(), source = ?source, "ONNX Runtime loaded");
    let metrics = Arc::new(Metrics::new(config.models.iter().map(|m| m.name.as_str())));
    let queue_depth = usize::try_from(config.server.queue_depth).unwrap_or(usize::MAX);
    let mut models = BTreeMap::new();
    let mut failed = BTreeMap::new();
    for model_config in &config.models {
        let handle = metrics
            .model_handle(&model_config.name)
            .ok_or_else(|| format!("no metrics for model `{}`", model_config.name))?;
        match load(&env, model_config, queue_depth, handle) {
            Ok(model) => {
                models.insert(model.name.clone(), Arc::new(model));
            }
            // The other models keep serving; this one answers 503 with the reason, and the
            // server is not ready.
            Err(reason) => {
                tracing::error!(model = %model_config.name, "{reason}");
                failed.insert(model_config.name.clone(), reason);
            }
        }
    }
    let loader = Loader {
        env,
        configs: config
            .models
            .iter()
            .map(|m| (m.name.clone(), m.clone()))
            .collect(),
        queue_depth,
        repository_api: config.server.model_repository,
    };
    Ok(AppState::new(
        models,
        failed,
        loader,
        metrics,
        usize::try_from(config.server.max_body_bytes).unwrap_or(usize::MAX),
        config.server.request_timeout.as_std(),
    ))
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
    let drain_delay = config.server.drain_delay.as_std();
    let (started_tx, started_rx) = tokio::sync::oneshot::channel::<()>();
    let (stopped_tx, stopped_rx) = tokio::sync::watch::channel(false);
    let drain = async move {
        termination_signal().await;
        tracing::info!(
            in_flight = lifecycle.in_flight(),
            "shutting down: not ready"
        );
        lifecycle.begin_drain();
        let _ = started_tx.send(());
        if !drain_delay.is_zero() {
            tracing::info!("serving for the drain delay of {drain_delay:?}");
            tokio::time::sleep(drain_delay).await;
        }
        lifecycle.refuse_new();
        tracing::info!(
            in_flight = lifecycle.in_flight(),
            "refusing new requests, waiting for accepted ones"
        );
        lifecycle.drained().await;
        // Clients that have not seen their 503 yet are still connecting: answer them until
        // the arrivals stop, so that none meets a closed listener mid-connect.
        lifecycle.quiet(QUIET).await;
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
    let limits = listener::Limits {
        max_connections: usize::try_from(config.server.max_connections).unwrap_or(usize::MAX),
        header_read_timeout: config.server.header_read_timeout.as_std(),
    };
    let http_server = listener::serve(
        listener,
        router(Arc::clone(&state)),
        limits,
        stopped(stopped_rx.clone()),
    );
    let servers = async {
        let ((), grpc) = tokio::join!(http_server, grpc_server);
        grpc
    };
    tokio::select! {
        result = servers => result?,
        () = deadline => tracing::warn!("shutdown grace of {grace:?} expired with requests still running"),
    }
    tracing::info!("stopped");
    Ok(())
}
