//! Off Linux, the walks' hook ([`GitInfoWatches`]): one recursive notify watch covers the tree,
//! so the hook places no watch of its own but one, on each `.git/info` a walk or catch-up meets
//! (they call the hook with it for every folder that holds a `.git`, as on Linux). A `.git`
//! folder is never read, yet its `info/exclude` is an ignore file whose edit must rescan the
//! repository. Windows' recursive watch reports that edit anyway; wine's emulation of it
//! (`server/change.c`) watches a subfolder only once some process opens it after its parent is
//! watched, or creates it, and after a warm start, which reads no folder again, an exclude edit
//! went unseen in about one run in twelve of `warm_catch_up.rs`. The watch of `.git/info`
//! itself makes that edit seen wherever the recursive watch falls short; where it does not, its
//! events repeat the recursive watch's, and a repeated event finds nothing more to change.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use notify::RecursiveMode;

use super::scan::WalkHook;
use super::watch::WatchHandle;

/// The hook: the watcher's handle, and the `.git/info` folders already watched.
pub(crate) struct GitInfoWatches {
    pub(crate) handle: Arc<Mutex<Option<WatchHandle>>>,
    pub(crate) watched: Mutex<HashSet<PathBuf>>,
}

impl WalkHook for GitInfoWatches {
    fn before_read(&self, dir: &Path) {
        if !dir.ends_with(".git/info") || !dir.is_dir() {
            return;
        }
        let mut watched = self.watched.lock().unwrap_or_else(|e| e.into_inner());
        if watched.contains(dir) {
            return;
        }
        let mut slot = self.handle.lock().unwrap_or_else(|e| e.into_inner());
        let Some(handle) = slot.as_mut() else { return };
        // Without it the recursive watch is all there is, as before; the walk goes on.
        match handle.debouncer.watch(dir, RecursiveMode::NonRecursive) {
            Ok(()) => {
                watched.insert(dir.to_path_buf());
            }
            Err(e) => eprintln!("skaffa-workspace: could not watch {}: {e}", dir.display()),
        }
    }

    /// Walks leave no stale watch to drop here: the recursive watch covers the tree, and a
    /// `.git/info` watch of a repository since removed reports nothing more.
    fn walk_begins(&self) -> u64 {
        0
    }

    fn walked(&self, _under: &Path, _mark: u64) {}
}
