//! The server every Rust sidecar reuses: register typed handlers, then serve. There is one
//! serving path, [`Server::serve`], over any byte streams: it reads requests on the calling
//! thread, dispatches straight from there and lets each answering thread write the output itself
//! (see `outbox`). [`Server::serve_stdio`], which every sidecar binary calls, runs it over stdin
//! and stdout and then exits the process; the tests run the same code over in-memory pipes. A
//! method registered with [`Server::inline_method`] is answered on the reading thread like a
//! built-in. Routing, built-ins and cancellation live in `dispatch`.

use std::collections::HashMap;
use std::io::{self, BufReader, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::value::{to_raw_value, RawValue};

use crate::children;
use crate::context::Context;
use crate::dispatch::{Dispatcher, Exit, Handler, Route};
use crate::input::{read_messages, IoOptions, READ_BUFFER};
use crate::msg::{codes, ResponseError};
use crate::outbox::{EventSender, Outbox};
use crate::pool;
use crate::Result;

/// How long serving waits, when it ends, for a writer stuck on a full output pipe.
const FINAL_FLUSH: Duration = Duration::from_secs(5);

/// A sidecar's method table. See the crate docs for an example.
pub struct Server {
    name: String,
    version: String,
    workers: usize,
    methods: HashMap<String, Route>,
}

impl Server {
    /// A server that describes itself with `name` and `version` in `$/describe`.
    pub fn new(name: impl Into<String>, version: impl Into<String>) -> Server {
        Server { name: name.into(), version: version.into(), workers: pool::default_size(), methods: HashMap::new() }
    }

    /// Sets the number of worker threads (default: max(4, available cores)).
    pub fn workers(&mut self, n: usize) -> &mut Self {
        self.workers = n.max(1);
        self
    }

    /// Registers `handler` for `name`, to run on the worker pool. Params are decoded into `P` (a
    /// failure answers `INVALID_PARAMS` with serde's message); the result `R` is encoded on the
    /// worker thread. Registering a name again replaces the earlier handler.
    pub fn method<P, R, E, F>(&mut self, name: &str, handler: F) -> &mut Self
    where
        P: DeserializeOwned,
        R: Serialize,
        E: Into<ResponseError>,
        F: Fn(&Context, P) -> Result<R, E> + Send + Sync + 'static,
    {
        self.methods.insert(name.to_owned(), Route { handler: erase(handler), inline: false, streams: false });
        self
    }

    /// Registers `handler` for `name` like [`Server::method`], for a method that can stream: when
    /// a request carries `"stream": true`, [`Context::streaming`] is `true` and the handler may
    /// send chunks with [`Context::partial`] (or a [`Context::batcher`]) before it returns the
    /// final result; `$/describe` lists the method under `streams`. For a request without the
    /// flag the handler runs unchanged and must answer everything in its result.
    pub fn stream_method<P, R, E, F>(&mut self, name: &str, handler: F) -> &mut Self
    where
        P: DeserializeOwned,
        R: Serialize,
        E: Into<ResponseError>,
        F: Fn(&Context, P) -> Result<R, E> + Send + Sync + 'static,
    {
        self.methods.insert(name.to_owned(), Route { handler: erase(handler), inline: false, streams: true });
        self
    }

    /// Registers `handler` for `name`, to run **on the thread that reads requests**, the way
    /// `$/ping` is answered: no hand-off to the pool and back, which saves a few microseconds per
    /// call. Params, result and errors behave exactly as with [`Server::method`].
    ///
    /// Only for handlers that are quick and never block (read a few atomics, clone an `Arc`, take
    /// a lock nobody holds for long): while one runs, no further request is read, so it delays
    /// every request behind it, including `$/cancel` and `$/ping`. Anything that does I/O, waits
    /// for other work or may take more than a few microseconds belongs in [`Server::method`].
    ///
    /// An inline request is answered before the next line is read, so it can never be in flight
    /// when a `$/cancel` for it arrives: that cancel is answered `{}` like one for an unknown id,
    /// and [`Context::is_cancelled`] is always `false` in an inline handler. A panic is caught
    /// and answered `INTERNAL`, as on the pool.
    pub fn inline_method<P, R, E, F>(&mut self, name: &str, handler: F) -> &mut Self
    where
        P: DeserializeOwned,
        R: Serialize,
        E: Into<ResponseError>,
        F: Fn(&Context, P) -> Result<R, E> + Send + Sync + 'static,
    {
        self.methods.insert(name.to_owned(), Route { handler: erase(handler), inline: true, streams: false });
        self
    }

    /// Serves requests read from `input` until `$/shutdown` or the end of `input`, writing every
    /// answer and event to `output`; this is what [`Server::serve_stdio`] runs over stdin and
    /// stdout, and what tests run over in-memory pipes. Requests are read and dispatched on the
    /// calling thread, and each answering thread writes `output` itself (see `outbox`), so a
    /// built-in costs no thread hand-off and a handled request only one. `on_start` runs once
    /// output is set up (before the first request is read), e.g. to start background work that
    /// sends events.
    ///
    /// Before returning it flushes everything written so far (giving up after five seconds if
    /// `output` is blocked). Requests still running on the pool are abandoned: their answers may
    /// or may not be written. Fails when reading `input` fails, or when the final flush does.
    pub fn serve<R, W>(self, input: R, output: W, opts: IoOptions, on_start: impl FnOnce(EventSender)) -> Result<Exit>
    where
        R: Read,
        W: Write + Send + 'static,
    {
        let out = Outbox::new(Box::new(output));
        on_start(EventSender { out: out.clone() });
        let dispatcher = self.into_dispatcher(out.clone());
        let mut input = BufReader::with_capacity(READ_BUFFER, input);
        let mut exit = Exit::Disconnected;
        let deliver = |msg| match dispatcher.handle(msg) {
            Some(stop) => {
                exit = stop;
                false
            }
            None => true,
        };
        let read = read_messages(&mut input, opts, &out, deliver, |more| out.hold(more));
        // Releasing the hold flushes whatever the last batch of requests produced.
        out.hold(false);
        // A last response that never reaches main would leave its call hanging until a timeout.
        let flushed = out.finish(FINAL_FLUSH);
        read.and(flushed).map(|()| exit)
    }

    /// Runs [`Server::serve`] on stdin/stdout and exits the process with status 0 on `$/shutdown`
    /// or at the end of stdin (the orphan rule), after flushing every queued message and taking
    /// down every process the sidecar started (see [`children`](crate::children)). A failure to
    /// read stdin or to flush stdout is logged to stderr; the exit status stays 0.
    pub fn serve_stdio(self, opts: IoOptions, on_start: impl FnOnce(EventSender)) -> ! {
        self.serve_stdio_then(opts, on_start, || ())
    }

    /// [`Server::serve_stdio`] with a last step: `before_exit` runs once serving has ended (every
    /// answer flushed) and before the process exits, e.g. to save state for the next start. It
    /// runs on the orphan rule's clock: main waits a moment for the exit, then kills.
    pub fn serve_stdio_then(
        self,
        opts: IoOptions,
        on_start: impl FnOnce(EventSender),
        before_exit: impl FnOnce(),
    ) -> ! {
        children::on_start();
        // Stdout is shared by the answering threads, so it is handed over unlocked (a lock guard
        // cannot move between threads); the output buffer in front of it batches the writes.
        if let Err(e) = self.serve(io::stdin().lock(), io::stdout(), opts, on_start) {
            eprintln!("skaffa-protocol: {e}");
        }
        before_exit();
        // The children rule: nothing this sidecar started outlives it.
        children::kill_all();
        std::process::exit(0)
    }

    fn into_dispatcher(self, out: Outbox) -> Dispatcher {
        Dispatcher::new(&self.name, &self.version, self.methods, self.workers, out)
    }
}

/// Wraps a typed handler into the dispatcher's byte-level shape: decode params, run, encode.
fn erase<P, R, E, F>(handler: F) -> Arc<Handler>
where
    P: DeserializeOwned,
    R: Serialize,
    E: Into<ResponseError>,
    F: Fn(&Context, P) -> Result<R, E> + Send + Sync + 'static,
{
    Arc::new(move |cx: &Context, raw: &RawValue| -> Result<Box<RawValue>, ResponseError> {
        let params: P = serde_json::from_str(raw.get())
            .map_err(|e| ResponseError::new(codes::INVALID_PARAMS, format!("invalid params: {e}")))?;
        let result = handler(cx, params).map_err(Into::into)?;
        to_raw_value(&result).map_err(|e| ResponseError::new(codes::INTERNAL, format!("cannot encode result: {e}")))
    })
}
