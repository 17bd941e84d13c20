//! Running out of watches. Linux gives each user a fixed number of inotify watches
//! (`fs.inotify.max_user_watches`, or `--max-watches`); once one is refused, some folders have
//! none, so [`Limit`] records why and the applier (see `watch`) rescans the whole tree on a
//! schedule instead, until a rescan can watch every folder again. `workspace/status` reports it
//! as a [`WatchLimit`]. Its own module because both the inotify watcher, which refuses, and the
//! applier, which rescans, use it.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The fewest and most milliseconds between fallback rescans (see [`Limit`]).
const RESCAN_FLOOR_MS: u64 = 1_000;
const RESCAN_CEILING_MS: u64 = 60_000;

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

    /// A fallback rescan begins.
    pub(crate) fn begin_round(&self) {
        self.refusals.store(0, Ordering::SeqCst);
    }

    /// The fallback rescan that began last took `took`.
    pub(crate) fn end_round(&self, took: Duration) {
        let ms = (took.as_millis() as u64 * 10).clamp(RESCAN_FLOOR_MS, RESCAN_CEILING_MS);
        self.rescan_ms.store(ms, Ordering::SeqCst);
        if self.refusals.load(Ordering::SeqCst) == 0 {
            *self.reason.lock().unwrap_or_else(|e| e.into_inner()) = None;
            eprintln!("skaffa-workspace: every folder is watched again; periodic rescans stop");
        }
    }

    /// The status report, while watches are missing; `files` (the index size) guesses the
    /// interval before the first rescan.
    pub(crate) fn report(&self, files: usize) -> Option<WatchLimit> {
        let message = self.reason()?;
        Some(WatchLimit { message, rescan_ms: self.interval(files).as_millis() as u64 })
    }
}
