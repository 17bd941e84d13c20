//! Reading the metadata of index paths in path order, as the first scan's fill and the warm
//! start's check of every file do.

use std::path::Path;

#[cfg(not(target_os = "linux"))]
use super::folders::ByPath;
#[cfg(target_os = "linux")]
use super::folders::Look;
use super::scan;
use super::types::FileMeta;
use crate::hashes::FileKey;

/// `lstat` of index paths, in path order. On Linux the files of one folder, which sort next to each other, are
/// stated relative to one handle on that folder (`fstatat`), so the kernel resolves the folder's
/// path once per run of its files rather than once per file: `find` works the same way. The
/// folder handles are opened each from the one above it, one name at a time and never through
/// a link, so a folder costs one lookup (not one per component of its path: ten for a typical
/// folder of the 1M bench tree) and no path leaves the root even if a folder became a link.
pub(crate) struct Stat<'a> {
    root: &'a Path,
    #[cfg(target_os = "linux")]
    dirs: Handles,
    /// The name being asked for, NUL-terminated (one buffer for all, not an allocation each).
    #[cfg(target_os = "linux")]
    name: Vec<u8>,
}

impl<'a> Stat<'a> {
    pub(crate) fn new(root: &'a Path) -> Stat<'a> {
        Stat {
            root,
            #[cfg(target_os = "linux")]
            dirs: Handles::default(),
            #[cfg(target_os = "linux")]
            name: Vec::new(),
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
        Some(key_of(&st))
    }

    /// A [`Look`] at folder `dir` (workspace-relative, `""` for the root) through a handle on
    /// it; `None` when it is not there (or not a folder reached without a link).
    #[cfg(target_os = "linux")]
    pub(crate) fn look(&mut self, dir: &str) -> Option<At<'_>> {
        if dir.contains('\0') {
            return None;
        }
        let fd = self.dirs.open(self.root, dir, &mut self.name).ok()?;
        Some(At { fd, name: &mut self.name })
    }

    /// See the other `look`: elsewhere by path (and a folder that is gone reads as such).
    #[cfg(not(target_os = "linux"))]
    pub(crate) fn look(&mut self, dir: &str) -> Option<ByPath<std::path::PathBuf>> {
        Some(ByPath(self.root.join(dir)))
    }

    /// `fstatat` of `rel` relative to its folder's handle: `Err(true)` when it could not ask that
    /// way (the root or a folder could not be opened for a reason other than its absence, a NUL
    /// in the name; the caller then asks by path), `Err(false)` when the file is not there (or a
    /// folder on its way is not a folder any more).
    #[cfg(target_os = "linux")]
    fn fstatat(&mut self, rel: &str) -> Result<libc::stat, bool> {
        let (dir, name) = rel.rsplit_once('/').unwrap_or(("", rel));
        if rel.contains('\0') {
            return Err(true);
        }
        let fd = self.dirs.open(self.root, dir, &mut self.name)?;
        At { fd, name: &mut self.name }.stat(name, libc::AT_SYMLINK_NOFOLLOW).ok_or(false)
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

/// Handles on the root and on each folder from it down to the last one asked for.
#[cfg(target_os = "linux")]
#[derive(Default)]
struct Handles {
    /// The last folder asked for (workspace-relative, `""` for the root).
    path: String,
    /// A handle per folder from the root to `path`, with where its path ends in `path`.
    stack: Vec<(usize, std::os::fd::OwnedFd)>,
}

#[cfg(target_os = "linux")]
impl Handles {
    /// The raw handle on folder `dir`, opening what is not open yet from the deepest open folder
    /// that holds it; `name` is scratch space. Errors as [`Stat::fstatat`]'s.
    fn open(&mut self, root: &Path, dir: &str, name: &mut Vec<u8>) -> Result<std::os::fd::RawFd, bool> {
        use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
        use std::os::unix::fs::OpenOptionsExt;
        const FLAGS: i32 = libc::O_PATH | libc::O_DIRECTORY | libc::O_NOFOLLOW | libc::O_CLOEXEC;
        if self.stack.is_empty() {
            let opened = std::fs::OpenOptions::new().read(true).custom_flags(FLAGS).open(root);
            self.stack.push((0, OwnedFd::from(opened.map_err(|_| true)?)));
            self.path.clear();
        }
        // Keep the handles of the folders that hold `dir` (the root always does).
        while let Some(&(end, _)) = self.stack.last() {
            let held = &self.path[..end];
            if end == 0 || (dir.starts_with(held) && dir.as_bytes().get(end).is_none_or(|b| *b == b'/')) {
                break;
            }
            self.stack.pop();
        }
        let end = self.stack.last().map_or(0, |(end, _)| *end);
        self.path.truncate(end);
        let rest = dir[end..].trim_start_matches('/');
        for part in rest.split('/').filter(|p| !p.is_empty()) {
            name.clear();
            name.extend_from_slice(part.as_bytes());
            name.push(0);
            let parent = self.stack.last().expect("the root at least").1.as_raw_fd();
            // SAFETY: the parent handle and the NUL-terminated name outlive the call; a handle it
            // returns is owned by the stack from here on.
            let fd = unsafe { libc::openat(parent, name.as_ptr().cast(), FLAGS) };
            if fd < 0 {
                let gone = matches!(
                    std::io::Error::last_os_error().raw_os_error(),
                    Some(libc::ENOENT | libc::ENOTDIR | libc::ELOOP)
                );
                return Err(!gone);
            }
            if !self.path.is_empty() {
                self.path.push('/');
            }
            self.path.push_str(part);
            self.stack.push((self.path.len(), unsafe { OwnedFd::from_raw_fd(fd) }));
        }
        Ok(self.stack.last().expect("the root at least").1.as_raw_fd())
    }
}

/// A [`Look`] through a handle on a folder (see [`Stat::look`]).
#[cfg(target_os = "linux")]
pub(crate) struct At<'a> {
    fd: std::os::fd::RawFd,
    name: &'a mut Vec<u8>,
}

#[cfg(target_os = "linux")]
impl At<'_> {
    /// `fstatat` of `rel` below the folder (`""`: the folder itself) with `flags`; `rel` holds
    /// no NUL (the callers' names are fixed, or checked by `Stat::fstatat`).
    fn stat(&mut self, rel: &str, flags: i32) -> Option<libc::stat> {
        debug_assert!(!rel.contains('\0'));
        self.name.clear();
        self.name.extend_from_slice(rel.as_bytes());
        self.name.push(0);
        // SAFETY: `st` is plain old data the call fills; the fd and the NUL-terminated name
        // outlive the call.
        let mut st: libc::stat = unsafe { std::mem::zeroed() };
        let rc = unsafe { libc::fstatat(self.fd, self.name.as_ptr().cast(), &mut st, flags) };
        (rc == 0).then_some(st)
    }
}

#[cfg(target_os = "linux")]
impl Look for At<'_> {
    fn folder(&mut self) -> Option<FileKey> {
        self.stat("", libc::AT_EMPTY_PATH | libc::AT_SYMLINK_NOFOLLOW).map(|st| key_of(&st))
    }

