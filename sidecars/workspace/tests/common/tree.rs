//! Temp workspace trees for tests, and a snapshot of every entry's bytes, link target and mtime so
//! a test can assert the sidecar changed nothing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// A temporary workspace folder that is deleted when dropped.
pub struct Tree {
    dir: tempfile::TempDir,
    root: PathBuf,
}

impl Tree {
    /// An empty tree; `root()` is canonical so paths compare with what the sidecar reports.
    pub fn new() -> Tree {
        let dir = tempfile::Builder::new().prefix("skaffa-ws-test").tempdir().unwrap();
        let root = std::fs::canonicalize(dir.path()).unwrap();
        Tree { dir, root }
    }

    /// The tree's canonical root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Writes `rel` with `content`, creating parent folders.
    pub fn file(&self, rel: &str, content: impl AsRef<[u8]>) -> &Tree {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
        self
    }

    /// Creates folder `rel` (and parents).
    pub fn dir(&self, rel: &str) -> &Tree {
        std::fs::create_dir_all(self.root.join(rel)).unwrap();
        self
    }

    /// Creates symlink `rel` pointing at `target` (taken verbatim).
    #[cfg(unix)]
    pub fn symlink(&self, rel: &str, target: impl AsRef<Path>) -> &Tree {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::os::unix::fs::symlink(target, path).unwrap();
        self
    }

    /// The temp directory itself (kept alive by the tree).
    pub fn temp(&self) -> &tempfile::TempDir {
        &self.dir
    }
}

/// What one entry looked like: kind-specific content and its mtime.
#[derive(Debug, PartialEq, Eq)]
pub enum Entry {
    File { bytes: Vec<u8>, mtime: SystemTime },
    Dir { mtime: SystemTime },
    Link { target: PathBuf, mtime: SystemTime },
}

/// Every entry under `root` (links not followed), keyed by relative path.
pub fn snapshot(root: &Path) -> BTreeMap<PathBuf, Entry> {
    let mut out = BTreeMap::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let mtime = meta.modified().unwrap();
            let rel = path.strip_prefix(root).unwrap().to_path_buf();
            let e = if meta.file_type().is_symlink() {
                Entry::Link { target: std::fs::read_link(&path).unwrap(), mtime }
            } else if meta.is_dir() {
                stack.push(path.clone());
                Entry::Dir { mtime }
            } else {
                Entry::File { bytes: std::fs::read(&path).unwrap(), mtime }
            };
            out.insert(rel, e);
        }
    }
    let root_mtime = std::fs::metadata(root).unwrap().modified().unwrap();
    out.insert(PathBuf::new(), Entry::Dir { mtime: root_mtime });
    out
}
