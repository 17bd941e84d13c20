//! The walks' hook under wine ([`GitInfoWatches`]). Off Linux one recursive notify watch covers
//! the tree; under wine the hook adds a watch of each `.git/info` a walk or catch-up meets (they
//! call the hook with it for every folder that holds a `.git`, as on Linux). A `.git` folder is
//! never read, yet its `info/exclude` is an ignore file whose edit must rescan the repository.
//! Wine's emulation of the recursive watch (its `server/change.c`) watches a subfolder only once
//! some process opens it after its parent is watched, or creates it; after a warm start, which
//! reads no folder again, an exclude edit went unseen in 2 of 20 runs of `warm_catch_up.rs`, and
//! in none of 40 with this watch. Windows' own recursive watch and macOS's FSEvents cover the
//! whole tree, and there a watch of a subfolder would only cost: its open handle keeps a deleted
//! `.git/info` pending until notify closes it, which can fail the removal of the folder above it
//! for a moment (notify-rs/notify#206). So the hook exists under wine only.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use notify::RecursiveMode;

use super::scan::WalkHook;
use super::watch::WatchHandle;

/// The hook: the watcher's handle, and the `.git/info` folders already watched.
pub(crate) struct GitInfoWatches {
    handle: Arc<Mutex<Option<WatchHandle>>>,
    watched: Mutex<HashSet<PathBuf>>,
}

impl GitInfoWatches {
    /// A hook that adds its watches to the watcher in `handle` (once it runs).
    pub(crate) fn new(handle: Arc<Mutex<Option<WatchHandle>>>) -> Self {
        GitInfoWatches { handle, watched: Mutex::default() }
    }
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

/// Whether this process runs under wine: its ntdll exports `wine_get_version`, which Windows'
/// does not (the check wine's own documentation gives for programs that must know).
#[cfg(windows)]
pub(crate) fn under_wine() -> bool {
    use std::sync::OnceLock;
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    static WINE: OnceLock<bool> = OnceLock::new();
    // SAFETY: both names are NUL-terminated; ntdll is mapped into every Windows process and stays.
    *WINE.get_or_init(|| unsafe {
        let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
        !ntdll.is_null() && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
    })
}

/// Not Windows, so not wine.
#[cfg(not(windows))]
pub(crate) fn under_wine() -> bool {
    false
}

#[cfg(all(test, windows))]
mod tests {
    /// The wine runner of the tests (`test/windows/wine-run`) always sets `WINEPREFIX`, which
    /// Windows itself never does: the check must tell the two apart.
    #[test]
    fn wine_is_recognised_where_it_runs() {
        assert_eq!(super::under_wine(), std::env::var_os("WINEPREFIX").is_some());
    }
}
