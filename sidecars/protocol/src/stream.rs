//! The byte-stream halves of the transport. [`read_messages`] frames and classifies incoming
//! lines, answering framing failures (`PARSE_ERROR`, `INVALID_REQUEST`, over-long lines) itself
//! so consumers only ever see well-formed messages. [`Writer`] owns a thread that encodes and
//! writes outgoing messages, flushing only when nothing more is queued: a lone response goes out
//! at once, while a burst of pipelined responses shares one write.

use std::io::{self, BufReader, Read, Write};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{select, unbounded, Receiver, RecvTimeoutError, Sender};

use crate::connection::IoOptions;
use crate::framing::{read_line, Line};
use crate::msg::{codes, Message, Response, ResponseError};
use crate::outbox::Outbox;
use crate::{Error, Result};

/// Reads lines until end of input (`Ok`), a read error, or `deliver` returning `false`.
/// Each well-formed message goes to `deliver`; each framing failure is answered on `answer`.
/// Before each line, `more_input` learns whether a complete line is already buffered, i.e.
/// whether the next read will return without blocking (output may wait for it to be handled).
pub(crate) fn read_messages<R: Read>(
    input: &mut BufReader<R>,
    opts: IoOptions,
    answer: &Outbox,
    mut deliver: impl FnMut(Message) -> bool,
    mut more_input: impl FnMut(bool),
) -> Result<()> {
    let mut line = Vec::new();
    loop {
        more_input(input.buffer().contains(&b'\n'));
        let framed =
            read_line(input, opts.max_line_bytes, &mut line).map_err(|source| Error::Io { stream: "input", source })?;
        let parsed = match framed {
            None => return Ok(()),
            // Blank lines carry no message; tolerating them costs nothing and helps humans.
            Some(Line::Complete) if line.iter().all(u8::is_ascii_whitespace) => continue,
            Some(Line::Complete) => Message::parse(&line),
            Some(Line::TooLong { len }) => Err(Response::err(
                None,
                ResponseError::new(
                    codes::INVALID_REQUEST,
                    format!("line of {len} bytes exceeds the limit of {} bytes", opts.max_line_bytes),
                )
                .with_data(serde_json::json!({ "limit": opts.max_line_bytes, "length": len })),
            )),
        };
        let go_on = match parsed {
            Ok(msg) => deliver(msg),
            Err(reply) => answer.send(Message::Response(reply)),
        };
        if !go_on {
            return Ok(());
        }
    }
}

/// The writer thread and the means to wait for it to flush.
pub(crate) struct Writer {
    thread: JoinHandle<Result<()>>,
    flush_tx: Sender<Sender<()>>,
}

impl Writer {
    /// Starts a writer thread on `output`; returns it with the sender that feeds it.
    pub(crate) fn spawn<W: Write + Send + 'static>(output: W) -> (Writer, Sender<Message>) {
        let (tx, rx) = unbounded::<Message>();
        let (flush_tx, flush_rx) = unbounded::<Sender<()>>();
        let thread = thread::Builder::new()
            .name("skaffa-writer".into())
            .spawn(move || writer_loop(io::BufWriter::with_capacity(64 * 1024, output), rx, flush_rx))
            .expect("spawning the writer thread");
        (Writer { thread, flush_tx }, tx)
    }

    /// Waits until everything sent so far has been written and flushed, or `timeout` passes.
    pub(crate) fn flush(&self, timeout: Duration) -> Result<()> {
        let (ack_tx, ack_rx) = crossbeam_channel::bounded(1);
        self.flush_tx.send(ack_tx).map_err(|_| Error::Disconnected)?;
        ack_rx.recv_timeout(timeout).map_err(|e| match e {
            RecvTimeoutError::Timeout => Error::Timeout,
            RecvTimeoutError::Disconnected => Error::Disconnected,
        })
    }

    /// Flushes one last time. When the writer already stopped because every sender was dropped,
    /// it flushed on its way out, so its own outcome is the answer.
    pub(crate) fn finish(self, timeout: Duration) -> Result<()> {
        match self.flush(timeout) {
            Err(Error::Disconnected) => self.join(),
            other => other,
        }
    }

    /// Waits for the thread, which ends once every sender is dropped.
    pub(crate) fn join(self) -> Result<()> {
        drop(self.flush_tx);
        self.thread.join().map_err(|_| Error::ThreadPanicked { thread: "writer" })?
    }
}

fn writer_loop(mut out: impl Write, rx: Receiver<Message>, mut flush_rx: Receiver<Sender<()>>) -> Result<()> {
    let io_err = |source| Error::Io { stream: "output", source };
    let mut line = Vec::with_capacity(4096);
    let mut write = |out: &mut dyn Write, msg: Message| -> io::Result<()> {
        line.clear();
        msg.write_line(&mut line);
        out.write_all(&line)
    };
    loop {
        select! {
            recv(rx) -> msg => match msg {
                Ok(msg) => write(&mut out, msg).map_err(io_err)?,
                Err(_) => break,
            },
            recv(flush_rx) -> ack => {
                for msg in rx.try_iter() {
                    write(&mut out, msg).map_err(io_err)?;
                }
                out.flush().map_err(io_err)?;
                match ack {
                    // The waiter may have timed out and gone; that is fine.
                    Ok(ack) => drop(ack.send(())),
                    // No more flush requests can come; stop selecting on a closed channel.
                    Err(_) => flush_rx = crossbeam_channel::never(),
                }
            },
        }
        if rx.is_empty() {
            out.flush().map_err(io_err)?;
        }
    }
    out.flush().map_err(io_err)
}
