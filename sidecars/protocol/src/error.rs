//! The one error type of the protocol crate. The crate's own failures are few: the transport's
//! I/O (stdin/stdout went away) and a peer that disconnected before an exchange finished. Each
//! I/O variant names the stream it concerns, so a log line says *which* side failed.

use std::fmt;

/// Convenience alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything the transport itself can fail with (handler failures are [`crate::ResponseError`]s).
#[derive(Debug)]
pub enum Error {
    /// Reading from or writing to one of the transport's streams failed.
    Io {
        /// Which stream failed, e.g. `"stdin"` or `"stdout"`.
        stream: &'static str,
        /// The underlying error.
        source: std::io::Error,
    },
    /// An I/O thread panicked, so its outcome is unknown.
    ThreadPanicked {
        /// Which thread, e.g. `"reader"` or `"writer"`.
        thread: &'static str,
    },
    /// The other end of the connection went away before the operation completed.
    Disconnected,
    /// The operation did not complete in the time allowed (e.g. a final flush).
    Timeout,
    /// A message could not be encoded as JSON (a `Serialize` impl returned an error).
    Encode(serde_json::Error),
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { stream, source } => write!(f, "{stream}: {source}"),
            Error::ThreadPanicked { thread } => write!(f, "the {thread} thread panicked"),
            Error::Disconnected => write!(f, "the connection is closed"),
            Error::Timeout => write!(f, "timed out"),
            Error::Encode(e) => write!(f, "cannot encode message as JSON: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Encode(e) => Some(e),
            _ => None,
        }
    }
}
