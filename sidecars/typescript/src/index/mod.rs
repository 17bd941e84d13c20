//! The live analysis index: every workspace file the walker lists (for `NOT_FOUND` versus
//! `NOT_ANALYZED`), a [`FileEntry`] per TS/JS file with its summary and resolved imports, and
//! the reverse edges (`importers`). The first build walks with the workspace crate, parses on
//! every core and publishes each file as it is parsed, so `typescript/symbols` can answer while
//! indexing. Batches from the feed ([`Index::apply`]) and [`Index::resync`] change it later.

mod build;
mod hold;
mod layout;
pub mod names;
mod state;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, RwLock, RwLockReadGuard};

use serde::{Deserialize, Serialize};
use skaffa_workspace::paths;

pub use state::{FileEntry, State};

use crate::error::{Error, Result};
use crate::resolve::Resolver;

/// What happened to one path (the workspace sidecar's `didChange` change types).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The path entered the workspace.
    Created,
    /// Its content or metadata changed.
    Changed,
    /// It left the workspace.
    Deleted,
}

/// One changed path, workspace-relative with `/`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Change {
    /// Workspace-relative path.
    pub path: String,
    /// What happened to it.
    #[serde(rename = "type")]
    pub kind: ChangeKind,
}

/// The payload of `typescript/didUpdate`.
#[derive(Clone, Debug, Serialize)]
pub struct Update {
    /// This sidecar's own update counter after the batch (starts at 1 for the first index).
    pub generation: u64,
    /// The analysed files whose summary or resolved imports changed, sorted.
    pub paths: Vec<String>,
}

/// The analysis index. Cheap to clone, `Send + Sync`.
#[derive(Clone)]
pub struct Index {
    inner: Arc<Inner>,
}

struct Inner {
    root: PathBuf,
    fs: paths::Root,
    state: RwLock<State>,
    resolver: RwLock<Resolver>,
    ready: Mutex<bool>,
    ready_cv: Condvar,
    /// Serialises builds, batches and resyncs so they apply one at a time, in order.
    writer: Mutex<()>,
    /// The test seam that pauses the first build (see `hold`).
    hold: Option<hold::Hold>,
}

impl Index {
    /// An empty index over the canonical `root`; nothing is read until [`Index::build`].
    pub fn new(root: &Path) -> Result<Index> {
        let fs = paths::Root::open(root).map_err(|e| Error::io(root, e))?;
        let resolver = Resolver::new(root, &Default::default(), &|_| None);
        let inner = Inner {
            root: root.to_path_buf(),
            fs,
            state: RwLock::new(State::default()),
            resolver: RwLock::new(resolver),
            ready: Mutex::new(false),
            ready_cv: Condvar::new(),
            writer: Mutex::new(()),
            hold: hold::Hold::from_env(root),
        };
        Ok(Index { inner: Arc::new(inner) })
    }

    /// The canonical root.
    pub fn root(&self) -> &Path {
        &self.inner.root
    }

    /// The current state, for reading.
    pub fn state(&self) -> RwLockReadGuard<'_, State> {
        self.inner.state.read().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the first build has finished.
    pub fn is_ready(&self) -> bool {
        *self.inner.ready.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Blocks until the first build has finished, or `cancelled()` (checked every 50 ms) says to
    /// stop; returns whether the index is ready.
    pub fn wait_ready(&self, cancelled: &dyn Fn() -> bool) -> bool {
        let mut ready = self.inner.ready.lock().unwrap_or_else(|e| e.into_inner());
        while !*ready {
            if cancelled() {
                return false;
            }
            let timeout = std::time::Duration::from_millis(50);
            ready = self.inner.ready_cv.wait_timeout(ready, timeout).unwrap_or_else(|e| e.into_inner()).0;
        }
        true
    }

    /// Reads a workspace file through the confined root handle.
    fn read(&self, rel: &str) -> Result<Vec<u8>> {
        use std::io::Read;
        let mut file = self.inner.fs.open_file(rel)?;
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(|e| Error::io(rel, e))?;
        Ok(bytes)
    }

    /// Size and mtime of a workspace file, read beneath the root.
    fn meta(&self, rel: &str) -> Option<(u64, i64)> {
        let meta = self.inner.fs.lstat(rel).ok()?;
        let mtime =
            meta.modified().ok().map(|t| t.into_std()).and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok());
        (meta.is_file() || meta.is_symlink()).then(|| (meta.len(), mtime.map_or(0, |d| d.as_millis() as i64)))
    }

    /// Normalizes a request path (escapes answer `OUTSIDE_WORKSPACE`) and finds its entry.
    pub fn entry<'s>(&self, state: &'s State, path: &str) -> Result<(String, &'s FileEntry)> {
        let rel = paths::normalize(path)?;
        match state.files.get(&rel) {
            Some(e) if e.summary.is_some() => Ok((rel, e)),
            Some(_) => Err(Error::NotAnalyzed { path: rel, reason: "larger than 1 MiB" }),
            None if state.known.contains_key(&rel) => {
                Err(Error::NotAnalyzed { path: rel, reason: "not a .ts .tsx .mts .cts .js .jsx .mjs or .cjs file" })
            }
            None => Err(Error::NotFound { path: rel }),
        }
    }

    /// Every file the walker lists now, with size and mtime.
    fn walk(&self) -> Result<BTreeMap<String, (u64, i64)>> {
        use skaffa_workspace::index::{Index as Walker, IndexOptions};
        let walker =
            Walker::new(IndexOptions { root: self.inner.root.clone(), excludes: Vec::new(), no_ignore: false });
        walker.scan(&|_| {})?;
        let mut out = BTreeMap::new();
        walker.snapshot().for_each(&mut |path, meta| {
            out.insert(path.to_owned(), (meta.size, meta.mtime_ms));
        });
        Ok(out)
    }
}
