//! The harness every protocol test drives: a `Server` running `Server::serve`, the same code every
//! sidecar binary runs through `serve_stdio`, on its own thread over in-memory pipes. The test
//! writes request lines into the server's input and reads its output back as JSON lines, with a
//! generous deadline instead of a sleep, so slow machines only make tests slower.

#![allow(dead_code)]

use std::cell::RefCell;
use std::io::{self, Read, Write};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, Sender};
use serde_json::Value;
use skaffa_protocol::{EventSender, Exit, IoOptions, Message, Request, Server};

/// How long a test waits for a message before failing; slow machines only make tests slower.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// The read end of an in-memory pipe; reading blocks until bytes arrive or the writer is dropped
/// (end of input).
pub struct PipeReader {
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
/// number of chunks shows how well the server batches its writes.
pub struct PipeWriter(Sender<Vec<u8>>);

impl Write for PipeWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.send(buf.to_vec()).map_err(|_| io::Error::from(io::ErrorKind::BrokenPipe))?;
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A pipe: what is sent on the `Sender` is read from the `PipeReader`.
pub fn pipe_in() -> (Sender<Vec<u8>>, PipeReader) {
    let (tx, rx) = unbounded();
    (tx, PipeReader { rx, pending: Vec::new(), pos: 0 })
}

/// A pipe: what is written to the `PipeWriter` arrives on the `Receiver`, one chunk per write.
pub fn pipe_out() -> (PipeWriter, Receiver<Vec<u8>>) {
    let (tx, rx) = unbounded();
    (PipeWriter(tx), rx)
}

/// The test's side of a server being served over pipes.
pub struct Client {
    input: Option<Sender<Vec<u8>>>,
    /// Every chunk the server wrote, in order.
    pub output: Receiver<Vec<u8>>,
    /// Output read from `output` but not yet returned as a line.
    buffered: RefCell<Vec<u8>>,
    /// The thread running `serve`; it ends with serving.
    pub server: JoinHandle<Exit>,
}

impl Client {
    /// Serves `server` with default options on its own thread.
    pub fn start(server: Server) -> Client {
        Client::start_with(server, IoOptions::default(), |_| {})
    }

    /// Serves `server` with `opts` on its own thread; `on_start` runs as `serve` calls it.
    pub fn start_with(server: Server, opts: IoOptions, on_start: impl FnOnce(EventSender) + Send + 'static) -> Client {
        let (input, reader) = pipe_in();
        let (writer, output) = pipe_out();
        let server = thread::spawn(move || server.serve(reader, writer, opts, on_start).expect("serving over pipes"));
        Client { input: Some(input), output, buffered: RefCell::default(), server }
    }

    /// Writes raw bytes to the server's input.
    pub fn write(&self, bytes: &[u8]) {
        self.input.as_ref().expect("input is open").send(bytes.to_vec()).unwrap();
    }

    /// Writes one message as a line, as main would.
    pub fn send_message(&self, msg: Message) {
        let mut line = Vec::new();
        msg.write_line(&mut line);
        self.write(&line);
    }

    /// Ends the server's input, as main's exit closes a sidecar's stdin.
    pub fn close_input(&mut self) {
        self.input = None;
    }

    /// Waits for serving to end and tells why it did.
    pub fn join(self) -> Exit {
        self.server.join().expect("the serving thread did not panic")
    }

    /// The next output line, parsed, failing the test if none comes in time.
    pub fn recv(&self) -> Value {
        loop {
            if let Some(line) = self.take_line() {
                return line;
            }
            let chunk = self.output.recv_timeout(DEADLINE).expect("a message before the deadline");
            self.buffered.borrow_mut().extend_from_slice(&chunk);
        }
    }

    /// The next output line if one has been written already; never waits.
    pub fn try_recv(&self) -> Option<Value> {
        for chunk in self.output.try_iter() {
            self.buffered.borrow_mut().extend_from_slice(&chunk);
        }
        self.take_line()
    }

    fn take_line(&self) -> Option<Value> {
        let mut buffered = self.buffered.borrow_mut();
        let end = buffered.iter().position(|&b| b == b'\n')?;
        let line: Vec<u8> = buffered.drain(..=end).collect();
        Some(serde_json::from_slice(&line).expect("the server writes only JSON lines"))
    }
}

/// Receives the next message as plain JSON, failing the test if none comes in time.
pub fn recv(c: &Client) -> Value {
    c.recv()
}

/// Sends a request without waiting for its answer.
pub fn send(c: &Client, id: &str, method: &str, params: Value) {
    c.send_message(Message::Request(Request::new(id, method, &params).unwrap()));
}

/// Sends a request and returns the next message (its answer, in these sequential tests).
pub fn call(c: &Client, id: &str, method: &str, params: Value) -> Value {
    send(c, id, method, params);
    recv(c)
}
