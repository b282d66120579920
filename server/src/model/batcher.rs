//! The per-model dispatcher: takes jobs off the bounded queue, forms batches, and runs each on
//! a free session on a blocking thread.
//!
//! A batch starts with the oldest job once a session is free, then takes queued compatible
//! jobs until it holds `max_batch_size` rows or `max_queue_delay` has passed since the first job
//! was queued. An incompatible job closes the batch and starts the next one.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

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
    /// Longest the first job of a batch waits for others.
    pub(crate) max_delay: Duration,
}

/// What the dispatcher works with.
pub(crate) struct Dispatcher {
    pub(crate) queue: mpsc::Receiver<Job>,
    pub(crate) pool: Arc<SessionPool>,
    pub(crate) metadata: Arc<ModelMetadata>,
    pub(crate) policy: Option<BatchPolicy>,
    pub(crate) metrics: Arc<ModelMetrics>,
}

impl Dispatcher {
    /// Serves the queue until every sender is gone.
    pub(crate) async fn run(mut self) {
        let mut carried: Option<Job> = None;
        loop {
            let first = match carried.take() {
                Some(job) => job,
                None => match self.queue.recv().await {
                    Some(job) => job,
                    None => return,
                },
            };
            if first.abandoned() {
                continue;
            }
            let Some(permit) = self.pool.reserve().await else {
                return;
            };
            let mut batch = vec![first];
            if let Some(policy) = self.policy {
                carried = self.fill(&mut batch, policy).await;
            }
            batch.retain(|job| !job.abandoned());
            if batch.is_empty() {
                continue;
            }
            let pool = Arc::clone(&self.pool);
            let metadata = Arc::clone(&self.metadata);
            let metrics = Arc::clone(&self.metrics);
            let started = Instant::now();
            for job in &batch {
                metrics
                    .queue_duration
                    .observe(started.duration_since(job.enqueued).as_secs_f64());
            }
            tokio::task::spawn_blocking(move || {
                let _permit = permit;
                execute(&pool, &metadata, &metrics, batch);
            });
        }
    }

    /// Adds queued compatible jobs to `batch`; returns an incompatible job that ended it.
    async fn fill(&mut self, batch: &mut Vec<Job>, policy: BatchPolicy) -> Option<Job> {
        let head = batch.first()?;
        head.rows?;
        let deadline = tokio::time::Instant::from_std(head.enqueued + policy.max_delay);
        let mut rows: usize = batch.iter().filter_map(|j| j.rows).sum();
        while rows < policy.max_rows {
            let next = match self.queue.try_recv() {
                Ok(job) => job,
                Err(mpsc::error::TryRecvError::Disconnected) => return None,
                // Timers fire on millisecond ticks: test the deadline first so a zero delay
                // never waits for the next tick.
                Err(mpsc::error::TryRecvError::Empty)
                    if tokio::time::Instant::now() >= deadline =>
                {
                    return None;
                }
                Err(mpsc::error::TryRecvError::Empty) => {
                    match tokio::time::timeout_at(deadline, self.queue.recv()).await {
                        Ok(Some(job)) => job,
                        Ok(None) | Err(_) => return None,
                    }
                }
            };
            if next.abandoned() {
                continue;
            }
            let fits = batch.first().is_some_and(|h| h.compatible(&next))
                && next.rows.is_some_and(|r| rows + r <= policy.max_rows);
            if !fits {
                return Some(next);
            }
            rows += next.rows.unwrap_or(0);
            batch.push(next);
        }
        None
    }
}

/// Runs one batch on a pooled session and answers every job. Runs on a blocking thread.
fn execute(
    pool: &SessionPool,
    metadata: &ModelMetadata,
    metrics: &ModelMetrics,
    mut batch: Vec<Job>,
) {
    let rows: usize = batch.iter().map(|j| j.rows.unwrap_or(1)).sum();
    let started = Instant::now();
    let result = pool
        .with_session(|session| run_batch(session, metadata, &mut batch))
        .unwrap_or_else(|| Err(ApiError::internal("the inference run failed unexpectedly")));
    #[expect(clippy::cast_precision_loss, reason = "batch sizes are small")]
    {
        metrics
            .inference_duration
            .observe(started.elapsed().as_secs_f64());
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
