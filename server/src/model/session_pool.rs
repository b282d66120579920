//! [`SessionPool`]: the ONNX Runtime sessions of one model, each owned by its own long-lived
//! thread. A semaphore counts the free sessions; a run reserves one ([`SessionPool::reserve`])
//! and is handed to the threads ([`SessionPool::submit`]), one of which runs it on its session.
//!
//! Dedicated threads rather than Tokio's blocking pool: what ONNX Runtime keeps per calling
//! thread (MLAS working buffers, the allocator's per-thread arenas) then exists once per
//! session, instead of once per blocking thread that happened to run a batch, so the memory of
//! a loaded server does not grow with load; and a session always runs on a warm thread.

use std::sync::{Arc, Mutex, mpsc};

use ort::session::Session;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// A run on some session of the pool.
type Work = Box<dyn FnOnce(&mut Session) + Send>;

/// Sessions of one model, their threads, and a permit per free session.
#[derive(Debug)]
pub(crate) struct SessionPool {
    /// To the session threads; dropping it ends them once the queued runs are done.
    work: Mutex<mpsc::Sender<Work>>,
    permits: Arc<Semaphore>,
}

impl SessionPool {
    /// A pool holding `sessions`, each on its own thread (`model` names it in an error).
    pub(crate) fn new(sessions: Vec<Session>, model: &str) -> Result<Self, String> {
        let permits = Arc::new(Semaphore::new(sessions.len()));
        let (sender, receiver) = mpsc::channel::<Work>();
        let receiver = Arc::new(Mutex::new(receiver));
        for (index, mut session) in sessions.into_iter().enumerate() {
            let receiver = Arc::clone(&receiver);
            std::thread::Builder::new()
                .name(format!("session-{index}"))
                .spawn(move || {
                    loop {
                        let next = match receiver.lock() {
                            Ok(receiver) => receiver.recv(),
                            Err(_) => return,
                        };
                        let Ok(work) = next else { return };
                        // A panicking run (reported by the closure) keeps the thread and
                        // its session.
                        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                            work(&mut session);
                        }));
                    }
                })
                .map_err(|e| format!("model `{model}`: cannot start a session thread: {e}"))?;
        }
        Ok(Self {
            work: Mutex::new(sender),
            permits,
        })
    }

    /// Waits until a session is free; the permit reserves it.
    pub(crate) async fn reserve(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.permits).acquire_owned().await.ok()
    }

    /// A free session's permit now, if one is free.
    pub(crate) fn try_reserve(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.permits).try_acquire_owned().ok()
    }

    /// Hands `f` to the session threads (a permit from [`Self::reserve`] guarantees that one
    /// is free or about to be). When the threads are gone `f` is dropped, and with it the
    /// replies it would have sent: its callers see their requests dropped.
    pub(crate) fn submit(&self, f: impl FnOnce(&mut Session) + Send + 'static) {
        if let Ok(sender) = self.work.lock() {
            let _ = sender.send(Box::new(f));
        }
    }
}
