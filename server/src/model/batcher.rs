//! The per-model dispatcher: callers put their jobs in the model's [`JobQueue`], where they form
//! batches ([`Pending`]); the dispatcher cuts the next batch whenever a session is free and runs
//! it on that session's thread.
//!
//! Batching is adaptive: a job that arrives while a session is free runs at once, alone. Jobs
//! wait only while every session is busy; meanwhile compatible ones gather in an open batch,
//! which is cut when a session frees up, when it holds `max_batch_size` rows, or when its first
//! job has waited `max_queue_delay` (when that is above zero). A cut batch that finds no free
//! session waits, oldest first, for the next one. An incompatible job cuts the open batch and
//! opens the next one. So a quiet model never waits for a batch, and a busy one runs as many
//! rows per session run as arrived during the previous run.
//!
//! Callers add their jobs to the queue themselves, under a short lock: a job that arrives while
//! others wait wakes nobody, and the dispatcher runs only when the queue goes from empty to
//! not empty and when a session frees up, not once per request.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Instant;

use ort::session::Session;
use tokio::sync::{Notify, OwnedSemaphorePermit};

use super::job::Job;
use super::metadata::ModelMetadata;
pub(crate) use super::pending::BatchPolicy;
use super::pending::Pending;
use super::runner::run_batch;
use super::session_pool::SessionPool;
use crate::error::ApiError;
use crate::metrics::ModelMetrics;

/// The jobs of one model waiting for a session, shared by the callers that add them and the
/// dispatcher that runs them.
#[derive(Debug)]
pub(crate) struct JobQueue {
    waiting: Mutex<Waiting>,
    /// Wakes the dispatcher when a job arrives in an empty queue, or the queue closes.
    arrived: Notify,
}

#[derive(Debug)]
struct Waiting {
    pending: Pending,
    /// No more jobs come: the dispatcher ends once the waiting ones have run.
    closed: bool,
}

impl JobQueue {
    pub(crate) fn new(policy: Option<BatchPolicy>) -> Self {
        Self {
            waiting: Mutex::new(Waiting {
                pending: Pending::new(policy),
                closed: false,
            }),
            arrived: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Waiting> {
        // The critical sections do not panic; a poisoned lock still holds consistent jobs.
        self.waiting.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Adds `job` to the waiting ones; gives it back when the queue is closed.
    pub(crate) fn push(&self, job: Job) -> Result<(), Job> {
        let was_empty = {
            let mut waiting = self.lock();
            if waiting.closed {
                return Err(job);
            }
            let was_empty = !waiting.pending.has_work();
            waiting.pending.push(job);
            was_empty
        };
        // Otherwise the dispatcher already knows there is work: it waits for a session.
        if was_empty {
            self.arrived.notify_one();
        }
        Ok(())
    }

    /// Takes no more jobs; the dispatcher ends after running the waiting ones.
    pub(crate) fn close(&self) {
        self.lock().closed = true;
        self.arrived.notify_one();
    }
}

/// What running a batch needs: the sessions, the model's metadata, its metrics, and the queue
/// a starting run takes waiting jobs from.
#[derive(Debug, Clone)]
pub(crate) struct Runner {
    pub(crate) pool: Arc<SessionPool>,
    pub(crate) metadata: Arc<ModelMetadata>,
    pub(crate) metrics: Arc<ModelMetrics>,
    pub(crate) queue: Arc<JobQueue>,
}

impl Runner {
    /// Runs `batch` on the session `permit` reserves, on the session's thread. When the run
    /// starts there, the compatible jobs that arrived meanwhile join it (batching models only).
    pub(crate) fn start(&self, permit: OwnedSemaphorePermit, mut batch: Vec<Job>) {
        let Self {
            pool,
            metadata,
            metrics,
            queue,
        } = self.clone();
        leave_queue(&metrics, &mut batch);
        pool.submit(move |session| {
            let joined = batch.len();
            queue.lock().pending.top_up(&mut batch);
            if let Some(extra) = batch.get_mut(joined..) {
                leave_queue(&metrics, extra);
            }
            execute(session, &metadata, &metrics, permit, batch);
        });
    }
}

/// The jobs leave the queue: their places are free for the next requests.
fn leave_queue(metrics: &ModelMetrics, jobs: &mut [Job]) {
    let started = Instant::now();
    for job in jobs {
        job.slot = None;
        let waited = started.saturating_duration_since(job.enqueued);
        metrics.queue_duration.observe(waited.as_secs_f64());
        metrics.stats.queue.add(waited);
    }
}

/// What the dispatcher works with.
pub(crate) struct Dispatcher {
    pub(crate) queue: Arc<JobQueue>,
    pub(crate) runner: Runner,
}

impl Dispatcher {
    /// Runs the queue's batches until it is closed and every waiting job has run.
    pub(crate) async fn run(self) {
        loop {
            // Wait for work, then for a free session, so that an idle model's session stays
            // free for the callers that run at once.
            loop {
                let (work, closed) = {
                    let waiting = self.queue.lock();
                    (waiting.pending.has_work(), waiting.closed)
                };
                if work {
                    break;
                }
                if closed {
                    return;
                }
                self.queue.arrived.notified().await;
            }
            let Some(permit) = self.runner.pool.reserve().await else {
                return;
            };
            // Everything that arrived while the session was busy is in the batch.
            let batch = self.queue.lock().pending.cut();
            if let Some(batch) = batch {
                self.runner.start(permit, batch);
            }
        }
    }
}

/// Runs one batch on `session` (the one `permit` reserves), frees the session, then answers
/// every job: a caller sending its next request on the answer finds the session free. Runs on
/// the session's thread.
fn execute(
    session: &mut Session,
    metadata: &ModelMetadata,
    metrics: &ModelMetrics,
    permit: OwnedSemaphorePermit,
    mut batch: Vec<Job>,
) {
    let rows: usize = batch.iter().map(|j| j.rows.unwrap_or(1)).sum();
    let started = Instant::now();
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        run_batch(session, metadata, &mut batch)
    }))
    .unwrap_or_else(|_| Err(ApiError::internal("the inference run failed unexpectedly")));
    drop(permit);
    let took = started.elapsed();
    metrics.stats.record_run(rows, took);
    #[expect(clippy::cast_precision_loss, reason = "batch sizes are small")]
    {
        metrics.inference_duration.observe(took.as_secs_f64());
        metrics.batch_size.observe(rows as f64);
        metrics.batch_requests.observe(batch.len() as f64);
    }
    match result {
        Ok(outputs) => {
            for (job, outputs) in batch.into_iter().zip(outputs) {
                let _ = job.reply.send(Ok(outputs));
            }
        }
        Err(error) => {
            for job in batch {
                let _ = job.reply.send(Err(error.clone()));
            }
        }
    }
}
