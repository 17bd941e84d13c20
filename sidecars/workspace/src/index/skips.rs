//! What the index had to leave out, for `workspace/status`: files hidden for their names (not
//! UTF-8, or refused on every platform because Windows reads them as something else) and entries
//! the walks could not read (a folder its permissions keep closed), as they are now, so the
//! counts are what a fresh scan would find, not running totals. Walks and the watcher's updates
//! note them as they go (see `scan::Counters`) and hand them over here for the folder they
//! covered. An unreadable entry whose path the walker did not say is only counted: a walk of the
//! whole root sets that count, a walk of a folder adds to it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Mutex;

use super::types::{Skipped, UNPORTABLE_SAMPLE};

/// Why an entry is left out: for its name, or because it could not be read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Hidden {
    /// Its path is not UTF-8, so it cannot be put into JSON.
    NonUtf8,
    /// Its path holds a name every method refuses (see `paths::refused_name`).
    Unportable,
    /// It could not be read (a folder it may not list, an entry it may not `lstat`): whatever
    /// lies beneath it is not known.
    Unreadable,
}

/// The index's record of skipped paths.
#[derive(Default)]
pub(crate) struct Skips {
    /// Every entry under the root left out, as the last walks and events left it.
    hidden: Mutex<BTreeMap<PathBuf, Hidden>>,
    /// Unreadable entries without a path, met by the last walk of the whole root and every walk
    /// or event since.
    errors: AtomicU64,
    /// Set once the first name of each kind is logged, so stderr gets one line, not thousands.
    pub(crate) logged_non_utf8: AtomicBool,
    pub(crate) logged_unportable: AtomicBool,
    pub(crate) logged_unreadable: AtomicBool,
}

impl Skips {
    /// Makes the known entries left out under `under` (an absolute folder or file path; `None` =
    /// the whole root) exactly `found`, after a walk of it or an event there, which also met
    /// `pathless` unreadable entries without a path.
    pub(crate) fn record_hidden(&self, under: Option<&Path>, found: Vec<(PathBuf, Hidden)>, pathless: u64) {
        let mut known = self.hidden.lock().unwrap_or_else(|e| e.into_inner());
        match under {
            None => {
                *known = found.into_iter().collect();
                self.errors.store(pathless, Ordering::Relaxed);
            }
            Some(dir) => {
                self.errors.fetch_add(pathless, Ordering::Relaxed);
                known.retain(|p, _| !p.starts_with(dir));
                known.extend(found.into_iter().filter(|(p, _)| p.starts_with(dir)));
            }
        }
    }

    /// Whether the last walk or event there found `path` (absolute) unreadable.
    pub(crate) fn is_unreadable(&self, path: &Path) -> bool {
        self.hidden.lock().unwrap_or_else(|e| e.into_inner()).get(path) == Some(&Hidden::Unreadable)
    }

    /// The counts as reported, with the first unportable paths relative to `root`.
    pub(crate) fn report(&self, root: &Path) -> Skipped {
        let hidden = self.hidden.lock().unwrap_or_else(|e| e.into_inner());
        let unportable = hidden.iter().filter(|(_, &kind)| kind == Hidden::Unportable).map(|(p, _)| p);
        let sample = unportable.clone().take(UNPORTABLE_SAMPLE);
        let count = |of| hidden.values().filter(|&&kind| kind == of).count() as u64;
        Skipped {
            non_utf8: count(Hidden::NonUtf8),
            unportable: unportable.count() as u64,
            unportable_sample: sample.filter_map(|p| super::scan::relative(root, p)).collect(),
            errors: count(Hidden::Unreadable) + self.errors.load(Ordering::Relaxed),
        }
    }
}
