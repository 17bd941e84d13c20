//! Keeping the index live: one recursive notify watch on the root behind notify-debouncer-full,
//! asking only for events that can change the index (no open/close-nowrite floods) and not
//! following links. A short debounce timeout gets a change to main within tens of milliseconds.
//! A single applier thread drains everything queued before it starts, so a burst of thousands
//! of files becomes a handful of batches rather than thousands of generations. It holds only a
//! weak reference to the index: when the last `Index` clone is dropped the debouncer goes with
//! it, the channel closes and the thread ends.

use std::collections::VecDeque;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
use notify::{Config, EventKindMask, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer_opt, DebounceEventResult, Debouncer, RecommendedCache};

use super::changes::{self, Pending};
use super::{ChangeBatch, Index, Shared};
use crate::error::{Error, Result};

/// How long the debouncer holds an event to merge it with its followers.
const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer looks for events whose time is up.
const TICK: Duration = Duration::from_millis(4);

/// When to re-stat files a walk discovered: safely after the debouncer has emitted every event
/// that was queued when the walk ran (timeout plus a tick, with margin).
const RECHECK_AFTER: Duration = Duration::from_millis(60);

/// Owns the OS watch; dropping it stops watching.
pub(crate) struct WatchHandle {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
}

/// The user's callback for applied batches.
type OnChange = Box<dyn Fn(ChangeBatch) + Send + Sync>;

/// Starts the watch on `index`'s root and the applier thread.
pub(crate) fn start(index: Index, on_change: OnChange) -> Result<WatchHandle> {
    let root = index.root().to_path_buf();
    let watch_err = |e: notify::Error| Error::Watch { path: root.clone(), message: e.to_string() };
    let (tx, rx) = crossbeam_channel::unbounded();
    // Only what can change the index: no open/close-nowrite events, which every read (ours
    // included: a walk opens each folder) would otherwise pour into the kernel queue until it
    // overflows and forces a rescan. Links are not followed, as in the scan.
    let kinds = EventKindMask::CORE | EventKindMask::ACCESS_CLOSE;
    let config = Config::default().with_event_kinds(kinds).with_follow_symlinks(false);
    let handler = move |res: DebounceEventResult| {
        // The applier may be gone during shutdown; nothing is left to update then.
        let _ = tx.send(res);
    };
    let mut debouncer = new_debouncer_opt::<_, RecommendedWatcher, RecommendedCache>(
        DEBOUNCE,
        Some(TICK),
        handler,
        RecommendedCache::new(),
        config,
    )
    .map_err(watch_err)?;
    debouncer.watch(&root, RecursiveMode::Recursive).map_err(watch_err)?;
    // A scan that started before the watch existed may have missed changes made meanwhile.
    let catch_up = index.shared.scan_started.load(Ordering::SeqCst);
    let weak = Arc::downgrade(&index.shared);
    drop(index);
    std::thread::Builder::new()
        .name("skaffa-index-watch".into())
        .spawn(move || run(weak, rx, on_change, catch_up))
        .map_err(|e| Error::io(&root, e))?;
    Ok(WatchHandle { _debouncer: debouncer })
}

/// The applier loop: waits for the first scan, then applies each drained burst in order.
fn run(weak: Weak<Shared>, rx: Receiver<DebounceEventResult>, on_change: OnChange, catch_up: bool) {
    let alive = |weak: &Weak<Shared>| weak.upgrade().map(|shared| Index { shared });
    // Events that arrive during the first scan wait in the channel until it is done; the wait
    // gives up once nobody but this thread holds the index any more.
    let Some(index) = alive(&weak) else { return };
    if !index.wait_ready(&|| weak.strong_count() <= 1) {
        return;
    }
    drop(index);
    let mut next = catch_up.then(Pending::root_rescan);
    let mut rechecks: VecDeque<(Instant, Vec<String>)> = VecDeque::new();
    loop {
        let mut pending = match next.take() {
            Some(p) => p,
            None => {
                let received = match rechecks.front() {
                    Some((due, _)) => rx.recv_timeout(due.saturating_duration_since(Instant::now())),
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
        while let Ok(res) = rx.try_recv() {
            pending.add(&index, res);
        }
        while rechecks.front().is_some_and(|(due, _)| *due <= Instant::now()) {
            pending.add_recheck(rechecks.pop_front().map(|(_, paths)| paths).unwrap_or_default());
        }
        match changes::apply(&index, pending) {
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
