//! The warm start's quick catch-up: instead of walking the whole tree again, it checks every
//! folder the snapshot recorded (see `folders`) and reads again only those that changed.
//!
//! 1. Every recorded folder gets its watch (before it is looked at, as a walk would do) and its
//!    print is taken now, on all cores. A folder whose print matches is *verified*: it holds the
//!    names it held, so its files are the snapshot's. One whose own key changed is *changed*:
//!    its entries are listed again. One whose ignore files changed is *rewalked*: what is
//!    indexed anywhere below it may differ, so its whole subtree is walked again.
//! 2. One walk from the root reads the changed folders (their files, and every folder below
//!    them that the snapshot did not know, in full), passing through the folders above them so
//!    every ignore file applies as in a full scan. Known folders below a changed one are not
//!    entered: their own prints speak for them.
//! 3. A known folder that a changed parent no longer lists was removed (or is no longer a
//!    folder): it and everything below it leave the index.
//!
//! The result is the list of files a full walk would find; `warm` then checks every file's key
//! as before. When the snapshot has no folder records, git's global excludes changed, or the
//! walk meets anything a full scan would count as skipped, [`catch_up`] says why and the warm
//! start walks the whole tree instead.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex};

use super::base::{Base, BaseBuilder};
use super::folders::{self, FolderLog, Folders, Look, Print, UNSETTLED};
use super::foreground::Foreground;
use super::frontcode::RESTART;
use super::rules::{ancestors, parent_of};
use super::scan::{self, relative};
use super::shared::Shared;
use super::stat::Stat;
use super::types::cores;
use super::warm::lstat_key;
use crate::error::Result;
use crate::hashes::FileKey;

/// What one folder's check found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Status {
    /// Unchanged: its files are the snapshot's.
    Verified,
    /// Its entries changed (or it is gone): read again.
    Changed,
    /// Its ignore files changed: walked again with everything below it.
    Rewalk,
    /// Below a rewalked or removed folder: no longer speaks for itself.
    Dropped,
}

/// What the walk of step 2 reads, shared with its filter.
pub(crate) struct Relist {
    root: PathBuf,
    /// Changed and rewalked folders (workspace-relative).
    changed: HashSet<String>,
    /// The folders above them, which the walk passes through without taking their files.
    through: HashSet<String>,
    /// Every recorded folder that still speaks for itself.
    known: HashSet<String>,
    /// The known folders the walk met (listed by a folder it read).
    seen: Mutex<Vec<String>>,
    /// Prints of the folders the walk reads, for the next snapshot.
    pub(crate) log: Arc<FolderLog>,
}

impl Relist {
    /// Whether the walk reads the root's own entries.
    pub(crate) fn reads_root(&self) -> bool {
        self.changed.contains("")
    }

    /// Whether the walk takes the entries of the folder at `abs` (a changed or new one), so its
    /// print is taken again; a folder it only passes through keeps the one its files were
    /// checked against.
    pub(crate) fn takes(&self, abs: &Path) -> bool {
        relative(&self.root, abs).is_none_or(|rel| self.changed.contains(&rel) || !self.known.contains(&rel))
    }

    /// The walk's filter: whether to enter the folder (or take the file) at `abs`.
    pub(crate) fn keep(&self, abs: &Path, is_dir: bool) -> bool {
        // A name that is not UTF-8 is left to the walker, which notes it (and then this
        // catch-up gives way to a full walk).
        let Some(rel) = relative(&self.root, abs) else { return true };
        if is_dir && self.known.contains(&rel) {
            let enter = self.changed.contains(&rel) || self.through.contains(&rel);
            self.seen.lock().unwrap_or_else(|e| e.into_inner()).push(rel);
            return enter;
        }
        // A folder the snapshot did not know is new: all of it is read.
        is_dir || {
            let parent = parent_of(&rel);
            self.changed.contains(parent) || !self.known.contains(parent)
        }
    }
}

