//! [`Pending`]: the jobs of one model waiting for a session, as batches: the cut ones, oldest
//! first, and the open one that compatible arrivals join.

use std::collections::VecDeque;
use std::time::Duration;

use super::job::Job;

/// How a model batches; absent when it runs each request alone.
#[derive(Debug, Clone, Copy)]
pub(crate) struct BatchPolicy {
    /// Most rows in one run.
    pub(crate) max_rows: usize,
    /// Longest the first job of an open batch waits for others before the batch is cut; zero
    /// for no bound other than a free session or a full batch.
    pub(crate) max_delay: Duration,
}

/// Jobs waiting for a session: cut batches, oldest first, and the open batch.
#[derive(Debug)]
pub(crate) struct Pending {
    policy: Option<BatchPolicy>,
    sealed: VecDeque<Vec<Job>>,
    open: Vec<Job>,
    open_rows: usize,
}

impl Pending {
    pub(crate) fn new(policy: Option<BatchPolicy>) -> Self {
        Self {
            policy,
            sealed: VecDeque::new(),
            open: Vec::new(),
            open_rows: 0,
        }
    }

    pub(crate) fn has_work(&self) -> bool {
        !self.sealed.is_empty() || !self.open.is_empty()
    }

    /// Adds `job` to the open batch, or cuts the open batch and starts the next one. An open
    /// batch whose first job has waited `max_delay` is cut first: it would have been cut then,
    /// and nothing joins it after that, so cutting it when the next job comes is the same.
    pub(crate) fn push(&mut self, job: Job) {
        if job.abandoned() {
            return;
        }
        let (Some(policy), Some(rows)) = (self.policy, job.rows) else {
            self.seal();
            self.sealed.push_back(vec![job]);
            return;
        };
        let expired = !policy.max_delay.is_zero()
            && self
                .open
                .first()
                .is_some_and(|head| job.enqueued >= head.enqueued + policy.max_delay);
        let fits = !expired
            && self.open.first().is_none_or(|head| head.compatible(&job))
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

    /// Adds to `batch`, about to run, the waiting jobs that can join it: from the oldest waiting
    /// batch on, in order, as long as each is compatible with `batch` and the rows fit. So a
    /// run takes what arrived while it was handed to its session, not only what waited when it
    /// was cut (a request that found the session idle would otherwise run alone, however many
    /// arrived while the session thread woke up). Without batching, nothing is added.
    pub(crate) fn top_up(&mut self, batch: &mut Vec<Job>) {
        let Some(policy) = self.policy else { return };
        let Some(head) = batch.first() else { return };
        let Some(mut rows) = batch.iter().map(|j| j.rows).sum::<Option<usize>>() else {
            return;
        };
        let mut extra = Vec::new();
        loop {
            let from_open = self.sealed.is_empty();
            let front = match self.sealed.front_mut() {
                Some(front) => front,
                None => &mut self.open,
            };
            let mut taken = 0;
            let mut taken_rows = 0;
            for job in front.iter() {
                match job.rows {
                    Some(r) if head.compatible(job) && rows + r <= policy.max_rows => {
                        rows += r;
                        taken_rows += r;
                        taken += 1;
                    }
                    _ => break,
                }
            }
            extra.extend(front.drain(..taken));
            let exhausted = front.is_empty();
            if from_open {
                self.open_rows = self.open_rows.saturating_sub(taken_rows);
                break;
            }
            if !exhausted {
                break;
            }
            self.sealed.pop_front();
        }
        batch.extend(extra.into_iter().filter(|job| !job.abandoned()));
    }

    /// The next batch to run, without the jobs nobody waits for any more; `None` when there
    /// is none, or every job of it was abandoned.
    pub(crate) fn cut(&mut self) -> Option<Vec<Job>> {
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

#[cfg(test)]
mod tests {
    use std::time::{Duration, Instant};

    use tokio::sync::{Semaphore, oneshot};

    use super::{BatchPolicy, Pending};
    use crate::model::job::{Job, JobResult};
    use crate::tensor::{Tensor, TensorData};

    fn job(rows: usize, at: Instant) -> (Job, oneshot::Receiver<JobResult>) {
        let (reply, result) = oneshot::channel();
        let slot = std::sync::Arc::new(Semaphore::new(1))
            .try_acquire_owned()
            .unwrap();
        let inputs = vec![Tensor {
            shape: vec![i64::try_from(rows).unwrap(), 4],
            data: TensorData::Fp32(vec![0.0; rows * 4]),
        }];
        let mut job = Job::new(inputs, reply, slot);
        job.enqueued = at;
        (job, result)
    }

    fn sizes(pending: &mut Pending) -> Vec<usize> {
        std::iter::from_fn(|| pending.cut().map(|b| b.len())).collect()
    }

    #[test]
    fn batches_are_cut_at_max_rows_and_after_max_delay() {
        let now = Instant::now();
        let policy = BatchPolicy {
            max_rows: 4,
            max_delay: Duration::from_millis(5),
        };
        let mut pending = Pending::new(Some(policy));
        let mut receivers = Vec::new();
        for (rows, ms) in [(2, 0), (2, 1), (1, 2), (1, 9), (1, 10)] {
            let (job, rx) = job(rows, now + Duration::from_millis(ms));
            receivers.push(rx);
            pending.push(job);
        }
        // [2, 2] is full; [1] opened at 2 ms has expired by 9 ms; [1, 1] is open.
        assert_eq!(sizes(&mut pending), [2, 1, 2]);
        assert!(!pending.has_work());
    }

    #[test]
    fn a_starting_run_takes_the_waiting_jobs_that_fit() {
        let now = Instant::now();
        let mut pending = Pending::new(Some(BatchPolicy {
            max_rows: 4,
            max_delay: Duration::ZERO,
        }));
        let (alone, _a) = job(1, now);
        let mut batch = vec![alone];
        let mut receivers = Vec::new();
        for rows in [1, 1, 2] {
            let (job, rx) = job(rows, now);
            receivers.push(rx);
            pending.push(job);
        }
        // 1 + 1 + 1 rows fit in 4; the job of 2 rows does not, and waits.
        pending.top_up(&mut batch);
        assert_eq!(batch.len(), 3);
        assert_eq!(sizes(&mut pending), [1]);
        let mut unbatched = Pending::new(None);
        let (waiting, _w) = job(1, now);
        unbatched.push(waiting);
        let (alone, _b) = job(1, now);
        let mut batch = vec![alone];
        unbatched.top_up(&mut batch);
        assert_eq!(batch.len(), 1);
        assert!(unbatched.has_work());
    }

    #[test]
    fn without_a_policy_every_job_runs_alone() {
        let now = Instant::now();
        let mut pending = Pending::new(None);
        let receivers: Vec<_> = (0..3)
            .map(|_| {
                let (job, rx) = job(1, now);
                pending.push(job);
                rx
            })
            .collect();
        assert_eq!(sizes(&mut pending), [1, 1, 1]);
        drop(receivers);
    }

    #[test]
    fn abandoned_jobs_are_dropped() {
        let now = Instant::now();
        let mut pending = Pending::new(Some(BatchPolicy {
            max_rows: 8,
            max_delay: Duration::ZERO,
        }));
        let (first, gone) = job(1, now);
        let (second, kept) = job(1, now);
        pending.push(first);
        pending.push(second);
        drop(gone);
        assert_eq!(sizes(&mut pending), [1]);
        drop(kept);
    }
}
