//! Turning a debounced burst of file-system events into one index update. Events only say
//! *where* to look: every touched path is `lstat`ed and the index is set to what is on disk now,
//! so lost, merged or reordered events cannot leave it wrong. New or renamed-in folders, changed
//! ignore files and OS overflow signals trigger a rescan of the affected folder, diffed against
//! the index. The reported changes are the net difference per path against the snapshot the
//! batch was applied to.

use std::collections::{BTreeMap, BTreeSet};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use notify::event::{AccessKind, AccessMode, EventKind, ModifyKind};
use notify_debouncer_full::DebounceEventResult;

use super::scan;
use super::shared::Shared;
use super::snapshot::{prefix_end, Snapshot};
use super::types::{Change, ChangeBatch, ChangeKind, FileMeta};
use crate::error::Result;

/// What the events of one burst asked for.
#[derive(Default)]
pub(crate) struct Pending {
    /// Touched paths; `true` when the path appeared, vanished or was renamed (not just written).
    touched: BTreeMap<PathBuf, bool>,
    /// Touched paths whose own metadata changed (Linux only): a folder among them is walked
    /// again, because its permissions decide what can be read beneath it.
    attrib: BTreeSet<PathBuf>,
    /// Folders (workspace-relative) to rescan.
    rescan_dirs: BTreeSet<String>,
    /// The whole root must be rescanned (OS overflow, watcher error, catch-up).
    rescan_root: bool,
    /// Paths found by earlier walks to look at again (see [`Applied::discovered`]).
    recheck: Vec<String>,
    /// The OS said it dropped events (kernel queue overflow): folders created meanwhile may
    /// have no watch of their own, so the watch must be placed again before the rescan.
    rewatch: bool,
}

/// The outcome of [`apply`].
pub(crate) struct Applied {
    /// The batch to report, if anything changed.
    pub(crate) batch: Option<ChangeBatch>,
    /// Files a walk put into the index before the debouncer reported them. The debouncer folds
    /// "created, then renamed or deleted" into one event at the new path (or none), so if such a
    /// file moves on within the debounce window its old path is never mentioned again; the
    /// applier re-stats these paths once that window has passed.
    pub(crate) discovered: Vec<String>,
}

impl Pending {
    /// A request for a full rescan of the root.
    pub(crate) fn root_rescan() -> Pending {
        Pending { rescan_root: true, ..Pending::default() }
    }

    /// Turns this request into a full rescan of the root (the watch fallback's schedule).
    pub(crate) fn rescan_everything(&mut self) {
        self.rescan_root = true;
    }

    /// Adds more paths to re-stat.
    pub(crate) fn add_recheck(&mut self, paths: Vec<String>) {
        self.recheck.extend(paths);
    }

