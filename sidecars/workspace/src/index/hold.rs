//! The one test seam built into the binary: holding the first scan part-way, so tests that drive
//! the sidecar can look at it "during indexing" without racing it (jest's
//! `test/workspace/held-scan.ts`, `partial.test.ts` and `test/cli/quick-open.test.ts`, and
//! `tests/find_files_partial.rs`); a warm start's catch-up walk is held the same way
//! (`tests/warm_start.rs`). It is set by `SKAFFA_WORKSPACE_TEST_HOLD_SCAN=<files>:<path>`
//! (see [`from_env`]); unset, it costs the walk one `OnceLock` read per published block. Seams
//! that only unit tests use live behind `cfg(test)` instead.

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// The variable that sets the hold.
const VAR: &str = "SKAFFA_WORKSPACE_TEST_HOLD_SCAN";

/// Holds the walk once `after` files are published, until `released()` is true.
pub(crate) struct Hold {
    after: u64,
    released: Box<dyn Fn() -> bool + Send + Sync>,
}

impl Hold {
    /// A hold after `after` files until `released()`.
    pub(crate) fn new(after: u64, released: Box<dyn Fn() -> bool + Send + Sync>) -> Hold {
        Hold { after, released }
    }

    /// Called after the scan's published total reached `published` (or where a walk that
    /// publishes nothing reached that many files): blocks, polling every 2 ms, while the hold
    /// applies.
    pub(crate) fn wait(&self, published: u64) {
        while published >= self.after && !(self.released)() {
            std::thread::sleep(Duration::from_millis(2));
        }
    }

    /// Called by a walker thread before it publishes `n` more files, `admitted` counting the
    /// files admitted so far: admits them while the count stays within the hold, and otherwise
    /// blocks, polling every 2 ms, until released. So the held walk stops at exactly `after`
    /// files however many threads publish (waiting after a publish instead let each thread add
    /// one more, and a test that had read the count saw files appear after it).
    pub(crate) fn admit(&self, admitted: &AtomicU64, n: u64) {
        loop {
            let now = admitted.load(Ordering::SeqCst);
            if now + n <= self.after || (self.released)() {
                if admitted.compare_exchange(now, now + n, Ordering::SeqCst, Ordering::SeqCst).is_ok() {
                    return;
                }
                continue;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}

/// The hold `SKAFFA_WORKSPACE_TEST_HOLD_SCAN=<files>:<path>` asks for, if set: the first scan
/// stops once it has found `<files>` files, until `<path>` (relative to `root`, e.g. under
/// `.git/`, which is never indexed) exists. Only existence is checked, inside the root; a
/// malformed value is reported on stderr and ignored.
pub(crate) fn from_env(root: &Path) -> Option<Hold> {
    let spec = std::env::var_os(VAR)?;
    let spec = spec.to_string_lossy();
    let parsed =
        spec.split_once(':').and_then(|(n, rel)| Some((n.parse::<u64>().ok()?, crate::paths::normalize(rel).ok()?)));
    let Some((files, rel)) = parsed else {
        eprintln!("skaffa-workspace: ignoring {VAR}={spec:?} (want <files>:<path>)");
        return None;
    };
    let release = root.join(&rel);
    // `symlink_metadata`: the release file itself, never what a link there points to.
    Some(Hold::new(files, Box::new(move || release.symlink_metadata().is_ok())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    /// Files within the hold are admitted without asking whether it was released; the next one
    /// asks, and is admitted only once it is, so a held walk stops at exactly `after`.
    #[test]
    fn a_hold_admits_exactly_its_count_then_waits_for_the_release() {
        let asked = Arc::new(AtomicU64::new(0));
        let counter = asked.clone();
        // Released on the second question: the first one sees a hold still in place.
        let hold = Hold::new(3, Box::new(move || counter.fetch_add(1, Ordering::SeqCst) >= 1));
        let admitted = AtomicU64::new(0);
        for _ in 0..3 {
            hold.admit(&admitted, 1);
        }
        assert_eq!((admitted.load(Ordering::SeqCst), asked.load(Ordering::SeqCst)), (3, 0));
        hold.admit(&admitted, 1);
        assert_eq!((admitted.load(Ordering::SeqCst), asked.load(Ordering::SeqCst)), (4, 2));
    }
}