/// The catch-up's result: the files a full walk would find (paths and symlink flags), the
/// folder records for the next snapshot, and how many folders were read again.
pub(crate) struct Caught {
    pub(crate) files: Base,
    /// The key of every file of `files` now (`None` for one gone since).
    pub(crate) keys: Vec<Option<FileKey>>,
    pub(crate) folders: Folders,
    pub(crate) reread: u64,
}

/// Catches `files` (the snapshot's) up with the disk using the snapshot's folder `records` (in
/// path order, taken with the global excludes' print `global`); `Err(why)` when only a full walk
/// can (see the module documentation).
pub(crate) fn catch_up(
    shared: &Shared,
    files: &Base,
    global: u64,
    records: Vec<(String, Print)>,
) -> Result<std::result::Result<Caught, String>> {
    let (root, no_ignore) = (shared.root(), shared.opts.no_ignore);
    if records.is_empty() {
        return Ok(Err("the snapshot has no folder records".into()));
    }
    // Still holding, and settled when recorded, it is kept by the next snapshot.
    if global == UNSETTLED || global != folders::global_print(no_ignore, None) {
        return Ok(Err("git's global excludes file changed".into()));
    }
    let hook = shared.watch.dir_hook();
    let (mut status, keys) = check(root, no_ignore, &records, hook.as_deref(), files, &shared.foreground);
    drop_below(&records, &mut status, |s| s == Status::Rewalk);
    let changed: HashSet<String> = select(&records, &status, |s| matches!(s, Status::Changed | Status::Rewalk));
    let (mut listing, mut log) = (Vec::new(), Vec::new());
    if !changed.is_empty() {
        let through = changed.iter().flat_map(|c| ancestors(c)).map(str::to_owned).collect();
        let known = select(&records, &status, |s| s != Status::Dropped);
        let relist = Arc::new(Relist {
            root: root.to_path_buf(),
            changed,
            through,
            known,
            seen: Mutex::new(Vec::new()),
            log: Arc::new(FolderLog::new(root, no_ignore)),
        });
        let mark = hook.as_ref().map(|hook| hook.walk_begins());
        let mut counters = shared.counters();
        counters.defer_meta = true;
        listing = scan::scan_relist(&shared.opts, relist.clone(), &counters)?;
        let (hidden, pathless) = counters.into_found();
        if !hidden.is_empty() || pathless > 0 {
            return Ok(Err("a folder read again holds unreadable entries or files hidden for their names".into()));
        }
        log = relist.log.take_sorted();
        let seen: HashSet<String> =
            std::mem::take(&mut *relist.seen.lock().unwrap_or_else(|e| e.into_inner())).into_iter().collect();
        // Rewalked subtrees lose the watches step 1 placed and the walk did not place again (now
        // ignored), removed ones all of theirs: they would report events under names not indexed.
        let mut stale: Vec<PathBuf> = records
            .iter()
            .zip(&status)
            .filter(|(_, s)| **s == Status::Rewalk)
            .map(|((r, _), _)| root.join(r))
            .collect();
        for (i, (rel, _)) in records.iter().enumerate() {
            let listed_by_changed = !rel.is_empty() && relist.changed.contains(parent_of(rel));
            if status[i] != Status::Dropped && listed_by_changed && !seen.contains(rel) {
                status[i] = Status::Dropped;
                stale.push(root.join(rel));
            }
        }
        drop_below(&records, &mut status, |s| s == Status::Dropped);
        if let (Some(hook), Some(mark)) = (&hook, mark) {
            stale.iter().for_each(|dir| hook.walked(dir, mark));
        }
    }
    if listing.is_empty() && status.iter().all(|s| *s == Status::Verified) {
        // Nothing changed in any folder: the snapshot's files, whose keys were just read, and
        // its folder records as they were.
        let Some(folders) = Folders::from_sorted(global, records) else {
            return Ok(Err("the snapshot's folder records are out of order".into()));
        };
        return Ok(Ok(Caught { files: files.paths(), keys, folders, reread: 0 }));
    }
    let verified: HashSet<&str> =
        records.iter().zip(&status).filter(|(_, s)| **s == Status::Verified).map(|((r, _), _)| r.as_str()).collect();
    let (files, keys) = merge_files(root, files, &verified, listing, keys)?;
    let reread = log.len() as u64;
    let kept = records.iter().zip(&status).filter(|(_, s)| **s == Status::Verified).map(|((r, p), _)| (r.clone(), *p));
    let folders = Folders::from_sorted(global, merge_records(kept, log)).expect("two sorted lists merged");
    Ok(Ok(Caught { files, keys, folders, reread }))
}

