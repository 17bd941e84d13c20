//! The workspace file index: every non-ignored file under the root, keyed by its
//! workspace-relative `/`-separated path, with size, mtime and symlink flag. The paths live in an
//! `fst::Map` (see `base`), changes land in a small overlay that a background thread folds into a
//! fresh FST (see `store`), and readers always work on an immutable [`Snapshot`] so a request
//! never blocks a writer or sees half an update. `scan` fills the index with `ignore`'s parallel
//! walker, `watch` keeps it live (the `applier` thread applies what it reports), `rules` answers
//! "would a fresh scan include this path?", and `fuzzy`/`score` implement the file finder on top
//! of the FST's automata; `partial` keeps what the first scan has found so far, so the finder can
//! answer before the index is ready. Where the index is in its life is one [`Phase`].
//!
//! [`Index`] is the facade over `shared`'s state, a part per concern, each owned by the module
//! that changes it. Nothing below this file depends on it, so the modules form no cycle.

mod applier;
mod automaton;
mod base;
mod catchup;
mod changes;
mod chunk;
mod fold;
mod folders;
mod foreground;
mod frontcode;
mod fuzzy;
#[cfg(not(target_os = "linux"))]
mod git_info;
mod hold;
#[cfg(target_os = "linux")]
mod inotify;
mod limit;
mod meta;
mod partial;
mod phase;
mod rules;
mod scan;
mod score;
mod shared;
mod shortlist;
mod skips;
mod snapshot;
mod stat;
mod store;
#[cfg(target_os = "linux")]
mod tree_key;
mod types;
mod warm;
mod watch;

use std::path::Path;
use std::sync::Arc;

use crate::error::Result;
use shared::Shared;

pub use folders::{Folders, Print};
pub(crate) use frontcode::RESTART;
pub use fuzzy::Finder;
pub use limit::WatchLimit;
pub use partial::SoFar;
pub use phase::Phase;
pub use snapshot::Snapshot;
pub(crate) use stat::Stat;
pub use types::{Change, ChangeBatch, ChangeKind, EntryType, FileMeta, FuzzyMatch, IndexOptions, Skipped};
pub(crate) use warm::key_at;
pub use warm::{lstat_key, CatchUp, Verify, WarmFiles};

/// The live file index. Cheap to clone (an `Arc` inside), `Send + Sync`.
#[derive(Clone)]
pub struct Index {
    shared: Arc<Shared>,
}

impl Index {
    /// Creates an empty index for `opts.root`; no I/O happens until [`Index::scan`].
    pub fn new(opts: IndexOptions) -> Index {
        Index { shared: Arc::new(Shared::new(opts)) }
    }

    /// The canonical absolute root this index covers.
    pub fn root(&self) -> &Path {
        self.shared.root()
    }

