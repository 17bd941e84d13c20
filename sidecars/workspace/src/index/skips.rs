//! What the index had to leave out, for `workspace/status`: files whose names are not UTF-8 (as
//! they are now, so the count is what a fresh scan would find, not a running total) and entries
//! the walks could not read. Walks and the watcher's updates note both as they go (see
//! `scan::Counters`) and hand their non-UTF-8 findings over here for the folder they covered.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use super::types::Skipped;

/// The index's record of skipped paths.
#[derive(Default)]
pub(crate) struct Skips {
    /// Every file under the root whose path is not UTF-8, as the last walks and events left it.
    non_utf8: Mutex<BTreeSet<PathBuf>>,
    /// Unreadable entries met since the last full walk.
    pub(crate) errors: AtomicU64,
    /// Set once the first non-UTF-8 name is logged, so stderr gets one line, not thousands.
    pub(crate) logged_non_utf8: AtomicBool,
}

impl Skips {
    /// Makes the known non-UTF-8 paths under `under` (an absolute folder or file path; `None` =
    /// the whole root) exactly `found`, after a walk of it or an event there.
    pub(crate) fn record_non_utf8(&self, under: Option<&Path>, found: Vec<PathBuf>) {
        let mut known = self.non_utf8.lock().unwrap_or_else(|e| e.into_inner());
        match under {
            None => *known = found.into_iter().collect(),
            Some(dir) => {
                known.retain(|p| !p.starts_with(dir));
                known.extend(found.into_iter().filter(|p| p.starts_with(dir)));
            }
        }
    }

    /// Counts one more unreadable entry.
    pub(crate) fn error(&self) {
        self.errors.fetch_add(1, Ordering::Relaxed);
    }

    /// A full walk begins: it counts every unreadable entry again, so the count describes it.
    pub(crate) fn reset_errors(&self) {
        self.errors.store(0, Ordering::Relaxed);
    }

    /// The counts as reported.
    pub(crate) fn report(&self) -> Skipped {
        Skipped {
            non_utf8: self.non_utf8.lock().unwrap_or_else(|e| e.into_inner()).len() as u64,
            errors: self.errors.load(Ordering::Relaxed),
        }
    }
}
