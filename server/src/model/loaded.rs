//! [`Model`]: a loaded model as the HTTP layer sees it, and [`load`], which builds one.

use std::path::Path;
use std::sync::Arc;

use mlc_serve_config::ModelConfig;
use ort::environment::Environment;
use ort::session::Session;
use tokio::sync::{Semaphore, oneshot};

use super::batcher::{BatchPolicy, Dispatcher, JobQueue, Runner};
use super::job::Job;
use super::metadata::ModelMetadata;
use super::path::resolve_model_file;
use super::session_pool::SessionPool;
use crate::error::ApiError;
use crate::metrics::ModelMetrics;
use crate::tensor::Tensor;

/// A taken place in a model's queue (see [`Model::reserve`]).
#[derive(Debug)]
pub struct QueueSlot(tokio::sync::OwnedSemaphorePermit);

/// A model ready to serve: metadata and the queue in front of its sessions.
#[derive(Debug)]
pub struct Model {
    /// Name in URLs.
    pub name: String,
    /// Version, when configured.
    pub version: Option<String>,
    /// Inputs and outputs.
    pub metadata: Arc<ModelMetadata>,
    /// Largest batch in rows, or `None` when batching is off.
    pub max_batch_size: Option<usize>,
    /// Longest an open batch stays open, when batching is on.
    pub max_queue_delay: Option<std::time::Duration>,
    /// ONNX Runtime sessions, so runs at once.
    pub sessions: usize,
    /// Seconds a client should wait after a 429.
    retry_after: u32,
    /// The jobs waiting for a session, as batches.
    queue: Arc<JobQueue>,
    /// One permit per place in the queue: a job holds one from arrival until its batch starts.
    slots: Arc<Semaphore>,
    /// Places in the queue.
    queue_capacity: usize,
    /// Runs a job at once when nothing waits and a session is free.
    runner: Runner,
}

impl Model {
    /// Queues checked inputs (graph order) and waits for the outputs (graph order).
    /// A full queue is 429 with `Retry-After`.
    pub async fn infer(&self, inputs: Vec<Tensor>) -> Result<Vec<Tensor>, ApiError> {
        let slot = self.reserve()?;
        self.infer_in(slot, inputs).await
    }

    /// A place in the queue, taken before the request's body is read, so that at most
    /// `queue_depth` requests per model hold their bodies and tensors while they wait; 429
    /// with `Retry-After` when every place is taken.
    pub fn reserve(&self) -> Result<QueueSlot, ApiError> {
        Arc::clone(&self.slots)
            .try_acquire_owned()
            .map(QueueSlot)
            .map_err(|_| self.overloaded())
    }

    /// Queues checked inputs (graph order) in the place `slot` holds and waits for the outputs.
    pub async fn infer_in(
        &self,
        slot: QueueSlot,
        inputs: Vec<Tensor>,
    ) -> Result<Vec<Tensor>, ApiError> {
        let QueueSlot(slot) = slot;
        let (reply, result) = oneshot::channel();
        let job = Job::new(inputs, reply, slot);
        // Nothing waits (this job holds the only taken place) and a session is free: run it
        // now, without the hop through the dispatcher. Jobs that wait hold their places, so
        // this never overtakes one.
        let idle = self.queue_depth() == 1;
        match idle.then(|| self.runner.pool.try_reserve()).flatten() {
            Some(permit) => self.runner.start(permit, vec![job]),
            None => self
                .queue
                .push(job)
                .map_err(|_| ApiError::shutting_down())?,
        }
        result
            .await
            .map_err(|_| ApiError::internal("the inference was dropped"))?
    }

    fn overloaded(&self) -> ApiError {
        ApiError {
            retry_after: Some(self.retry_after),
            ..ApiError::new(
                axum::http::StatusCode::TOO_MANY_REQUESTS,
                format!("model `{}` is overloaded: its queue is full", self.name),
            )
        }
    }

