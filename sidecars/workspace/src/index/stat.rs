//! Reading the metadata of index paths in path order, as the first scan's fill and the warm
//! start's check of every file do.

use std::path::Path;

use super::scan;
use super::types::FileMeta;
use crate::hashes::FileKey;

/// `lstat` of index paths, in path order. On Linux the files of one folder, which sort next to each other, are
/// stated relative to one handle on that folder (`fstatat`), so the kernel resolves the folder's
/// path once per run of its files rather than once per file: `find` works the same way.
pub(crate) struct Stat<'a> {
    root: &'a Path,
    #[cfg(target_os = "linux")]
    dir: Option<(String, std::fs::File)>,
}

impl<'a> Stat<'a> {
    pub(crate) fn new(root: &'a Path) -> Stat<'a> {
        Stat {
            root,
            #[cfg(target_os = "linux")]
            dir: None,
        }
    }

    /// Size, mtime and symlink flag of `rel`, `None` when it is gone.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn meta(&mut self, rel: &str) -> Option<FileMeta> {
        std::fs::symlink_metadata(self.root.join(rel)).ok().map(|md| scan::file_meta(&md))
    }

    /// The key of `rel` itself, as `warm::lstat_key` reads it, `None` when it is gone.
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn key(&mut self, rel: &str) -> Option<FileKey> {
        super::warm::lstat_key(self.root, rel)
    }

    /// See the other `key`.
    #[cfg(target_os = "linux")]
    pub(crate) fn key(&mut self, rel: &str) -> Option<FileKey> {
        let st = match self.fstatat(rel) {
            Ok(st) => st,
            Err(true) => return super::warm::lstat_key(self.root, rel),
            Err(false) => return None,
        };
        let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
        Some(FileKey {
            device: st.st_dev,
            inode: st.st_ino,
            size: st.st_size as u64,
            mtime_ns: ns(st.st_mtime, st.st_mtime_nsec),
            ctime_ns: ns(st.st_ctime, st.st_ctime_nsec),
        })
    }

    /// `fstatat` of `rel` relative to its folder's handle: `Err(true)` when it could not ask that
    /// way (no handle on the folder, a NUL in the name; the caller then asks by path),
    /// `Err(false)` when the file is not there.
    #[cfg(target_os = "linux")]
    fn fstatat(&mut self, rel: &str) -> Result<libc::stat, bool> {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::OpenOptionsExt;
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if self.dir.as_ref().is_none_or(|(d, _)| d != dir) {
            // A path-only handle: nothing is opened for reading, and a link is not followed.
            let opened = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW)
                .open(self.root.join(dir));
            self.dir = opened.ok().map(|f| (dir.to_owned(), f));
        }
        let Some((_, handle)) = &self.dir else { return Err(true) };
        let Ok(name) = std::ffi::CString::new(name) else { return Err(true) };
        // SAFETY: `st` is plain old data the call fills; the fd and the C string outlive the call.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::fstatat(handle.as_raw_fd(), name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
        if rc != 0 {
            return Err(false);
        }
        Ok(st)
    }

    /// Size, mtime and symlink flag of `rel`, `None` when it is gone.
    #[cfg(target_os = "linux")]
    pub(crate) fn meta(&mut self, rel: &str) -> Option<FileMeta> {
        let slow = |root: &Path| std::fs::symlink_metadata(root.join(rel)).ok().map(|md| scan::file_meta(&md));
        let st = match self.fstatat(rel) {
            Ok(st) => st,
            Err(true) => return slow(self.root),
            Err(false) => return None,
        };
        if st.st_mtime < 0 {
            // Before 1970: `scan::file_meta`'s rounding is the reference; rare enough to ask again.
            return slow(self.root);
        }
        let mtime_ms = st.st_mtime * 1000 + st.st_mtime_nsec / 1_000_000;
        let symlink = st.st_mode & libc::S_IFMT == libc::S_IFLNK;
        Some(FileMeta { size: st.st_size as u64, mtime_ms, symlink })
    }
}