/// Step 1, with every snapshot file's key read now: one thread places each folder's watch and
/// takes its status from its print, in path order (the watch table is one lock: more threads
/// would only queue on it); the others, and that one when it is done, read the files' keys in
/// path order, each only once its folder's watch is in place (a folder sorts before its files,
/// so "every folder before this path is done" says so), so an edit after the read is reported.
/// Every thread stands aside between steps while a query runs on the snapshot (`gate`).
fn check(
    root: &Path,
    no_ignore: bool,
    records: &[(String, Print)],
    hook: Option<&dyn scan::WalkHook>,
    files: &Base,
    gate: &Foreground,
) -> (Vec<Status>, Vec<Option<FileKey>>) {
    let mut status = vec![Status::Verified; records.len()];
    // Written in place by the threads that read the keys: filling a million slots first, on one
    // thread, took 20-50 ms of fresh memory before any folder was checked.
    let mut keys: Vec<Option<FileKey>> = Vec::with_capacity(files.len());
    let done = AtomicUsize::new(0);
    let queue = Mutex::new(keys.spare_capacity_mut()[..files.len()].chunks_mut(RESTART).enumerate());
    let stat_files = || loop {
        gate.stand_aside();
        let Some((c, part)) = queue.lock().unwrap_or_else(|e| e.into_inner()).next() else { return };
        let (mut it, mut stat) = (files.keys.iter_from_chunk(c), Stat::new(root));
        for slot in part.iter_mut() {
            let (key, _) = it.next_ref().expect("one key per entry");
            let rel = std::str::from_utf8(key).ok();
            while rel.is_some_and(|rel| !covered(records, &done, parent_of(rel))) {
                // The folder thread may be standing aside: so does this one, rather than spin.
                if !gate.stand_aside() {
                    std::thread::yield_now();
                }
            }
            slot.write(rel.and_then(|rel| stat.key(rel)));
        }
    };
    std::thread::scope(|s| {
        for _ in 1..cores().max(2) {
            s.spawn(stat_files);
        }
        // Should this thread fail, the others must not wait for it forever.
        let _finish = Finish(&done, records.len());
        // Folders are looked at through handles, each opened from its parent's (see `Stat`).
        let mut dirs = Stat::new(root);
        for (i, ((rel, was), slot)) in records.iter().zip(status.iter_mut()).enumerate() {
            gate.stand_aside();
            let abs = root.join(rel);
            if let Some(hook) = hook {
                hook.before_read(&abs);
            }
            let mut look = dirs.look(rel);
            // As a walk does: `.git` is never read, but its `info/exclude` is an ignore file.
            if let (Some(hook), false) = (hook, no_ignore) {
                if look.as_mut().is_some_and(|look| look.exists(".git")) {
                    hook.before_read(&abs.join(".git").join("info"));
                }
            }
            let gone = Print { folder: UNSETTLED, rules: UNSETTLED };
            let now = look.map_or(gone, |mut look| folders::print_with(&mut look, &abs, no_ignore, None));
            let exists = now.folder != UNSETTLED;
            *slot = if exists && (was.rules == UNSETTLED || now.rules != was.rules) {
                Status::Rewalk
            } else if was.folder == UNSETTLED || now.folder != was.folder {
                Status::Changed
            } else {
                Status::Verified
            };
            done.store(i + 1, AtomicOrdering::Release);
        }
        stat_files();
    });
    // SAFETY: each thread above took chunks until the queue was empty and wrote every slot of
    // each; the scope joined them all (a panic would have ended this function before here).
    unsafe { keys.set_len(files.len()) };
    (status, keys)
}

/// Marks every folder checked when dropped, so the file readers never wait on a thread that
/// failed part-way.
struct Finish<'a>(&'a AtomicUsize, usize);

