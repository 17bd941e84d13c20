//! Walking the workspace with `ignore`'s parallel walker. Each walker thread appends paths into
//! its own blocks of bytes (no per-file `String`), sorts its share when it finishes, and the sorted
//! shares are merged straight into the FST builder, so a million files cost one pass and no
//! global sort. The same walk, restricted to one folder, serves the watcher's rescans: it still
//! starts at the root so every `.gitignore` between the root and that folder applies exactly as
//! in the full scan.

use std::fs::Metadata;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Instant, UNIX_EPOCH};

use ignore::overrides::{Override, OverrideBuilder};
use ignore::{DirEntry, ParallelVisitor, ParallelVisitorBuilder, WalkBuilder, WalkState};

use super::base::{Base, BaseBuilder};
use super::catchup::Relist;
use super::chunk::Chunk;
use super::folders::FolderLog;
use super::partial::{Found, Publisher};
use super::skips::{Hidden, Skips};
use super::types::{cores, FileMeta, IndexOptions};
use crate::error::{Error, Result};

/// Files with their metadata, sorted by path.
pub(crate) type Listing = Vec<(String, FileMeta)>;

/// The Linux watcher's part in every walk: it places each folder's watch before the folder is
/// read, so nothing created later can be missed, and when the walk is done it drops the watches
/// under the walked folder that the walk did not place (folders now ignored, or gone while their
/// events were lost), so the watches stay on exactly the folders the index covers.
pub(crate) trait WalkHook: Send + Sync {
    /// Called with each folder a walk is about to read (absolute path), before it reads it.
    fn before_read(&self, dir: &Path);
    /// A walk begins; the mark it returns is handed to [`WalkHook::walked`] when it ends.
    fn walk_begins(&self) -> u64;
    /// The walk that began with `mark` has read everything under `under` (absolute).
    fn walked(&self, under: &Path, mark: u64);
}

/// The index's [`WalkHook`], shared by every walk once watching has started.
pub(crate) type DirHook = Arc<dyn WalkHook>;

/// What one walk (or one watcher update) had to skip, shared with the walker threads: the files
/// it met that are hidden for their names and the entries it could not read (those whose path the
/// walker did not say only counted), which the index then records for the walked folder (see
/// `Skips::record_hidden`), and the index's [`Skips`], which logs the first of each kind. It also
/// carries the index's [`DirHook`], if it has one.
pub(crate) struct Counters<'a> {
    pub(crate) hidden: Mutex<Vec<(PathBuf, Hidden)>>,
    /// Unreadable entries without a path.
    pub(crate) pathless: AtomicU64,
    pub(crate) skips: &'a Skips,
    /// Set for the first scan only: where the walker threads publish what they found so far.
    pub(crate) found: Option<&'a Found>,
    pub(crate) on_dir: Option<DirHook>,
    /// Tests only: call `on_dir` after the folder was read (the wrong order), to show that the
    /// watch tests catch it.
    #[cfg(test)]
    pub(crate) hook_after_read: bool,
    /// Leave size and mtime at 0 (no `lstat` per file) and build no FST: the first scan publishes
    /// paths first and fills the rest in afterwards (see `meta`). The symlink flag comes from the
    /// folder listing.
    pub(crate) defer_meta: bool,
    /// Set for a first scan whose result will be snapshotted: where every folder's print goes
    /// (see `folders`).
    pub(crate) folders: Option<Arc<FolderLog>>,
}

impl Counters<'_> {
    /// The files hidden for their names and the unreadable entries that this walk met, and how
    /// many unreadable entries it met without a path.
    pub(crate) fn into_found(self) -> (Vec<(PathBuf, Hidden)>, u64) {
        (self.hidden.into_inner().unwrap_or_else(|e| e.into_inner()), self.pathless.into_inner())
    }

    /// Notes a non-UTF-8 name and logs the first one to stderr (stdout carries the protocol).
    pub(crate) fn non_utf8(&self, path: &Path) {
        self.hide(path, Hidden::NonUtf8, &self.skips.logged_non_utf8, "are not valid UTF-8");
    }

    /// Notes a file whose path holds a name every method refuses (`paths::refused_name`), and
    /// logs the first one.
    pub(crate) fn unportable(&self, path: &Path) {
        self.hide(path, Hidden::Unportable, &self.skips.logged_unportable, "Windows reads as something else");
    }

    /// Notes an entry that could not be read (counted only when the walker did not say which),
    /// and logs the first one.
    pub(crate) fn unreadable(&self, path: Option<&Path>) {
        match path {
            Some(path) => self.hide(path, Hidden::Unreadable, &self.skips.logged_unreadable, "cannot be read"),
            None => {
                self.pathless.fetch_add(1, Ordering::Relaxed);
            }
        }
    }

    fn hide(&self, path: &Path, kind: Hidden, logged: &AtomicBool, why: &str) {
        self.hidden.lock().unwrap_or_else(|e| e.into_inner()).push((path.to_path_buf(), kind));
        if !logged.swap(true, Ordering::Relaxed) {
            let what = if kind == Hidden::Unreadable { "entries" } else { "file names" };
            eprintln!("skaffa-workspace: skipping {what} that {why}, first: {}", path.display());
        }
    }
}

