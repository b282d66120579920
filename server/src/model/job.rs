//! [`Job`]: one queued inference request, and when two can share a batch.

use std::time::Instant;

use tokio::sync::{OwnedSemaphorePermit, oneshot};

use crate::error::ApiError;
use crate::tensor::Tensor;

/// The outputs of a job (every model output, graph order), or why it failed.
pub(crate) type JobResult = Result<Vec<Tensor>, ApiError>;

/// One request waiting to run.
#[derive(Debug)]
pub(crate) struct Job {
    /// Inputs in graph order, checked against the model.
    pub(crate) inputs: Vec<Tensor>,
    /// Rows along dimension 0 when every input has the same first dimension; `None` when the
    /// job must run alone.
    pub(crate) rows: Option<usize>,
    /// When the request was queued.
    pub(crate) enqueued: Instant,
    /// Where the result goes; closed when the caller gave up (timeout, disconnect).
    pub(crate) reply: oneshot::Sender<JobResult>,
    /// The job's place in the model's bounded queue, given back when its batch starts.
    pub(crate) slot: Option<OwnedSemaphorePermit>,
}

impl Job {
    /// A job for `inputs` holding queue place `slot`, stamped now.
    pub(crate) fn new(
        inputs: Vec<Tensor>,
        reply: oneshot::Sender<JobResult>,
        slot: OwnedSemaphorePermit,
    ) -> Self {
        let rows = batch_rows(&inputs);
        Self {
            inputs,
            rows,
            enqueued: Instant::now(),
            reply,
            slot: Some(slot),
        }
    }

    /// Whether `other` can be concatenated with this job along dimension 0: same datatypes
    /// (fixed by the model) and same dimensions after the first.
    pub(crate) fn compatible(&self, other: &Self) -> bool {
        self.rows.is_some()
            && other.rows.is_some()
            && self.inputs.len() == other.inputs.len()
            && self.inputs.iter().zip(&other.inputs).all(|(a, b)| {
                a.data.datatype() == b.data.datatype() && a.shape.get(1..) == b.shape.get(1..)
            })
    }

    /// Whether nobody waits for the result any more.
    pub(crate) fn abandoned(&self) -> bool {
        self.reply.is_closed()
    }
}

fn batch_rows(inputs: &[Tensor]) -> Option<usize> {
    let first = *inputs.first()?.shape.first()?;
    let all_same = inputs.iter().all(|t| t.shape.first() == Some(&first));
    if all_same {
        usize::try_from(first).ok().filter(|rows| *rows > 0)
    } else {
        None
    }
}
