//! The byte-stream side of `Server::serve` (what `serve_stdio` runs over stdin and stdout) over
//! in-memory pipes: framing errors answered by the reading thread, the line-length limit,
//! ordering and batching under pipelining, events from `on_start`, the final flush, and how
//! serving ends (end of input, `$/shutdown`, a failing input).

mod common;

use common::{pipe_out, Client};

use std::io::{self, Read};

use serde_json::{json, Value};
use skaffa_protocol::{Context, Error, Exit, IoOptions, ResponseError, Server};

/// A server with an `echo` method that answers its params.
fn echo_server() -> Server {
    let mut server = Server::new("stream", "0.0.1");
    server.method("echo", |_cx: &Context, p: Value| Ok::<_, ResponseError>(p));
    server
}

/// Writes `input` and returns the id and error code of the answer.
fn error_of(c: &Client, input: &[u8]) -> (Value, String) {
    c.write(input);
    let r = c.recv();
    assert_eq!(r["ok"], false, "{r}");
    (r["id"].clone(), r["error"]["code"].as_str().unwrap().to_owned())
}

#[test]
fn framing_errors_are_answered_and_serving_continues() {
    let c = Client::start(echo_server());
    assert_eq!(error_of(&c, b"this is not json\n"), (Value::Null, "PARSE_ERROR".into()));
    assert_eq!(error_of(&c, b"{\"id\":\"1\",\xff}\n"), (Value::Null, "PARSE_ERROR".into()));
    assert_eq!(error_of(&c, b"[1,2,3]\n"), (Value::Null, "INVALID_REQUEST".into()));
    assert_eq!(error_of(&c, b"{\"id\":\"a\"}\n"), (json!("a"), "INVALID_REQUEST".into()));
    assert_eq!(error_of(&c, b"{\"id\":1,\"method\":\"echo\"}\n"), (Value::Null, "INVALID_REQUEST".into()));
    assert_eq!(error_of(&c, b"{\"id\":\"b\",\"method\":[]}\n"), (json!("b"), "INVALID_REQUEST".into()));
    assert_eq!(
        error_of(&c, b"{\"id\":\"c\",\"method\":\"echo\",\"params\":3}\n"),
        (json!("c"), "INVALID_REQUEST".into())
    );
    // Blank lines are skipped; CRLF line ends are accepted.
    c.write(b"\n  \n{\"id\":\"ok\",\"method\":\"echo\",\"params\":{\"x\":1}}\r\n");
    assert_eq!(c.recv(), json!({"id": "ok", "ok": true, "result": {"x": 1}}));
}

#[test]
fn an_over_long_line_is_refused_without_breaking_the_stream() {
    let c = Client::start_with(echo_server(), IoOptions { max_line_bytes: 1024 }, |_| {});
    // Sent in pieces, as a pipe would deliver it.
    let long = format!("{{\"id\":\"big\",\"method\":\"echo\",\"params\":{{\"s\":\"{}\"}}}}\n", "x".repeat(10_000));
    for piece in long.as_bytes().chunks(700) {
        c.write(piece);
    }
    c.write(b"{\"id\":\"next\",\"method\":\"echo\",\"params\":{}}\n");
    let r = c.recv();
    assert_eq!((r["id"].clone(), r["error"]["code"].as_str()), (Value::Null, Some("INVALID_REQUEST")));
    assert_eq!(r["error"]["data"]["limit"], 1024);
    assert_eq!(c.recv(), json!({"id": "next", "ok": true, "result": {}}));
}

/// `n` pings, one per line, as one chunk of input.
fn pings(n: u64) -> Vec<u8> {
    (0..n).flat_map(|i| format!("{{\"id\":\"{i}\",\"method\":\"$/ping\"}}\n").into_bytes()).collect()
}

#[test]
fn pipelined_requests_are_all_answered() {
    let c = Client::start(echo_server());
    let n = 2000;
    c.write(&pings(n));
    let mut seen: Vec<u64> = (0..n).map(|_| c.recv()["id"].as_str().unwrap().parse().unwrap()).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..n).collect::<Vec<u64>>());
}