/// The path a walker error is about, if it names one.
fn error_path(e: &ignore::Error) -> Option<&Path> {
    match e {
        ignore::Error::WithPath { path, .. } => Some(path),
        ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => error_path(err),
        ignore::Error::Loop { child, .. } => Some(child),
        _ => None,
    }
}

/// Builds the `--exclude` globs into an override matcher rooted at the workspace root.
pub(crate) fn build_overrides(opts: &IndexOptions) -> Result<Override> {
    let mut b = OverrideBuilder::new(&opts.root);
    for glob in &opts.excludes {
        // In override syntax a plain glob whitelists; `!` turns it into an exclusion.
        b.add(&format!("!{glob}")).map_err(|e| Error::InvalidParams { message: format!("--exclude {glob:?}: {e}") })?;
    }
    b.build().map_err(|e| Error::InvalidParams { message: format!("--exclude: {e}") })
}

/// Converts file-system metadata into the index's compact form.
pub(crate) fn file_meta(md: &Metadata) -> FileMeta {
    let mtime_ms = match md.modified() {
        Ok(t) => match t.duration_since(UNIX_EPOCH) {
            Ok(d) => d.as_millis() as i64,
            Err(e) => -(e.duration().as_millis() as i64),
        },
        Err(_) => 0,
    };
    FileMeta { size: md.len(), mtime_ms, symlink: md.file_type().is_symlink() }
}

/// The workspace-relative `/` path of `path`, or `None` when it is not valid UTF-8.
pub(crate) fn relative(root: &Path, path: &Path) -> Option<String> {
    let rel = path.strip_prefix(root).ok()?.to_str()?;
    Some(if std::path::MAIN_SEPARATOR == '/' { rel.to_owned() } else { rel.replace('\\', "/") })
}

/// What one walk reads.
pub(crate) enum Scope {
    /// The whole tree.
    All,
    /// The subtree at this absolute path (and the folders on the way to it).
    Under(PathBuf),
    /// The folders a warm start must read again, and the new folders below them (see `catchup`).
    Relist(Arc<Relist>),
}

/// A walker with the index's rules over `scope`; `on_dir` sees every folder it will read (but
/// the root) before reading it, and so does `log`, which records its print.
fn walker(
    opts: &IndexOptions,
    scope: Scope,
    on_dir: Option<DirHook>,
    log: Option<Arc<FolderLog>>,
) -> Result<WalkBuilder> {
    let mut b = WalkBuilder::new(&opts.root);
    let no_ignore = opts.no_ignore;
    b.hidden(false)
        .follow_links(false)
        .require_git(false)
        // Ignore files above the root do not count, so rescans and `is_excluded` can agree; git's
        // own exclude files do (`.git/info/exclude` of each folder holding a `.git`, and the
        // global `core.excludesFile`, whose patterns are taken relative to the root).
        .parents(false)
        .git_global(!opts.no_ignore)
        .git_exclude(!opts.no_ignore)
        .current_dir(&opts.root)
        .ignore(!opts.no_ignore)
        .git_ignore(!opts.no_ignore)
        .threads(cores())
        .overrides(build_overrides(opts)?)
        .filter_entry(move |e| {
            let git = e.file_name() == ".git";
            let is_dir = e.file_type().is_some_and(|t| t.is_dir());
            let keep = !git
                && match &scope {
                    Scope::All => true,
                    Scope::Under(o) => o.starts_with(e.path()) || e.path().starts_with(o),
                    Scope::Relist(r) => r.keep(e.path(), is_dir),
                };
            if let Some(hook) = on_dir.as_ref().filter(|_| git && !no_ignore) {
                // `.git` is never walked, but its `info/exclude` counts as an ignore file, so the
                // folder holding it is watched (when it exists, as `git init` makes it).
                hook.before_read(&e.path().join("info"));
            }
            // The filter runs after the ignore rules and before the folder is queued for
            // reading, so exactly the folders the walk reads get here, ahead of their read.
            if let Some(hook) = on_dir.as_ref().filter(|_| keep && is_dir) {
                hook.before_read(e.path());
            }
            let takes = || !matches!(&scope, Scope::Relist(r) if !r.takes(e.path()));
            if let Some(log) = log.as_ref().filter(|_| keep && is_dir && takes()) {
                log.record(e.path());
            }
            keep
        });
    Ok(b)
}

