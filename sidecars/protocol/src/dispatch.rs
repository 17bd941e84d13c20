//! The dispatcher behind [`crate::Server`]: answers the built-ins (`$/ping`, `$/cancel`,
//! `$/shutdown`, `$/describe`) and inline methods on the calling thread and hands every other
//! request to the worker pool, so a busy handler never delays a ping or a cancel. A cancelled
//! request is answered with `CANCELLED` at once and whatever its handler returns or streams later
//! is dropped; a panicking handler becomes an `INTERNAL` error. A request with `"stream": true`
//! for a streaming method gets a context that can send partial answers; for any other method the
//! flag is ignored, as the protocol allows.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::{Arc, Mutex};

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::context::{CancelToken, Context, Flight, StreamSink};
use crate::msg::{codes, Message, Request, Response, ResponseError};
use crate::outbox::{EventSender, Outbox};
use crate::pool::Pool;

/// Why serving stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// `$/shutdown` was received and answered.
    Shutdown,
    /// The input ended (stdin closed): the orphan rule says to exit.
    Disconnected,
}

/// A type-erased handler: decodes params, runs, encodes the result.
pub(crate) type Handler = dyn Fn(&Context, &RawValue) -> Result<Box<RawValue>, ResponseError> + Send + Sync;

/// A registered method: its handler, and whether it runs on the calling thread (see
/// [`crate::Server::inline_method`]) instead of the pool.
pub(crate) struct Route {
    pub(crate) handler: Arc<Handler>,
    pub(crate) inline: bool,
    /// Registered with [`crate::Server::stream_method`]: honours `"stream": true`.
    pub(crate) streams: bool,
}

type InFlightMap = Arc<Mutex<HashMap<String, Arc<Flight>>>>;

/// Routes incoming messages; one per served connection.
pub(crate) struct Dispatcher {
    describe: serde_json::Value,
    methods: HashMap<String, Route>,
    pool: Pool,
    inflight: InFlightMap,
    out: Outbox,
    events: EventSender,
    /// Handed to inline handlers: they finish before a cancel could be read, so it never fires.
    never_cancelled: CancelToken,
}

impl Dispatcher {
    pub(crate) fn new(
        name: &str,
        version: &str,
        methods: HashMap<String, Route>,
        workers: usize,
        out: Outbox,
    ) -> Dispatcher {
        let mut names: Vec<&str> = methods.keys().map(String::as_str).collect();
        names.sort_unstable();
        let streams: Vec<&str> = names.iter().copied().filter(|n| methods[*n].streams).collect();
        let mut describe = serde_json::json!({ "name": name, "version": version, "methods": names });
        // Absent rather than empty when nothing streams, as the protocol document allows.
        if !streams.is_empty() {
            describe["streams"] = serde_json::json!(streams);
        }
        let events = EventSender { out: out.clone() };
        let pool = Pool::new(workers);
        Dispatcher {
            describe,
            methods,
            pool,
            inflight: Arc::default(),
            out,
            events,
            never_cancelled: CancelToken::new(),
        }
    }

    /// Handles one message; returns `Some(exit)` when serving should stop.
    pub(crate) fn handle(&self, msg: Message) -> Option<Exit> {
        let req = match msg {
            Message::Request(req) => req,
            Message::Response(r) => {
                self.send_err(r.id, codes::INVALID_REQUEST, "not a request: a response was sent to the sidecar");
                return None;
            }
            Message::Partial(p) => {
                self.send_err(
                    Some(p.id),
                    codes::INVALID_REQUEST,
                    "not a request: a partial answer was sent to the sidecar",
                );
                return None;
            }
            Message::Event(_) => {
                self.send_err(None, codes::INVALID_REQUEST, "not a request: an event was sent to the sidecar");
                return None;
            }
        };
        match req.method.as_str() {
            "$/ping" => self.send_ok(req.id, &serde_json::json!({})),
            "$/cancel" => self.cancel(req),
            "$/shutdown" => {
                self.send_ok(req.id, &serde_json::json!({}));
                return Some(Exit::Shutdown);
            }
            "$/describe" => self.send_ok(req.id, &self.describe),
            _ => self.dispatch(req),
        }
        None
    }

