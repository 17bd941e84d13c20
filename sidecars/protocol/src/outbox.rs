//! Where outgoing messages go: the output stream, shared by every thread that answers. Whichever
//! thread produced a message (the reading thread for built-ins and inline methods, a worker for a
//! handled request, any thread for an event) encodes it straight into the shared buffer and writes
//! it, which saves a hand-off to a writer thread on every response. Batching still happens: a
//! writer skips the flush when another thread is already waiting to write, or when the input side
//! has more requests buffered (it flushes once those are handled), so pipelined traffic shares
//! writes while a lone response goes out at once.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::msg::{Event, Message};
use crate::{Error, Result};

/// A destination for outgoing messages; cheap to clone (clones share one stream).
#[derive(Clone)]
pub(crate) struct Outbox(Arc<Shared>);

/// The stream and the state of the flush rule; see the module docs.
struct Shared {
    stream: Mutex<io::BufWriter<Box<dyn Write + Send>>>,
    /// Threads currently waiting for the lock; the last one in flushes for all.
    waiting: AtomicUsize,
    /// Set while the reader has more complete requests buffered; it flushes when it runs dry.
    hold: AtomicBool,
    /// Set after a write error (main closed our stdout); later messages are dropped.
    failed: AtomicBool,
}

impl Outbox {
    pub(crate) fn new(stream: Box<dyn Write + Send>) -> Outbox {
        Outbox(Arc::new(Shared {
            stream: Mutex::new(io::BufWriter::with_capacity(64 * 1024, stream)),
            waiting: AtomicUsize::new(0),
            hold: AtomicBool::new(false),
            failed: AtomicBool::new(false),
        }))
    }

    /// Writes `msg`, encoding it straight into the shared buffer: a big result (a 10 MB file)
    /// then goes from its encoded form to the pipe without another copy. `false` when the
    /// output is gone.
    pub(crate) fn send(&self, msg: Message) -> bool {
        let out = &*self.0;
        if out.failed.load(Ordering::Relaxed) {
            return false;
        }
        out.waiting.fetch_add(1, Ordering::SeqCst);
        let mut stream = out.stream.lock().unwrap_or_else(|p| p.into_inner());
        out.waiting.fetch_sub(1, Ordering::SeqCst);
        let mut res = msg.write_to(&mut *stream);
        if res.is_ok() && out.waiting.load(Ordering::SeqCst) == 0 && !out.hold.load(Ordering::SeqCst) {
            res = stream.flush();
        }
        self.check(res)
    }

    /// Tells whether the reader has more requests buffered; releasing the hold flushes.
    pub(crate) fn hold(&self, more_input: bool) {
        let was = self.0.hold.swap(more_input, Ordering::SeqCst);
        if was && !more_input {
            let res = self.0.stream.lock().unwrap_or_else(|p| p.into_inner()).flush();
            self.check(res);
        }
    }

    /// Flushes before serving ends, giving up after `timeout` if a writer is stuck on a full pipe.
    pub(crate) fn finish(&self, timeout: Duration) -> Result<()> {
        let until = Instant::now() + timeout;
        let flushed = loop {
            match self.0.stream.try_lock() {
                Ok(mut stream) => break stream.flush(),
                Err(TryLockError::Poisoned(p)) => break p.into_inner().flush(),
                Err(TryLockError::WouldBlock) if Instant::now() < until => {
                    // Another thread is mid-write; its write finishes or main stops reading.
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(TryLockError::WouldBlock) => return Err(Error::Timeout),
            }
        };
        flushed.map_err(|source| Error::Io { stream: "output", source })
    }

    fn check(&self, res: io::Result<()>) -> bool {
        if res.is_err() {
            self.0.failed.store(true, Ordering::Relaxed);
        }
        res.is_ok()
    }
}

/// Sends `{"event", "data"}` messages; cheap to clone and usable from any thread.
#[derive(Clone)]
pub struct EventSender {
    pub(crate) out: Outbox,
}

impl EventSender {
    /// Sends one event. Fails if `data` cannot be encoded or the output is closed.
    pub fn send(&self, event: &str, data: &impl Serialize) -> Result<()> {
        let msg = Event::new(event, data)?;
        if self.out.send(Message::Event(msg)) {
            Ok(())
        } else {
            Err(Error::Disconnected)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records every chunk that reaches the underlying stream.
    #[derive(Clone, Default)]
    struct Recorder(Arc<Mutex<Vec<Vec<u8>>>>);

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn event(n: u32) -> Message {
        Message::Event(Event::new("e", &n).unwrap())
    }

    #[test]
    fn a_lone_message_is_written_at_once() {
        let rec = Recorder::default();
        let out = Outbox::new(Box::new(rec.clone()));
        assert!(out.send(event(1)));
        assert_eq!(*rec.0.lock().unwrap(), vec![b"{\"event\":\"e\",\"data\":1}\n".to_vec()]);
    }

    #[test]
    fn held_messages_go_out_together_when_the_hold_is_released() {
        let rec = Recorder::default();
        let out = Outbox::new(Box::new(rec.clone()));
        out.hold(true);
        for n in 0..3 {
            assert!(out.send(event(n)));
        }
        assert!(rec.0.lock().unwrap().is_empty(), "nothing is written while more input is buffered");
        out.hold(false);
        let chunks = rec.0.lock().unwrap().clone();
        assert_eq!(chunks.len(), 1, "one write for the whole batch");
        assert_eq!(chunks[0].iter().filter(|&&b| b == b'\n').count(), 3);
        out.finish(Duration::from_secs(1)).unwrap();
    }
}