#[test]
fn pipelined_answers_are_written_in_batches() {
    // The whole batch arrives in one read, so while it is being handled more input is always
    // buffered: the answers must wait and share writes instead of costing one write each.
    let c = Client::start(echo_server());
    let n = 1000;
    c.write(&pings(n));
    let mut lines = 0;
    let mut chunks = 0;
    while lines < n {
        let chunk = c.output.recv_timeout(common::DEADLINE).expect("output before the deadline");
        lines += chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        chunks += 1;
    }
    assert!(chunks <= 3, "{n} pipelined answers took {chunks} writes");
}

#[test]
fn events_sent_from_on_start_come_before_any_answer() {
    let c = Client::start_with(echo_server(), IoOptions::default(), |events| {
        events.send("test/ready", &json!({"n": 1})).unwrap();
    });
    c.write(b"{\"id\":\"1\",\"method\":\"$/ping\"}\n");
    assert_eq!(c.recv(), json!({"event": "test/ready", "data": {"n": 1}}));
    assert_eq!(c.recv(), json!({"id": "1", "ok": true, "result": {}}));
}

#[test]
fn end_of_input_ends_serving() {
    let mut c = Client::start(echo_server());
    c.write(b"{\"id\":\"1\",\"method\":\"$/ping\"}");
    // The last line has no newline; it still counts once the input ends.
    c.close_input();
    assert_eq!(c.recv(), json!({"id": "1", "ok": true, "result": {}}));
    assert_eq!(c.join(), Exit::Disconnected);
}

#[test]
fn shutdown_mid_batch_flushes_what_came_before_and_reads_no_further() {
    // A pooled request is still running when serving ends, so the output stays open (dropping it
    // would flush it too); the ping and the shutdown are handled while more input is buffered,
    // so their answers are held back and only the flush on the way out puts them on the wire.
    let (release_tx, release_rx) = crossbeam_channel::bounded::<()>(1);
    let mut server = echo_server();
    server.method("wait", move |_cx: &Context, _p: Value| {
        release_rx.recv_timeout(common::DEADLINE).map_err(|e| ResponseError::new("INTERNAL", e.to_string()))
    });
    let c = Client::start(server);
    c.write(
        b"{\"id\":\"w\",\"method\":\"wait\"}\n{\"id\":\"1\",\"method\":\"$/ping\"}\n\
          {\"id\":\"s\",\"method\":\"$/shutdown\"}\n{\"id\":\"2\",\"method\":\"$/ping\"}\n",
    );
    let output = c.output.clone();
    assert_eq!(c.server.join().unwrap(), Exit::Shutdown);
    // Serving has returned: everything it wrote is already in the pipe, so nothing waits here.
    let written: Vec<u8> = output.try_iter().flatten().collect();
    release_tx.send(()).unwrap();
    assert_eq!(
        String::from_utf8_lossy(&written),
        "{\"id\":\"1\",\"ok\":true,\"result\":{}}\n{\"id\":\"s\",\"ok\":true,\"result\":{}}\n"
    );
}

/// An input that fails after its first line.
struct FailingInput(Option<&'static [u8]>);

impl Read for FailingInput {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.0.take() {
            Some(bytes) => {
                buf[..bytes.len()].copy_from_slice(bytes);
                Ok(bytes.len())
            }
            None => Err(io::Error::other("the pipe broke")),
        }
    }
}

#[test]
fn a_failing_input_ends_serving_with_an_input_error_after_flushing() {
    let (writer, output) = pipe_out();
    let input = FailingInput(Some(b"{\"id\":\"1\",\"method\":\"$/ping\"}\n"));
    let err = echo_server().serve(input, writer, IoOptions::default(), |_| {}).unwrap_err();
    assert!(matches!(err, Error::Io { stream: "input", .. }), "{err}");
    let written: Vec<u8> = output.try_iter().flatten().collect();
    assert_eq!(written, b"{\"id\":\"1\",\"ok\":true,\"result\":{}}\n");
}
