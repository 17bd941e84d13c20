//! Answers before the warm start's check: while a query answered from the cache's snapshot runs,
//! the catch-up's threads stand aside, so the first quick-open answer gets the machine's cores
//! instead of sharing them with a million `stat` calls (on 2 cores at a million files the first
//! answer took about 20 ms longer, and its slowest about 40 ms longer, while the catch-up ran
//! beside it). A busy stretch holds the catch-up back for at most [`Foreground::MAX_PAUSE`], so
//! queries sent back to back cannot keep the index unverified for long.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};
use std::time::{Duration, Instant};

/// Queries in flight, and when the current busy stretch began (`None` when there is none).
pub(crate) struct Foreground {
    max_pause: Duration,
    active: AtomicUsize,
    /// Background threads standing aside now (what tests wait for).
    waiting: AtomicUsize,
    since: Mutex<Option<Instant>>,
    idle: Condvar,
}

impl Default for Foreground {
    fn default() -> Self {
        Foreground::with_max_pause(Foreground::MAX_PAUSE)
    }
}

/// A query in flight; dropping it ends it.
pub(crate) struct Busy<'a>(&'a Foreground);

impl Foreground {
    /// The longest one busy stretch holds back the background work.
    pub(crate) const MAX_PAUSE: Duration = Duration::from_millis(100);

    /// A gate whose busy stretches hold background work back for at most `max_pause`.
    pub(crate) fn with_max_pause(max_pause: Duration) -> Self {
        Foreground {
            max_pause,
            active: AtomicUsize::new(0),
            waiting: AtomicUsize::new(0),
            since: Mutex::new(None),
            idle: Condvar::new(),
        }
    }

    /// Marks a query in flight until the returned guard is dropped.
    pub(crate) fn enter(&self) -> Busy<'_> {
        let mut since = self.since.lock().unwrap_or_else(|e| e.into_inner());
        if self.active.fetch_add(1, Ordering::SeqCst) == 0 {
            *since = Some(Instant::now());
        }
        Busy(self)
    }

    /// Called by background work between steps: waits while a query is in flight, but not past
    /// [`Foreground::MAX_PAUSE`] from the start of its busy stretch. Returns whether it waited.
    /// One atomic load when nothing runs, so it may be called often.
    pub(crate) fn stand_aside(&self) -> bool {
        if self.active.load(Ordering::SeqCst) == 0 {
            return false;
        }
        let mut since = self.since.lock().unwrap_or_else(|e| e.into_inner());
        let mut waited = false;
        self.waiting.fetch_add(1, Ordering::SeqCst);
        while let Some(start) = *since {
            let Some(left) = self.max_pause.checked_sub(start.elapsed()) else { break };
            waited = true;
            since = self.idle.wait_timeout(since, left).unwrap_or_else(|e| e.into_inner()).0;
        }
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        waited
    }

    /// How many queries are in flight (tests).
    #[cfg(test)]
    fn active(&self) -> usize {
        self.active.load(Ordering::SeqCst)
    }

    /// Spins until at least `n` background threads stand aside (tests).
    #[cfg(test)]
    pub(crate) fn await_waiting(&self, n: usize) {
        let deadline = Instant::now() + Duration::from_secs(10);
        while self.waiting.load(Ordering::SeqCst) < n {
            assert!(Instant::now() < deadline, "no thread stood aside");
            std::thread::yield_now();
        }
    }
}

impl Drop for Busy<'_> {
    fn drop(&mut self) {
        let mut since = self.0.since.lock().unwrap_or_else(|e| e.into_inner());
        // The count changes under the lock, so a waiter cannot check it and then miss the wakeup.
        if self.0.active.fetch_sub(1, Ordering::SeqCst) == 1 {
            *since = None;
            self.0.idle.notify_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    #[test]
    fn nothing_in_flight_means_no_wait() {
        let gate = Foreground::default();
        assert!(!gate.stand_aside());
        drop(gate.enter());
        assert_eq!(gate.active(), 0);
        assert!(!gate.stand_aside());
    }

    #[test]
    fn background_work_waits_until_the_last_query_ends() {
        // A pause long enough that no timing in this test comes near it.
        let gate = Foreground::with_max_pause(Duration::from_secs(60));
        let (first, second) = (gate.enter(), gate.enter());
        let (tx, rx) = mpsc::channel();
        std::thread::scope(|s| {
            s.spawn(|| tx.send(gate.stand_aside()).unwrap());
            gate.await_waiting(1);
            drop(first);
            let early = rx.recv_timeout(Duration::from_millis(20)).ok();
            assert_eq!(early, None, "it went on while a query was still in flight");
            drop(second);
            let waited = rx.recv_timeout(Duration::from_secs(30)).expect("it goes on once no query runs");
            assert!(waited, "it stood aside for the queries in flight");
        });
        assert_eq!(gate.active(), 0);
        // A later query starts a stretch of its own.
        let third = gate.enter();
        std::thread::scope(|s| {
            let waiter = s.spawn(|| gate.stand_aside());
            gate.await_waiting(1);
            drop(third);
            assert!(waiter.join().unwrap());
        });
    }

    #[test]
    fn a_long_busy_stretch_stops_holding_background_work_back() {
        let gate = Foreground::default();
        let _busy = gate.enter();
        let started = Instant::now();
        assert!(gate.stand_aside());
        let waited = started.elapsed();
        assert!(waited >= Foreground::MAX_PAUSE - Duration::from_millis(5), "waited {waited:?}");
        // The stretch is spent: later steps go on without waiting while the same query still runs.
        assert!(!gate.stand_aside(), "a spent stretch held work back again");
    }
}
