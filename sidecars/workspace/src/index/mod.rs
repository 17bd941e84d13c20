//! The workspace file index: every non-ignored file under the root, keyed by its
//! workspace-relative `/`-separated path, with size, mtime and symlink flag. The paths live in an
//! `fst::Map` (see `store`), changes land in a small overlay that a background thread folds into a
//! fresh FST, and readers always work on an immutable [`Snapshot`] so a request never blocks a
//! writer or sees half an update. `scan` fills the index with `ignore`'s parallel walker, `watch`
//! keeps it live with notify, `rules` answers "would a fresh scan include this path?", and
//! `fuzzy`/`score` implement the file finder on top of the FST's automata; `partial` keeps what
//! the first scan has found so far, so the finder can answer before the index is ready.

mod automaton;
mod changes;
mod frontcode;
mod fuzzy;
#[cfg(target_os = "linux")]
mod inotify;
mod meta;
mod partial;
mod rules;
mod scan;
mod score;
mod snapshot;
mod store;
mod watch;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use crate::error::Result;

pub use partial::SoFar;
pub use snapshot::Snapshot;

/// How the index is built: which folder, which extra excludes, and whether ignore files count.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Already canonicalized absolute root of the workspace.
    pub root: PathBuf,
    /// Extra gitignore-style globs relative to the root (from `--exclude`).
    pub excludes: Vec<String>,
    /// `--no-ignore`: do not honour `.gitignore`/`.ignore` (`.git/` is still skipped).
    pub no_ignore: bool,
}

/// Metadata kept per indexed file. A symlink is indexed as itself and never followed, so its
/// size and mtime are those of the link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FileMeta {
    /// Size in bytes (of the link itself for a symlink).
    pub size: u64,
    /// Modification time in milliseconds since the Unix epoch.
    pub mtime_ms: i64,
    /// True when the entry is a symbolic link.
    pub symlink: bool,
}

/// The kind of a directory entry as reported by `list_dir` and `workspace/stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    /// A regular (or other non-directory, non-link) file.
    File,
    /// A directory that contains at least one indexed file.
    Dir,
    /// A symbolic link, listed as itself.
    Symlink,
}

/// What happened to one path in a [`ChangeBatch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The path entered the index.
    Created,
    /// The path stayed in the index but its content or metadata changed.
    Changed,
    /// The path left the index.
    Deleted,
}

/// One changed path, workspace-relative with `/` separators.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Change {
    /// Workspace-relative path.
    pub path: String,
    /// What happened to it.
    #[serde(rename = "type")]
    pub kind: ChangeKind,
}

/// Every change applied to the index at one generation; the payload of `workspace/didChange`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ChangeBatch {
    /// The index generation after this batch was applied.
    pub generation: u64,
    /// The changes, sorted by path.
    pub changes: Vec<Change>,
    /// True when the batch came from a rescan (OS overflow, ignore-file change, catch-up).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rescan: bool,
}

/// Paths the index had to leave out, as reported by `workspace/status`.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Skipped {
    /// Files whose paths are not valid UTF-8 (they can never be put into JSON), as they are now:
    /// a fresh scan would count the same.
    #[serde(rename = "nonUtf8")]
    pub non_utf8: u64,
    /// Entries the walker could not read (permission denied, vanished, ...).
    pub errors: u64,
}

/// One result of [`Snapshot::fuzzy`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuzzyMatch {
    /// Workspace-relative path.
    pub path: String,
    /// Higher is better; only comparable between results of the same query.
    pub score: i64,
    /// UTF-16 code unit indices of the matched characters in `path`, ascending.
    pub positions: Vec<u32>,
}

/// How many threads the machine gives this process, asked once: the answer comes from cgroup
/// files on Linux, which is too slow to read again on every fuzzy query.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}

/// State shared by every clone of an [`Index`].
struct Shared {
    opts: IndexOptions,
    rules: rules::Rules,
    store: Arc<store::Store>,
    ready: Mutex<bool>,
    /// Set (under `ready`'s lock, with `ready_cv` notified) once the first scan's sizes and
    /// mtimes are filled in.
    complete: AtomicBool,
    ready_cv: Condvar,
    watching: AtomicBool,
    /// Set when a scan begins: a watch established after that may have missed changes.
    scan_started: AtomicBool,
    /// Held while a scan sets `scan_started` and takes `on_dir`, and while the watcher sets
    /// `on_dir` and reads `scan_started`: one of the two always sees the other's write.
    scan_order: Mutex<()>,
    /// Every file under the root whose path is not UTF-8, as the last walks and events left it:
    /// the count reported is the present state, not a running total.
    non_utf8: Mutex<BTreeSet<PathBuf>>,
    errors: AtomicU64,
    logged_non_utf8: AtomicBool,
    /// Keeps the debouncer (and so the OS watches) alive for as long as the index lives.
    watcher: Mutex<Option<watch::WatchHandle>>,
    /// What the first scan has found so far, until the index is ready (see `partial`).
    found: partial::Found,
    /// Given to every walk once watching has started: places each folder's watch before it is read.
    on_dir: std::sync::OnceLock<scan::DirHook>,
    /// At most this many watches ([`Index::limit_watches`]).
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    watch_budget: Mutex<Option<usize>>,
    /// Whether the system ran out of watches (then the watcher falls back to rescans).
    limit: Arc<watch::Limit>,
    /// Tests only: walks place watches after reading each folder (see `scan::Counters`).
    #[cfg(test)]
    watch_after_read: AtomicBool,
    /// Tests only: how many reads of events may wait for the applier (0: the default; Linux).
    #[cfg(test)]
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    queued_reads: std::sync::atomic::AtomicUsize,
}

