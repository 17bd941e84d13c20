//! The index survives restarts: with `--cache-dir`, the sidecar starts from the snapshot its last
//! run left (see `index::warm`) and writes a fresh one when the first scan or the catch-up is
//! done, every [`WRITE_EVERY`] while things change, and on shutdown. [`Persist`] owns that life
//! and the state `workspace/status` reports as `cache`.
//!
//! These are the only writes of the workspace sidecar, and they go to the cache folder, which is
//! refused when it lies inside the workspace, so the sidecar still never writes workspace files.
//! Whatever goes wrong with the cache (a damaged or foreign snapshot, a folder that cannot be
//! written, a second sidecar on the root holding the lock) costs only speed: the index is then
//! built by a full scan, with one stderr line saying why.

// The module writes snapshots into the cache folder (never the workspace, see above).
#![allow(clippy::disallowed_methods)]

pub mod blocks;
pub mod cache_dir;
pub mod format;
pub mod mapped;
mod parse;

use std::cell::Cell;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Serialize;

use crate::error::Result;
use crate::hashes::{now_ns, FileKey, HashCache, RACY_TICK_NS};
use crate::index::{CatchUp, ChangeBatch, Index, Stat, Verify, WarmFiles};
use cache_dir::{CacheDir, Opened};
use format::{Entry, Header, Reject};

/// How often, at most, a snapshot is written while the index changes.
pub const WRITE_EVERY: Duration = Duration::from_secs(5 * 60);

/// Where the cache stands, as `workspace/status` reports it (see `schema/status.result.json`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CacheState {
    /// No `--cache-dir`.
    Off,
    /// No usable snapshot; the index came from a full scan.
    Cold,
    /// Answering from the snapshot while the catch-up checks it.
    Verifying,
    /// Started from the snapshot, and the catch-up is done.
    Warm,
    /// The cache folder cannot be used.
    Unusable,
    /// Another sidecar on this root holds the snapshot.
    Locked,
}

/// The `cache` object of `workspace/status`.
#[derive(Clone, Debug, Serialize)]
pub struct CacheReport {
    /// See [`CacheState`].
    pub state: CacheState,
    /// Why the snapshot was not used, or why the folder is unusable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// The snapshot file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// How the warm start caught up, once it has.
    #[serde(rename = "catchUp", skip_serializing_if = "Option::is_none")]
    pub catch_up: Option<CatchUp>,
}

/// The report behind a lock, shared with the status handler.
pub struct CacheStatus(Mutex<CacheReport>);

impl Default for CacheStatus {
    fn default() -> CacheStatus {
        CacheStatus(Mutex::new(CacheReport { state: CacheState::Off, reason: None, path: None, catch_up: None }))
    }
}

impl CacheStatus {
    /// The current report.
    pub fn get(&self) -> CacheReport {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set(&self, state: CacheState, reason: Option<String>) {
        let mut report = self.0.lock().unwrap_or_else(|e| e.into_inner());
        report.state = state;
        report.reason = reason;
    }
}

/// Hashes a workspace-relative file now, `None` when it cannot be read as a file.
pub type HashNow = dyn Fn(&str) -> Option<u128> + Send + Sync;

/// Content read at most per snapshot to hash racy files (see [`Persist::write`]); past it they
/// are written without a hash and the next start reports them as changed.
const RACY_HASH_BUDGET: u64 = 64 << 20;

/// The cache of one index: its locked folder (if usable), the reported state, and what the last
/// written snapshot covered.
pub struct Persist {
    index: Index,
    hashes: Arc<HashCache>,
    /// The content hash of a file read now through the sidecar's confined reads.
    hash_now: Box<HashNow>,
    dir: Option<CacheDir>,
    options: u64,
    status: Arc<CacheStatus>,
    /// (index generation, hash-cache revision) of the last snapshot written or loaded; held
    /// while a snapshot is written, so the end of the first scan, the periodic writer and
    /// shutdown never write at once.
    last: Mutex<Option<(u64, u64)>>,
    /// The snapshot, read when the cache folder was opened (so the state `workspace/status`
    /// reports is decided before the sidecar answers anything), until the first scan takes it.
    loaded: Mutex<Option<std::result::Result<WarmFiles, Reject>>>,
}

impl Persist {
    /// Opens the cache folder `cache_root` (if any) for `index`; `options` hashes what decides
    /// which files are indexed; `status` is where the state goes (the one `workspace/status`
    /// serves).
    pub fn open(
        cache_root: Option<&Path>,
        index: Index,
        hashes: Arc<HashCache>,
        hash_now: Box<HashNow>,
        options: u64,
        status: Arc<CacheStatus>,
    ) -> Persist {
        let mut dir = None;
        if let Some(cache_root) = cache_root {
            let (state, reason, path) = match open_outside(cache_root, index.root()) {
                Opened::Usable(d) => {
                    let path = d.snapshot.clone();
                    dir = Some(d);
                    (CacheState::Cold, None, Some(path))
                }
                Opened::Locked { snapshot } => {
                    let why = "another sidecar on this root holds the snapshot; working uncached".to_owned();
                    (CacheState::Locked, Some(why), Some(snapshot))
                }
                Opened::Unusable { reason, snapshot } => (CacheState::Unusable, Some(reason), snapshot),
            };
            if let Some(reason) = &reason {
                eprintln!("skaffa-workspace: cache: {reason}");
            }
            *status.0.lock().unwrap_or_else(|e| e.into_inner()) =
                CacheReport { state, reason, path: path.map(|p| p.display().to_string()), catch_up: None };
        }
        if dir.is_some() {
            // Only a scan whose result will be written records its folders (a stat or four each).
            index.record_folders();
        }
        let persist =
            Persist { index, hashes, hash_now, dir, options, status, last: Mutex::new(None), loaded: Mutex::new(None) };
        if let Some(dir) = &persist.dir {
            let loaded = WarmFiles::load(&dir.snapshot, |h| persist.accept(h));
            match &loaded {
                Ok(_) => persist.status.set(CacheState::Verifying, None),
                Err(reject) => {
                    if *reject != Reject::Missing {
                        eprintln!("skaffa-workspace: cache: {reject}; indexing from scratch");
                    }
                    persist.status.set(CacheState::Cold, Some(reject.to_string()));
                }
            }
            *persist.loaded.lock().unwrap_or_else(|e| e.into_inner()) = Some(loaded);
        }
        persist
    }

