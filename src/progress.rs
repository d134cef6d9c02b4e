//! Progress reporting and cancellation, as plain types.
//!
//! The core never draws anything: long operations call a [`Progress`] sink and poll a
//! [`CancelToken`]. The CLI draws a progress bar, the desktop shell forwards events over an IPC
//! channel, the HTTP server streams them, and tests collect them.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// One progress report. Totals are `None` while unknown (for example inside a gzip stream).
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct ProgressEvent {
    /// Phase name: `counting`, `hashing`, `container-hash`, `nested`, `finishing`.
    pub phase: &'static str,
    /// Entries handled so far.
    pub files_done: u64,
    /// Entries expected, when known.
    pub files_total: Option<u64>,
    /// Bytes handled so far (content bytes, or compressed bytes for streamed containers).
    pub bytes_done: u64,
    /// Bytes expected, when known.
    pub bytes_total: Option<u64>,
}

/// Receives progress events. Implementations must be cheap; events may come from any thread.
pub trait Progress: Send + Sync {
    /// Called at most a few times per second.
    fn report(&self, event: &ProgressEvent);
}

/// A sink that ignores everything.
pub struct NoProgress;

impl Progress for NoProgress {
    fn report(&self, _event: &ProgressEvent) {}
}

/// Cooperative cancellation flag, cheap to clone and to poll.
#[derive(Debug, Clone, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A fresh, not-cancelled token.
    pub fn new() -> Self {
        Self::default()
    }
    /// Ask every holder to stop.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    /// Has cancellation been asked for?
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }
}
