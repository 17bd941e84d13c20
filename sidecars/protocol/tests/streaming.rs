//! Streamed requests through `Server::serve` over in-memory pipes: partial answers come in order and before the
//! final response, `$/cancel` mid-stream answers `CANCELLED` at once and no chunk follows it, a
//! request without `"stream"` (or for a method that does not stream) gets only the final answer
//! with everything in it, and `$/describe` lists the streaming methods.

mod common;

use common::{recv, send, Client, DEADLINE};

use std::thread;
use std::time::Duration;

use crossbeam_channel::{unbounded, Sender};

use serde::Deserialize;
use serde_json::{json, Value};
use skaffa_protocol::{Context, Message, Request, ResponseError, Server};

#[derive(Deserialize)]
struct CountParams {
    count: usize,
    /// Items per chunk.
    #[serde(default = "one")]
    batch: usize,
}

fn one() -> usize {
    1
}

/// A server with `count/up` (streams 0..count in batches) and `count/plain` (the same handler,
/// registered as a method that does not stream); `count/forever` streams until cancelled, then
/// reports on `stopped` how many chunks it got out.
fn start(stopped: Sender<usize>) -> Client {
    let mut server = Server::new("test", "1.0.0");
    server.workers(2);
    let count = |cx: &Context, p: CountParams| -> Result<Value, ResponseError> {
        let mut batch = cx.batcher(p.batch, Duration::from_secs(3600), |items: Vec<usize>| json!({ "items": items }));
        for i in 0..p.count {
            batch.push(i)?;
        }
        Ok(json!({ "items": batch.finish() }))
    };
    server.stream_method("count/up", count);
    server.method("count/plain", count);
    server.stream_method("count/forever", move |cx: &Context, _p: Value| -> Result<Value, ResponseError> {
        for i in 0.. {
            if let Err(e) = cx.partial(&json!({ "items": [i] })) {
                stopped.send(i).unwrap();
                return Err(e);
            }
            thread::sleep(Duration::from_millis(1));
        }
        unreachable!()
    });
    Client::start(server)
}

fn send_streamed(c: &Client, id: &str, method: &str, params: Value) {
    c.send_message(Message::Request(Request::new(id, method, &params).unwrap().streamed()));
}

/// Reads messages for `id` until its final response; returns the chunks and the final message.
fn collect(c: &Client, id: &str) -> (Vec<Value>, Value) {
    let mut chunks = Vec::new();
    loop {
        let m = recv(c);
        assert_eq!(m["id"], id, "only this request is in flight: {m}");
        if m.get("partial").is_some() {
            chunks.push(m["partial"].clone());
        } else {
            return (chunks, m);
        }
    }
}

#[test]
fn chunks_come_in_order_before_the_final_answer() {
    let c = start(unbounded().0);
    send_streamed(&c, "1", "count/up", json!({"count": 7, "batch": 3}));
    let (chunks, last) = collect(&c, "1");
    assert_eq!(chunks, vec![json!({"items": [0, 1, 2]}), json!({"items": [3, 4, 5]})]);
    assert_eq!(last, json!({"id": "1", "ok": true, "result": {"items": [6]}}));
}

#[test]
fn without_stream_or_for_a_method_that_does_not_stream_only_the_final_answer_comes() {
    let c = start(unbounded().0);
    send(&c, "1", "count/up", json!({"count": 4, "batch": 2}));
    assert_eq!(collect(&c, "1"), (vec![], json!({"id": "1", "ok": true, "result": {"items": [0, 1, 2, 3]}})));
    // The flag is ignored for a method registered with `method`.
    send_streamed(&c, "2", "count/plain", json!({"count": 4, "batch": 2}));
    assert_eq!(collect(&c, "2"), (vec![], json!({"id": "2", "ok": true, "result": {"items": [0, 1, 2, 3]}})));
    // Positive control: the same call to the streaming method does stream.
    send_streamed(&c, "3", "count/up", json!({"count": 4, "batch": 2}));
    assert_eq!(collect(&c, "3").0.len(), 2);
}

#[test]
fn cancel_mid_stream_answers_cancelled_and_no_chunk_follows() {
    let (stopped_tx, stopped) = unbounded();
    let c = start(stopped_tx);
    send_streamed(&c, "1", "count/forever", json!({}));
    for i in 0..3 {
        assert_eq!(recv(&c), json!({"id": "1", "ok": true, "partial": {"items": [i]}}));
    }
    send(&c, "c", "$/cancel", json!({"id": "1"}));
    // Chunks already on their way may still come, in order; then CANCELLED, then the cancel's {}.
    let mut next = 3;
    let last = loop {
        let m = recv(&c);
        if m.get("partial").is_none() {
            break m;
        }
        assert_eq!(m["partial"]["items"][0], next);
        next += 1;
    };
    assert_eq!((last["id"].as_str(), last["error"]["code"].as_str()), (Some("1"), Some("CANCELLED")));
    assert_eq!(recv(&c), json!({"id": "c", "ok": true, "result": {}}));
    // The handler learns at its next partial() that the request is over, and stops.
    let got_out = stopped.recv_timeout(DEADLINE).expect("the handler stopped");
    assert_eq!(next, got_out, "every chunk the handler got out reached the wire before CANCELLED");
    // It has stopped, so anything it sent would be written by now: nothing follows the final answer.
    assert_eq!(c.try_recv(), None, "nothing follows the final answer");
}

#[test]
fn describe_lists_the_streaming_methods() {
    let c = start(unbounded().0);
    send(&c, "1", "$/describe", json!({}));
    let r = recv(&c);
    assert_eq!(r["result"]["methods"], json!(["count/forever", "count/plain", "count/up"]));
    assert_eq!(r["result"]["streams"], json!(["count/forever", "count/up"]));
}
