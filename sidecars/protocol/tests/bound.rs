//! `Server::bind`: handlers written as plain functions over one shared state object reach that
//! same object whichever way they are registered (pool, streaming, inline), and their typed
//! errors are answered like any handler's.

mod common;

use common::{call, Client};

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use serde::Deserialize;
use serde_json::{json, Value};
use skaffa_protocol::{Context, ResponseError, Server};

/// The shared state: one running total.
#[derive(Default)]
struct Total(AtomicI64);

#[derive(Deserialize)]
struct Add {
    n: i64,
}

fn add(total: &Total, _cx: &Context, p: Add) -> Result<i64, ResponseError> {
    if p.n < 0 {
        return Err(ResponseError::new("NEGATIVE", "only non-negative numbers add up"));
    }
    Ok(total.0.fetch_add(p.n, Ordering::SeqCst) + p.n)
}

fn read(total: &Total, _cx: &Context, _p: Value) -> Result<i64, ResponseError> {
    Ok(total.0.load(Ordering::SeqCst))
}

#[test]
fn bound_handlers_share_one_state_and_answer_their_errors() {
    let total = Arc::new(Total::default());
    let mut server = Server::new("bound", "0.0.0");
    server.bind(total.clone()).method("add", add).stream_method("read/stream", read).inline_method("read/inline", read);
    let c = Client::start(server);
    assert_eq!(call(&c, "1", "add", json!({"n": 40}))["result"], 40);
    assert_eq!(call(&c, "2", "add", json!({"n": 2}))["result"], 42);
    assert_eq!(call(&c, "3", "read/stream", json!({}))["result"], 42);
    assert_eq!(call(&c, "4", "read/inline", json!({}))["result"], 42);
    // The state the caller kept is the one the handlers changed.
    assert_eq!(total.0.load(Ordering::SeqCst), 42);
    let r = call(&c, "5", "add", json!({"n": -1}));
    assert_eq!(r["error"]["code"], "NEGATIVE", "{r}");
    let r = call(&c, "6", "$/describe", json!({}));
    assert_eq!(r["result"]["methods"], json!(["add", "read/inline", "read/stream"]));
}
