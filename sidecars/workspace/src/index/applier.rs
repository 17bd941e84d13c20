//! The applier: one thread per index that turns watch events into index updates, an actor in the
//! manner of rust-analyzer's `vfs-notify`. It waits for the first scan, then drains everything
//! queued before each update, so a burst of thousands of files becomes a handful of batches
//! rather than thousands of generations, and reports each applied batch. It holds only a weak
//! reference to the index: when the last `Index` clone is dropped the watcher goes with it, the
//! channel closes and the thread ends. Before it walks a folder that appeared it passes the
//! watcher's fence (see `watch`), and while the system is out of watches (see `limit`) it
//! rescans the whole tree on a schedule.

use std::collections::VecDeque;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use notify_debouncer_full::DebounceEventResult;

use super::changes::{self, Pending};
use super::phase::Phase;
use super::shared::Shared;
use super::types::ChangeBatch;
use crate::error::{Error, Result};

/// The user's callback for applied batches.
pub(crate) type OnChange = Box<dyn Fn(ChangeBatch) + Send + Sync>;

/// When to re-stat files a walk discovered: safely after every event that was queued when the
/// walk ran has been delivered (notify's debounce timeout plus a tick, with margin; on Linux the
/// settle window).
const RECHECK_AFTER: Duration = Duration::from_millis(60);

/// Starts the applier thread on a weak reference to `shared`; with `catch_up` it begins with a
/// full rescan.
pub(crate) fn spawn(
    shared: &Arc<Shared>,
    rx: Receiver<DebounceEventResult>,
    on_change: OnChange,
    catch_up: bool,
) -> Result<()> {
    let root = shared.root().to_path_buf();
    let weak = Arc::downgrade(shared);
    std::thread::Builder::new()
        .name("skaffa-index-watch".into())
        .spawn(move || run(weak, rx, on_change, catch_up))
        .map_err(|e| Error::io(&root, e))?;
    Ok(())
}

/// inotify events are not debounced, so one write (create, write, close) arrives as several
/// events microseconds apart; applied one by one, a new file would be reported as created (empty)
/// and then changed. Waiting until the queue is quiet for [`SETTLE`] (at most [`SETTLE_MAX`]
/// after the first event) lets such a burst become one batch at a cost of a few milliseconds.
#[cfg(target_os = "linux")]
const SETTLE: Duration = Duration::from_millis(3);
/// The longest a change waits for its followers; a steady stream of events is applied this often.
#[cfg(target_os = "linux")]
const SETTLE_MAX: Duration = Duration::from_millis(20);

/// Adds to `pending` everything that belongs to the burst it began (see [`SETTLE`]). notify's
/// debouncer has already merged bursts elsewhere, so there only what is queued now is taken.
fn settle(rx: &Receiver<DebounceEventResult>, pending: &mut Pending, index: &Shared) {
    #[cfg(target_os = "linux")]
    {
        let until = Instant::now() + SETTLE_MAX;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            match rx.recv_timeout(SETTLE.min(left)) {
                Ok(res) => pending.add(index, res),
                Err(_) => return,
            }
        }
    }
    // What is queued right now joins the batch; anything later waits for the next one.
    for _ in 0..rx.len() {
        match rx.try_recv() {
            Ok(res) => pending.add(index, res),
            Err(_) => break,
        }
    }
}

/// The applier loop: waits for the first scan, then applies each drained burst in order.
fn run(weak: Weak<Shared>, rx: Receiver<DebounceEventResult>, on_change: OnChange, catch_up: bool) {
    let alive = |weak: &Weak<Shared>| weak.upgrade();
    // Events that arrive during the first scan wait in the channel until it is done; the wait
    // gives up once nobody but this thread holds the index any more.
    let Some(index) = alive(&weak) else { return };
    if !index.phase.wait_for(Phase::Ready, &|| weak.strong_count() <= 1) {
        return;
    }
    drop(index);
    let mut next = catch_up.then(Pending::root_rescan);
    let mut rechecks: VecDeque<(Instant, Vec<String>)> = VecDeque::new();
    // When the next fallback rescan is due, while the system is out of watches.
    let mut periodic: Option<Instant> = None;
    loop {
        if periodic.is_none() {
            let Some(index) = alive(&weak) else { return };
            if index.watch.limit().reason().is_some() {
                periodic = Some(Instant::now() + index.watch.limit().interval(index.store.snapshot().len()));
            }
        }
        let mut pending = match next.take() {
            Some(p) => p,
            None => {
                let due = rechecks.front().map(|(due, _)| *due).into_iter().chain(periodic).min();
                let received = match due {
                    Some(due) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
                    None => rx.recv().map_err(|_| RecvTimeoutError::Disconnected),
                };
                match received {
                    Ok(res) => {
                        let Some(index) = alive(&weak) else { return };
                        let mut p = Pending::default();
                        p.add(&index, res);
                        p
                    }
                    Err(RecvTimeoutError::Timeout) => Pending::default(),
                    Err(RecvTimeoutError::Disconnected) => return,
                }
            }
        };
        let Some(index) = alive(&weak) else { return };
        settle(&rx, &mut pending, &index);
        if pending.needs_fence() {
            let rewatched = pending.needs_rewatch();
            index.watch.fence(index.root(), rewatched);
            // Whatever the rest of that pass emitted joins this batch.
            while let Ok(res) = rx.try_recv() {
                pending.add(&index, res);
            }
            if pending.needs_rewatch() && !rewatched {
                index.watch.fence(index.root(), true);
            }
        }
        while rechecks.front().is_some_and(|(due, _)| *due <= Instant::now()) {
            pending.add_recheck(rechecks.pop_front().map(|(_, paths)| paths).unwrap_or_default());
        }
        let fallback = periodic.is_some_and(|due| due <= Instant::now());
        if fallback {
            periodic = None;
            index.watch.limit().begin_round();
            pending.rescan_everything();
        }
        // A rescan diffs every file's size and mtime, so it waits until the first scan's are
        // filled in (other changes are judged by their own `lstat` and need not wait).
        if pending.is_rescan() && !index.phase.wait_for(Phase::Complete, &|| weak.strong_count() <= 1) {
            return;
        }
        let started = Instant::now();
        let applied = changes::apply(&index, pending);
        if fallback {
            index.watch.limit().end_round(started.elapsed());
        }
        match applied {
            Ok(applied) => {
                if !applied.discovered.is_empty() {
                    rechecks.push_back((Instant::now() + RECHECK_AFTER, applied.discovered));
                }
                if let Some(batch) = applied.batch {
                    on_change(batch);
                }
            }
            Err(e) => eprintln!("skaffa-workspace: could not apply file changes: {e}"),
        }
    }
}
