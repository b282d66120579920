//! [`Lifecycle`]: readiness and the count of accepted inference requests, for graceful shutdown.
//!
//! On SIGTERM the server starts draining: readiness turns false at once, but inference requests
//! are still served for the drain delay (Kubernetes keeps routing to a terminating pod until
//! its endpoints are updated); then new inference requests are refused with 503, and the
//! process waits until the accepted ones have finished (or the grace period ends) before it
//! stops listening.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use tokio::sync::Notify;

/// Shared shutdown state.
#[derive(Debug, Default)]
pub struct Lifecycle {
    draining: AtomicBool,
    refusing: AtomicBool,
    in_flight: AtomicUsize,
    /// Requests that asked to be admitted, refused ones too.
    arrivals: AtomicUsize,
    idle: Notify,
}

impl Lifecycle {
    /// Whether shutdown has begun (the server is not ready).
    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::SeqCst)
    }

    /// Starts draining: readiness turns false; requests are still admitted.
    pub fn begin_drain(&self) {
        self.draining.store(true, Ordering::SeqCst);
    }

    /// Ends the drain delay: new requests are refused from now on.
    pub fn refuse_new(&self) {
        self.draining.store(true, Ordering::SeqCst);
        self.refusing.store(true, Ordering::SeqCst);
        self.idle.notify_waiters();
    }

    /// Whether new requests are refused.
    pub fn is_refusing(&self) -> bool {
        self.refusing.load(Ordering::SeqCst)
    }

    /// Admits one inference request, unless new ones are refused; the guard marks it finished.
    pub fn admit(self: &Arc<Self>) -> Option<Admitted> {
        // Count first, then check: a request is either counted before refusal starts (and
        // waited for) or sees the flag and backs out.
        self.arrivals.fetch_add(1, Ordering::SeqCst);
        self.in_flight.fetch_add(1, Ordering::SeqCst);
        let admitted = Admitted(Arc::clone(self));
        if self.is_refusing() {
            None
        } else {
            Some(admitted)
        }
    }

    /// Accepted requests not finished yet.
    pub fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// Waits until no request has arrived for `period`.
    pub async fn quiet(&self, period: std::time::Duration) {
        loop {
            let before = self.arrivals.load(Ordering::SeqCst);
            tokio::time::sleep(period).await;
            if self.arrivals.load(Ordering::SeqCst) == before {
                return;
            }
        }
    }

    /// Waits until no admitted request is left.
    pub async fn drained(&self) {
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.in_flight() == 0 {
                return;
            }
            notified.await;
        }
    }
}

/// An admitted request; dropping it marks the request finished.
#[derive(Debug)]
pub struct Admitted(Arc<Lifecycle>);

impl Drop for Admitted {
    fn drop(&mut self) {
        if self.0.in_flight.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

/// Resolves on SIGTERM or Ctrl-C.
pub async fn termination_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
        Ok(mut term) => {
            tokio::select! {
                _ = term.recv() => {}
                () = ctrl_c => {}
            }
        }
        Err(_) => ctrl_c.await,
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::Lifecycle;

    #[tokio::test]
    async fn drain_waits_for_admitted_requests_and_refuses_new_ones() {
        let lifecycle = Arc::new(Lifecycle::default());
        let admitted = lifecycle.admit().unwrap();
        lifecycle.begin_drain();
        // The drain delay: not ready, still serving.
        assert!(lifecycle.is_draining());
        drop(lifecycle.admit().unwrap());
        lifecycle.refuse_new();
        assert!(lifecycle.admit().is_none());
        assert_eq!(lifecycle.in_flight(), 1);
        let waiter = tokio::spawn({
            let lifecycle = Arc::clone(&lifecycle);
            async move { lifecycle.drained().await }
        });
        drop(admitted);
        tokio::time::timeout(std::time::Duration::from_secs(5), waiter)
            .await
            .unwrap()
            .unwrap();
    }
}
