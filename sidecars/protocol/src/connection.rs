//! The transport: a pair of channels carrying [`Message`]s, fed by a reader thread and drained by
//! a writer thread (over stdio or any byte streams, see `stream`), or wired straight to another
//! in-memory `Connection` for tests. [`crate::Server::serve_stdio`] skips the reader thread and
//! dispatches on the thread that reads stdin, saving one hand-off per request.

use std::io::{self, BufReader, Write};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{unbounded, Receiver, Sender};
use serde::Serialize;

use crate::msg::{Event, Message};
use crate::outbox::Outbox;
use crate::stream::{read_messages, Writer};
use crate::{Error, Result};

/// Default limit for one incoming line: 64 MiB, as the protocol document specifies.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Size of the input buffer; big enough that pipelined requests are framed in few reads.
pub(crate) const READ_BUFFER: usize = 64 * 1024;

/// Transport options.
#[derive(Debug, Clone, Copy)]
pub struct IoOptions {
    /// Lines longer than this many bytes are discarded and answered with `INVALID_REQUEST`.
    pub max_line_bytes: usize,
}

impl Default for IoOptions {
    fn default() -> Self {
        IoOptions { max_line_bytes: DEFAULT_MAX_LINE_BYTES }
    }
}

/// One side of a protocol conversation: send messages out, receive messages in.
pub struct Connection {
    /// Outgoing messages (responses and events for a sidecar).
    pub sender: Sender<Message>,
    /// Incoming messages, already parsed and classified.
    pub receiver: Receiver<Message>,
}

impl Connection {
    /// Connects over the process's stdin and stdout with default options.
    pub fn stdio() -> (Connection, IoThreads) {
        Connection::stdio_with(IoOptions::default())
    }

    /// Connects over the process's stdin and stdout.
    pub fn stdio_with(opts: IoOptions) -> (Connection, IoThreads) {
        Connection::io(io::stdin(), io::stdout(), opts)
    }

    /// Connects over arbitrary byte streams (used by tests with in-memory pipes).
    pub fn io<R, W>(input: R, output: W, opts: IoOptions) -> (Connection, IoThreads)
    where
        R: io::Read + Send + 'static,
        W: Write + Send + 'static,
    {
        let (writer, out_tx) = Writer::spawn(output);
        let (in_tx, in_rx) = unbounded::<Message>();
        let answer = Outbox::Channel(out_tx.clone());
        let reader = thread::Builder::new()
            .name("skaffa-reader".into())
            .spawn(move || {
                let mut input = BufReader::with_capacity(READ_BUFFER, input);
                // Stop reading once nobody listens any more (the server shut down). The writer
                // thread batches by itself, so there is nothing to do about buffered input.
                read_messages(&mut input, opts, &answer, |msg| in_tx.send(msg).is_ok(), |_| {})
            })
            .expect("spawning the reader thread");
        (Connection { sender: out_tx, receiver: in_rx }, IoThreads { reader, writer })
    }

    /// Two connections wired to each other: what one sends, the other receives.
    pub fn memory() -> (Connection, Connection) {
        let (a_tx, a_rx) = unbounded();
        let (b_tx, b_rx) = unbounded();
        (Connection { sender: a_tx, receiver: b_rx }, Connection { sender: b_tx, receiver: a_rx })
    }

    /// A cloneable handle for sending events on this connection from any thread.
    pub fn event_sender(&self) -> EventSender {
        EventSender { out: Outbox::Channel(self.sender.clone()) }
    }
}

/// Sends `{"event", "data"}` messages; cheap to clone and usable from any thread.
#[derive(Clone)]
pub struct EventSender {
    pub(crate) out: Outbox,
}

impl EventSender {
    /// Sends one event. Fails if `data` cannot be encoded or the connection is closed.
    pub fn send(&self, event: &str, data: &impl Serialize) -> Result<()> {
        let msg = Event::new(event, data)?;
        if self.out.send(Message::Event(msg)) {
            Ok(())
        } else {
            Err(Error::Disconnected)
        }
    }
}

/// The reader and writer threads behind a stream-based [`Connection`].
pub struct IoThreads {
    reader: JoinHandle<Result<()>>,
    writer: Writer,
}

impl IoThreads {
    /// Waits until everything sent so far has been written and flushed, or `timeout` passes.
    pub fn flush(&self, timeout: Duration) -> Result<()> {
        self.writer.flush(timeout)
    }

    /// The last flush before exiting: succeeds also when the writer already stopped because
    /// every sender was dropped (it flushed on its way out).
    pub fn finish(self, timeout: Duration) -> Result<()> {
        self.writer.finish(timeout)
    }

    /// Waits for both threads. The reader ends at end of input; the writer ends once every
    /// sender of the connection (including clones held by workers and event senders) is dropped.
    pub fn join(self) -> Result<()> {
        let reader = self.reader.join().map_err(|_| Error::ThreadPanicked { thread: "reader" })?;
        reader.and(self.writer.join())
    }
}
