//! What a handler gets besides its params: the request's id, a cancellation token that `$/cancel`
//! sets, an event sender, and, for a method registered with [`crate::Server::stream_method`]
//! whose request asked for it, the right to send partial answers. Handlers doing long work poll
//! `is_cancelled()` (or hand a [`CancelToken`] clone to their own worker threads) so a cancel
//! stops the work, not only the answer.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::msg::{codes, Message, Partial, ResponseError};
use crate::outbox::{EventSender, Outbox};

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

/// A request on the worker pool: its token, and whether its one final response has been sent.
pub(crate) struct Flight {
    pub(crate) token: CancelToken,
    /// Behind a lock rather than an atomic so that a partial answer is written while holding it:
    /// the final response, claimed under the same lock, can then never overtake a partial.
    answered: Mutex<bool>,
}

impl Flight {
    pub(crate) fn new() -> Flight {
        Flight { token: CancelToken::new(), answered: Mutex::new(false) }
    }

    /// Claims the right to send the final response; only the first caller gets `true`. Every
    /// partial answer sent before the claim has been written by then.
    pub(crate) fn claim(&self) -> bool {
        let mut answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        !std::mem::replace(&mut *answered, true)
    }

    /// Writes `msg` unless the final response was claimed (`None`); `Some(false)` when the
    /// connection is closed.
    fn send_before_final(&self, out: &Outbox, msg: Message) -> Option<bool> {
        let answered = self.answered.lock().unwrap_or_else(|p| p.into_inner());
        if *answered {
            return None;
        }
        Some(out.send(msg))
    }
}

/// Where a streamed request's partial answers go.
pub(crate) struct StreamSink {
    pub(crate) flight: Arc<Flight>,
    pub(crate) out: Outbox,
}

/// Per-request context passed to every handler.
pub struct Context {
    pub(crate) id: String,
    pub(crate) token: CancelToken,
    pub(crate) events: EventSender,
    /// Set when the method streams and the request asked for it.
    pub(crate) stream: Option<StreamSink>,
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

    /// Whether this request wants partial answers: the method was registered with
    /// [`crate::Server::stream_method`] and the request carried `"stream": true`. When `false`,
    /// the handler answers everything in its final result, as an unstreamed method does.
    pub fn streaming(&self) -> bool {
        self.stream.is_some()
    }

    /// Sends one chunk (`{"id", "ok": true, "partial": chunk}`) now, ahead of the final result.
    /// Chunks go out in the order of these calls and always before the final response.
    ///
    /// Fails with `CANCELLED` once the request has been answered (a `$/cancel` came): the handler
    /// should stop, and whatever it returns is dropped. Fails with `INTERNAL` when the request
    /// did not ask to stream (check [`Context::streaming`] first), when `chunk` cannot be
    /// encoded, or when main is gone. Written straight to stdout: a main that stops reading
    /// blocks the caller, which is the only back-pressure there is.
    pub fn partial(&self, chunk: &impl Serialize) -> Result<(), ResponseError> {
        let Some(sink) = &self.stream else {
            return Err(ResponseError::new(
                codes::INTERNAL,
                "partial() was called for a request that did not ask to stream (check Context::streaming)",
            ));
        };
        let msg = Partial::new(self.id.clone(), chunk)
            .map_err(|e| ResponseError::new(codes::INTERNAL, format!("cannot encode a partial answer: {e}")))?;
        match sink.flight.send_before_final(&sink.out, Message::Partial(msg)) {
            Some(true) => Ok(()),
            Some(false) => Err(ResponseError::new(codes::INTERNAL, "the connection is closed")),
            None => Err(ResponseError::new(codes::CANCELLED, "the request was cancelled")),
        }
    }

    /// A buffer that sends `items` as chunks of at most `max_items`, or sooner once the oldest
    /// waiting item is `max_delay` old, wrapping each batch with `wrap` (e.g. into
    /// `{"matches": [...]}`). When the request is not streaming nothing is sent and
    /// [`Batcher::finish`] returns every item, so one handler serves both kinds of request.
    pub fn batcher<T, C, F>(&self, max_items: usize, max_delay: Duration, wrap: F) -> Batcher<'_, T, F>
    where
        C: Serialize,
        F: FnMut(Vec<T>) -> C,
    {
        Batcher { cx: self, items: Vec::new(), max_items: max_items.max(1), max_delay, oldest: None, wrap }
    }
}

/// Groups a handler's items into chunks; see [`Context::batcher`].
pub struct Batcher<'a, T, F> {
    cx: &'a Context,
    items: Vec<T>,
    max_items: usize,
    max_delay: Duration,
    oldest: Option<Instant>,
    wrap: F,
}

impl<T, C: Serialize, F: FnMut(Vec<T>) -> C> Batcher<'_, T, F> {
    /// Adds one item, sending the batch when it is full or its oldest item waited `max_delay`.
    /// The delay is checked here, so a producer that pauses for long should call
    /// [`Batcher::flush`] itself. Errors as [`Context::partial`] does.
    pub fn push(&mut self, item: T) -> Result<(), ResponseError> {
        self.items.push(item);
        if !self.cx.streaming() {
            return Ok(());
        }
        let oldest = *self.oldest.get_or_insert_with(Instant::now);
        if self.items.len() >= self.max_items || oldest.elapsed() >= self.max_delay {
            self.flush()?;
        }
        Ok(())
    }

    /// Sends what is buffered now, if the request streams and anything is buffered.
    pub fn flush(&mut self) -> Result<(), ResponseError> {
        if !self.cx.streaming() || self.items.is_empty() {
            return Ok(());
        }
        self.oldest = None;
        let batch = std::mem::take(&mut self.items);
        self.cx.partial(&(self.wrap)(batch))
    }

    /// The items not sent as chunks, for the final result: the unsent tail when streaming,
    /// every item otherwise. Chunks plus this are everything that was pushed.
    pub fn finish(self) -> Vec<T> {
        self.items
    }
}
