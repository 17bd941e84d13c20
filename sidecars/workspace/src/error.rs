//! The one error type of the workspace sidecar. Every variant that comes from the file system
//! carries the path it concerns (as ripgrep's `ignore` does), so a message a user reads always
//! says *which* file failed. Errors answering a request carry the request's workspace-relative
//! path only, so no answer reveals where the workspace or anything outside it lives on disk.
//! `Error::code()` maps each variant to the wire error code from the protocol document.

use std::fmt;
use std::path::PathBuf;

/// Convenience alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the workspace sidecar.
#[derive(Debug)]
pub enum Error {
    /// An I/O error on a specific path.
    Io { path: PathBuf, source: std::io::Error },
    /// The requested path does not exist in the workspace (or is ignored / excluded).
    NotFound { path: String },
    /// The path exists but is not a regular file.
    NotAFile { path: String },
    /// The path exists but is not a directory.
    NotADirectory { path: String },
    /// The path is absolute, escapes the root, contains NUL or resolves outside the root.
    OutsideWorkspace { path: String },
    /// A path component Windows cannot hold as itself (reserved device name, trailing dot or
    /// space, `:`), refused on every platform so requests mean the same thing everywhere.
    InvalidPath { path: String, reason: &'static str },
    /// The path is a symlink that resolves to itself (or through too many links).
    SymlinkLoop { path: String },
    /// The file is larger than the allowed limit.
    TooLarge { path: String, size: u64, limit: u64 },
    /// The file is not valid UTF-8 and `utf8` was requested.
    InvalidEncoding { path: String },
    /// Params were well-typed JSON but semantically wrong (bad glob, bad regex, ...).
    InvalidParams { message: String },
    /// The request was cancelled while it ran.
    Cancelled,
    /// The file watcher failed.
    Watch { path: PathBuf, message: String },
    /// Building or reading the FST index failed.
    Fst(String),
}

impl Error {
    /// The wire error code (see docs/protocol.md).
    pub fn code(&self) -> &'static str {
        match self {
            // The file or folder is there but its permissions keep the sidecar out (`EACCES`,
            // `EPERM`, Windows' access denied): the user can act on that, unlike on a bug.
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => "PERMISSION_DENIED",
            Error::Io { .. } | Error::Watch { .. } | Error::Fst(_) => "INTERNAL",
            Error::NotFound { .. } | Error::SymlinkLoop { .. } => "NOT_FOUND",
            Error::NotAFile { .. } => "NOT_A_FILE",
            Error::NotADirectory { .. } => "NOT_A_DIRECTORY",
            Error::OutsideWorkspace { .. } => "OUTSIDE_WORKSPACE",
            Error::InvalidPath { .. } => "INVALID_PATH",
            Error::TooLarge { .. } => "TOO_LARGE",
            Error::InvalidEncoding { .. } => "INVALID_ENCODING",
            Error::InvalidParams { .. } => "INVALID_PARAMS",
            Error::Cancelled => "CANCELLED",
        }
    }

    /// Wraps an `std::io::Error` with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            Error::NotFound { path } => write!(f, "{path}: no such file or directory in the workspace"),
            Error::NotAFile { path } => write!(f, "{path}: not a regular file"),
            Error::NotADirectory { path } => write!(f, "{path}: not a directory"),
            Error::OutsideWorkspace { path } => write!(f, "{path:?}: path is outside the workspace"),
            Error::InvalidPath { path, reason } => write!(f, "{path:?}: a path component {reason}"),
            Error::SymlinkLoop { path } => write!(f, "{path}: symbolic link loop, the link never resolves to a file"),
            Error::TooLarge { path, size, limit } => {
                write!(f, "{path}: file is {size} bytes, over the limit of {limit} bytes")
            }
            Error::InvalidEncoding { path } => write!(f, "{path}: file is not valid UTF-8"),
            Error::InvalidParams { message } => write!(f, "invalid params: {message}"),
            Error::Cancelled => write!(f, "request was cancelled"),
            Error::Watch { path, message } => write!(f, "watching {}: {message}", path.display()),
            Error::Fst(message) => write!(f, "index: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