    /// Requests waiting in the queue.
    pub fn queue_depth(&self) -> usize {
        self.queue_capacity
            .saturating_sub(self.slots.available_permits())
    }
}

/// Loads `config`'s model: its sessions, metadata and dispatcher (spawned on the current Tokio
/// runtime). `queue_depth` bounds the waiting requests.
pub fn load(
    env: &Environment,
    config: &ModelConfig,
    queue_depth: usize,
    metrics: Arc<ModelMetrics>,
) -> Result<Model, String> {
    let file = resolve_model_file(Path::new(&config.path))?;
    let threads = usize::try_from(config.intra_op_threads).unwrap_or(1).max(1);
    let count = usize::try_from(config.sessions).unwrap_or(1).max(1);
    let sessions = (0..count)
        .map(|_| open_session(env, &file, threads))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| {
            format!(
                "model `{}`: cannot load `{}`: {e}",
                config.name,
                file.display()
            )
        })?;
    let metadata = sessions
        .first()
        .map(ModelMetadata::from_session)
        .ok_or_else(|| format!("model `{}`: no session", config.name))?
        .map_err(|e| format!("model `{}`: {e}", config.name))?;
    if let Some(expected) = &config.signature
        && let Some(difference) = expected.difference(&metadata.signature())
    {
        return Err(format!(
            "model `{}`: `{}` is not the model this configuration was compiled for: {difference}; \
             serve the model file the manifests were built from, or rebuild them (`mlc build`) for this one",
            config.name,
            file.display()
        ));
    }
    let policy = config.batching.and_then(|b| {
        if let Some(obstacle) = metadata.batching_obstacle() {
            tracing::warn!(
                model = %config.name,
                "dynamic batching is off: {obstacle}; every input and output needs a dynamic first dimension"
            );
            return None;
        }
        Some(BatchPolicy {
            max_rows: usize::try_from(b.max_batch_size).unwrap_or(usize::MAX).max(1),
            max_delay: b.max_queue_delay.as_std(),
        })
    });
    let metadata = Arc::new(metadata);
    let queue = Arc::new(JobQueue::new(policy));
    let queue_capacity = queue_depth.max(1);
    let runner = Runner {
        pool: Arc::new(SessionPool::new(sessions, &config.name)?),
        metadata: Arc::clone(&metadata),
        metrics,
        queue: Arc::clone(&queue),
    };
    let dispatcher = Dispatcher {
        queue: Arc::clone(&queue),
        runner: runner.clone(),
    };
    tokio::spawn(dispatcher.run());
    tracing::info!(
        model = %config.name,
        file = %file.display(),
        sessions = count,
        batching = policy.map_or_else(|| "off".to_owned(), |p| format!("max {} rows, {:?} delay", p.max_rows, p.max_delay)),
        "model loaded"
    );
    Ok(Model {
        name: config.name.clone(),
        version: config.version.clone(),
        metadata,
        max_batch_size: policy.map(|p| p.max_rows),
        max_queue_delay: policy.map(|p| p.max_delay),
        sessions: count,
        retry_after: 1,
        queue,
        slots: Arc::new(Semaphore::new(queue_capacity)),
        queue_capacity,
        runner,
    })
}

impl Drop for Model {
    /// No more requests come: the dispatcher runs the waiting ones and ends, and with it the
    /// session threads.
    fn drop(&mut self) {
        self.queue.close();
    }
}

fn open_session(env: &Environment, file: &Path, threads: usize) -> Result<Session, String> {
    Session::builder(env)
        .and_then(|b| Ok(b.with_intra_threads(threads)?))
        .and_then(|b| Ok(b.with_inter_threads(1)?))
        .and_then(|b| Ok(b.with_intra_op_spinning(false)?))
        .map_err(|e| e.to_string())?
        .commit_from_file(file)
        .map_err(|e| e.to_string())
}
