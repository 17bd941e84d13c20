//! Watching the file system, and everything the index knows about it, owned here as one
//! [`Watch`]: the OS watch itself, the hook the walks call to place watches, the watch budget
//! and whether the system ran out ([`Limit`]). On Linux the watches are inotify's, placed by the
//! walks themselves on exactly the folders the index covers (see `inotify`); elsewhere one
//! recursive notify watch on the root behind notify-debouncer-full, asking only for events that
//! can change the index (no open/close-nowrite floods) and not following links, with a short
//! debounce timeout so a change reaches main within tens of milliseconds. Both deliver the same
//! event shape to the applier thread (see `applier`; on Linux through a bounded channel, see
//! `inotify::read_loop`, which holds what does not fit for a while). With notify, before the applier walks a folder that appeared, it
//! waits until notify has placed that folder's watch ([`Watch::fence`]), so no file can fall
//! between the walk and the watch; with inotify the walk places the watch itself.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
#[cfg(not(target_os = "linux"))]
use std::time::Duration;

use crossbeam_channel::Receiver;
#[cfg(not(target_os = "linux"))]
use notify::{Config, EventKindMask, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::DebounceEventResult;
#[cfg(not(target_os = "linux"))]
use notify_debouncer_full::{new_debouncer_opt, Debouncer, RecommendedCache};

use super::limit::Limit;
use super::phase::{Phase, PhaseCell};
use super::scan::DirHook;
use crate::error::{Error, Result};

/// How long the debouncer holds an event to merge it with its followers.
#[cfg(not(target_os = "linux"))]
const DEBOUNCE: Duration = Duration::from_millis(10);
/// How often the debouncer looks for events whose time is up.
#[cfg(not(target_os = "linux"))]
const TICK: Duration = Duration::from_millis(4);

/// How many deliveries of inotify events may wait for the applier (see `inotify::read_loop`).
#[cfg(target_os = "linux")]
const QUEUED_READS: usize = 256;
/// How many events the reader holds while those deliveries are all taken, before it drops them
/// for a rescan: four times the kernel's own queue (16384 events by default), a few MB at most.
#[cfg(target_os = "linux")]
const HELD_EVENTS: usize = 65536;

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

/// The index's watch state.
#[derive(Default)]
pub(crate) struct Watch {
    /// The OS watch while it runs (set once: an index starts at most one watcher). Shared with
    /// the walks' hook under wine, which adds the `.git/info` watches (see `git_info`).
    handle: Arc<Mutex<Option<WatchHandle>>>,
    /// True once the watcher runs; read without the lock, which a fence may hold for a while.
    running: AtomicBool,
    /// Given to every walk once watching has started: on Linux it places each folder's watch
    /// before the folder is read; under wine only those of `.git/info` folders (see `git_info`);
    /// elsewhere there is none. Set under the phase lock (see [`Watch::start`]).
    on_dir: OnceLock<DirHook>,
    /// At most this many watches ([`Watch::set_budget`]).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    budget: Mutex<Option<usize>>,
    /// Whether the system ran out of watches (then the applier falls back to rescans).
    limit: Arc<Limit>,
    /// In-process test seams (see [`Seams`]).
    #[cfg(test)]
    pub(crate) seams: Seams,
}

/// Tests only: ways to break or squeeze the watcher on purpose.
#[cfg(test)]
#[derive(Default)]
pub(crate) struct Seams {
    /// Walks place watches after reading each folder, the wrong order (see `scan::Counters`).
    pub(crate) hook_after_read: AtomicBool,
    /// How many deliveries of events may wait for the applier (0: the default; Linux).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) queued_reads: std::sync::atomic::AtomicUsize,
    /// How many events the reader may hold beyond those (0: the default; Linux).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) held_events: std::sync::atomic::AtomicUsize,
}

impl Watch {
    /// The hook every walk calls to place watches, once watching has started.
    pub(crate) fn dir_hook(&self) -> Option<DirHook> {
        self.on_dir.get().cloned()
    }

    /// Drops the watches of folder `dir` (absolute) and everything below it: the index no
    /// longer covers them (they became ignored).
    pub(crate) fn unwatch_under(&self, dir: &Path) {
        if let Some(hook) = self.on_dir.get() {
            // A walk that places nothing: every watch under `dir` is older than it.
            let mark = hook.walk_begins();
            hook.walked(dir, mark);
        }
    }

    /// Allows at most `max` watches; takes effect if set before [`Watch::start`].
    pub(crate) fn set_budget(&self, max: usize) {
        *self.budget.lock().unwrap_or_else(|e| e.into_inner()) = Some(max);
    }

    /// Whether the system ran out of watches.
    pub(crate) fn limit(&self) -> &Limit {
        &self.limit
    }

    /// True while the watcher is running.
    pub(crate) fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// The running watcher, for tests that look at its watches or feed it events.
    #[cfg(test)]
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn handle(&self) -> std::sync::MutexGuard<'_, Option<WatchHandle>> {
        self.handle.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Places the OS watch on `root` and hands its events to `spawn` (which starts the applier),
    /// with whether a scan began before the watch existed (then changes made meanwhile may have
    /// been missed, and a catch-up rescan must follow); does nothing if a watcher runs already. `phase` is the index's: on Linux the walks' hook is set
    /// under its lock, the lock under which `Index::scan` leaves [`Phase::Idle`] and takes the
    /// hook, so a scan on another thread either places the watches or is followed by a
    /// catch-up rescan.
    pub(crate) fn start(
        &self,
        root: &Path,
        phase: &PhaseCell,
        spawn: impl FnOnce(Receiver<DebounceEventResult>, bool) -> Result<()>,
    ) -> Result<()> {
        let mut slot = self.handle.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_some() {
            return Ok(());
        }
        let (handle, events, catch_up) = self.place(root, phase)?;
        spawn(events, catch_up)?;
        *slot = Some(handle);
        self.running.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// On Linux an inotify instance whose watches the walks place from now on (see `inotify`).
    #[cfg(target_os = "linux")]
    fn place(&self, root: &Path, phase: &PhaseCell) -> Result<(WatchHandle, Receiver<DebounceEventResult>, bool)> {
        #[cfg(not(test))]
        let (bound, held) = (QUEUED_READS, HELD_EVENTS);
        #[cfg(test)]
        let (bound, held) = {
            let or = |n: usize, default: usize| if n == 0 { default } else { n };
            let seams = &self.seams;
            (
                or(seams.queued_reads.load(Ordering::SeqCst), QUEUED_READS),
                or(seams.held_events.load(Ordering::SeqCst), HELD_EVENTS),
            )
        };
        let (tx, rx) = crossbeam_channel::bounded(bound);
        #[cfg(test)]
        let inject = tx.clone();
        let budget = *self.budget.lock().unwrap_or_else(|e| e.into_inner());
        let inotify = super::inotify::start(tx, self.limit.clone(), budget, held).map_err(|e| Error::io(root, e))?;
        let catch_up = phase.with(|phase| {
            let _ = self.on_dir.set(inotify.watches.clone());
            phase != Phase::Idle
        });
        let handle = WatchHandle {
            inotify,
            #[cfg(test)]
            inject,
        };
        Ok((handle, rx, catch_up))
    }

    /// Elsewhere one recursive notify watch on the root.
    #[cfg(not(target_os = "linux"))]
    fn place(&self, root: &Path, phase: &PhaseCell) -> Result<(WatchHandle, Receiver<DebounceEventResult>, bool)> {
        let watch_err = |e: notify::Error| Error::Watch { path: root.to_path_buf(), message: e.to_string() };
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
        debouncer.watch(root, RecursiveMode::Recursive).map_err(watch_err)?;
        // A scan that started before the watch existed may have missed changes made meanwhile;
        // one that starts after it calls the hook under wine (set under the same lock as on
        // Linux; see `git_info`).
        let catch_up = phase.with(|phase| {
            if super::git_info::under_wine() {
                let _ = self.on_dir.set(Arc::new(super::git_info::GitInfoWatches::new(self.handle.clone())));
            }
            phase != Phase::Idle
        });
        let handle = WatchHandle {
            debouncer,
            #[cfg(test)]
            inject,
        };
        Ok((handle, rx, catch_up))
    }

    /// With inotify the walks place every watch before they read a folder, so there is nothing
    /// to wait for; after an overflow the full rescan places any watch that is missing and drops
    /// those of folders it no longer finds.
    #[cfg(target_os = "linux")]
    pub(crate) fn fence(&self, _root: &Path, _rewatch: bool) {}

    /// Returns once notify's event loop has finished the pass that emitted the events received so
    /// far. notify reads every queued inotify event before it watches the folders those events
    /// created (or renamed in), and emits each event as it reads it, so a folder announced to us
    /// may have no watch yet; a request to the event loop is served only between passes. A walk
    /// started after this call therefore sees every file that was created before the folder's
    /// watch, and the watch reports every file created after it. With `rewatch` the root's watch is
    /// placed anew instead (after an OS overflow, when folders created meanwhile may have none);
    /// whatever changes in between is found by the full rescan that follows.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn fence(&self, root: &Path, rewatch: bool) {
        let mut slot = self.handle.lock().unwrap_or_else(|e| e.into_inner());
        let Some(handle) = slot.as_mut() else { return };
        if !rewatch {
            // The answer does not matter, only that the event loop gave it.
            let _ = handle.debouncer.watched_paths();
            return;
        }
        // Unwatching may fail if the kernel already dropped the watch; watching again is what
        // counts.
        let _ = handle.debouncer.unwatch(root);
        if let Err(e) = handle.debouncer.watch(root, RecursiveMode::Recursive) {
            eprintln!("skaffa-workspace: could not watch the workspace again after an overflow: {e}");
        }
    }
}