/// Reported by `workspace/status` while the system is out of watches: some folders have none, so
/// changes there are found by a full rescan every `rescan_ms` instead of at once.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WatchLimit {
    /// What refused the watch (e.g. `fs.inotify.max_user_watches` reached).
    pub message: String,
    /// Milliseconds between the fallback rescans.
    pub rescan_ms: u64,
}

/// The live file index. Cheap to clone (an `Arc` inside), `Send + Sync`.
#[derive(Clone)]
pub struct Index {
    shared: Arc<Shared>,
}

impl Index {
    /// Creates an empty index for `opts.root`; no I/O happens until [`Index::scan`].
    pub fn new(opts: IndexOptions) -> Index {
        let rules = rules::Rules::new(&opts);
        Index {
            shared: Arc::new(Shared {
                rules,
                opts,
                store: Arc::new(store::Store::new()),
                ready: Mutex::new(false),
                complete: AtomicBool::new(false),
                ready_cv: Condvar::new(),
                watching: AtomicBool::new(false),
                scan_started: AtomicBool::new(false),
                scan_order: Mutex::new(()),
                non_utf8: Mutex::new(BTreeSet::new()),
                errors: AtomicU64::new(0),
                logged_non_utf8: AtomicBool::new(false),
                watcher: Mutex::new(None),
                found: partial::Found::default(),
                on_dir: std::sync::OnceLock::new(),
                watch_budget: Mutex::new(None),
                limit: Arc::default(),
                #[cfg(test)]
                watch_after_read: AtomicBool::new(false),
                #[cfg(test)]
                queued_reads: std::sync::atomic::AtomicUsize::new(0),
            }),
        }
    }

    /// The canonical absolute root this index covers.
    pub fn root(&self) -> &Path {
        &self.shared.opts.root
    }

    /// Initial full scan with `ignore`'s parallel walker. Calls `progress(files_so_far)` roughly
    /// every 100 ms or every 10k files, then publishes every path and marks the index ready
    /// (paths are findable), then fills in sizes and mtimes and marks it complete (see `meta`),
    /// then builds the FST for fast lookups. Returns once all of that is done.
    pub fn scan(&self, progress: &(dyn Fn(u64) + Sync)) -> Result<()> {
        let mut counters = {
            let _order = self.shared.scan_order.lock().unwrap_or_else(|e| e.into_inner());
            self.shared.scan_started.store(true, Ordering::SeqCst);
            scan::Counters { found: Some(&self.shared.found), ..self.counters() }
        };
        counters.defer_meta = true;
        let base = scan::scan_root(&self.shared.opts, &counters, progress)?;
        self.record_non_utf8(None, counters);
        let source = self.shared.store.replace_base(base);
        *self.shared.ready.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.shared.ready_cv.notify_all();
        // Only after "ready": a reader that finds the list closed can rely on the full index.
        self.shared.found.close();
        let filled = meta::fill(&source, self.root(), cores());
        let filled = self.shared.store.fill(&source, filled);
        {
            let _ready = self.shared.ready.lock().unwrap_or_else(|e| e.into_inner());
            self.shared.complete.store(true, Ordering::SeqCst);
            self.shared.ready_cv.notify_all();
        }
        // Last, the FST: until it is in, lookups scan a block of the front-coded keys.
        if let Some(base) = filled {
            match base.build_map() {
                Ok(map) => {
                    let metas: Vec<FileMeta> = (0..base.len() as u64).map(|id| base.meta(id)).collect();
                    self.shared.store.fill(&base, base.with_meta(Some(map), &metas));
                }
                Err(e) => eprintln!("skaffa-workspace: could not build the path FST: {e}"),
            }
        }
        Ok(())
    }

    /// The files the first scan has found so far, while it runs (also before it starts: none
    /// then); `None` once the index is ready, when [`Index::snapshot`] has them all.
    pub fn found_so_far(&self) -> Option<SoFar> {
        self.shared.found.so_far()
    }

    /// A test seam: once the first scan has published `after` files (each walker thread then
    /// publishes every file at once), its walker threads wait, polling every 2 ms, until
    /// `released()` is true. Only the first call counts; call it before [`Index::scan`].
    #[doc(hidden)]
    pub fn hold_first_scan(&self, after: u64, released: Box<dyn Fn() -> bool + Send + Sync>) {
        self.shared.found.hold(after, released);
    }

    /// True once the first scan has filled in every file's size and mtime.
    pub fn is_complete(&self) -> bool {
        self.shared.complete.load(Ordering::SeqCst)
    }

