//! The byte-stream transport (`Connection::io`, which `stdio` uses) over in-memory pipes: framing
//! errors answered by the reader thread, the line-length limit, ordering and batching under
//! pipelining, and the orphan rule (end of input ends `Server::run`).

use std::io::{self, Read, Write};
use std::thread;
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, Sender};
use serde_json::{json, Value};
use skaffa_protocol::{Connection, Context, Exit, IoOptions, ResponseError, Server};

const DEADLINE: Duration = Duration::from_secs(20);

/// The read end of an in-memory pipe; reading blocks until bytes arrive or the writer is dropped.
struct PipeReader {
    rx: Receiver<Vec<u8>>,
    pending: Vec<u8>,
    pos: usize,
}

impl Read for PipeReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.pos == self.pending.len() {
            match self.rx.recv() {
                Ok(bytes) => (self.pending, self.pos) = (bytes, 0),
                Err(_) => return Ok(0),
            }
        }
        let n = buf.len().min(self.pending.len() - self.pos);
        buf[..n].copy_from_slice(&self.pending[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The write end of an in-memory pipe; every `write` call is one chunk on the channel, so the
/// number of chunks shows how well the writer batches.
struct PipeWriter(Sender<Vec<u8>>);

impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf.to_vec()).map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A running server behind a byte-stream transport, plus the test's ends of both pipes.
struct Harness {
    input: Option<Sender<Vec<u8>>>,
    output: Receiver<Vec<u8>>,
    buffered: Vec<u8>,
    server: thread::JoinHandle<Exit>,
}

impl Harness {
    fn start(opts: IoOptions) -> Harness {
        let (in_tx, in_rx) = unbounded();
        let (out_tx, out_rx) = unbounded();
        let reader = PipeReader { rx: in_rx, pending: Vec::new(), pos: 0 };
        let (conn, _io) = Connection::io(reader, PipeWriter(out_tx), opts);
        let mut server = Server::new("stream", "0.0.1");
        server.method("echo", |_cx: &Context, p: Value| Ok::<_, ResponseError>(p));
        let server = thread::spawn(move || server.run(conn));
        Harness { input: Some(in_tx), output: out_rx, buffered: Vec::new(), server }
    }

    fn write(&self, bytes: &[u8]) {
        self.input.as_ref().unwrap().send(bytes.to_vec()).unwrap();
    }

    /// The next output line, parsed.
    fn line(&mut self) -> Value {
        loop {
            if let Some(i) = self.buffered.iter().position(|&b| b == b'\n') {
                let line: Vec<u8> = self.buffered.drain(..=i).collect();
                return serde_json::from_slice(&line).expect("the sidecar writes only JSON lines");
            }
            let chunk = self.output.recv_timeout(DEADLINE).expect("output before the deadline");
            self.buffered.extend_from_slice(&chunk);
        }
    }

    fn error_of(&mut self, input: &[u8]) -> (Value, String) {
        self.write(input);
        let r = self.line();
        assert_eq!(r["ok"], false, "{r}");
        (r["id"].clone(), r["error"]["code"].as_str().unwrap().to_owned())
    }
}

#[test]
fn framing_errors_are_answered_and_serving_continues() {
    let mut h = Harness::start(IoOptions::default());
    assert_eq!(h.error_of(b"this is not json\n"), (Value::Null, "PARSE_ERROR".into()));
    assert_eq!(h.error_of(b"{\"id\":\"1\",\xff}\n"), (Value::Null, "PARSE_ERROR".into()));
    assert_eq!(h.error_of(b"[1,2,3]\n"), (Value::Null, "INVALID_REQUEST".into()));
    assert_eq!(h.error_of(b"{\"id\":\"a\"}\n"), (json!("a"), "INVALID_REQUEST".into()));
    assert_eq!(h.error_of(b"{\"id\":1,\"method\":\"echo\"}\n"), (Value::Null, "INVALID_REQUEST".into()));
    assert_eq!(h.error_of(b"{\"id\":\"b\",\"method\":[]}\n"), (json!("b"), "INVALID_REQUEST".into()));
    assert_eq!(
        h.error_of(b"{\"id\":\"c\",\"method\":\"echo\",\"params\":3}\n"),
        (json!("c"), "INVALID_REQUEST".into())
    );
    // Blank lines are skipped; CRLF line ends are accepted.
    h.write(b"\n  \n{\"id\":\"ok\",\"method\":\"echo\",\"params\":{\"x\":1}}\r\n");
    assert_eq!(h.line(), json!({"id": "ok", "ok": true, "result": {"x": 1}}));
}

#[test]
fn an_over_long_line_is_refused_without_breaking_the_stream() {
    let mut h = Harness::start(IoOptions { max_line_bytes: 1024 });
    // Sent in pieces, as a pipe would deliver it.
    let long = format!("{{\"id\":\"big\",\"method\":\"echo\",\"params\":{{\"s\":\"{}\"}}}}\n", "x".repeat(10_000));
    for piece in long.as_bytes().chunks(700) {
        h.write(piece);
    }
    h.write(b"{\"id\":\"next\",\"method\":\"echo\",\"params\":{}}\n");
    let r = h.line();
    assert_eq!((r["id"].clone(), r["error"]["code"].as_str()), (Value::Null, Some("INVALID_REQUEST")));
    assert_eq!(r["error"]["data"]["limit"], 1024);
    assert_eq!(h.line(), json!({"id": "next", "ok": true, "result": {}}));
}

#[test]
fn pipelined_requests_are_all_answered() {
    let mut h = Harness::start(IoOptions::default());
    let n = 2000;
    let mut batch = Vec::new();
    for i in 0..n {
        batch.extend_from_slice(format!("{{\"id\":\"{i}\",\"method\":\"$/ping\"}}\n").as_bytes());
    }
    h.write(&batch);
    let mut seen: Vec<u64> = (0..n).map(|_| h.line()["id"].as_str().unwrap().parse().unwrap()).collect();
    seen.sort_unstable();
    assert_eq!(seen, (0..n).collect::<Vec<u64>>());
}

#[test]
fn queued_messages_are_written_in_batches() {
    // A rendezvous channel makes the writer block inside its first flush until the test reads,
    // so everything sent meanwhile is queued when it resumes: that backlog must not cost one
    // write per message.
    let (out_tx, out_rx) = crossbeam_channel::bounded(0);
    let (_in_tx, in_rx) = unbounded();
    let reader = PipeReader { rx: in_rx, pending: Vec::new(), pos: 0 };
    let (conn, _io) = Connection::io(reader, PipeWriter(out_tx), IoOptions::default());
    let events = conn.event_sender();
    events.send("first", &0).unwrap();
    let n = 1000;
    // Waits until the writer is blocked handing over the first chunk.
    while !conn.sender.is_empty() {
        thread::yield_now();
    }
    for i in 0..n {
        events.send("e", &i).unwrap();
    }
    let mut text = out_rx.recv_timeout(DEADLINE).unwrap();
    let mut chunks = 1;
    while text.iter().filter(|&&b| b == b'\n').count() < n + 1 {
        text.extend(out_rx.recv_timeout(DEADLINE).unwrap());
        chunks += 1;
    }
    assert!(chunks <= 3, "{n} queued events took {chunks} writes");
}

#[test]
fn end_of_input_ends_the_server() {
    let mut h = Harness::start(IoOptions::default());
    h.write(b"{\"id\":\"1\",\"method\":\"$/ping\"}");
    // The last line has no newline; it still counts once the input ends.
    drop(h.input.take());
    assert_eq!(h.line(), json!({"id": "1", "ok": true, "result": {}}));
    assert_eq!(h.server.join().unwrap(), Exit::Disconnected);
}

#[test]
fn finish_flushes_while_senders_remain() {
    let (out_tx, out_rx) = unbounded();
    let (_in_tx, in_rx) = unbounded();
    let reader = PipeReader { rx: in_rx, pending: Vec::new(), pos: 0 };
    let (conn, io) = Connection::io(reader, PipeWriter(out_tx), IoOptions::default());
    conn.event_sender().send("last", &json!({"n": 1})).unwrap();
    io.finish(DEADLINE).unwrap();
    let written: Vec<u8> = out_rx.try_iter().flatten().collect();
    assert_eq!(written, b"{\"event\":\"last\",\"data\":{\"n\":1}}\n");
}

#[test]
fn finish_succeeds_after_the_writer_stopped_by_itself() {
    let (out_tx, out_rx) = unbounded();
    let (in_tx, in_rx) = unbounded::<Vec<u8>>();
    let reader = PipeReader { rx: in_rx, pending: Vec::new(), pos: 0 };
    let (conn, io) = Connection::io(reader, PipeWriter(out_tx), IoOptions::default());
    conn.event_sender().send("last", &json!({"n": 1})).unwrap();
    // End of input ends the reader; with the connection dropped too, no sender is left, so the
    // writer drains, flushes and exits (closing the pipe, which ends this iteration).
    drop((in_tx, conn));
    let written: Vec<u8> = out_rx.iter().flatten().collect();
    assert_eq!(written, b"{\"event\":\"last\",\"data\":{\"n\":1}}\n");
    io.finish(DEADLINE).unwrap();
}
