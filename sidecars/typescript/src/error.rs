//! The one error type of the TypeScript sidecar. Errors answering a request carry the request's
//! workspace-relative path only (never where the workspace lives on disk); errors from the file
//! system carry the path they concern, so a log line always says which file failed.
//! `Error::code()` maps each variant to its wire error code (see docs/protocol.md);
//! `NOT_ANALYZED` is this sidecar's own: the path is in the workspace but is not a TS/JS source.

use std::fmt;
use std::path::PathBuf;

/// Convenience alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything that can go wrong inside the TypeScript sidecar.
#[derive(Debug)]
pub enum Error {
    /// An I/O error on a specific path.
    Io {
        /// Where it happened.
        path: PathBuf,
        /// What the system said.
        source: std::io::Error,
    },
    /// The path names no analysed file and no file of the workspace.
    NotFound {
        /// The request's path.
        path: String,
    },
    /// The path is absolute, escapes the root or otherwise leaves the workspace.
    OutsideWorkspace {
        /// The request's path.
        path: String,
    },
    /// The path is a workspace file but not one this sidecar analyses (not `.ts .tsx .mts .cts
    /// .js .jsx .mjs .cjs`, or over the 1 MiB limit).
    NotAnalyzed {
        /// The request's path.
        path: String,
        /// Why it is not analysed.
        reason: &'static str,
    },
    /// Params were well-typed JSON but semantically wrong.
    InvalidParams {
        /// What was wrong.
        message: String,
    },
    /// The request was cancelled while it ran.
    Cancelled,
    /// An error from the workspace crate (walk, confinement) that has no code of its own here.
    Workspace(skaffa_workspace::Error),
}

impl Error {
    /// The wire error code (see docs/protocol.md).
    pub fn code(&self) -> &'static str {
        match self {
            // As in the workspace crate: permissions the user can change are not a bug.
            Error::Io { source, .. } if source.kind() == std::io::ErrorKind::PermissionDenied => "PERMISSION_DENIED",
            Error::Io { .. } => "INTERNAL",
            Error::NotFound { .. } => "NOT_FOUND",
            Error::OutsideWorkspace { .. } => "OUTSIDE_WORKSPACE",
            Error::NotAnalyzed { .. } => "NOT_ANALYZED",
            Error::InvalidParams { .. } => "INVALID_PARAMS",
            Error::Cancelled => "CANCELLED",
            Error::Workspace(e) => e.code(),
        }
    }

    /// Wraps an `std::io::Error` with the path it happened on.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io { path: path.into(), source }
    }
}

impl From<skaffa_workspace::Error> for Error {
    /// Keeps the workspace crate's codes for what both sidecars refuse alike (escapes, invalid
    /// names), so a request means the same thing to either.
    fn from(e: skaffa_workspace::Error) -> Error {
        match e {
            skaffa_workspace::Error::OutsideWorkspace { path } => Error::OutsideWorkspace { path },
            skaffa_workspace::Error::NotFound { path } => Error::NotFound { path },
            other => Error::Workspace(other),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { path, source } => write!(f, "{}: {}", path.display(), source),
            Error::NotFound { path } => write!(f, "{path}: no such file in the workspace"),
            Error::OutsideWorkspace { path } => write!(f, "{path:?}: path is outside the workspace"),
            Error::NotAnalyzed { path, reason } => write!(f, "{path}: not analysed ({reason})"),
            Error::InvalidParams { message } => write!(f, "invalid params: {message}"),
            Error::Cancelled => write!(f, "request was cancelled"),
            Error::Workspace(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Workspace(e) => Some(e),
            _ => None,
        }
    }
}
