//! What a handler gets besides its params: the request's id, a cancellation token that `$/cancel`
//! sets, and an event sender. Handlers doing long work poll `is_cancelled()` (or hand a
//! [`CancelToken`] clone to their own worker threads) so a cancel stops the work, not only the answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::connection::EventSender;

/// A shared flag set when a request is cancelled. Cloning shares the same flag.
#[derive(Clone, Debug, Default)]
pub struct CancelToken(Arc<AtomicBool>);

impl CancelToken {
    /// A fresh token that is not cancelled.
    pub fn new() -> Self {
        CancelToken::default()
    }

    /// Whether the request has been cancelled.
    pub fn is_cancelled(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Marks the request as cancelled; every clone sees it.
    pub fn cancel(&self) {
        self.0.store(true, Ordering::Relaxed);
    }
}

/// Per-request context passed to every handler.
pub struct Context {
    pub(crate) id: String,
    pub(crate) token: CancelToken,
    pub(crate) events: EventSender,
}

impl Context {
    /// The id of the request being handled.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// Whether `$/cancel` arrived for this request; long handlers should check it and stop.
    pub fn is_cancelled(&self) -> bool {
        self.token.is_cancelled()
    }

    /// A clone of the request's cancel token, to pass to other threads.
    pub fn cancel_token(&self) -> CancelToken {
        self.token.clone()
    }

    /// The connection's event sender, for handlers that report progress as events.
    pub fn events(&self) -> &EventSender {
        &self.events
    }
}
