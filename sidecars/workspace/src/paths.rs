//! Confinement: every path a request names is checked lexically first (absolute paths, drive
//! letters, backslashes on Windows, NUL, `..` that climbs above the root, and names Windows would
//! read as something else), then opened or `lstat`ed only *beneath* a capability handle on the root
//! ([`cap_std::fs::Dir`]). That handle resolves each component itself and refuses any step that
//! leaves the root, whether through `..`, an absolute symlink, a relative symlink that climbs out,
//! a junction or another reparse point; on Linux it uses `openat2(RESOLVE_BENEATH)` where the
//! kernel has it. So no method can read outside the root even if a link is swapped in after a
//! check. Links that stay inside may be followed; error messages only ever carry the request's
//! workspace-relative path.

use std::io;
use std::path::Path;

use cap_std::ambient_authority;
use cap_std::fs::{Dir, Metadata, OpenOptions};

use crate::error::{Error, Result};

/// Whether `s` holds a backslash where that separates path components (Windows), so that it
/// can never be one name there.
fn separates(s: &str) -> bool {
    cfg!(windows) && s.contains('\\')
}

/// Why [`normalize`] refused a name that is not an escape (the `reason` of `INVALID_PATH`).
const STREAM: &str = "contains ':' (an alternate data stream or drive on Windows)";
const TRAILING: &str = "ends with a dot or a space (Windows drops them, so it would name another file)";
const RESERVED: &str = "is a reserved device name on Windows (CON, PRN, AUX, NUL, COM1-9, LPT1-9)";

/// Lexically validates and normalizes a request path to `/`-separated components without `.`,
/// `..` or empty parts (`""` is the root). Escapes answer `OUTSIDE_WORKSPACE`; names that
/// Windows cannot hold as themselves answer `INVALID_PATH`, on every platform, so the same request
/// means the same thing everywhere and such names are never indexed (see [`indexable`]).
pub fn normalize(input: &str) -> Result<String> {
    let outside = || Error::OutsideWorkspace { path: input.to_owned() };
    let bytes = input.as_bytes();
    let drive = bytes.len() >= 2 && bytes[0].is_ascii_alphabetic() && bytes[1] == b':';
    // A backslash is a separator on Windows, so there it is refused: `..\..` can never climb out
    // and `\\server\share` is refused with it. Elsewhere it is an ordinary name byte (git tracks
    // names such as `back\slash.txt`), which the confined open treats as part of one component.
    if input.starts_with('/') || separates(input) || input.contains('\0') || drive {
        return Err(outside());
    }
    let mut parts: Vec<&str> = Vec::new();
    for part in input.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop().ok_or_else(outside)?;
            }
            name => {
                if let Some(reason) = unportable(name) {
                    return Err(Error::InvalidPath { path: input.to_owned(), reason });
                }
                parts.push(name);
            }
        }
    }
    Ok(parts.join("/"))
}

/// Why `name` (one path component) cannot be used as itself on Windows, if it cannot.
fn unportable(name: &str) -> Option<&'static str> {
    if name.contains(':') {
        return Some(STREAM);
    }
    if name.ends_with('.') || name.ends_with(' ') {
        return Some(TRAILING);
    }
    // `nul`, `NUL.txt` and `com1 .log` all open the device: the stem before the first dot counts,
    // case-insensitively and without trailing spaces. Checked without allocating: scans call this
    // for every component of every path.
    let stem = name.split('.').next().unwrap_or(name).trim_end_matches(' ').as_bytes();
    let mut up = [0u8; 8];
    if stem.len() > up.len() {
        return None;
    }
    up[..stem.len()].copy_from_slice(stem);
    up.make_ascii_uppercase();
    let device = match &up[..stem.len()] {
        b"CON" | b"PRN" | b"AUX" | b"NUL" | b"CONIN$" | b"CONOUT$" => true,
        [b'C', b'O', b'M', d] | [b'L', b'P', b'T', d] => (b'1'..=b'9').contains(d),
        // COM¹ COM² COM³ (and LPT): superscript digits, two bytes each in UTF-8.
        [b'C', b'O', b'M', 0xC2, s] | [b'L', b'P', b'T', 0xC2, s] => matches!(s, 0xB9 | 0xB2 | 0xB3),
        _ => false,
    };
    device.then_some(RESERVED)
}

