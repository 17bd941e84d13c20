//! Keeping the index live. On Linux the watches are inotify's, placed by the walks themselves on
//! exactly the folders the index covers (see `inotify`); elsewhere one recursive notify watch on
//! the root behind notify-debouncer-full, asking only for events that can change the index (no
//! open/close-nowrite floods) and not following links, with a short debounce timeout so a change
//! reaches main within tens of milliseconds. Both deliver the same event shape to one applier
//! thread (on Linux through a bounded channel: see `inotify::read_loop`), which drains
//! everything queued before it starts, so a burst of thousands of files becomes a handful of
//! batches rather than thousands of generations. It holds only a weak
//! reference to the index: when the last `Index` clone is dropped the watcher goes with it, the
//! channel closes and the thread ends. With notify, before it walks a folder that appeared, it
//! waits until notify has placed that folder's watch (see [`fence`]), so no file can fall between
//! the walk and the watch; with inotify the walk places the watch itself. When the system runs
//! out of watches ([`Limit`]), the applier rescans the whole tree on a schedule instead.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, RecvTimeoutError};
#[cfg(not(target_os = "linux"))]
use notify::{Config, EventKindMask, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::DebounceEventResult;
#[cfg(not(target_os = "linux"))]
use notify_debouncer_full::{new_debouncer_opt, Debouncer, RecommendedCache};

use super::changes::{self, Pending};
use super::{ChangeBatch, Index, Shared};
use crate::error::{Error, Result};

/// How long the debouncer holds an event to merge it with its followers.
#[cfg(not(target_os = "linux"))]
const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer looks for events whose time is up.
#[cfg(not(target_os = "linux"))]
const TICK: Duration = Duration::from_millis(4);

/// When to re-stat files a walk discovered: safely after every event that was queued when the
/// walk ran has been delivered (notify's debounce timeout plus a tick, with margin; on Linux the
/// settle window).
const RECHECK_AFTER: Duration = Duration::from_millis(60);

/// The fewest and most milliseconds between fallback rescans (see [`Limit`]).
const RESCAN_FLOOR_MS: u64 = 1_000;
const RESCAN_CEILING_MS: u64 = 60_000;

/// How many reads of inotify events may wait for the applier (see `inotify::read_loop`: past
/// this, events are dropped and a rescan takes their place). A read holds up to 64 KiB of
/// events, so this is about as much as the kernel's own queue (16384 events by default).
#[cfg(target_os = "linux")]
const QUEUED_READS: usize = 256;

/// Owns the OS watch; dropping it stops watching.
pub(crate) struct WatchHandle {
    #[cfg(not(target_os = "linux"))]
    pub(super) debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    /// Held for its `Drop` (which stops the reader); tests also look at its watches.
    #[cfg(target_os = "linux")]
    #[cfg_attr(not(test), allow(dead_code))]
    pub(super) inotify: super::inotify::Handle,
    /// Lets tests feed the applier deliveries the OS never made (an overflow signal; the one
    /// test that needs it is inotify's, so elsewhere nothing reads it).
    #[cfg(test)]
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(super) inject: crossbeam_channel::Sender<DebounceEventResult>,
}

/// Whether the system ran out of watches. While it has, folders may be unwatched, so the applier
/// rescans the whole tree every `rescan_ms` (ten times what the last rescan took, within
/// [`RESCAN_FLOOR_MS`]..[`RESCAN_CEILING_MS`]); a rescan that could watch every folder (the
/// limit was raised, or folders went away) ends the fallback.
#[derive(Default)]
pub(crate) struct Limit {
    reason: Mutex<Option<String>>,
    /// Refusals since the current fallback rescan began.
    refusals: AtomicU64,
    rescan_ms: AtomicU64,
}

impl Limit {
    /// Records that a watch was refused, and why; the first reason is kept and logged. (Only
    /// inotify refuses single watches; elsewhere one watch covers the tree.)
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn refuse(&self, why: &str) {
        self.refusals.fetch_add(1, Ordering::SeqCst);
        let mut reason = self.reason.lock().unwrap_or_else(|e| e.into_inner());
        if reason.is_none() {
            eprintln!("skaffa-workspace: {why}; falling back to periodic rescans");
            *reason = Some(why.to_owned());
        }
    }

    /// Why watches are missing, while they are.
    pub(crate) fn reason(&self) -> Option<String> {
        self.reason.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// The fallback's current interval; before its first rescan it is guessed from the index
    /// size (a full walk costs roughly 5 µs per file here, so this is about ten walks' time).
    pub(crate) fn interval(&self, files: usize) -> Duration {
        let ms = match self.rescan_ms.load(Ordering::SeqCst) {
            0 => (files as u64 / 20).clamp(RESCAN_FLOOR_MS, RESCAN_CEILING_MS),
            ms => ms,
        };
        Duration::from_millis(ms)
    }

    fn begin_round(&self) {
        self.refusals.store(0, Ordering::SeqCst);
    }

    fn end_round(&self, took: Duration) {
        let ms = (took.as_millis() as u64 * 10).clamp(RESCAN_FLOOR_MS, RESCAN_CEILING_MS);
        self.rescan_ms.store(ms, Ordering::SeqCst);
        if self.refusals.load(Ordering::SeqCst) == 0 {
            *self.reason.lock().unwrap_or_else(|e| e.into_inner()) = None;
            eprintln!("skaffa-workspace: every folder is watched again; periodic rescans stop");
        }
    }
}

/// The user's callback for applied batches.
type OnChange = Box<dyn Fn(ChangeBatch) + Send + Sync>;

/// Starts the watch on `index`'s root and the applier thread: on Linux an inotify instance whose
/// watches the walks place from now on (see `inotify`), so a scan already under way is followed
/// by a catch-up rescan that places them.
#[cfg(target_os = "linux")]
pub(crate) fn start(index: Index, on_change: OnChange) -> Result<WatchHandle> {
    let root = index.root().to_path_buf();
    #[cfg(not(test))]
    let bound = QUEUED_READS;
    #[cfg(test)]
    let bound = match index.shared.queued_reads.load(Ordering::SeqCst) {
        0 => QUEUED_READS,
        n => n,
    };
    let (tx, rx) = crossbeam_channel::bounded(bound);
    #[cfg(test)]
    let inject = tx.clone();
    let budget = *index.shared.watch_budget.lock().unwrap_or_else(|e| e.into_inner());
    let inotify = super::inotify::start(tx, index.shared.limit.clone(), budget).map_err(|e| Error::io(&root, e))?;
    // Set once: `Index::start_watching` starts at most one watcher. Under the same lock as
    // `Index::scan` sets `scan_started` and takes the hook, so a scan on another thread either
    // places the watches or is followed by a catch-up rescan (both atomics alone could miss).
    let catch_up = {
        let _order = index.shared.scan_order.lock().unwrap_or_else(|e| e.into_inner());
        let _ = index.shared.on_dir.set(inotify.watches.clone());
        index.shared.scan_started.load(Ordering::SeqCst)
    };
    spawn_applier(index, rx, on_change, catch_up)?;
    Ok(WatchHandle {
        inotify,
        #[cfg(test)]
        inject,
    })
}

/// Starts the watch on `index`'s root and the applier thread.
#[cfg(not(target_os = "linux"))]
pub(crate) fn start(index: Index, on_change: OnChange) -> Result<WatchHandle> {
    let root = index.root().to_path_buf();
    let watch_err = |e: notify::Error| Error::Watch { path: root.clone(), message: e.to_string() };
    let (tx, rx) = crossbeam_channel::unbounded();
    #[cfg(test)]
    let inject = tx.clone();
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
    spawn_applier(index, rx, on_change, catch_up)?;
    Ok(WatchHandle {
        debouncer,
        #[cfg(test)]
        inject,
    })
}

/// Starts the applier thread on a weak reference to `index`.
fn spawn_applier(index: Index, rx: Receiver<DebounceEventResult>, on_change: OnChange, catch_up: bool) -> Result<()> {
    let root = index.root().to_path_buf();
    let weak = Arc::downgrade(&index.shared);
    drop(index);
    std::thread::Builder::new()
        .name("skaffa-index-watch".into())
        .spawn(move || run(weak, rx, on_change, catch_up))
        .map_err(|e| Error::io(&root, e))?;
    Ok(())
}

/// With inotify the walks place every watch before they read a folder, so there is nothing to
/// wait for; after an overflow the full rescan places any watch that is missing and drops those
/// of folders it no longer finds.
#[cfg(target_os = "linux")]
fn fence(_index: &Index, _rewatch: bool) {}

/// Returns once notify's event loop has finished the pass that emitted the events received so
/// far. notify reads every queued inotify event before it watches the folders those events
/// created (or renamed in), and emits each event as it reads it, so a folder announced to us
/// may have no watch yet; a request to the event loop is served only between passes. A walk
/// started after this call therefore sees every file that was created before the folder's
/// watch, and the watch reports every file created after it. With `rewatch` the root's watch is
/// placed anew instead (after an OS overflow, when folders created meanwhile may have none);
/// whatever changes in between is found by the full rescan that follows.
#[cfg(not(target_os = "linux"))]
fn fence(index: &Index, rewatch: bool) {
    let mut slot = index.shared.watcher.lock().unwrap_or_else(|e| e.into_inner());
    let Some(handle) = slot.as_mut() else { return };
    if !rewatch {
        // The answer does not matter, only that the event loop gave it.
        let _ = handle.debouncer.watched_paths();
        return;
    }
    let root = index.root();
    // Unwatching may fail if the kernel already dropped the watch; watching again is what counts.
    let _ = handle.debouncer.unwatch(root);
    if let Err(e) = handle.debouncer.watch(root, RecursiveMode::Recursive) {
        eprintln!("skaffa-workspace: could not watch the workspace again after an overflow: {e}");
    }
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
fn settle(rx: &Receiver<DebounceEventResult>, pending: &mut Pending, index: &Index) {
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
    // When the next fallback rescan is due, while the system is out of watches.
    let mut periodic: Option<Instant> = None;
    loop {
        if periodic.is_none() {
            let Some(index) = alive(&weak) else { return };
            if index.shared.limit.reason().is_some() {
                periodic = Some(Instant::now() + index.shared.limit.interval(index.snapshot().len()));
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
            fence(&index, rewatched);
            // Whatever the rest of that pass emitted joins this batch.
            while let Ok(res) = rx.try_recv() {
                pending.add(&index, res);
            }
            if pending.needs_rewatch() && !rewatched {
                fence(&index, true);
            }
        }
        while rechecks.front().is_some_and(|(due, _)| *due <= Instant::now()) {
            pending.add_recheck(rechecks.pop_front().map(|(_, paths)| paths).unwrap_or_default());
        }
        let fallback = periodic.is_some_and(|due| due <= Instant::now());
        if fallback {
            periodic = None;
            index.shared.limit.begin_round();
            pending.rescan_everything();
        }
        // A rescan diffs every file's size and mtime, so it waits until the first scan's are
        // filled in (other changes are judged by their own `lstat` and need not wait).
        if pending.is_rescan() && !index.wait_complete(&|| weak.strong_count() <= 1) {
            return;
        }
        let started = Instant::now();
        let applied = changes::apply(&index, pending);
        if fallback {
            index.shared.limit.end_round(started.elapsed());
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
