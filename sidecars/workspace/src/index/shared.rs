//! The state behind every clone of an `Index`, a part per concern, each owned by the module that
//! changes it: the phase (`phase`), the published snapshots (`store`), the first scan's partial
//! list (`partial`), the skipped paths (`skips`), the watch (`watch`) and the finder's memory of
//! recent queries (`fuzzy`). The applier thread and `changes` work on it directly, holding it
//! weakly, so they need not know the `Index` facade that starts them.

use std::path::Path;
use std::sync::Mutex;

use super::folders::Folders;
use super::fuzzy::Finder;
use super::types::IndexOptions;
use super::{partial, phase, rules, scan, skips, store, watch};

/// State shared by every clone of an `Index`.
pub(crate) struct Shared {
    pub(crate) opts: IndexOptions,
    pub(crate) rules: rules::Rules,
    pub(crate) store: std::sync::Arc<store::Store>,
    /// Where the index is in its life; every wait for the scan is a wait on it.
    pub(crate) phase: phase::PhaseCell,
    /// What the first scan has found so far, until the index is ready.
    pub(crate) found: partial::Found,
    /// What walks and events had to leave out.
    pub(crate) skips: skips::Skips,
    /// Everything about watching, owned by `watch`.
    pub(crate) watch: watch::Watch,
    /// Survivors of recent fuzzy queries on the current snapshot.
    pub(crate) finder: Finder,
    /// Queries in flight, which the warm start's catch-up stands aside for.
    pub(crate) foreground: super::foreground::Foreground,
    /// True while the published base is a cache snapshot the warm start has not yet checked.
    pub(crate) unverified: std::sync::atomic::AtomicBool,
    /// Whether the first scan records folder prints (for a snapshot), and the records it made.
    pub(crate) folders: FolderRecords,
}

/// The first scan's folder records (see `folders`), kept for every snapshot written after it.
#[derive(Default)]
pub(crate) struct FolderRecords {
    pub(crate) wanted: std::sync::atomic::AtomicBool,
    pub(crate) made: Mutex<Option<std::sync::Arc<Folders>>>,
}

impl Shared {
    /// Empty state for `opts.root`.
    pub(crate) fn new(opts: IndexOptions) -> Shared {
        Shared {
            rules: rules::Rules::new(&opts),
            opts,
            store: std::sync::Arc::new(store::Store::new()),
            phase: phase::PhaseCell::new(),
            found: partial::Found::default(),
            skips: skips::Skips::default(),
            watch: watch::Watch::default(),
            finder: Finder::default(),
            foreground: Default::default(),
            unverified: Default::default(),
            folders: FolderRecords::default(),
        }
    }

    /// The canonical absolute root.
    pub(crate) fn root(&self) -> &Path {
        &self.opts.root
    }

    /// True when a fresh scan would leave `rel` out (see `Index::is_excluded`).
    pub(crate) fn is_excluded(&self, rel: &str, is_dir: bool) -> bool {
        self.rules.is_excluded(rel, is_dir)
    }

    /// Makes the known files hidden for their names under `under` (an absolute folder or file
    /// path; `None` = the whole root) exactly those `counters` noted, after a walk of it or an
    /// event there.
    pub(crate) fn record_hidden(&self, under: Option<&Path>, counters: scan::Counters<'_>) {
        let (found, pathless) = counters.into_found();
        self.skips.record_hidden(under, found, pathless);
    }

    /// A fresh [`scan::Counters`] for one walk or one watcher update.
    pub(crate) fn counters(&self) -> scan::Counters<'_> {
        scan::Counters {
            hidden: Mutex::new(Vec::new()),
            pathless: Default::default(),
            skips: &self.skips,
            found: None,
            on_dir: self.watch.dir_hook(),
            #[cfg(test)]
            hook_after_read: self.watch.seams.hook_after_read.load(std::sync::atomic::Ordering::SeqCst),
            defer_meta: false,
            folders: None,
        }
    }
}