/// Whether `rel` (a path as the walker found it, `/`-separated) is already in normal form and
/// every method would accept it: the index only lists such paths.
fn is_normal(rel: &str) -> bool {
    !rel.is_empty()
        && !separates(rel)
        && !rel.contains('\0')
        && rel.split('/').all(|p| !matches!(p, "" | "." | "..") && unportable(p).is_none())
}

/// The one filter for what the index may list, so it never advertises a path the methods refuse:
/// a regular file, or a symlink whose target stays inside the root (followed beneath the root,
/// so a link that leaves it is left out; a dangling or looping link inside is listed as itself).
/// FIFOs, sockets and devices are left out (reading one could block or never end), and so are
/// names [`normalize`] refuses, such as `a.txt:stream` (or a backslash on Windows), and on Windows entries
/// whose real location is outside the root (see [`really_inside`]).
pub fn indexable(root: &Path, rel: &str, file_type: std::fs::FileType) -> bool {
    if !is_normal(rel) {
        return false;
    }
    if file_type.is_symlink() {
        // Links are rare, so one root handle per link is cheap enough.
        return match Dir::open_ambient_dir(root, ambient_authority()) {
            Ok(dir) => !dir.metadata(rel).is_err_and(|e| is_escape(&e)),
            Err(_) => false,
        };
    }
    file_type.is_file() && really_inside(root, &root.join(rel))
}

/// Whether [`indexable`] leaves out the file or link at `rel` for its name alone (a name
/// [`normalize`] refuses, such as `NUL`, `a:b.txt` or `dot.`, in it or in a folder above it):
/// such files are counted in `status.skipped.unportable`, not hidden silently.
pub fn refused_name(rel: &str, file_type: std::fs::FileType) -> bool {
    (file_type.is_file() || file_type.is_symlink()) && !is_normal(rel)
}

/// Whether the walker may descend into the folder at `path` (absolute): see [`really_inside`].
pub fn descend(root: &Path, path: &Path) -> bool {
    really_inside(root, path)
}

/// Whether `path`, which the walker reached without following links, really lies inside the root.
/// Everywhere but Windows it does by construction. On Windows a file or folder can be a host
/// symlink that the system presents as a plain entry (wine does this with unix links), so there
/// its final location is checked, at the cost of one metadata-only open per entry.
fn really_inside(root: &Path, path: &Path) -> bool {
    #[cfg(windows)]
    return dunce::canonicalize(path).is_ok_and(|real| real.starts_with(dunce::simplified(root)));
    #[cfg(not(windows))]
    return {
        let _ = (root, path);
        true
    };
}

/// A capability handle on the workspace root: every read of the sidecar goes through it.
pub struct Root {
    dir: Dir,
    /// The canonical root, for checking where an opened handle really is (Windows only).
    #[cfg_attr(not(windows), allow(dead_code))]
    path: std::path::PathBuf,
}

impl Root {
    /// Opens the (canonical) root folder.
    pub fn open(root: &Path) -> io::Result<Root> {
        let path = dunce::simplified(root).to_path_buf();
        Ok(Root { dir: Dir::open_ambient_dir(root, ambient_authority())?, path })
    }

    /// On Windows, refuses an opened `handle` whose final path lies outside the root: a reparse
    /// point cap-std did not see as a link (such as a host symlink under wine) cannot then be
    /// read through. Elsewhere confinement during the open already guarantees it.
    fn check_inside(&self, rel: &str, handle: &std::fs::File) -> Result<()> {
        #[cfg(windows)]
        {
            let real = final_path(handle).map_err(|e| Error::io(rel, e))?;
            if !real.starts_with(&self.path) {
                return Err(Error::OutsideWorkspace { path: rel.to_owned() });
            }
        }
        let _ = (rel, handle);
        Ok(())
    }

