//! Where the index is in its life, as one value under one lock: [`Phase`] only moves forward
//! (`Idle` → `Scanning` → `Ready` → `Complete`), every move wakes everyone waiting for one, and
//! whatever must happen atomically with a move (the scan taking the watcher's hook) happens under
//! the same lock. One visible state instead of a flag per milestone, as vscode-jsonrpc's
//! `ConnectionState` or rust-analyzer's `vfs-notify` actor keep theirs.

use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Duration;

/// How long a waiter sleeps before it asks `cancelled()` again.
const POLL: Duration = Duration::from_millis(20);

/// The index's phase, in the order it goes through them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// No scan has begun; the index is empty.
    Idle,
    /// The first scan is walking the tree; `Index::found_so_far` has what it found.
    Scanning,
    /// Every path is published and findable; sizes and mtimes are still being filled in (they
    /// read 0 until then).
    Ready,
    /// Every size and mtime of the first scan is filled in.
    Complete,
}

/// The phase and the condition variable that announces each move.
pub(crate) struct PhaseCell {
    phase: Mutex<Phase>,
    moved: Condvar,
}

impl PhaseCell {
    /// A cell at [`Phase::Idle`].
    pub(crate) fn new() -> PhaseCell {
        PhaseCell { phase: Mutex::new(Phase::Idle), moved: Condvar::new() }
    }

    fn lock(&self) -> MutexGuard<'_, Phase> {
        self.phase.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current phase.
    pub(crate) fn get(&self) -> Phase {
        *self.lock()
    }

    /// Moves to `to` unless the index is already there or past it (a second scan never takes it
    /// back), running `also` under the same lock first; wakes every waiter.
    pub(crate) fn advance<T>(&self, to: Phase, also: impl FnOnce() -> T) -> T {
        let mut phase = self.lock();
        let out = also();
        if to > *phase {
            *phase = to;
            self.moved.notify_all();
        }
        out
    }

    /// Runs `f` with the current phase, which cannot move meanwhile.
    pub(crate) fn with<T>(&self, f: impl FnOnce(Phase) -> T) -> T {
        f(*self.lock())
    }

    /// Blocks until the phase is `at_least` or later, or `cancelled()` is true (asked every
    /// [`POLL`]); returns whether the phase got there.
    pub(crate) fn wait_for(&self, at_least: Phase, cancelled: &dyn Fn() -> bool) -> bool {
        let mut phase = self.lock();
        while *phase < at_least && !cancelled() {
            phase = self.moved.wait_timeout(phase, POLL).unwrap_or_else(|e| e.into_inner()).0;
        }
        *phase >= at_least
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_waiter_wakes_when_the_phase_gets_there_and_never_goes_back() {
        let cell = std::sync::Arc::new(PhaseCell::new());
        let waiter = {
            let cell = cell.clone();
            std::thread::spawn(move || cell.wait_for(Phase::Ready, &|| false))
        };
        assert_eq!(cell.advance(Phase::Scanning, || 7), 7);
        cell.advance(Phase::Ready, || ());
        assert!(waiter.join().unwrap());
        cell.advance(Phase::Complete, || ());
        // A later scan asks for `Scanning` again; the index stays complete.
        cell.advance(Phase::Scanning, || ());
        assert_eq!(cell.get(), Phase::Complete);
    }

    #[test]
    fn a_cancelled_wait_reports_the_phase_was_not_reached() {
        let cell = PhaseCell::new();
        cell.advance(Phase::Ready, || ());
        assert!(cell.wait_for(Phase::Ready, &|| true));
        assert!(!cell.wait_for(Phase::Complete, &|| true));
        assert_eq!(cell.with(|phase| phase), Phase::Ready);
    }
}
