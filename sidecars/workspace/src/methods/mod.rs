//! The workspace sidecar's request handlers. [`Service`] holds what they share (the index, the
//! read limit, the content-hash cache); [`register`] puts every `workspace/*` method on a
//! protocol [`Server`]. Each method lives in its own small module with its params and result
//! types, which mirror `schema/<method>.{params,result}.json` field for field.

mod find_files;
mod glob;
mod hashes;
mod list_dir;
mod read_file;
#[cfg(test)]
mod schema_examples;
mod search;
mod stat;
mod status;

use std::sync::Arc;

use skaffa_protocol::{Context, ResponseError, Server};

use crate::error::{Error, Result};
use crate::hashes::HashCache;
use crate::index::{Index, Snapshot};
use crate::paths;
use crate::persist::CacheStatus;

/// Everything the handlers share. One per process, behind an `Arc`.
pub struct Service {
    index: Index,
    /// Every read goes through this handle on the root, which never leaves it.
    root: paths::Root,
    max_file_size: u64,
    hashes: Arc<HashCache>,
    /// What `workspace/status` reports as `cache` (off unless `persist` hands in its own).
    cache: Arc<CacheStatus>,
}

impl Service {
    /// A service over `index` that refuses to read files larger than `max_file_size` bytes.
    /// Fails when the root folder cannot be opened.
    pub fn new(index: Index, max_file_size: u64) -> Result<Service> {
        let root = paths::Root::open(index.root()).map_err(|e| Error::io(index.root(), e))?;
        let (hashes, cache) = (Arc::default(), Arc::default());
        Ok(Service { index, root, max_file_size, hashes, cache })
    }

    /// Reports `cache` (the state of the index's snapshot, see `crate::persist`) in status.
    pub fn with_cache_status(mut self, cache: Arc<CacheStatus>) -> Service {
        self.cache = cache;
        self
    }

    /// The content-hash cache, shared with the snapshot that keeps it across restarts.
    pub fn hash_cache(&self) -> Arc<HashCache> {
        self.hashes.clone()
    }

    /// The content hash of `path` read now through the confined reads (no cache), or `None`
    /// when it cannot be read as a file.
    pub fn hash_now(&self, path: &str) -> Option<u128> {
        let (_, _, file) = self.open_readable(path).ok()?;
        crate::hashes::hash_reader(file).ok()
    }

    /// The index the handlers serve.
    pub fn index(&self) -> &Index {
        &self.index
    }

    /// Confines `path`, then `lstat`s it beneath the root (links are described, not followed,
    /// but one leaving the root is refused). A missing path, one the scan leaves out (ignored,
    /// excluded, `.git/`) and a FIFO, socket or device all answer `NOT_FOUND`, because the
    /// sidecar's view of the workspace is the index. Returns the normalized path and metadata.
    fn lstat_visible(&self, path: &str) -> Result<(String, cap_std::fs::Metadata)> {
        let rel = paths::normalize(path)?;
        let meta = self.root.lstat(&rel)?;
        let listed = meta.is_dir() || meta.is_file() || meta.is_symlink();
        if !listed || self.index.is_excluded(&rel, meta.is_dir()) {
            return Err(Error::NotFound { path: rel });
        }
        Ok((rel, meta))
    }

    /// Opens the regular file `path` names for reading, as `readFile` and `hashes` see it: links
    /// inside the root are followed (beneath it), and a path the scan leaves out answers
    /// `NOT_FOUND`, also when reached through a link. Returns the normalized path as asked, the
    /// canonical path of the file itself, and the open file.
    fn open_readable(&self, path: &str) -> Result<(String, String, std::fs::File)> {
        let rel = paths::normalize(path)?;
        let real_rel = self.root.canonical(&rel)?;
        if self.index.is_excluded(&rel, false) || self.index.is_excluded(&real_rel, false) {
            return Err(Error::NotFound { path: rel });
        }
        let file = self.root.open_file(&real_rel).map_err(|e| match e {
            // Name the path the caller asked for, not where the link led.
            Error::NotAFile { .. } => Error::NotAFile { path: rel.clone() },
            Error::NotFound { .. } => Error::NotFound { path: rel.clone() },
            e => e,
        })?;
        Ok((rel, real_rel, file))
    }

    /// Waits (cancellably) for the first scan, then returns a consistent snapshot.
    fn snapshot(&self, cx: &Context) -> Result<Arc<Snapshot>> {
        if self.index.wait_ready(&|| cx.is_cancelled()) {
            Ok(self.index.snapshot())
        } else {
            Err(Error::Cancelled)
        }
    }
}

/// Registers every `workspace/*` method of `service` on `server`.
pub fn register(server: &mut Server, service: Arc<Service>) {
    // Status only reads atomics and clones the current snapshot's `Arc` (it never waits for the
    // scan), so it is answered on the reading thread and skips the trip through the pool.
    server
        .bind(service)
        .inline_method("workspace/status", status::run)
        .method("workspace/readFile", read_file::run)
        .method("workspace/stat", stat::run)
        .method("workspace/listDir", list_dir::run)
        .method("workspace/glob", glob::run)
        .method("workspace/findFiles", find_files::run)
        .stream_method("workspace/search", search::run)
        .stream_method("workspace/hashes", hashes::run);
}

impl From<Error> for ResponseError {
    fn from(e: Error) -> ResponseError {
        let data = match &e {
            Error::NotFound { path }
            | Error::NotAFile { path }
            | Error::NotADirectory { path }
            | Error::OutsideWorkspace { path }
            | Error::SymlinkLoop { path }
            | Error::InvalidEncoding { path } => Some(serde_json::json!({ "path": path })),
            Error::InvalidPath { path, reason } => Some(serde_json::json!({ "path": path, "reason": reason })),
            Error::TooLarge { path, size, limit } => {
                Some(serde_json::json!({ "path": path, "size": size, "limit": limit }))
            }
            _ => None,
        };
        let err = ResponseError::new(e.code(), e.to_string());
        match data {
            Some(d) => err.with_data(d),
            None => err,
        }
    }
}

/// Milliseconds since the Unix epoch (negative before it), as JavaScript's `Date` counts, from a
/// `modified()` answer (0 when the platform has none).
fn mtime_ms(modified: std::io::Result<std::time::SystemTime>) -> i64 {
    use std::time::UNIX_EPOCH;
    match modified {
        Ok(t) => match t.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_millis() as i64,
            Err(before) => -(before.duration().as_millis() as i64),
        },
        Err(_) => 0,
    }
}