    /// `lstat` of `rel` (normalized): parents are resolved beneath the root, the last component
    /// is described as itself. A symlink is then also followed (beneath the root) so that one
    /// pointing outside answers `OUTSIDE_WORKSPACE`; one that dangles or loops is still a link.
    pub fn lstat(&self, rel: &str) -> Result<Metadata> {
        let meta = self.dir.symlink_metadata(here(rel)).map_err(|e| refusal(rel, e))?;
        if meta.is_symlink() {
            match self.dir.metadata(rel) {
                Err(e) if is_escape(&e) => return Err(Error::OutsideWorkspace { path: rel.to_owned() }),
                _ => {}
            }
        } else if cfg!(windows) && (meta.is_dir() || meta.is_file()) {
            let handle = if meta.is_dir() {
                self.dir.open_dir(here(rel)).map(Dir::into_std_file)
            } else {
                self.dir.open(here(rel)).map(cap_std::fs::File::into_std)
            };
            self.check_inside(rel, &handle.map_err(|e| refusal(rel, e))?)?;
        }
        Ok(meta)
    }

    /// The canonical form of `rel` (every link resolved, beneath the root), `/`-separated.
    pub fn canonical(&self, rel: &str) -> Result<String> {
        let real = self.dir.canonicalize(here(rel)).map_err(|e| refusal(rel, e))?;
        let parts: Option<Vec<&str>> = real.components().map(|c| c.as_os_str().to_str()).collect();
        let parts = parts.ok_or_else(|| Error::NotFound { path: rel.to_owned() })?;
        Ok(parts.into_iter().filter(|p| *p != ".").collect::<Vec<_>>().join("/"))
    }

    /// Opens the regular file at `rel` for reading, beneath the root. A folder answers
    /// `NOT_A_FILE`; a FIFO, socket or device `NOT_FOUND` (the index never lists them), and on
    /// unix the open is non-blocking so a FIFO swapped in after the check cannot hang a thread.
    pub fn open_file(&self, rel: &str) -> Result<std::fs::File> {
        let kind = |meta: &Metadata| {
            if meta.is_dir() {
                Err(Error::NotAFile { path: rel.to_owned() })
            } else if !meta.is_file() {
                Err(Error::NotFound { path: rel.to_owned() })
            } else {
                Ok(())
            }
        };
        // Windows cannot open a folder as a file at all, so there the kind is checked first (a
        // folder that really lies outside is still refused as such, not described). Elsewhere
        // the open itself is enough: a folder opens, and a FIFO opens without blocking.
        if cfg!(windows) {
            let meta = self.dir.metadata(here(rel)).map_err(|e| refusal(rel, e))?;
            if meta.is_dir() {
                let handle = self.dir.open_dir(here(rel)).map_err(|e| refusal(rel, e))?;
                self.check_inside(rel, &handle.into_std_file())?;
            }
            kind(&meta)?;
        }
        let mut opts = OpenOptions::new();
        opts.read(true);
        #[cfg(unix)]
        {
            use cap_std::fs::OpenOptionsExt;
            opts.custom_flags(libc::O_NONBLOCK);
        }
        let file = self.dir.open_with(here(rel), &opts).map_err(|e| refusal(rel, e))?.into_std();
        kind(&Metadata::from_file(&file).map_err(|e| Error::io(rel, e))?)?;
        self.check_inside(rel, &file)?;
        Ok(file)
    }
}

/// Where an open handle really is (`GetFinalPathNameByHandleW`), without the `\\?\` prefix.
#[cfg(windows)]
fn final_path(file: &std::fs::File) -> io::Result<std::path::PathBuf> {
    use std::os::windows::ffi::OsStringExt;
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{GetFinalPathNameByHandleW, FILE_NAME_NORMALIZED, VOLUME_NAME_DOS};
    let mut buf = vec![0u16; 512];
    loop {
        // SAFETY: the handle is open for the call's duration and `buf` holds `buf.len()` units.
        let n = unsafe {
            GetFinalPathNameByHandleW(
                file.as_raw_handle(),
                buf.as_mut_ptr(),
                buf.len() as u32,
                FILE_NAME_NORMALIZED | VOLUME_NAME_DOS,
            )
        } as usize;
        if n == 0 {
            return Err(io::Error::last_os_error());
        }
        if n < buf.len() {
            let path = std::path::PathBuf::from(std::ffi::OsString::from_wide(&buf[..n]));
            return Ok(dunce::simplified(&path).to_path_buf());
        }
        // Too small: `n` is the size needed, terminator included.
        buf.resize(n, 0);
    }
}

/// `""` (the root) as a path the handle accepts.
fn here(rel: &str) -> &str {
    if rel.is_empty() {
        "."
    } else {
        rel
    }
}