/// State shared by all walker threads of one walk.
struct Collect<'a> {
    root: &'a Path,
    chunks: Mutex<Vec<Chunk>>,
    count: AtomicU64,
    started: Instant,
    last_report_ms: AtomicU64,
    counters: &'a Counters<'a>,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl Collect<'_> {
    /// Reports progress every 10k files, or every 100 ms, whichever comes first.
    fn tick(&self) {
        let n = self.count.fetch_add(1, Ordering::Relaxed) + 1;
        if n.is_multiple_of(10_000) {
            (self.progress)(n);
        } else if n.is_multiple_of(256) {
            let now = self.started.elapsed().as_millis() as u64;
            let last = self.last_report_ms.load(Ordering::Relaxed);
            if now >= last + 100
                && self.last_report_ms.compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed).is_ok()
            {
                (self.progress)(n);
            }
        }
    }
}

struct Visitor<'a> {
    collect: &'a Collect<'a>,
    chunk: Chunk,
    publisher: Option<Publisher<'a>>,
}

impl ParallelVisitor for Visitor<'_> {
    fn visit(&mut self, entry: std::result::Result<DirEntry, ignore::Error>) -> WalkState {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                self.collect.counters.unreadable(error_path(&e));
                return WalkState::Continue;
            }
        };
        if entry.file_type().is_none_or(|t| t.is_dir()) {
            #[cfg(test)]
            if let Some(hook) = self.collect.counters.on_dir.as_ref().filter(|_| self.collect.counters.hook_after_read)
            {
                hook.before_read(entry.path());
            }
            // A folder that really lies outside the root (possible on Windows only) is skipped.
            let inside = entry.depth() == 0 || crate::paths::descend(self.collect.root, entry.path());
            return if inside { WalkState::Continue } else { WalkState::Skip };
        }
        let Some(rel) = relative(self.collect.root, entry.path()) else {
            self.collect.counters.non_utf8(entry.path());
            return WalkState::Continue;
        };
        // Only what every method would serve is listed (no FIFOs, no names methods refuse); a
        // file left out for its name is counted.
        match entry.file_type() {
            Some(t) if crate::paths::indexable(self.collect.root, &rel, t) => {}
            other => {
                if other.is_some_and(|t| crate::paths::refused_name(&rel, t)) {
                    self.collect.counters.unportable(entry.path());
                }
                return WalkState::Continue;
            }
        }
        let meta = match self.collect.counters.defer_meta {
            true => Ok(FileMeta { size: 0, mtime_ms: 0, symlink: entry.path_is_symlink() }),
            false => entry.metadata().map(|md| file_meta(&md)),
        };
        match meta {
            Ok(meta) => {
                let closed = self.chunk.push(rel.as_bytes(), meta);
                if let Some(p) = &mut self.publisher {
                    closed.into_iter().for_each(|block| p.publish(block));
                    if p.due(self.chunk.open_len()) {
                        self.chunk.close().into_iter().for_each(|block| p.publish(block));
                    }
                }
                self.collect.tick();
            }
            Err(_) => {
                self.collect.counters.unreadable(Some(entry.path()));
            }
        }
        WalkState::Continue
    }
}

impl Drop for Visitor<'_> {
    fn drop(&mut self) {
        let last = self.chunk.close();
        if let Some(p) = &mut self.publisher {
            last.into_iter().for_each(|block| p.publish(block));
        }
        // Sorting here runs on the walker thread, so the shares sort in parallel.
        let mut chunk = std::mem::replace(&mut self.chunk, Chunk::new(false));
        chunk.sort();
        self.collect.chunks.lock().unwrap_or_else(|e| e.into_inner()).push(chunk);
    }
}

struct Builder<'a>(&'a Collect<'a>);

impl<'s> ParallelVisitorBuilder<'s> for Builder<'s> {
    fn build(&mut self) -> Box<dyn ParallelVisitor + 's> {
        let publisher = self.0.counters.found.map(Publisher::new);
        let chunk = Chunk::new(!self.0.counters.defer_meta);
        Box::new(Visitor { collect: self.0, chunk, publisher })
    }
}

/// Receives each walked file in order, with the total count first known.
type Sink<'a> = dyn FnMut(u64, &[u8], FileMeta) -> Result<()> + 'a;

