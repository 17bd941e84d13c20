//! The one test seam built into the binary: holding the first build part-way, so tests that drive
//! the sidecar can ask it questions "while indexing" without racing it (`tests/streaming.rs`).
//! Set by `SKAFFA_TYPESCRIPT_TEST_HOLD_BUILD=<files>:<path>`: exactly the first `<files>` files
//! are parsed and published, then the build waits until `<path>` (relative to the root; put it under `.git/`, which is never
//! indexed) exists. Unset, it costs the build one `Option` check per file.

use std::path::{Path, PathBuf};
use std::time::Duration;

/// The variable that sets the hold.
const VAR: &str = "SKAFFA_TYPESCRIPT_TEST_HOLD_BUILD";

/// Holds every file after the first `after` until `release` exists.
pub struct Hold {
    after: usize,
    release: PathBuf,
}

impl Hold {
    /// The hold the environment asks for, if any; a malformed value is reported and ignored.
    pub fn from_env(root: &Path) -> Option<Hold> {
        let spec = std::env::var(VAR).ok()?;
        let parsed = spec.split_once(':').and_then(|(n, rel)| {
            let rel = skaffa_workspace::paths::normalize(rel).ok()?;
            Some(Hold { after: n.parse().ok()?, release: root.join(rel) })
        });
        if parsed.is_none() {
            eprintln!("skaffa-typescript: ignoring {VAR}={spec:?} (want <files>:<path>)");
        }
        parsed
    }

    /// Blocks a build thread about to parse the file with 0-based number `claimed`, polling
    /// every 2 ms, while that file is past the hold and the release file does not exist yet.
    pub fn wait(&self, claimed: usize) {
        while claimed >= self.after && self.release.symlink_metadata().is_err() {
            std::thread::sleep(Duration::from_millis(2));
        }
    }
}
