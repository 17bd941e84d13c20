//! Completing the first scan's base. The scan publishes every path (with its symlink flag, which
//! the folder listing gives) without an `lstat` per file and without the FST, so quick open,
//! glob and search can start; then this pass `lstat`s every file on all cores and the store swaps
//! in the same keys with their metadata; the FST is built after that, on one thread (see
//! `Index::scan`), since nothing but faster lookups waits for it. No method answers from the
//! index's sizes or mtimes (`stat` and `readFile` ask the disk); the watcher applies changes
//! meanwhile (each judged by its own `lstat`, and a file's unfilled metadata never counts as a
//! change), but a rescan, which diffs every file's, waits until this pass is done.
//! `workspace/status` says which phase it is in.

use std::path::Path;

use super::base::Base;
use super::scan;
use super::types::FileMeta;

/// `base` with every entry's metadata read from disk under `root`. A file that vanished since
/// the scan keeps zeros: its folder's watch reports the deletion, which the applier applies by its own `lstat`.
pub(crate) fn fill(base: &Base, root: &Path, threads: usize) -> Base {
    let mut bytes = Vec::new();
    let mut ends = Vec::with_capacity(base.len());
    let mut metas = Vec::with_capacity(base.len());
    base.keys.for_each(&mut |key, id| {
        bytes.extend_from_slice(key);
        ends.push(bytes.len());
        metas.push(base.meta(id));
    });
    let per = metas.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for (c, part) in metas.chunks_mut(per).enumerate() {
            let (bytes, ends) = (&bytes, &ends);
            s.spawn(move || {
                let mut stat = Stat::new(root);
                for (j, meta) in part.iter_mut().enumerate() {
                    let i = c * per + j;
                    let start = if i == 0 { 0 } else { ends[i - 1] };
                    let rel = std::str::from_utf8(&bytes[start..ends[i]]).expect("index keys are UTF-8");
                    if let Some(found) = stat.lstat(rel) {
                        *meta = FileMeta { symlink: meta.symlink, ..found };
                    }
                }
            });
        }
    });
    base.with_meta(base.map.clone(), &metas)
}

/// `lstat` of index paths. On Linux the files of one folder, which sort next to each other, are
/// stated relative to one handle on that folder (`fstatat`), so the kernel resolves the folder's
/// path once per run of its files rather than once per file: `find` works the same way.
struct Stat<'a> {
    root: &'a Path,
    #[cfg(target_os = "linux")]
    dir: Option<(String, std::fs::File)>,
}

impl<'a> Stat<'a> {
    fn new(root: &'a Path) -> Stat<'a> {
        Stat {
            root,
            #[cfg(target_os = "linux")]
            dir: None,
        }
    }

    #[cfg(not(target_os = "linux"))]
    fn lstat(&mut self, rel: &str) -> Option<FileMeta> {
        std::fs::symlink_metadata(self.root.join(rel)).ok().map(|md| scan::file_meta(&md))
    }

    #[cfg(target_os = "linux")]
    fn lstat(&mut self, rel: &str) -> Option<FileMeta> {
        use std::os::fd::AsRawFd;
        use std::os::unix::fs::OpenOptionsExt;
        let slow = |root: &Path| std::fs::symlink_metadata(root.join(rel)).ok().map(|md| scan::file_meta(&md));
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if self.dir.as_ref().is_none_or(|(d, _)| d != dir) {
            // A path-only handle: nothing is opened for reading, and a link is not followed.
            let opened = std::fs::OpenOptions::new()
                .read(true)
                .custom_flags(libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW)
                .open(self.root.join(dir));
            self.dir = opened.ok().map(|f| (dir.to_owned(), f));
        }
        let Some((_, handle)) = &self.dir else { return slow(self.root) };
        let Ok(name) = std::ffi::CString::new(name) else { return slow(self.root) };
        // SAFETY: `st` is plain old data the call fills; the fd and the C string outlive the call.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::fstatat(handle.as_raw_fd(), name.as_ptr(), &mut st, libc::AT_SYMLINK_NOFOLLOW) };
        if rc != 0 {
            return None;
        }
        if st.st_mtime < 0 {
            // Before 1970: `scan::file_meta`'s rounding is the reference; rare enough to ask again.
            return slow(self.root);
        }
        let mtime_ms = st.st_mtime * 1000 + st.st_mtime_nsec / 1_000_000;
        let symlink = st.st_mode & libc::S_IFMT == libc::S_IFLNK;
        Some(FileMeta { size: st.st_size as u64, mtime_ms, symlink })
    }
}
