//! The cache folder (`--cache-dir`): one subfolder per root, named after the root's last
//! component and a hash of its whole path, holding the snapshot and a lock file. The folder gets
//! a `CACHEDIR.TAG` (<https://bford.info/cachedir/>), so backup tools skip it. The lock is an OS
//! file lock held for the process's whole life: of two sidecars on one root only the first reads
//! and writes the snapshot, the other works uncached; the OS drops the lock when a holder dies,
//! so a crash never leaves a folder locked for good.

use std::fs::{File, OpenOptions, TryLockError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The cachedir.tag signature line, then a line for whoever finds the folder.
const TAG: &[u8] = b"Signature: 8a477f597d28d172789f06886806bc55\n\
# This file is a cache directory tag created by skaffa-workspace (Skaffa Sidecars).\n\
# For information about cache directory tags, see https://bford.info/cachedir/\n";

/// What the lock's holder creates and removes at once to learn that the folder takes new files.
const PROBE: &str = "index.tmp-probe";

/// A root's subfolder, locked by this process.
#[derive(Debug)]
pub struct CacheDir {
    /// Where the snapshot lives.
    pub snapshot: PathBuf,
    /// Held (locked) until drop.
    _lock: File,
}

/// What became of the cache folder at start.
#[derive(Debug)]
pub enum Opened {
    /// Locked and writable.
    Usable(CacheDir),
    /// Another process holds the root's lock; `snapshot` is where its snapshot lives.
    Locked { snapshot: PathBuf },
    /// It cannot be used; `reason` says why, for stderr and `workspace/status`.
    Unusable { reason: String, snapshot: Option<PathBuf> },
}

/// Opens (creating what is missing) the subfolder of `cache_root` for the workspace `root` and
/// takes its lock without waiting.
pub fn open(cache_root: &Path, root: &Path) -> Opened {
    let sub = cache_root.join(folder_name(root));
    let snapshot = sub.join("index.snapshot");
    let unusable = |what: &str, e: std::io::Error, at: &Path| Opened::Unusable {
        reason: format!("cache folder {}: {what}: {e}", at.display()),
        snapshot: Some(snapshot.clone()),
    };
    if let Err(e) = std::fs::create_dir_all(&sub) {
        return unusable("cannot create it", e, &sub);
    }
    if let Err(e) = tag(cache_root) {
        return unusable("cannot write CACHEDIR.TAG", e, cache_root);
    }
    let lock = match OpenOptions::new().create(true).truncate(false).write(true).open(sub.join("lock")) {
        Ok(f) => f,
        Err(e) => return unusable("cannot open its lock file", e, &sub),
    };
    match lock.try_lock() {
        Ok(()) => {
            remove_abandoned_writes(&sub);
            // A folder that is there but takes no new file (read-only, a full disk) would fail
            // only at the first snapshot; found now, `workspace/status` says so from the start.
            if let Err(e) = probe(&sub) {
                return unusable("cannot write in it", e, &sub);
            }
            Opened::Usable(CacheDir { snapshot, _lock: lock })
        }
        Err(TryLockError::WouldBlock) => Opened::Locked { snapshot },
        Err(TryLockError::Error(e)) => unusable("cannot lock it", e, &sub),
    }
}

/// Removes the temporary files of snapshot writes a process did not finish (it was killed, or
/// exited while one ran). Only the lock's holder writes, so none of them is in use.
fn remove_abandoned_writes(sub: &Path) {
    let Ok(entries) = std::fs::read_dir(sub) else { return };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with("index.tmp") {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Creates and removes [`PROBE`] in `sub`.
fn probe(sub: &Path) -> std::io::Result<()> {
    let path = sub.join(PROBE);
    File::create(&path)?;
    std::fs::remove_file(&path)
}

/// `<last component>-<xxh3-64 of the whole root, hex>`: readable, and unique per root.
fn folder_name(root: &Path) -> String {
    let text = root.to_string_lossy();
    let name: String = root
        .file_name()
        .map(|n| n.to_string_lossy().chars().filter(|c| c.is_alphanumeric() || "-_.".contains(*c)).take(40).collect())
        .unwrap_or_default();
    let hash = xxhash_rust::xxh3::xxh3_64(text.as_bytes());
    if name.is_empty() {
        format!("root-{hash:016x}")
    } else {
        format!("{name}-{hash:016x}")
    }
}

/// Writes `CACHEDIR.TAG` into `dir` unless one is there.
fn tag(dir: &Path) -> std::io::Result<()> {
    let path = dir.join("CACHEDIR.TAG");
    if path.is_file() {
        return Ok(());
    }
    let mut f = File::create(path)?;
    f.write_all(TAG)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_locked_tagged_subfolder_per_root() {
        let cache = tempfile::tempdir().unwrap();
        let a = open(cache.path(), Path::new("/work/app"));
        let Opened::Usable(dir) = &a else { panic!("{a:?}") };
        assert!(dir.snapshot.starts_with(cache.path()));
        let tag = std::fs::read(cache.path().join("CACHEDIR.TAG")).unwrap();
        assert!(tag.starts_with(b"Signature: 8a477f597d28d172789f06886806bc55"));
        // A second opener of the same root is refused while the first lives...
        assert!(matches!(open(cache.path(), Path::new("/work/app")), Opened::Locked { .. }));
        // ...another root is not (control: the lock is per root)...
        let b = open(cache.path(), Path::new("/other/app"));
        let Opened::Usable(other) = &b else { panic!("{b:?}") };
        assert_ne!(other.snapshot.parent(), dir.snapshot.parent());
        // ...and once the first is gone the root is free again.
        drop(a);
        assert!(matches!(open(cache.path(), Path::new("/work/app")), Opened::Usable(_)));
    }

    #[test]
    fn the_lock_holder_removes_writes_a_dead_process_left_and_only_those() {
        let cache = tempfile::tempdir().unwrap();
        let first = open(cache.path(), Path::new("/work/app"));
        let Opened::Usable(dir) = &first else { panic!("{first:?}") };
        let sub = dir.snapshot.parent().unwrap().to_path_buf();
        std::fs::write(&dir.snapshot, b"the snapshot").unwrap();
        std::fs::write(sub.join("index.tmp4242"), b"").unwrap();
        // A sidecar locked out leaves them: they could be its holder's write in progress.
        assert!(matches!(open(cache.path(), Path::new("/work/app")), Opened::Locked { .. }));
        assert!(sub.join("index.tmp4242").exists());
        drop(first);
        assert!(matches!(open(cache.path(), Path::new("/work/app")), Opened::Usable(_)));
        assert!(!sub.join("index.tmp4242").exists(), "the abandoned write is gone");
        assert_eq!(std::fs::read(sub.join("index.snapshot")).unwrap(), b"the snapshot", "the snapshot stays");
    }

    /// A folder that is there but takes no new file is unusable from the start. A read-only
    /// folder does not stop root (CI runs as root), so a folder in the probe's place stands in
    /// for it: creating the file fails either way.
    #[test]
    fn a_cache_folder_that_takes_no_new_file_is_unusable_with_a_reason() {
        let cache = tempfile::tempdir().unwrap();
        let first = open(cache.path(), Path::new("/work/app"));
        let Opened::Usable(dir) = &first else { panic!("{first:?}") };
        let sub = dir.snapshot.parent().unwrap().to_path_buf();
        drop(first);
        std::fs::create_dir_all(sub.join(PROBE).join("in-the-way")).unwrap();
        match open(cache.path(), Path::new("/work/app")) {
            Opened::Unusable { reason, .. } => assert!(reason.contains("cannot write in it"), "{reason}"),
            other => panic!("{other:?}"),
        }
        // Control: with the way clear the same folder is usable again.
        std::fs::remove_dir_all(sub.join(PROBE)).unwrap();
        assert!(matches!(open(cache.path(), Path::new("/work/app")), Opened::Usable(_)));
        assert!(!sub.join(PROBE).exists(), "the probe is removed");
    }

    #[test]
    fn a_cache_folder_that_cannot_be_made_is_unusable_with_a_reason() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        match open(&file, Path::new("/work/app")) {
            Opened::Unusable { reason, .. } => assert!(reason.contains("cannot create it"), "{reason}"),
            other => panic!("{other:?}"),
        }
    }
}