    /// The first scan: from the snapshot (read by `open`) when there is a usable one (what changed while down goes
    /// to `offline`), else a full scan; then a snapshot is written for the next start.
    pub fn first_scan(&self, progress: &(dyn Fn(u64) + Sync), offline: &dyn Fn(ChangeBatch)) -> Result<()> {
        let loaded = self.loaded.lock().unwrap_or_else(|e| e.into_inner()).take();
        let Some(loaded) = loaded else { return self.index.scan(progress) };
        match loaded {
            Ok(warm) => {
                let (hashes, hash_now) = (&self.hashes, &*self.hash_now);
                let mut keep_hash = |rel: &str, cached| hashes.remember(rel, cached);
                let changed = Cell::new(false);
                let offline = |batch: ChangeBatch| {
                    changed.set(true);
                    offline(batch);
                };
                // Folders read again have fresh records (settled ones, once their times are old
                // enough), worth keeping even when no file changed.
                let rewrite = |how: &CatchUp| changed.get() || how.reread > 0 || how.walk.is_some();
                let verified = |how: &CatchUp| {
                    let mut status = self.status.0.lock().unwrap_or_else(|e| e.into_inner());
                    (status.state, status.reason, status.catch_up) = (CacheState::Warm, None, Some(how.clone()));
                    if !rewrite(how) {
                        // The snapshot is the index now; said before it turns ready, so a shutdown
                        // right after does not write the same snapshot again.
                        *self.last.lock().unwrap_or_else(|e| e.into_inner()) =
                            Some((self.index.generation(), self.hashes.revision()));
                    }
                };
                let verify = Verify { hash_now, keep_hash: &mut keep_hash, verified: &verified };
                let caught_up = self.index.scan_warm(warm, progress, verify, &offline)?;
                if let Some(why) = &caught_up.walk {
                    eprintln!("skaffa-workspace: cache: walked the whole tree to catch up: {why}");
                }
                if rewrite(&caught_up) {
                    self.write_now();
                }
            }
            // Said when it was read (see `open`).
            Err(_) => {
                self.index.scan(progress)?;
                self.write_now();
            }
        }
        Ok(())
    }

    /// Writes a snapshot every [`WRITE_EVERY`] while something changed, on a background thread.
    pub fn write_periodically(self: &Arc<Self>) {
        if self.dir.is_none() {
            return;
        }
        let weak = Arc::downgrade(self);
        let spawned = std::thread::Builder::new().name("skaffa-snapshot".into()).spawn(move || loop {
            std::thread::sleep(WRITE_EVERY);
            match weak.upgrade() {
                Some(persist) => persist.write_if_changed(),
                None => return,
            }
        });
        if let Err(e) = spawned {
            eprintln!("skaffa-workspace: cache: no periodic snapshots: {e}");
        }
    }

    /// Writes a snapshot if the index or the hash cache changed since the last one (and the
    /// first scan has published every path; the writer reads each file's key itself, so the
    /// index's own metadata need not be complete): what shutdown and the periodic writer call.
    pub fn write_if_changed(&self) {
        if self.dir.is_none() || !self.index.is_ready() {
            return;
        }
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        if *last != Some((self.index.generation(), self.hashes.revision())) {
            self.write_logged(&mut last);
        }
    }

    /// Writes a snapshot; a failure goes to stderr and makes the cache `unusable` in
    /// `workspace/status` (the sidecar goes on uncached: the old snapshot, if any, stays whole).
    fn write_logged(&self, last: &mut Option<(u64, u64)>) {
        match self.write() {
            Ok(marks) => *last = Some(marks),
            Err(e) => {
                // Status first: whoever sees the stderr line then finds the status saying it too.
                let reason = format!("could not write the snapshot: {e}");
                self.status.set(CacheState::Unusable, Some(reason.clone()));
                eprintln!("skaffa-workspace: cache: {reason}");
            }
        }
    }

