//! Methods registered with `Server::inline_method`: typed params and results as on the pool, the
//! same error codes, answered on the serving thread itself (so a busy pool does not delay them),
//! listed by `$/describe`, and a `$/cancel` for one is a no-op. Waits have generous deadlines.

mod common;

use common::{call, recv, send, Client, DEADLINE};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread::{self, ThreadId};
use std::time::{Duration, Instant};

use crossbeam_channel::Receiver;
use serde::Deserialize;
use serde_json::{json, Value};
use skaffa_protocol::{Context, ResponseError, Server};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MulParams {
    a: i64,
    b: i64,
}

/// What the server under test exposes besides its client end (which holds the serving thread).
struct Harness {
    conn: Client,
    /// Signalled each time the pooled `busy` handler starts.
    busy_started: Receiver<()>,
    /// The thread each inline `whoami` call ran on.
    inline_threads: Receiver<ThreadId>,
    /// Whether any inline handler ever saw its request cancelled.
    saw_cancel: Arc<AtomicBool>,
}

/// A server with one worker, a pooled `busy` method that runs until cancelled, and a few inline
/// methods; it is served on its own thread.
fn start() -> Harness {
    let (busy_tx, busy_started) = crossbeam_channel::unbounded();
    let (thread_tx, inline_threads) = crossbeam_channel::unbounded();
    let saw_cancel = Arc::new(AtomicBool::new(false));
    let saw = saw_cancel.clone();
    let mut server = Server::new("test", "1.0.0");
    server.workers(1);
    server.method("busy", move |cx: &Context, _p: Value| {
        busy_tx.send(()).unwrap();
        let until = Instant::now() + DEADLINE;
        while !cx.is_cancelled() && Instant::now() < until {
            thread::sleep(Duration::from_millis(1));
        }
        Ok::<_, ResponseError>("finished")
    });
    server.inline_method("math/mul", |_cx: &Context, p: MulParams| Ok::<_, ResponseError>(p.a * p.b));
    server.inline_method("fail", |_cx: &Context, _p: Value| -> Result<(), ResponseError> {
        Err(ResponseError::new("NOT_FOUND", "nothing here").with_data(json!({"path": "x"})))
    });
    server.inline_method("panic", |_cx: &Context, _p: Value| -> Result<(), ResponseError> { panic!("boom") });
    server.inline_method("whoami", move |cx: &Context, _p: Value| {
        thread_tx.send(thread::current().id()).unwrap();
        saw.fetch_or(cx.is_cancelled(), Ordering::SeqCst);
        Ok::<_, ResponseError>(cx.id().to_owned())
    });
    Harness { conn: Client::start(server), busy_started, inline_threads, saw_cancel }
}

#[test]
fn decodes_typed_params_and_encodes_the_result() {
    let h = start();
    assert_eq!(call(&h.conn, "1", "math/mul", json!({"a": 6, "b": 7})), json!({"id": "1", "ok": true, "result": 42}));
    assert_eq!(call(&h.conn, "2", "whoami", json!(null)), json!({"id": "2", "ok": true, "result": "2"}));
}

#[test]
fn reports_errors_like_pooled_methods() {
    let h = start();
    let r = call(&h.conn, "1", "math/mul", json!({"a": "six", "b": 7}));
    assert_eq!((r["id"].as_str(), r["error"]["code"].as_str()), (Some("1"), Some("INVALID_PARAMS")));
    assert!(r["error"]["message"].as_str().unwrap().contains("invalid type"), "serde's message is passed on: {r}");
    let r = call(&h.conn, "2", "math/mul", json!({"a": 1, "b": 1, "c": 1}));
    assert_eq!(r["error"]["code"], "INVALID_PARAMS");
    assert_eq!(
        call(&h.conn, "3", "fail", json!({})),
        json!({"id": "3", "ok": false, "error": {"code": "NOT_FOUND", "message": "nothing here", "data": {"path": "x"}}})
    );
    let r = call(&h.conn, "4", "panic", json!({}));
    assert_eq!(
        (r["error"]["code"].as_str(), r["error"]["message"].as_str().map(|m| m.contains("boom"))),
        (Some("INTERNAL"), Some(true))
    );
    // The serving thread survived the panic.
    assert_eq!(call(&h.conn, "5", "math/mul", json!({"a": 2, "b": 2}))["result"], 4);
}

#[test]
fn runs_on_the_serving_thread_while_the_pool_is_busy() {
    let h = start();
    send(&h.conn, "long", "busy", json!({}));
    h.busy_started.recv_timeout(DEADLINE).unwrap();
    // The only worker is busy until cancelled, so these answers can only come from elsewhere.
    assert_eq!(call(&h.conn, "1", "math/mul", json!({"a": 3, "b": 3}))["result"], 9);
    assert_eq!(call(&h.conn, "2", "whoami", json!({}))["result"], "2");
    assert_eq!(h.inline_threads.recv_timeout(DEADLINE).unwrap(), h.conn.server.thread().id());
    send(&h.conn, "c", "$/cancel", json!({"id": "long"}));
    assert_eq!(recv(&h.conn)["error"]["code"], "CANCELLED");
    assert_eq!(recv(&h.conn), json!({"id": "c", "ok": true, "result": {}}));
}

#[test]
fn describe_lists_inline_methods_with_the_others() {
    let h = start();
    assert_eq!(
        call(&h.conn, "d", "$/describe", json!({})),
        json!({"id": "d", "ok": true, "result": {"name": "test", "version": "1.0.0", "methods": ["busy", "fail", "math/mul", "panic", "whoami"]}})
    );
}

#[test]
fn cancel_of_an_inline_request_is_a_no_op() {
    let h = start();
    // Sent back to back: the inline request is answered before the cancel is even read.
    send(&h.conn, "w", "whoami", json!({}));
    send(&h.conn, "c", "$/cancel", json!({"id": "w"}));
    assert_eq!(recv(&h.conn), json!({"id": "w", "ok": true, "result": "w"}));
    assert_eq!(recv(&h.conn), json!({"id": "c", "ok": true, "result": {}}));
    assert!(!h.saw_cancel.load(Ordering::SeqCst), "an inline handler is never cancelled");
    // The id is free again at once.
    assert_eq!(call(&h.conn, "w", "whoami", json!({}))["result"], "w");
}

#[test]
fn an_id_in_flight_on_the_pool_is_refused() {
    let h = start();
    send(&h.conn, "same", "busy", json!({}));
    h.busy_started.recv_timeout(DEADLINE).unwrap();
    let r = call(&h.conn, "same", "math/mul", json!({"a": 1, "b": 1}));
    assert_eq!((r["id"].as_str(), r["error"]["code"].as_str()), (Some("same"), Some("INVALID_REQUEST")));
    send(&h.conn, "c", "$/cancel", json!({"id": "same"}));
    assert_eq!(recv(&h.conn)["error"]["code"], "CANCELLED");
}