impl Drop for Finish<'_> {
    fn drop(&mut self) {
        self.0.store(self.1, AtomicOrdering::Release);
    }
}

/// Whether the folder `dir` was checked: every record before the first one not yet checked is.
fn covered(records: &[(String, Print)], done: &AtomicUsize, dir: &str) -> bool {
    let done = done.load(AtomicOrdering::Acquire);
    done == records.len() || dir < records[done].0.as_str()
}

/// Marks every folder below one whose status satisfies `top` as dropped. (A folder's subtree is
/// not one run in byte order: `a-b` sorts between `a` and `a/x`. So each folder's ancestors are
/// looked up.)
fn drop_below(records: &[(String, Print)], status: &mut [Status], top: impl Fn(Status) -> bool) {
    let tops: HashSet<&str> =
        records.iter().zip(status.iter()).filter(|(_, s)| top(**s)).map(|((r, _), _)| r.as_str()).collect();
    if tops.is_empty() {
        return;
    }
    for ((rel, _), slot) in records.iter().zip(status.iter_mut()) {
        if ancestors(rel).any(|a| tops.contains(a)) {
            *slot = Status::Dropped;
        }
    }
}

/// The recorded folders whose status satisfies `pick`.
fn select(records: &[(String, Print)], status: &[Status], pick: impl Fn(Status) -> bool) -> HashSet<String> {
    records.iter().zip(status).filter(|(_, s)| pick(**s)).map(|((r, _), _)| r.clone()).collect()
}

/// The snapshot's files whose folder was verified (with the keys `old_keys` read of them),
/// merged with the files the walk found (whose keys are read now, their folders watched).
fn merge_files(
    root: &Path,
    old: &Base,
    verified: &HashSet<&str>,
    listing: scan::Listing,
    old_keys: Vec<Option<FileKey>>,
) -> Result<(Base, Vec<Option<FileKey>>)> {
    let mut builder = BaseBuilder::paths_only();
    let mut now = Vec::with_capacity(old.len());
    let mut fresh = listing.into_iter().peekable();
    let mut keys = old.keys.iter();
    // Files of one folder come in runs, so the last folder's answer is kept.
    let mut last: Option<(Vec<u8>, bool)> = None;
    while let Some((key, id)) = keys.next_ref() {
        let path = std::str::from_utf8(key).expect("index keys are UTF-8");
        let parent = parent_of(path);
        let keep = match &last {
            Some((folder, keep)) if folder.as_slice() == parent.as_bytes() => *keep,
            _ => last.insert((parent.as_bytes().to_vec(), verified.contains(parent))).1,
        };
        if !keep {
            continue;
        }
        while let Some((p, meta)) = fresh.next_if(|(p, _)| p.as_str() < path) {
            builder.push(p.as_bytes(), meta)?;
            now.push(lstat_key(root, &p));
        }
        // A verified folder is never read again, so the walk cannot list its files too.
        debug_assert!(fresh.peek().is_none_or(|(p, _)| p != path));
        builder.push(key, old.meta(id))?;
        now.push(old_keys[id as usize]);
    }
    for (p, meta) in fresh {
        builder.push(p.as_bytes(), meta)?;
        now.push(lstat_key(root, &p));
    }
    Ok((builder.finish()?, now))
}

/// Two sorted record lists as one; where both have a folder, the fresh print wins.
fn merge_records(
    old: impl Iterator<Item = (String, Print)>,
    fresh: Vec<(String, Print)>,
) -> impl Iterator<Item = (String, Print)> {
    // `fresh` is sorted (a log's `take_sorted`), so a binary search finds the folders it replaces.
    let is_fresh = |r: &str| fresh.binary_search_by(|(f, _)| f.as_str().cmp(r)).is_ok();
    let mut out: Vec<(String, Print)> = old.filter(|(r, _)| !is_fresh(r)).collect();
    out.extend(fresh);
    out.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    out.into_iter()
}

#[cfg(test)]
#[path = "catchup_tests.rs"]
mod tests;
