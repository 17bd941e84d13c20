//! Confinement: turning a workspace-relative path from a request into a file-system path that is
//! guaranteed to lie inside the root, *before* anything is opened. Lexical checks come first
//! (absolute paths, drive letters, backslashes, NUL, `..` that climbs above the root), then the
//! path is canonicalized (which resolves symlinks with `lstat`/`readlink`, never `open`) and the
//! result must still start with the canonical root. A dangling symlink is judged by its target.

use std::io;
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};

/// A request path that passed confinement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Normalized workspace-relative path (`/` separators, no `.`/`..`, `""` for the root).
    pub rel: String,
    /// `root/rel` without resolving links: what `lstat` should look at.
    pub lexical: PathBuf,
    /// The canonical path (every link resolved), inside the root.
    pub real: PathBuf,
}

impl Resolved {
    /// The canonical path relative to the root, with `/` separators (`None` if not UTF-8).
    pub fn real_rel(&self, root: &Path) -> Option<String> {
        let rest = self.real.strip_prefix(root).ok()?;
        let parts: Option<Vec<&str>> = rest.components().map(|c| c.as_os_str().to_str()).collect();
        Some(parts?.join("/"))
    }
}

/// Lexically validates and normalizes a request path; see the module docs for what is refused.
pub fn normalize(input: &str) -> Result<String> {
    let outside = || Error::OutsideWorkspace { path: input.to_owned() };
    let bytes = input.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    // A backslash is a separator on Windows and a legal name byte elsewhere; refusing it
    // everywhere means the same request means the same thing on every platform.
    if input.starts_with('/') || input.contains('\\') || input.contains('\0') || drive {
        return Err(outside());
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in input.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(outside)?;
            }
            name => parts.push(name),
        }
    }
    Ok(parts.join("/"))
}

/// Confines `input` to `root` (which must be canonical). Missing paths answer `NOT_FOUND`,
/// anything resolving outside answers `OUTSIDE_WORKSPACE`.
pub fn resolve(root: &Path, input: &str) -> Result<Resolved> {
    let rel = normalize(input)?;
    let lexical = if rel.is_empty() { root.to_path_buf() } else { root.join(&rel) };
    match std::fs::canonicalize(&lexical) {
        Ok(real) if real.starts_with(root) => Ok(Resolved { rel, lexical, real }),
        Ok(_) => Err(Error::OutsideWorkspace { path: input.to_owned() }),
        Err(e) if is_missing(&e) => {
            if dangling_link_escapes(root, &rel) {
                Err(Error::OutsideWorkspace { path: input.to_owned() })
            } else {
                Err(Error::NotFound { path: rel })
            }
        }
        Err(e) => Err(Error::io(lexical, e)),
    }
}

/// Whether an error means "there is nothing at this path" (including "a parent is a file").
pub fn is_missing(e: &io::Error) -> bool {
    #[cfg(unix)]
    let not_a_dir = e.raw_os_error() == Some(libc::ENOTDIR);
    #[cfg(not(unix))]
    let not_a_dir = false;
    e.kind() == io::ErrorKind::NotFound || not_a_dir
}

/// For a path that cannot be canonicalized: does any existing prefix of it that is a symlink
/// point (lexically) outside the root? Such a request is refused rather than reported missing,
/// so that probing does not reveal what exists outside the workspace.
fn dangling_link_escapes(root: &Path, rel: &str) -> bool {
    let mut here = root.to_path_buf();
    for part in rel.split('/').filter(|p| !p.is_empty()) {
        here.push(part);
        let Ok(meta) = std::fs::symlink_metadata(&here) else { return false };
        if meta.file_type().is_symlink() {
            let Ok(target) = std::fs::read_link(&here) else { return false };
            let parent = here.parent().unwrap_or(root);
            return !lexical_join(parent, &target).starts_with(root);
        }
    }
    false
}

/// `base.join(target)` with `.` and `..` folded without touching the disk.
fn lexical_join(base: &Path, target: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in base.join(target).components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Opens `path` for reading without following a final symlink and without blocking on FIFOs.
/// Callers pass canonical paths, so a link found here was swapped in after the confinement
/// check; `O_NOFOLLOW` makes that race fail (`ELOOP`) instead of reading through the link.
pub fn open_read(path: &Path) -> io::Result<std::fs::File> {
    let mut opts = std::fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // O_NONBLOCK only matters for FIFOs and devices, which are then refused as non-files.
        opts.custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK);
    }
    opts.open(path)
}

/// Whether an open error means the final component turned out to be a symlink.
pub fn is_symlink_refusal(e: &io::Error) -> bool {
    #[cfg(unix)]
    return e.raw_os_error() == Some(libc::ELOOP);
    #[cfg(not(unix))]
    return false;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_harmless_paths() {
        assert_eq!(normalize("").unwrap(), "");
        assert_eq!(normalize("a//b/./c/").unwrap(), "a/b/c");
        assert_eq!(normalize("a/../b").unwrap(), "b");
    }

    #[test]
    fn refuses_lexical_escapes() {
        for bad in ["/etc/passwd", "..", "a/../../x", "a\\..\\..\\x", "C:/x", "c:x", "a\0b"] {
            assert_eq!(normalize(bad).unwrap_err().code(), "OUTSIDE_WORKSPACE", "{bad:?}");
        }
    }

    #[test]
    fn folds_link_targets_lexically() {
        assert_eq!(lexical_join(Path::new("/r/a"), Path::new("../../x")), PathBuf::from("/x"));
        assert_eq!(lexical_join(Path::new("/r/a"), Path::new("/abs")), PathBuf::from("/abs"));
        assert_eq!(lexical_join(Path::new("/r/a"), Path::new("./b")), PathBuf::from("/r/a/b"));
    }
}
