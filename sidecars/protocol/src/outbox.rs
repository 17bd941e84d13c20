//! Where outgoing messages go. Over a [`crate::Connection`] they are queued on a channel; when
//! serving stdio they are written straight to stdout by whichever thread produced them
//! ([`DirectOut`]), which saves the hand-off to a writer thread on every response. Batching still
//! happens: a writer skips the flush when another thread is already waiting to write, or when
//! the input side has more requests buffered (it flushes once those are handled), so pipelined
//! traffic shares writes while a lone response goes out at once.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, TryLockError};
use std::time::{Duration, Instant};

use crossbeam_channel::Sender;

use crate::msg::Message;

/// A destination for outgoing messages; cheap to clone.
#[derive(Clone)]
pub(crate) enum Outbox {
    /// Queue on a connection's channel.
    Channel(Sender<Message>),
    /// Write directly to a shared stream.
    Direct(Arc<DirectOut>),
}

impl Outbox {
    /// Sends one message; `false` when the other side is gone.
    pub(crate) fn send(&self, msg: Message) -> bool {
        match self {
            Outbox::Channel(tx) => tx.send(msg).is_ok(),
            Outbox::Direct(out) => out.send(&msg),
        }
    }
}

/// A stream shared by every thread that answers; see the module docs for the flush rule.
pub(crate) struct DirectOut {
    stream: Mutex<io::BufWriter<Box<dyn Write + Send>>>,
    /// Threads currently waiting for the lock; the last one in flushes for all.
    waiting: AtomicUsize,
    /// Set while the reader has more complete requests buffered; it flushes when it runs dry.
    hold: AtomicBool,
    /// Set after a write error (main closed our stdout); later messages are dropped.
    failed: AtomicBool,
}

impl DirectOut {
    pub(crate) fn new(stream: Box<dyn Write + Send>) -> DirectOut {
        DirectOut {
            stream: Mutex::new(io::BufWriter::with_capacity(64 * 1024, stream)),
            waiting: AtomicUsize::new(0),
            hold: AtomicBool::new(false),
            failed: AtomicBool::new(false),
        }
    }

    /// Writes `msg`, encoding it straight into the shared buffer: a big result (a 10 MB file)
    /// then goes from its encoded form to the pipe without another copy.
    pub(crate) fn send(&self, msg: &Message) -> bool {
        if self.failed.load(Ordering::Relaxed) {
            return false;
        }
        self.waiting.fetch_add(1, Ordering::SeqCst);
        let mut stream = self.stream.lock().unwrap_or_else(|p| p.into_inner());
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let mut res = msg.write_to(&mut *stream);
        if res.is_ok() && self.waiting.load(Ordering::SeqCst) == 0 && !self.hold.load(Ordering::SeqCst) {
            res = stream.flush();
        }
        self.check(res)
    }

    /// Tells whether the reader has more requests buffered; releasing the hold flushes.
    pub(crate) fn hold(&self, more_input: bool) {
        let was = self.hold.swap(more_input, Ordering::SeqCst);
        if was && !more_input {
            let res = self.stream.lock().unwrap_or_else(|p| p.into_inner()).flush();
            self.check(res);
        }
    }

    /// Flushes before exiting, giving up after `timeout` if a writer is stuck on a full pipe.
    pub(crate) fn finish(&self, timeout: Duration) -> io::Result<()> {
        let until = Instant::now() + timeout;
        loop {
            match self.stream.try_lock() {
                Ok(mut stream) => return stream.flush(),
                Err(TryLockError::Poisoned(p)) => return p.into_inner().flush(),
                Err(TryLockError::WouldBlock) if Instant::now() < until => {
                    // Another thread is mid-write; its write finishes or main stops reading.
                    std::thread::sleep(Duration::from_millis(1));
                }
                Err(TryLockError::WouldBlock) => {
                    return Err(io::Error::new(io::ErrorKind::TimedOut, "output is blocked"))
                }
            }
        }
    }

    fn check(&self, res: io::Result<()>) -> bool {
        if res.is_err() {
            self.failed.store(true, Ordering::Relaxed);
        }
        res.is_ok()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::msg::Event;

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
        let out = DirectOut::new(Box::new(rec.clone()));
        assert!(out.send(&event(1)));
        assert_eq!(*rec.0.lock().unwrap(), vec![b"{\"event\":\"e\",\"data\":1}\n".to_vec()]);
    }

    #[test]
    fn held_messages_go_out_together_when_the_hold_is_released() {
        let rec = Recorder::default();
        let out = DirectOut::new(Box::new(rec.clone()));
        out.hold(true);
        for n in 0..3 {
            assert!(out.send(&event(n)));
        }
        assert!(rec.0.lock().unwrap().is_empty(), "nothing is written while more input is buffered");
        out.hold(false);
        let chunks = rec.0.lock().unwrap().clone();
        assert_eq!(chunks.len(), 1, "one write for the whole batch");
        assert_eq!(chunks[0].iter().filter(|&&b| b == b'\n').count(), 3);
        out.finish(Duration::from_secs(1)).unwrap();
    }
}
