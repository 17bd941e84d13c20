//! Dispatcher behaviour through `Server::serve` over in-memory pipes: built-ins, typed params,
//! error codes, panics, events, cancellation of a busy and of a queued request, and how serving
//! ends. Every wait has a generous deadline instead of a sleep, so slow machines only make tests
//! slower.

mod common;

use common::{call, recv, send, Client, DEADLINE};

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use serde::Deserialize;
use serde_json::{json, Value};
use skaffa_protocol::{Context, Exit, Message, ResponseError, Server};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AddParams {
    a: i64,
    b: i64,
}

/// A server with a few methods, served on its own thread; returns the client end.
fn start(workers: usize, extra: impl FnOnce(&mut Server)) -> Client {
    let mut server = Server::new("test", "1.2.3");
    server.workers(workers);
    server.method("math/add", |_cx: &Context, p: AddParams| Ok::<_, ResponseError>(p.a + p.b));
    server.method("fail", |_cx: &Context, _p: Value| -> Result<(), ResponseError> {
        Err(ResponseError::new("NOT_FOUND", "nothing here").with_data(json!({"path": "x"})))
    });
    server.method("panic", |_cx: &Context, _p: Value| -> Result<(), ResponseError> { panic!("boom") });
    extra(&mut server);
    Client::start(server)
}

#[test]
fn answers_builtins_and_typed_methods() {
    let c = start(2, |_| {});
    assert_eq!(call(&c, "1", "$/ping", json!({})), json!({"id": "1", "ok": true, "result": {}}));
    assert_eq!(
        call(&c, "2", "$/describe", json!({})),
        json!({"id": "2", "ok": true, "result": {"name": "test", "version": "1.2.3", "methods": ["fail", "math/add", "panic"]}})
    );
    assert_eq!(call(&c, "3", "math/add", json!({"a": 2, "b": 40})), json!({"id": "3", "ok": true, "result": 42}));
}

#[test]
fn reports_errors_with_codes() {
    let c = start(2, |_| {});
    let r = call(&c, "1", "nope", json!({}));
    assert_eq!((r["id"].as_str(), r["error"]["code"].as_str()), (Some("1"), Some("METHOD_NOT_FOUND")));
    let r = call(&c, "2", "math/add", json!({"a": "two", "b": 1}));
    assert_eq!(r["error"]["code"], "INVALID_PARAMS");
    assert!(r["error"]["message"].as_str().unwrap().contains("invalid type"), "serde's message is passed on: {r}");
    let r = call(&c, "3", "math/add", json!({"a": 1, "b": 1, "c": 1}));
    assert_eq!(r["error"]["code"], "INVALID_PARAMS");
    assert_eq!(
        call(&c, "4", "fail", json!({})),
        json!({"id": "4", "ok": false, "error": {"code": "NOT_FOUND", "message": "nothing here", "data": {"path": "x"}}})
    );
    let r = call(&c, "5", "$/cancel", json!({"nope": 1}));
    assert_eq!(r["error"]["code"], "INVALID_PARAMS");
}

#[test]
fn a_panicking_handler_answers_internal_and_serving_continues() {
    let c = start(1, |_| {});
    let r = call(&c, "1", "panic", json!({}));
    assert_eq!((r["ok"].as_bool(), r["error"]["code"].as_str()), (Some(false), Some("INTERNAL")));
    assert!(r["error"]["message"].as_str().unwrap().contains("boom"));
    // The single worker survived the panic.
    assert_eq!(call(&c, "2", "math/add", json!({"a": 1, "b": 1}))["result"], 2);
}

#[test]
fn messages_that_are_not_requests_are_invalid() {
    let c = start(1, |_| {});
    let resp = skaffa_protocol::Response::ok("r1", &1).unwrap();
    c.send_message(Message::Response(resp));
    let r = recv(&c);
    assert_eq!((r["id"].as_str(), r["error"]["code"].as_str()), (Some("r1"), Some("INVALID_REQUEST")));
    c.send_message(Message::Event(skaffa_protocol::Event::new("e", &1).unwrap()));
    let r = recv(&c);
    assert_eq!((r["id"].clone(), r["error"]["code"].as_str()), (Value::Null, Some("INVALID_REQUEST")));
}

#[test]
fn events_can_be_sent_from_handlers_and_other_threads() {
    let c = start(1, |s| {
        s.method("progress", |cx: &Context, _p: Value| {
            cx.events()
                .send("test/progress", &json!({"step": 1}))
                .map_err(|e| ResponseError::new("INTERNAL", e.to_string()))
        });
    });
    send(&c, "1", "progress", json!({}));
    assert_eq!(recv(&c), json!({"event": "test/progress", "data": {"step": 1}}));
    assert_eq!(recv(&c), json!({"id": "1", "ok": true, "result": null}));
}