    /// Folds one debouncer delivery into the request.
    pub(crate) fn add(&mut self, index: &Shared, result: DebounceEventResult) {
        let events = match result {
            Ok(events) => events,
            Err(errors) => {
                // A failed watch (e.g. the inotify limit hit on a new folder) may have dropped
                // events there; only a rescan of what it names (or of everything) can tell.
                for e in &errors {
                    eprintln!("skaffa-workspace: watcher error: {e}");
                    match e.paths.is_empty() {
                        true => self.rescan_root = true,
                        false => e.paths.iter().for_each(|p| self.rescan_path(index, p)),
                    }
                }
                return;
            }
        };
        for event in events {
            if event.need_rescan() {
                match event.paths.is_empty() {
                    true => {
                        self.rescan_root = true;
                        self.rewatch = true;
                    }
                    false => event.paths.iter().for_each(|p| self.rescan_path(index, p)),
                }
                continue;
            }
            let structural = matches!(
                event.kind,
                EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(ModifyKind::Name(_)) | EventKind::Any
            );
            let written = structural
                || matches!(event.kind, EventKind::Modify(_) | EventKind::Access(AccessKind::Close(AccessMode::Write)));
            if !written {
                continue;
            }
            // A folder's own permissions decide what can be read beneath it, so a change of them
            // walks it again (an unreadable folder leaves with its files, and comes back with
            // them; see `Diff::touch`). Only on Linux, where this event is inotify's `IN_ATTRIB`,
            // which a folder gets from an explicit change of its metadata (chmod, chown, utimes)
            // and never from a change of its entries; elsewhere notify reports those alike.
            #[cfg(target_os = "linux")]
            if matches!(event.kind, EventKind::Modify(ModifyKind::Metadata(_))) {
                for path in &event.paths {
                    match path == index.root() {
                        true => self.rescan_root = true,
                        false => _ = self.attrib.insert(path.clone()),
                    }
                }
            }
            for path in &event.paths {
                *self.touched.entry(path.clone()).or_default() |= structural;
                let name = path.file_name().and_then(|n| n.to_str());
                if index.opts.no_ignore {
                    continue;
                }
                if matches!(name, Some(".gitignore" | ".ignore")) {
                    // The rules of the folder changed: rescan everything it governs.
                    if let Some(parent) = path.parent() {
                        self.rescan_path(index, parent);
                    }
                } else if path.ends_with(".git/info/exclude") {
                    // The same for the folder that holds this `.git`.
                    if let Some(repo) = path.ancestors().nth(3) {
                        self.rescan_path(index, repo);
                    }
                }
            }
        }
    }

    fn rescan_path(&mut self, index: &Shared, path: &Path) {
        match scan::relative(index.root(), path) {
            Some(rel) if rel.is_empty() => self.rescan_root = true,
            Some(rel) => {
                index.rules.invalidate(&rel);
                self.rescan_dirs.insert(rel);
            }
            // Nothing under a folder whose name is not UTF-8 is ever indexed.
            None if path.starts_with(index.root()) => {}
            None => self.rescan_root = true,
        }
    }

    /// True when folders may have appeared (created, renamed or moved in) or must be rescanned.
    /// With notify (off Linux) the watch of a new folder may be placed only after notify has
    /// read every event queued with the one announcing it, so a walk of that folder must wait
    /// until notify has done so (see `watch::fence`); otherwise files created between the walk
    /// and the watch are never seen. On Linux the walk places the watch itself and the fence
    /// does nothing.
    pub(crate) fn needs_fence(&self) -> bool {
        self.rescan_root || !self.rescan_dirs.is_empty() || self.touched.values().any(|structural| *structural)
    }

    /// True when the OS watch must be placed again before applying this request.
    pub(crate) fn needs_rewatch(&self) -> bool {
        self.rewatch
    }

    /// True when a rescan is part of this request (reported as `rescan: true`).
    pub(crate) fn is_rescan(&self) -> bool {
        self.rescan_root || !self.rescan_dirs.is_empty()
    }
}

/// Applies `pending` to the index: the batch to report and the paths to re-check later.
pub(crate) fn apply(index: &Shared, pending: Pending) -> Result<Applied> {
    let store = &index.store;
    if pending.rescan_root {
        index.rules.invalidate_all();
        let counters = index.counters();
        let fresh = scan::scan_root(&index.opts, &counters, &|_| {})?;
        index.record_hidden(None, counters);
        let (generation, changes) = store.replace_with(fresh, |snap, base| {
            let changes = snap.diff_against(base);
            (!changes.is_empty(), changes)
        });
        let discovered = created(&changes, |_| true);
        return Ok(Applied { batch: batch(generation, changes, true), discovered });
    }
    let rescan = pending.is_rescan();
    let mut fresh_dirs = Vec::new();
    for dir in &pending.rescan_dirs {
        let counters = index.counters();
        let files = match index.is_excluded(dir, true) {
            true => {
                index.watch.unwatch_under(&index.root().join(dir));
                Vec::new()
            }
            false => scan::scan_subtree(&index.opts, dir, &counters)?,
        };
        index.record_hidden(Some(&index.root().join(dir)), counters);
        fresh_dirs.push((dir.clone(), files));
    }
    let applied = store.apply(|snap| {
        let mut diff = Diff {
            snap,
            updates: BTreeMap::new(),
            hinted: BTreeSet::new(),
            walked: BTreeSet::new(),
            walked_dirs: BTreeSet::new(),
        };
        for (dir, files) in fresh_dirs {
            diff.replace_dir(&dir, files);
        }
        for (path, structural) in &pending.touched {
            diff.touch(index, path, *structural, pending.attrib.contains(path));
        }
        for rel in &pending.recheck {
            diff.touch(index, &index.root().join(rel), true, false);
        }
        let walked = std::mem::take(&mut diff.walked);
        let (updates, changes) = diff.finish();
        (updates, (changes, walked))
    });
    Ok(match applied {
        Some((generation, (changes, walked))) => {
            Applied { discovered: created(&changes, |p| walked.contains(p)), batch: batch(generation, changes, rescan) }
        }
        None => Applied { batch: None, discovered: Vec::new() },
    })
}