    /// Initial full scan with `ignore`'s parallel walker. Calls `progress(files_so_far)` roughly
    /// every 100 ms or every 10k files, then publishes every path and moves to [`Phase::Ready`]
    /// (paths are findable), then fills in sizes and mtimes and moves to [`Phase::Complete`] (see
    /// `meta`), then builds the FST for fast lookups. Returns once all of that is done.
    pub fn scan(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<()> {
        // Leaving `Idle` and taking the watcher's hook happen under one lock (see `Watch::start`).
        let mut counters = self.shared.phase.advance(Phase::Scanning, || self.shared.counters());
        counters.found = Some(&self.shared.found);
        counters.defer_meta = true;
        counters.folders = self.folder_log();
        let base = scan::scan_root(&self.shared.opts, &counters, progress)?;
        self.keep_folders(counters.folders.as_ref().map(|log| log.take_folders()));
        self.shared.record_hidden(None, counters);
        let source = self.shared.store.replace_base(base);
        self.shared.phase.advance(Phase::Ready, || ());
        // Only after "ready": a reader that finds the list closed can rely on the full index.
        self.shared.found.close();
        meta::release_free_memory();
        let filled = meta::fill(&source, self.root(), types::cores());
        let filled = self.shared.store.fill(&source, filled);
        self.shared.phase.advance(Phase::Complete, || ());
        self.build_fst(filled);
        Ok(())
    }

    /// Last step of a first scan: the FST of `base` (the published one, if it still is), built
    /// on this thread; until it is in, lookups scan a block of the front-coded keys. Then the
    /// allocator's free pages go back to the system.
    fn build_fst(&self, base: Option<Arc<base::Base>>) {
        if let Some(base) = base {
            match base.build_map() {
                Ok(map) => {
                    self.shared.store.fill(&base, base.with_map(map));
                }
                Err(e) => eprintln!("skaffa-workspace: could not build the path FST: {e}"),
            }
        }
        meta::release_free_memory();
    }

    /// Makes the first scan record every folder's print (see `folders`), for snapshots; call it
    /// before [`Index::scan`] or [`Index::scan_warm`].
    pub fn record_folders(&self) {
        self.shared.folders.wanted.store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The first scan's folder records, if it made any.
    pub fn folders(&self) -> Option<Arc<Folders>> {
        self.shared.folders.made.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// A log for the first scan's walk, if records are wanted.
    fn folder_log(&self) -> Option<Arc<folders::FolderLog>> {
        let wanted = self.shared.folders.wanted.load(std::sync::atomic::Ordering::SeqCst);
        wanted.then(|| Arc::new(folders::FolderLog::new(self.root(), self.shared.opts.no_ignore)))
    }

    fn keep_folders(&self, made: Option<Folders>) {
        *self.shared.folders.made.lock().unwrap_or_else(|e| e.into_inner()) = made.map(Arc::new);
    }

    /// The files the first scan has found so far, while it runs (also before it starts: none
    /// then); `None` once the index is ready, when [`Index::snapshot`] has them all.
    pub fn found_so_far(&self) -> Option<SoFar> {
        self.shared.found.so_far()
    }

    /// Applies the test seam `SKAFFA_WORKSPACE_TEST_HOLD_SCAN`, if set (see `hold`): the binary
    /// calls this before [`Index::scan`] so tests that drive it can hold the first scan.
    #[doc(hidden)]
    pub fn hold_scan_from_env(&self) {
        if let Some(hold) = hold::from_env(self.root()) {
            self.shared.found.hold(hold);
        }
    }

    /// Unit tests' way to the same seam: once the first scan has published `after` files (each
    /// walker thread then publishes every file at once), its walker threads wait until
    /// `released()` is true. Only the first hold counts; set it before [`Index::scan`].
    #[cfg(test)]
    pub(crate) fn hold_first_scan(&self, after: u64, released: Box<dyn Fn() -> bool + Send + Sync>) {
        self.shared.found.hold(hold::Hold::new(after, released));
    }

    /// Where the index is in its life.
    pub fn phase(&self) -> Phase {
        self.shared.phase.get()
    }

    /// True once the first scan has filled in every file's size and mtime.
    pub fn is_complete(&self) -> bool {
        self.phase() == Phase::Complete
    }

    /// Blocks until sizes and mtimes are filled in or `cancelled()` returns true (polled every
    /// 20 ms); returns [`Index::is_complete`].
    pub fn wait_complete(&self, cancelled: &dyn Fn() -> bool) -> bool {
        self.shared.phase.wait_for(Phase::Complete, cancelled)
    }

    /// Blocks until the first scan has begun (a warm start's snapshot is published by then) or
    /// `cancelled()` returns true; an answer given before then would come from nothing.
    pub fn wait_started(&self, cancelled: &dyn Fn() -> bool) -> bool {
        self.shared.phase.wait_for(Phase::Scanning, cancelled)
    }

    /// True once the first scan has finished (every path is findable).
    pub fn is_ready(&self) -> bool {
        self.phase() >= Phase::Ready
    }

    /// Blocks until the index is ready or `cancelled()` returns true (polled every 20 ms);
    /// returns [`Index::is_ready`].
    pub fn wait_ready(&self, cancelled: &dyn Fn() -> bool) -> bool {
        self.shared.phase.wait_for(Phase::Ready, cancelled)
    }

    /// The current generation; it increases with every applied change batch.
    pub fn generation(&self) -> u64 {
        self.shared.store.snapshot().generation()
    }

    /// How many paths were left out and why.
    pub fn skipped(&self) -> Skipped {
        self.shared.skips.report(self.root())
    }

    /// Whether the index could not read the folder or file at `rel` (workspace-relative), as
    /// `skipped.errors` counts it: a folder its permissions keep closed lists nothing.
    pub fn unreadable(&self, rel: &str) -> bool {
        self.shared.skips.is_unreadable(&self.root().join(rel))
    }

    /// A consistent, immutable view (FST + overlay at one generation).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.shared.store.snapshot()
    }

    /// The finder that answers fuzzy queries on this index's snapshots from the survivors of
    /// earlier ones where it can (the next keystroke; see [`Finder`]).
    pub fn finder(&self) -> &Finder {
        &self.shared.finder
    }

    /// True when `rel` (workspace-relative, `/`) is ignored by `.gitignore`/`.ignore`/`--exclude`
    /// or lies under `.git/`, i.e. when a fresh scan would leave it out.
    pub fn is_excluded(&self, rel: &str, is_dir: bool) -> bool {
        self.shared.rules.is_excluded(rel, is_dir)
    }

    /// Starts watching the root. Every applied batch first updates the index and bumps the
    /// generation, then `on_change(batch)` runs on a background thread. Blocks while the OS
    /// watch is set up. Best called before [`Index::scan`]: events are then held until the index
    /// is ready. If a scan had already started, whatever changed before the watch existed is
    /// found by a catch-up rescan after the scan (reported with `rescan: true`), which costs a
    /// second walk of the tree.
    pub fn start_watching(&self, on_change: Box<dyn Fn(ChangeBatch) + Send + Sync>) -> Result<()> {
        let shared = &self.shared;
        shared.watch.start(self.root(), &shared.phase, |events, catch_up| {
            applier::spawn(&self.shared, events, on_change, catch_up)
        })
    }

    /// Allows at most `max` OS watches (Linux; elsewhere one watch covers the tree). Past it the
    /// index behaves as when the system runs out of watches: status reports it and changes in
    /// unwatched folders are found by periodic rescans. Takes effect if called before
    /// [`Index::start_watching`].
    pub fn limit_watches(&self, max: usize) {
        self.shared.watch.set_budget(max);
    }

    /// While the system is out of watches: why, and how often the index rescans instead.
    pub fn watch_limit(&self) -> Option<WatchLimit> {
        self.shared.watch.limit().report(self.snapshot().len())
    }

    /// True while the watcher is running.
    pub fn is_watching(&self) -> bool {
        self.shared.watch.is_running()
    }

    /// Folds the overlay into a new FST right now on the calling thread, and returns whether it
    /// did: not while the first scan or a warm start's catch-up is still completing the base
    /// (its FST, sizes and mtimes), which the background merge waits for too. The watcher merges
    /// in the background on its own; this exists for tests and for callers that want a compact
    /// index.
    pub fn compact(&self) -> Result<bool> {
        self.shared.store.merge_now()
    }
}

#[cfg(all(test, target_os = "linux"))]
mod inotify_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod watch_tests;
