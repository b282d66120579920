//! The per-model dispatcher: takes jobs off the queue, forms batches, and runs each on a free
//! session, on that session's thread.
//!
//! Batching is adaptive: a job that arrives while a session is free runs at once, alone. Jobs
//! wait only while every session is busy; meanwhile compatible ones gather in an open batch,
//! which is cut when a session frees up, when it holds `max_batch_size` rows, or when its first
//! job has waited `max_queue_delay` (when that is above zero). A cut batch that finds no free
//! session waits, oldest first, for the next one. An incompatible job cuts the open batch and
//! opens the next one. So a quiet model never waits for a batch, and a busy one runs as many
//! rows per session run as arrived during the previous run.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ort::session::Session;
use tokio::sync::{OwnedSemaphorePermit, mpsc};

use super::job::Job;
use super::metadata::ModelMetadata;
use super::runner::run_batch;
use super::session_pool::SessionPool;
use crate::error::ApiError;
use crate::metrics::ModelMetrics;

/// How a model batches; absent when it runs each request alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchPolicy {
    /// Most rows in one run.
    pub(crate) max_rows: usize,
    /// Longest the first job of an open batch waits for others before the batch is cut; zero
    /// for no bound other than a free session or a full batch.
    pub(crate) max_delay: Duration,
}

/// What running a batch needs: the sessions, the model's metadata and its metrics.
#[derive(Debug, Clone)]
pub(crate) struct Runner {
    pub(crate) pool: Arc<SessionPool>,
    pub(crate) metadata: Arc<ModelMetadata>,
    pub(crate) metrics: Arc<ModelMetrics>,
}

impl Runner {
    /// Runs `batch` on the session `permit` reserves, on the session's thread.
    pub(crate) fn start(&self, permit: OwnedSemaphorePermit, mut batch: Vec<Job>) {
        let Self {
            pool,
            metadata,
            metrics,
        } = self.clone();
        let started = Instant::now();
        for job in &mut batch {
            // The job leaves the queue: its place is free for the next request.
            job.slot = None;
            let waited = started.duration_since(job.enqueued);
            metrics.queue_duration.observe(waited.as_secs_f64());
            metrics.stats.queue.add(waited);
        }
        pool.submit(move |session| execute(session, &metadata, &metrics, permit, batch));
    }
}

/// What the dispatcher works with.
pub(crate) struct Dispatcher {
    pub(crate) queue: mpsc::UnboundedReceiver<Job>,
    pub(crate) runner: Runner,
    pub(crate) policy: Option<BatchPolicy>,
}

impl Dispatcher {
    /// Serves the queue until every sender is gone and every queued job has run.
    pub(crate) async fn run(mut self) {
        let mut pending = Pending::new(self.policy);
        let mut permit: Option<OwnedSemaphorePermit> = None;
        let mut open = true;
        loop {
            // Everything already queued joins a batch before one is cut.
            while open {
                match self.queue.try_recv() {
                    Ok(job) => pending.push(job),
                    Err(mpsc::error::TryRecvError::Empty) => break,
                    Err(mpsc::error::TryRecvError::Disconnected) => open = false,
                }
            }
            while pending.has_work() {
                let Some(reserved) = permit.take().or_else(|| self.runner.pool.try_reserve())
                else {
                    break;
                };
                match pending.cut() {
                    Some(batch) => self.runner.start(reserved, batch),
                    None => permit = Some(reserved),
                }
            }
            if !open && !pending.has_work() {
                return;
            }
            let deadline = pending.deadline();
            tokio::select! {
                job = self.queue.recv(), if open => match job {
                    Some(job) => pending.push(job),
                    None => open = false,
                },
                reserved = self.runner.pool.reserve(), if pending.has_work() && permit.is_none() => {
                    match reserved {
                        Some(reserved) => permit = Some(reserved),
                        None => return,
                    }
                },
                () = sleep_until(deadline), if deadline.is_some() => pending.seal(),
            }
        }
    }
}

async fn sleep_until(deadline: Option<Instant>) {
    match deadline {
        Some(at) => tokio::time::sleep_until(tokio::time::Instant::from_std(at)).await,
        None => std::future::pending().await,
    }
}

/// Jobs waiting for a session: cut batches, oldest first, and the open batch.
struct Pending {
    policy: Option<BatchPolicy>,
    sealed: VecDeque<Vec<Job>>,
    open: Vec<Job>,
    open_rows: usize,
}

impl Pending {
    fn new(policy: Option<BatchPolicy>) -> Self {
        Self {
            policy,
            sealed: VecDeque::new(),
            open: Vec::new(),
            open_rows: 0,
        }
    }

    fn has_work(&self) -> bool {
        !self.sealed.is_empty() || !self.open.is_empty()
    }

    /// When the open batch must be cut at the latest, if it has such a bound.
    fn deadline(&self) -> Option<Instant> {
        let policy = self.policy?;
        if policy.max_delay.is_zero() {
            return None;
        }
        Some(self.open.first()?.enqueued + policy.max_delay)
    }

    /// Adds `job` to the open batch, or cuts the open batch and starts the next one.
    fn push(&mut self, job: Job) {
        if job.abandoned() {
            return;
        }
        let (Some(policy), Some(rows)) = (self.policy, job.rows) else {
            self.seal();
            self.sealed.push_back(vec![job]);
            return;
        };
        let fits = self.open.first().is_none_or(|head| head.compatible(&job))
            && self.open_rows + rows <= policy.max_rows;
        if !fits {
            self.seal();
        }
        self.open_rows += rows;
        self.open.push(job);
        if self.open_rows >= policy.max_rows {
            self.seal();
        }
    }

    /// Cuts the open batch: it waits for a session as it is.
    fn seal(&mut self) {
        if !self.open.is_empty() {
            self.sealed.push_back(std::mem::take(&mut self.open));
        }
        self.open_rows = 0;
    }

    /// The next batch to run, without the jobs nobody waits for any more; `None` when every
    /// job of it was abandoned.
    fn cut(&mut self) -> Option<Vec<Job>> {
        let mut batch = match self.sealed.pop_front() {
            Some(batch) => batch,
            None => {
                self.open_rows = 0;
                std::mem::take(&mut self.open)
            }
        };
        batch.retain(|job| !job.abandoned());
        (!batch.is_empty()).then_some(batch)
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