    fn cancel(&self, req: Request) {
        #[derive(Deserialize)]
        struct CancelParams {
            id: String,
        }
        let target = match serde_json::from_str::<CancelParams>(req.params.get()) {
            Ok(p) => p.id,
            Err(e) => return self.send_err(Some(req.id), codes::INVALID_PARAMS, &format!("invalid params: {e}")),
        };
        let flight = self.inflight.lock().unwrap_or_else(|p| p.into_inner()).get(&target).cloned();
        if let Some(flight) = flight {
            flight.token.cancel();
            if flight.claim() {
                self.send_err(Some(target), codes::CANCELLED, "request was cancelled");
            }
        }
        self.send_ok(req.id, &serde_json::json!({}));
    }

    fn dispatch(&self, req: Request) {
        let Some(route) = self.methods.get(&req.method) else {
            let msg = format!("unknown method {:?}", req.method);
            return self.send_err(Some(req.id), codes::METHOD_NOT_FOUND, &msg);
        };
        if route.inline {
            return self.run_inline(&*route.handler, req);
        }
        let handler = route.handler.clone();
        let flight = Arc::new(Flight::new());
        {
            let mut map = self.inflight.lock().unwrap_or_else(|p| p.into_inner());
            if map.contains_key(&req.id) {
                drop(map);
                let msg = format!("id {:?} is already in flight", req.id);
                return self.send_err(Some(req.id), codes::INVALID_REQUEST, &msg);
            }
            map.insert(req.id.clone(), flight.clone());
        }
        let stream =
            (req.stream && route.streams).then(|| StreamSink { flight: flight.clone(), out: self.out.clone() });
        let cx = Context { id: req.id, token: flight.token.clone(), events: self.events.clone(), stream };
        let (out, inflight) = (self.out.clone(), self.inflight.clone());
        self.pool.spawn(Box::new(move || {
            // A request cancelled while queued has been answered already; skip the work.
            let outcome =
                if flight.token.is_cancelled() { None } else { Some(run_caught(&*handler, &cx, &req.params)) };
            // Leave the map before answering, so a later request may reuse the id at once.
            inflight.lock().unwrap_or_else(|p| p.into_inner()).remove(&cx.id);
            if let Some(outcome) = outcome {
                if flight.claim() {
                    out.send(Message::Response(Response { id: Some(cx.id), outcome }));
                }
            }
        }));
    }

    /// Runs an inline method here and answers it at once. It never enters the in-flight map (it
    /// is done before a cancel could be read), but an id still held by a pooled request is
    /// refused as for any other duplicate.
    fn run_inline(&self, handler: &Handler, req: Request) {
        if self.inflight.lock().unwrap_or_else(|p| p.into_inner()).contains_key(&req.id) {
            let msg = format!("id {:?} is already in flight", req.id);
            return self.send_err(Some(req.id), codes::INVALID_REQUEST, &msg);
        }
        let cx = Context { id: req.id, token: self.never_cancelled.clone(), events: self.events.clone(), stream: None };
        let outcome = run_caught(handler, &cx, &req.params);
        self.out.send(Message::Response(Response { id: Some(cx.id), outcome }));
    }

    fn send_ok(&self, id: String, body: &serde_json::Value) {
        // Encoding a `Value` cannot fail; a closed connection just means nobody is listening.
        if let Ok(resp) = Response::ok(id, body) {
            self.out.send(Message::Response(resp));
        }
    }

    fn send_err(&self, id: Option<String>, code: &str, message: &str) {
        self.out.send(Message::Response(Response::err(id, ResponseError::new(code, message))));
    }
}

/// Runs `handler`, turning a panic into an `INTERNAL` error so serving continues.
fn run_caught(handler: &Handler, cx: &Context, params: &RawValue) -> Result<Box<RawValue>, ResponseError> {
    match catch_unwind(AssertUnwindSafe(|| handler(cx, params))) {
        Ok(outcome) => outcome,
        Err(panic) => Err(ResponseError::new(codes::INTERNAL, format!("handler panicked: {}", panic_text(&*panic)))),
    }
}

fn panic_text(payload: &(dyn std::any::Any + Send)) -> &str {
    payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