/// Paths of `changes` that were created and pass `keep`.
fn created(changes: &[Change], keep: impl Fn(&str) -> bool) -> Vec<String> {
    changes.iter().filter(|c| c.kind == ChangeKind::Created && keep(&c.path)).map(|c| c.path.clone()).collect()
}

fn batch(generation: u64, changes: Vec<Change>, rescan: bool) -> Option<ChangeBatch> {
    (!changes.is_empty()).then_some(ChangeBatch { generation, changes, rescan })
}

/// Brings the record of non-UTF-8 names up to date for `path`, itself such a name: such a file
/// is never indexed but is counted in `status.skipped.nonUtf8` while it exists, as a fresh scan
/// would count it. Its ignore rules are judged on the lossy form of the name.
fn touch_non_utf8(index: &Shared, path: &Path, structural: bool) {
    let counters = index.counters();
    match std::fs::symlink_metadata(path) {
        Ok(md) if md.is_dir() => {
            if !structural {
                return;
            }
            if scan::scan_non_utf8(&index.opts, path, &counters).is_err() {
                counters.unreadable(Some(path));
            }
        }
        Ok(_) => {
            let lossy = path.strip_prefix(index.root()).map(|p| match std::path::MAIN_SEPARATOR {
                '/' => p.to_string_lossy().into_owned(),
                _ => p.to_string_lossy().replace('\\', "/"),
            });
            if lossy.is_ok_and(|rel| !index.is_excluded(&rel, false)) {
                counters.non_utf8(path);
            }
        }
        Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {}
        Err(_) => counters.unreadable(Some(path)),
    }
    index.record_hidden(Some(path), counters);
}

/// The new values of one batch, compared with the snapshot they apply to.
struct Diff<'a> {
    snap: &'a Snapshot,
    updates: BTreeMap<String, Option<FileMeta>>,
    /// Paths written to: reported as changed even if size and mtime look the same.
    hinted: BTreeSet<String>,
    /// Paths set from a folder walk rather than from their own event.
    walked: BTreeSet<String>,
    /// Folders walked in this batch. The walk ran after every event of the batch was queued,
    /// so a folder below one of them needs no walk of its own: a new tree announces each of its
    /// folders, and walking each again from the root would cost one walk per folder.
    walked_dirs: BTreeSet<String>,
}

