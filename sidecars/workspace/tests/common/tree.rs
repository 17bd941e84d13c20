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
    /// An empty tree; `root()` is canonical (without `\\?\` on Windows, as the sidecar keeps
    /// it) so paths compare with what the sidecar reports.
    pub fn new() -> Tree {
        let dir = tempfile::Builder::new().prefix("skaffa-ws-test").tempdir().unwrap();
        let root = dunce::canonicalize(dir.path()).unwrap();
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

    /// Creates symlink `rel` pointing at `target` (taken verbatim), or panics.
    #[cfg(unix)]
    pub fn symlink(&self, rel: &str, target: impl AsRef<Path>) -> &Tree {
        assert!(self.try_symlink(rel, target), "creating symlink {rel}");
        self
    }

    /// Creates symlink `rel` pointing at `target` (taken verbatim, `/`-separated if relative);
    /// false where this platform cannot make one, so a test can skip that case and say why.
    pub fn try_symlink(&self, rel: &str, target: impl AsRef<Path>) -> bool {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        make_link(target.as_ref(), &path)
    }

    /// The temp directory itself (kept alive by the tree).
    pub fn temp(&self) -> &tempfile::TempDir {
        &self.dir
    }
}

#[cfg(unix)]
fn make_link(target: &Path, path: &Path) -> bool {
    std::os::unix::fs::symlink(target, path).unwrap();
    true
}

/// On Windows: a real symlink where the process may make one (developer mode or admin). Under
/// wine, whose symlink calls succeed without making anything, the link is made by the host's
/// `ln -s` (wine runs host programs natively); wine then shows it as the file or folder it points
/// to, not as a link, which is exactly the case the sidecar must still confine.
#[cfg(windows)]
fn make_link(target: &Path, path: &Path) -> bool {
    let dir = path.parent().unwrap().join(target).is_dir();
    let made = if dir {
        std::os::windows::fs::symlink_dir(target, path)
    } else {
        std::os::windows::fs::symlink_file(target, path)
    };
    if made.is_ok() && std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink()) {
        return true;
    }
    let Some(prefix) = std::env::var_os("WINEPREFIX") else { return false };
    let host = |p: &Path| -> String {
        let s = p.to_str().unwrap();
        match s.as_bytes() {
            // `C:\x` is `$WINEPREFIX/dosdevices/c:/x` on the host, whatever c: maps to.
            [d, b':', b'\\', ..] => format!(
                "{}/dosdevices/{}:/{}",
                prefix.to_str().unwrap(),
                (*d as char).to_ascii_lowercase(),
                s[3..].replace('\\', "/")
            ),
            _ => s.replace('\\', "/"),
        }
    };
    // Wine cannot wait on a host process (the status is an error), so success is judged below.
    let _ = std::process::Command::new("/bin/ln").arg("-s").arg(host(target)).arg(host(path)).status();
    // Wine hides dangling host links, so a link to nothing cannot be confirmed (or used) there.
    let deadline = std::time::Instant::now() + super::DEADLINE;
    while std::time::Instant::now() < deadline {
        if path.parent().unwrap().read_dir().unwrap().any(|e| e.unwrap().path() == path) {
            return true;
        }
        if !path.parent().unwrap().join(target).exists() {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    false
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