/// Maps an error from a confined call on `rel` to the wire's terms.
fn refusal(rel: &str, e: io::Error) -> Error {
    let path = rel.to_owned();
    if is_escape(&e) {
        Error::OutsideWorkspace { path }
    } else if is_loop(&e) {
        Error::SymlinkLoop { path }
    } else if is_missing(&e) {
        Error::NotFound { path }
    } else {
        Error::io(rel, e)
    }
}

/// Whether cap-std refused the call because it would have left the root. Its escape error is a
/// `PermissionDenied` it makes itself, so unlike a real `EACCES` it carries no OS error number.
fn is_escape(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::PermissionDenied && e.raw_os_error().is_none()
}

/// Whether resolving the path met a symlink loop (or too many links).
fn is_loop(e: &io::Error) -> bool {
    #[cfg(unix)]
    return e.raw_os_error() == Some(libc::ELOOP);
    // ERROR_TOO_MANY_LINKS (cap-std's own count) and ERROR_CANT_RESOLVE_FILENAME (the system's).
    #[cfg(windows)]
    return matches!(e.raw_os_error(), Some(1142 | 1921));
    #[cfg(not(any(unix, windows)))]
    return false;
}

/// Whether an error means "there is nothing at this path" (including "a parent is a file").
pub fn is_missing(e: &io::Error) -> bool {
    #[cfg(unix)]
    let other = e.raw_os_error() == Some(libc::ENOTDIR);
    // ERROR_INVALID_NAME and ERROR_DIRECTORY: a name Windows cannot hold (`*`, `?`, `<`...) or a
    // file used as a folder, so nothing can be there.
    #[cfg(windows)]
    let other = matches!(e.raw_os_error(), Some(123 | 267));
    #[cfg(not(any(unix, windows)))]
    let other = false;
    e.kind() == io::ErrorKind::NotFound || e.kind() == io::ErrorKind::NotADirectory || other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_harmless_paths() {
        assert_eq!(normalize("").unwrap(), "");
        assert_eq!(normalize("a//b/./c/").unwrap(), "a/b/c");
        assert_eq!(normalize("a/../b").unwrap(), "b");
        for fine in ["console.log", "nul_handler.rs", "COM10", "LPT0", "a.b.c", ".env", "x/com.txt/y"] {
            assert_eq!(normalize(fine).unwrap(), fine, "{fine:?}");
        }
    }

    #[test]
    fn refuses_lexical_escapes() {
        let escapes = ["/etc/passwd", "..", "a/../../x", "C:/x", "c:x", "C:\\x", "a\0b", "//srv/s"];
        for bad in escapes {
            assert_eq!(normalize(bad).unwrap_err().code(), "OUTSIDE_WORKSPACE", "{bad:?}");
        }
    }

    #[test]
    fn a_backslash_separates_on_windows_only() {
        for name in ["a\\..\\..\\x", "\\\\server\\share", "back\\slash.txt", "dir/back\\slash.txt"] {
            if cfg!(windows) {
                assert_eq!(normalize(name).unwrap_err().code(), "OUTSIDE_WORKSPACE", "{name:?}");
                assert!(!is_normal(name), "{name:?}");
            } else {
                // One component named with a backslash, answered as it is: nothing climbs out.
                assert_eq!(normalize(name).unwrap(), name, "{name:?}");
                assert!(is_normal(name), "{name:?}");
            }
        }
    }

    #[test]
    fn refuses_names_windows_reads_differently() {
        for bad in ["a.txt:stream", "a/b:c/d", "x.", "x ", "dir./f", "CON", "nul", "NUL.txt", "com1", "Lpt9.log"] {
            assert_eq!(normalize(bad).unwrap_err().code(), "INVALID_PATH", "{bad:?}");
        }
        assert_eq!(normalize("aux .c").unwrap_err().code(), "INVALID_PATH");
        assert_eq!(normalize("COM\u{b9}").unwrap_err().code(), "INVALID_PATH");
    }

    #[test]
    fn normal_form_is_what_normalize_keeps() {
        for p in ["a", "a/b.txt", ".hidden/x"] {
            assert!(is_normal(p), "{p:?}");
        }
        for p in ["", "a//b", "a/./b", "../a", "a:b", "NUL", "x."] {
            assert!(!is_normal(p), "{p:?}");
        }
    }
}
