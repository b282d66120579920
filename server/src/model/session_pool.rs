//! [`SessionPool`]: the ONNX Runtime sessions of one model. `Session::run` needs `&mut`, so each
//! run takes a session out of the pool and puts it back; a semaphore counts the free ones.

use std::sync::{Arc, Mutex};

use ort::session::Session;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// Sessions of one model and a permit per free session.
#[derive(Debug)]
pub(crate) struct SessionPool {
    sessions: Mutex<Vec<Session>>,
    permits: Arc<Semaphore>,
}

impl SessionPool {
    /// A pool holding `sessions`.
    pub(crate) fn new(sessions: Vec<Session>) -> Self {
        let permits = Arc::new(Semaphore::new(sessions.len()));
        Self {
            sessions: Mutex::new(sessions),
            permits,
        }
    }

    /// Waits until a session is free; the permit reserves it.
    pub(crate) async fn reserve(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.permits).acquire_owned().await.ok()
    }

    /// A free session's permit now, if one is free.
    pub(crate) fn try_reserve(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.permits).try_acquire_owned().ok()
    }

    /// Runs `f` on a free session (a permit from [`Self::reserve`] guarantees one), then puts
    /// the session back, even when `f` panics. Call from a blocking thread. `None` when no
    /// session was free or `f` panicked.
    pub(crate) fn with_session<R>(&self, f: impl FnOnce(&mut Session) -> R) -> Option<R> {
        let mut session = self.sessions.lock().ok()?.pop()?;
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| f(&mut session)));
        if let Ok(mut sessions) = self.sessions.lock() {
            sessions.push(session);
        }
        result.ok()
    }
}