    /// [`Persist::write_logged`] under the writers' lock.
    fn write_now(&self) {
        let mut last = self.last.lock().unwrap_or_else(|e| e.into_inner());
        self.write_logged(&mut last);
    }

    /// Writes the current snapshot: every file's key read now, and the hashes still true of it.
    /// A file changed within two ticks of the snapshot's time is racy (its key alone cannot show
    /// a later change in the same tick), so its content is hashed now, up to
    /// [`RACY_HASH_BUDGET`]: the next start compares that hash instead of reporting it changed.
    fn write(&self) -> std::io::Result<(u64, u64)> {
        let Some(dir) = &self.dir else { return Err(std::io::Error::other("no cache folder")) };
        let snapshot = self.index.snapshot();
        let marks = (snapshot.generation(), self.hashes.revision());
        let root = self.index.root();
        let (root_device, root_inode) = device_inode(root);
        // Records stand for the folders as a full scan found them; one that skipped entries (names
        // that are not UTF-8 or that Windows reads as something else, unreadable folders) leaves
        // none, so the next start walks again and reports the same skips.
        let skipped = self.index.skipped();
        let folders =
            self.index.folders().filter(|_| skipped.non_utf8 == 0 && skipped.unportable == 0 && skipped.errors == 0);
        let header = Header {
            folders: folders.as_ref().map_or(0, |f| f.len() as u64),
            global: folders.as_ref().map_or(0, |f| f.global),
            version: env!("CARGO_PKG_VERSION").to_owned(),
            root: root.to_string_lossy().into_owned(),
            root_device,
            root_inode,
            options: self.options,
            // Taken before any file is read, so a file changed during the pass counts as racy.
            written_ns: now_ns(),
            files: snapshot.len() as u64,
        };
        let settled = header.written_ns.saturating_sub(2 * RACY_TICK_NS);
        let mut budget = RACY_HASH_BUDGET;
        let gone = FileKey { device: 0, inode: 0, size: 0, mtime_ns: 0, ctime_ns: 0 };
        // Keys are read in path order, relative to a handle on each folder (see `index::Stat`).
        let mut stat = Stat::new(root);
        format::write_with(
            &dir.snapshot,
            &header,
            |sink| {
                let mut failed = None;
                snapshot.for_each(&mut |rel, meta| {
                    if failed.is_some() {
                        return;
                    }
                    // A file gone since the index saw it gets an impossible key: the next start sees it changed.
                    let key = stat.key(rel).unwrap_or(gone);
                    let cached = if meta.symlink { None } else { self.hashes.get(rel) };
                    let mut hash = cached.filter(|c| c.key == key).map(|c| (c.hash, c.computed_ns));
                    let racy = key.mtime_ns >= settled || key.ctime_ns >= settled;
                    if racy && hash.is_none() && !meta.symlink && key.size <= budget {
                        let started = now_ns();
                        hash = (self.hash_now)(rel).map(|h| (h, started));
                        budget -= key.size;
                    }
                    if let Err(e) = sink(Entry { path: rel, key, symlink: meta.symlink, hash }) {
                        failed = Some(e);
                    }
                });
                failed.map_or(Ok(()), Err)
            },
            folders.as_deref(),
        )?;
        Ok(marks)
    }

    /// Takes a snapshot's header only if it was written for this root, folder and options by
    /// this version of the sidecar.
    fn accept(&self, h: &Header) -> std::result::Result<(), String> {
        let root = self.index.root();
        if h.version != env!("CARGO_PKG_VERSION") {
            return Err(format!("written by version {}", h.version));
        }
        if h.root != root.to_string_lossy() {
            return Err(format!("written for root {}", h.root));
        }
        if (h.root_device, h.root_inode) != device_inode(root) {
            return Err("the root folder was replaced".into());
        }
        if h.options != self.options {
            return Err("written with other --exclude/--no-ignore options".into());
        }
        Ok(())
    }
}

/// The hash of the options that decide which files are indexed, for the snapshot header.
pub fn options_hash(excludes: &[String], no_ignore: bool) -> u64 {
    xxhash_rust::xxh3::xxh3_64(format!("{excludes:?}|{no_ignore}").as_bytes())
}

/// [`cache_dir::open`], refused when the cache folder is the workspace or inside it.
fn open_outside(cache_root: &Path, root: &Path) -> Opened {
    let absolute = std::path::absolute(cache_root).unwrap_or_else(|_| cache_root.to_path_buf());
    let resolved = dunce::canonicalize(&absolute).unwrap_or(absolute);
    if resolved.starts_with(root) {
        let reason =
            format!("cache folder {} is inside the workspace, which the sidecar never writes", resolved.display());
        return Opened::Unusable { reason, snapshot: None };
    }
    cache_dir::open(cache_root, root)
}

/// The root folder's device and inode (on Windows its volume serial number and file index), so a
/// folder replaced at the same path is not taken for it; `(0, 0)` when they cannot be read.
fn device_inode(root: &Path) -> (u64, u64) {
    crate::index::key_at(root, true).map_or((0, 0), |k| (k.device, k.inode))
}