/// A handler that works until cancelled (or a long deadline), recording that it started and stopped.
fn busy_server(workers: usize) -> (Client, crossbeam_channel::Receiver<()>, Arc<AtomicBool>) {
    let (started_tx, started_rx) = crossbeam_channel::unbounded();
    let stopped = Arc::new(AtomicBool::new(false));
    let stopped2 = stopped.clone();
    let c = start(workers, move |s| {
        s.method("busy", move |cx: &Context, _p: Value| {
            started_tx.send(()).unwrap();
            let until = Instant::now() + DEADLINE;
            while !cx.is_cancelled() && Instant::now() < until {
                // Polling like a real handler between units of work; the sleep only saves CPU.
                thread::sleep(Duration::from_millis(1));
            }
            stopped2.store(cx.is_cancelled(), Ordering::SeqCst);
            Ok::<_, ResponseError>("finished")
        });
    });
    (c, started_rx, stopped)
}

#[test]
fn cancel_answers_at_once_stops_the_handler_and_drops_its_result() {
    let (c, started, stopped) = busy_server(1);
    send(&c, "long", "busy", json!({}));
    started.recv_timeout(DEADLINE).unwrap();
    // Built-ins are served while the only worker is busy.
    assert_eq!(call(&c, "p", "$/ping", json!({}))["ok"], true);
    send(&c, "c", "$/cancel", json!({"id": "long"}));
    assert_eq!(
        recv(&c),
        json!({"id": "long", "ok": false, "error": {"code": "CANCELLED", "message": "request was cancelled"}})
    );
    assert_eq!(recv(&c), json!({"id": "c", "ok": true, "result": {}}));
    // With one worker, this runs only after the busy job has fully finished, so anything the
    // cancelled handler sent would arrive before it.
    assert_eq!(call(&c, "after", "math/add", json!({"a": 1, "b": 2})), json!({"id": "after", "ok": true, "result": 3}));
    assert!(stopped.load(Ordering::SeqCst), "the handler saw the cancel token");
}

#[test]
fn cancelling_a_queued_request_skips_it() {
    let (c, started, _stopped) = busy_server(1);
    send(&c, "long", "busy", json!({}));
    started.recv_timeout(DEADLINE).unwrap();
    send(&c, "queued", "busy", json!({}));
    send(&c, "c1", "$/cancel", json!({"id": "queued"}));
    assert_eq!(recv(&c)["id"], "queued");
    assert_eq!(recv(&c)["id"], "c1");
    send(&c, "c2", "$/cancel", json!({"id": "long"}));
    assert_eq!(recv(&c)["error"]["code"], "CANCELLED");
    assert_eq!(recv(&c)["id"], "c2");
    // The queued job never started: no second "started" signal arrives before this answer.
    assert_eq!(call(&c, "after", "math/add", json!({"a": 0, "b": 0}))["result"], 0);
    assert!(started.try_recv().is_err(), "a cancelled queued request must not run");
}

#[test]
fn cancel_of_an_unknown_or_finished_request_is_a_no_op() {
    let c = start(1, |_| {});
    assert_eq!(call(&c, "1", "math/add", json!({"a": 1, "b": 1}))["result"], 2);
    assert_eq!(call(&c, "2", "$/cancel", json!({"id": "1"})), json!({"id": "2", "ok": true, "result": {}}));
    assert_eq!(call(&c, "3", "$/cancel", json!({"id": "never"})), json!({"id": "3", "ok": true, "result": {}}));
}

#[test]
fn a_duplicate_in_flight_id_is_refused() {
    let (c, started, _stopped) = busy_server(2);
    send(&c, "same", "busy", json!({}));
    started.recv_timeout(DEADLINE).unwrap();
    let r = call(&c, "same", "math/add", json!({"a": 1, "b": 1}));
    assert_eq!((r["id"].as_str(), r["error"]["code"].as_str()), (Some("same"), Some("INVALID_REQUEST")));
    send(&c, "c", "$/cancel", json!({"id": "same"}));
    assert_eq!(recv(&c)["error"]["code"], "CANCELLED");
}

#[test]
fn serving_ends_on_shutdown_and_on_end_of_input() {
    let c = start(1, |_| {});
    assert_eq!(call(&c, "s", "$/shutdown", json!({})), json!({"id": "s", "ok": true, "result": {}}));
    assert_eq!(c.join(), Exit::Shutdown);

    let mut c = start(1, |_| {});
    c.close_input();
    assert_eq!(c.join(), Exit::Disconnected);
}