    fn followed(&mut self, rel: &str) -> Option<FileKey> {
        self.stat(rel, 0).map(|st| key_of(&st))
    }

    fn is_file(&mut self, name: &str) -> Option<bool> {
        self.stat(name, 0).map(|st| st.st_mode & libc::S_IFMT == libc::S_IFREG)
    }

    fn exists(&mut self, name: &str) -> bool {
        self.stat(name, libc::AT_SYMLINK_NOFOLLOW).is_some()
    }
}

/// A file key from what `fstatat` says, as `FileKey::from_metadata` makes one.
#[cfg(target_os = "linux")]
fn key_of(st: &libc::stat) -> FileKey {
    let ns = |s: i64, n: i64| s.saturating_mul(1_000_000_000).saturating_add(n);
    FileKey {
        device: st.st_dev,
        inode: st.st_ino,
        size: st.st_size as u64,
        mtime_ns: ns(st.st_mtime, st.st_mtime_nsec),
        ctime_ns: ns(st.st_ctime, st.st_ctime_nsec),
    }
}

#[cfg(test)]
// The tests build trees to stat (the sidecar itself never writes the workspace).
#[allow(clippy::disallowed_methods)]
mod tests {
    use super::super::folders::{print, print_with};
    use super::super::tests::{temp_root, write_tree};
    use super::*;

    /// Paths in index order, across siblings, children and cousins of different depths.
    const TREE: [&str; 9] =
        ["a.txt", "b/c.txt", "b/d/e.txt", "b/d/f/g.txt", "b/h.txt", "b-c/i.txt", "j/k/l/m.txt", "j/n.txt", "o.txt"];

    #[test]
    fn keys_through_folder_handles_are_the_keys_by_path() {
        let (_dir, root) = temp_root();
        write_tree(&root, &TREE);
        let mut stat = Stat::new(&root);
        for rel in TREE.iter().chain(&["b/missing.txt", "missing/x.txt"]) {
            assert_eq!(stat.key(rel), super::super::warm::lstat_key(&root, rel), "{rel}");
        }
        // Positive control: the keys differ from file to file, so equal ones mean something.
        assert_ne!(stat.key("a.txt"), stat.key("o.txt"));
    }

    #[test]
    fn a_folder_prints_the_same_through_its_handle_and_by_path() {
        let (_dir, root) = temp_root();
        write_tree(&root, &TREE);
        write_tree(&root, &["b/.gitignore", "b/d/.ignore", "j/.git/info/exclude"]);
        let mut stat = Stat::new(&root);
        for dir in ["", "b", "b/d", "b/d/f", "b-c", "j", "j/k/l"] {
            for no_ignore in [false, true] {
                let mut look = stat.look(dir).expect("a folder");
                assert_eq!(
                    print_with(&mut look, &root.join(dir), no_ignore, None),
                    print(&root.join(dir), no_ignore, None)
                );
            }
        }
        // Positive control: a folder's print tells its ignore files apart.
        assert_ne!(print(&root.join("b"), false, None).rules, print(&root.join("b-c"), false, None).rules);
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_folder_that_became_a_link_is_not_followed() {
        let (_dir, root) = temp_root();
        let (_out, outside) = temp_root();
        write_tree(&root, &["x/y/f.txt", "z.txt"]);
        write_tree(&outside, &["y/f.txt"]);
        let mut stat = Stat::new(&root);
        assert!(stat.key("x/y/f.txt").is_some());
        // `x` is replaced by a link to a folder outside the root that holds the same names.
        std::fs::rename(root.join("x"), root.join("x.old")).unwrap();
        std::os::unix::fs::symlink(&outside, root.join("x")).unwrap();
        let mut fresh = Stat::new(&root);
        assert_eq!(fresh.key("x/y/f.txt"), None, "read outside the root through a link");
        assert!(fresh.look("x/y").is_none());
        // Control: a path lookup does follow it.
        assert!(super::super::warm::lstat_key(&root, "x/y/f.txt").is_some());
        assert!(fresh.key("z.txt").is_some());
    }
}