    /// Blocks until sizes and mtimes are filled in or `cancelled()` returns true (polled every
    /// 20 ms); returns [`Index::is_complete`].
    pub fn wait_complete(&self, cancelled: &dyn Fn() -> bool) -> bool {
        self.wait_until(&|_| self.is_complete(), cancelled)
    }

    /// True once the first scan has finished.
    pub fn is_ready(&self) -> bool {
        *self.shared.ready.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Blocks until the index is ready or `cancelled()` returns true (polled every 20 ms);
    /// returns [`Index::is_ready`].
    pub fn wait_ready(&self, cancelled: &dyn Fn() -> bool) -> bool {
        self.wait_until(&|ready| ready, cancelled)
    }

    /// Waits on the ready condition variable (both "ready" and "complete" notify it) until
    /// `done(ready)` or `cancelled()` is true, polling every 20 ms; returns `done(ready)`.
    fn wait_until(&self, done: &dyn Fn(bool) -> bool, cancelled: &dyn Fn() -> bool) -> bool {
        let mut ready = self.shared.ready.lock().unwrap_or_else(|e| e.into_inner());
        while !done(*ready) && !cancelled() {
            ready = self
                .shared
                .ready_cv
                .wait_timeout(ready, Duration::from_millis(20))
                .unwrap_or_else(|e| e.into_inner())
                .0;
        }
        done(*ready)
    }

    /// The current generation; it increases with every applied change batch.
    pub fn generation(&self) -> u64 {
        self.shared.store.snapshot().generation()
    }

    /// How many paths were left out and why.
    pub fn skipped(&self) -> Skipped {
        Skipped {
            non_utf8: self.shared.non_utf8.lock().unwrap_or_else(|e| e.into_inner()).len() as u64,
            errors: self.shared.errors.load(Ordering::Relaxed),
        }
    }

    /// A consistent, immutable view (FST + overlay at one generation).
    pub fn snapshot(&self) -> Arc<Snapshot> {
        self.shared.store.snapshot()
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
        let mut slot = self.shared.watcher.lock().unwrap_or_else(|e| e.into_inner());
        if slot.is_some() {
            return Ok(());
        }
        *slot = Some(watch::start(self.clone(), on_change)?);
        self.shared.watching.store(true, Ordering::SeqCst);
        Ok(())
    }

    /// Allows at most `max` OS watches (Linux; elsewhere one watch covers the tree). Past it the
    /// index behaves as when the system runs out of watches: status reports it and changes in
    /// unwatched folders are found by periodic rescans. Takes effect if called before
    /// [`Index::start_watching`].
    pub fn limit_watches(&self, max: usize) {
        *self.shared.watch_budget.lock().unwrap_or_else(|e| e.into_inner()) = Some(max);
    }

    /// While the system is out of watches: why, and how often the index rescans instead.
    pub fn watch_limit(&self) -> Option<WatchLimit> {
        let limit = &self.shared.limit;
        let message = limit.reason()?;
        Some(WatchLimit { message, rescan_ms: limit.interval(self.snapshot().len()).as_millis() as u64 })
    }

    /// True while the watcher is running.
    pub fn is_watching(&self) -> bool {
        self.shared.watching.load(Ordering::SeqCst)
    }

    /// Folds the overlay into a new FST right now on the calling thread. The watcher does this in
    /// the background on its own; this exists for tests and for callers that want a compact index.
    pub fn compact(&self) -> Result<()> {
        self.shared.store.merge_now()
    }

    /// Makes the known non-UTF-8 paths under `under` (an absolute folder or file path; `None` =
    /// the whole root) exactly those `counters` noted, after a walk of it or an event there.
    fn record_non_utf8(&self, under: Option<&Path>, counters: scan::Counters<'_>) {
        let found = counters.non_utf8.into_inner().unwrap_or_else(|e| e.into_inner());
        let mut known = self.shared.non_utf8.lock().unwrap_or_else(|e| e.into_inner());
        match under {
            None => *known = found.into_iter().collect(),
            Some(dir) => {
                known.retain(|p| !p.starts_with(dir));
                known.extend(found.into_iter().filter(|p| p.starts_with(dir)));
            }
        }
    }

    /// Drops the watches of folder `dir` (absolute) and everything below it: the index no
    /// longer covers them (they became ignored).
    fn unwatch_under(&self, dir: &Path) {
        if let Some(hook) = self.shared.on_dir.get() {
            // A walk that places nothing: every watch under `dir` is older than it.
            let mark = hook.walk_begins();
            hook.walked(dir, mark);
        }
    }

    fn counters(&self) -> scan::Counters<'_> {
        scan::Counters {
            non_utf8: Mutex::new(Vec::new()),
            errors: &self.shared.errors,
            logged_non_utf8: &self.shared.logged_non_utf8,
            found: None,
            on_dir: self.shared.on_dir.get().cloned(),
            #[cfg(test)]
            hook_after_read: self.shared.watch_after_read.load(Ordering::SeqCst),
            defer_meta: false,
        }
    }
}

#[cfg(all(test, target_os = "linux"))]
mod inotify_tests;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod watch_tests;