impl Diff<'_> {
    /// Makes the index under `dir` equal to `files` (a fresh scan of it).
    fn replace_dir(&mut self, dir: &str, files: Vec<(String, FileMeta)>) {
        self.walked_dirs.insert(dir.to_owned());
        self.remove_under(dir);
        for (path, meta) in files {
            self.walked.insert(path.clone());
            self.updates.insert(path, Some(meta));
        }
    }

    /// True when `rel` or a folder above it was walked in this batch.
    fn walked_above(&self, rel: &str) -> bool {
        self.walked_dirs.contains(rel) || rel.match_indices('/').any(|(i, _)| self.walked_dirs.contains(&rel[..i]))
    }

    /// Marks every indexed file under folder `dir` as gone.
    fn remove_under(&mut self, dir: &str) {
        let lo = format!("{dir}/");
        let hi = prefix_end(lo.as_bytes());
        let updates = &mut self.updates;
        self.snap.for_each_in(lo.as_bytes(), hi.as_deref(), &mut |k, _| {
            updates.insert(k.to_owned(), None);
            true
        });
        let added: Vec<String> =
            updates.range(lo.clone()..).take_while(|(k, _)| k.starts_with(&lo)).map(|(k, _)| k.clone()).collect();
        for k in added {
            updates.insert(k, None);
        }
    }

    /// Sets `path` to what is on disk now; a folder is walked again when it appeared, or when
    /// its own metadata changed (`attrib`).
    fn touch(&mut self, index: &Shared, path: &Path, structural: bool, attrib: bool) {
        let Some(rel) = scan::relative(index.root(), path) else {
            if path.starts_with(index.root()) {
                touch_non_utf8(index, path, structural);
            }
            return;
        };
        if rel.is_empty() {
            return;
        }
        // Files hidden for their names under `path` are noted afresh below wherever its subtree is
        // known anew.
        let forget_hidden = || index.record_hidden(Some(path), index.counters());
        match std::fs::symlink_metadata(path) {
            Ok(md) if md.is_dir() => {
                if structural {
                    index.rules.invalidate_under(&rel);
                }
                if index.is_excluded(&rel, true) {
                    index.watch.unwatch_under(path);
                    self.remove_under(&rel);
                    forget_hidden();
                } else if (structural || attrib) && !self.walked_above(&rel) {
                    let counters = index.counters();
                    let files = scan::scan_subtree(&index.opts, &rel, &counters).unwrap_or_default();
                    index.record_hidden(Some(path), counters);
                    self.replace_dir(&rel, files);
                }
                // A folder replaced a file of the same name.
                self.updates.insert(rel, None);
            }
            Ok(md) => {
                let excluded = index.is_excluded(&rel, false);
                let listed = !excluded && crate::paths::indexable(index.root(), &rel, md.file_type());
                let meta = listed.then(|| scan::file_meta(&md));
                if structural {
                    // A file (or link) may have replaced a folder of the same name.
                    self.remove_under(&rel);
                    forget_hidden();
                } else if meta.is_some() {
                    self.hinted.insert(rel.clone());
                }
                // A file left out for its name is counted while it exists, as a walk counts it.
                if !listed && !excluded && crate::paths::refused_name(&rel, md.file_type()) {
                    let counters = index.counters();
                    counters.unportable(path);
                    index.record_hidden(Some(path), counters);
                }
                self.updates.insert(rel, meta);
            }
            Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                self.remove_under(&rel);
                forget_hidden();
                self.updates.insert(rel, None);
            }
            Err(_) => {
                let counters = index.counters();
                counters.unreadable(Some(path));
                index.record_hidden(Some(path), counters);
            }
        }
    }

    /// The store updates and the net changes against the snapshot, both sorted by path.
    fn finish(self) -> (Vec<(String, Option<FileMeta>)>, Vec<Change>) {
        let mut updates = Vec::new();
        let mut changes = Vec::new();
        // True when the snapshot's metadata of a path is the first scan's, not filled in yet.
        let snap = self.snap;
        let pending = |path: &str| snap.base.meta_pending && !snap.overlay.contains_key(path);
        for (path, new) in self.updates {
            let old = self.snap.get(&path);
            let kind = match (old, new) {
                (None, Some(_)) => ChangeKind::Created,
                (Some(_), None) => ChangeKind::Deleted,
                // The first scan's sizes and mtimes may still read 0: only a write reports then.
                (Some(a), Some(b)) if (a != b && !pending(&path)) || self.hinted.contains(&path) => ChangeKind::Changed,
                _ => continue,
            };
            changes.push(Change { path: path.clone(), kind });
            updates.push((path, new));
        }
        (updates, changes)
    }
}