/// Walks `scope` and feeds every file in byte order to `sink`.
fn walk(
    opts: &IndexOptions,
    scope: Scope,
    counters: &Counters<'_>,
    progress: &(dyn Fn(u64) + Sync),
    sink: &mut Sink<'_>,
) -> Result<u64> {
    let collect = Collect {
        root: &opts.root,
        chunks: Mutex::new(Vec::new()),
        count: AtomicU64::new(0),
        started: Instant::now(),
        last_report_ms: AtomicU64::new(0),
        counters,
        progress,
    };
    // A relisting covers parts of folders only, so it leaves stale watches to the catch-up.
    let under = match &scope {
        Scope::All => Some(opts.root.clone()),
        Scope::Under(only) => Some(only.clone()),
        Scope::Relist(_) => None,
    };
    let mark = counters.on_dir.as_ref().map(|hook| {
        let mark = hook.walk_begins();
        hook.before_read(&opts.root);
        mark
    });
    let log = match &scope {
        Scope::All => counters.folders.clone(),
        Scope::Under(_) => None,
        Scope::Relist(r) => Some(r.log.clone()),
    };
    // The root is read first, so its print is taken now (a relisting reads it only if it changed).
    if let Some(log) = log.as_ref().filter(|_| !matches!(&scope, Scope::Relist(r) if !r.reads_root())) {
        log.record(&opts.root);
    }
    let on_dir = counters.on_dir.clone();
    #[cfg(test)]
    let on_dir = on_dir.filter(|_| !counters.hook_after_read);
    walker(opts, scope, on_dir, log)?.build_parallel().visit(&mut Builder(&collect));
    if let (Some(hook), Some(mark), Some(under)) = (&counters.on_dir, mark, under) {
        hook.walked(&under, mark);
    }
    let total = collect.count.load(Ordering::Relaxed);
    let chunks = collect.chunks.into_inner().unwrap_or_else(|e| e.into_inner());
    // k-way merge of the sorted shares; k is the thread count, so a linear pick is cheapest.
    let mut heads = vec![0usize; chunks.len()];
    loop {
        let mut best: Option<usize> = None;
        for (c, chunk) in chunks.iter().enumerate() {
            if heads[c] < chunk.len() && best.is_none_or(|b| chunk.key(heads[c]) < chunks[b].key(heads[b])) {
                best = Some(c);
            }
        }
        let Some(c) = best else { break };
        let i = heads[c];
        sink(total, chunks[c].key(i), chunks[c].meta(i))?;
        heads[c] += 1;
    }
    Ok(total)
}

/// The initial full scan: every file under the root, as a new FST base.
pub(crate) fn scan_root(opts: &IndexOptions, counters: &Counters<'_>, progress: &(dyn Fn(u64) + Sync)) -> Result<Base> {
    let mut builder: Option<BaseBuilder> = None;
    // The first scan leaves the FST for later too (see `meta`): paths are findable without it.
    let defer = counters.defer_meta;
    let total = walk(opts, Scope::All, counters, progress, &mut |total, key, meta| {
        let new = || if defer { BaseBuilder::paths_only() } else { BaseBuilder::new(total as usize) };
        builder.get_or_insert_with(new).push(key, meta)
    })?;
    progress(total);
    builder.map_or_else(|| Ok(Base::empty()), BaseBuilder::finish)
}

/// Walks the folder `dir` (an absolute path inside the root whose name is not UTF-8, so nothing
/// under it can be indexed) only to note the non-UTF-8 files in it.
pub(crate) fn scan_non_utf8(opts: &IndexOptions, dir: &Path, counters: &Counters<'_>) -> Result<()> {
    walk(opts, Scope::Under(dir.to_path_buf()), counters, &|_| {}, &mut |_, _, _| Ok(())).map(|_| ())
}

/// Every file a fresh scan would find under `rel_dir` (`""` = everything), sorted by path.
pub(crate) fn scan_subtree(opts: &IndexOptions, rel_dir: &str, counters: &Counters<'_>) -> Result<Listing> {
    let scope = if rel_dir.is_empty() { Scope::All } else { Scope::Under(opts.root.join(rel_dir)) };
    let mut out = Vec::new();
    let prefix = format!("{rel_dir}/");
    walk(opts, scope, counters, &|_| {}, &mut |_, key, meta| {
        // The restricted walk also yields files in the ancestors of `rel_dir`; keep only the subtree.
        let key = std::str::from_utf8(key).expect("walker keys are UTF-8");
        if rel_dir.is_empty() || key.starts_with(&prefix) {
            out.push((key.to_owned(), meta));
        }
        Ok(())
    })?;
    Ok(out)
}

/// The files under the folders `relist` reads (see `catchup`), sorted, with their symlink flags.
pub(crate) fn scan_relist(opts: &IndexOptions, relist: Arc<Relist>, counters: &Counters<'_>) -> Result<Listing> {
    let mut out = Vec::new();
    walk(opts, Scope::Relist(relist), counters, &|_| {}, &mut |_, key, meta| {
        out.push((std::str::from_utf8(key).expect("walker keys are UTF-8").to_owned(), meta));
        Ok(())
    })?;
    Ok(out)
}
