//! Warm start: the index begins from a snapshot that a previous run left in the cache folder (see
//! `crate::persist`) and then checks it against the disk. [`WarmFiles::load`] turns the snapshot
//! into a base without an FST, which [`Index::scan_warm`] publishes at once so `findFiles` and
//! `glob` can answer (marked unverified) while the catch-up runs: a check of every folder the
//! snapshot recorded, reading again only those that changed (see `catchup`; where it cannot
//! tell, the same walk as a cold scan), then an `lstat` of every file on all cores. A file present in both is unchanged only when device, inode, size,
//! mtime and ctime all match and its times are older than the snapshot's time minus two ticks
//! (git's racy-timestamp rule); a racy file with a known hash is hashed again and compared, one
//! without is reported changed. What differs goes out as one ordinary `workspace/didChange`
//! batch before the index is ready, and the hashes of unchanged files are handed back to the
//! hash cache. Watching starts before all of this, as in a cold start, so nothing changed during
//! the catch-up is lost.

use std::path::Path;
use std::sync::atomic::Ordering;

use super::base::Base;
use super::folders::Print;
use super::frontcode::{FrontCoded, RESTART};
use super::stat::Stat;
use super::types::{cores, Change, ChangeBatch, ChangeKind};
use super::{catchup, scan, Index, Phase};
use crate::error::Result;
use crate::hashes::{now_ns, Cached, FileKey, RACY_TICK_NS};
use crate::persist::blocks::Keys;
use crate::persist::format::{self, Header, Reject};

/// A snapshot loaded from the cache folder, not yet checked against the disk.
pub struct WarmFiles {
    base: Base,
    /// One key per entry of `base`, in its order (read in place from the snapshot's bytes).
    keys: Keys,
    /// `(entry, hash, computed at)` for the entries whose hash was known.
    hashes: Vec<(u32, u128, i64)>,
    written_ns: i64,
    /// The folder records of the scan the snapshot came from, in path order (none if it kept
    /// none), and the global excludes' print they were taken with.
    folders: Vec<(String, Print)>,
    global: u64,
}

/// How a warm start caught up, as `workspace/status` reports it.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CatchUp {
    /// Folders the snapshot recorded, each checked.
    pub folders: u64,
    /// Folders whose entries were read again (changed ones, and new ones below them).
    pub reread: u64,
    /// Why the whole tree was walked instead, when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub walk: Option<String>,
}

impl WarmFiles {
    /// Reads the snapshot at `path` if `accept` takes its header; any damage rejects all of it.
    pub fn load(path: &Path, accept: impl FnOnce(&Header) -> Result<(), String>) -> Result<WarmFiles, Reject> {
        let (mut hashes, mut folders, mut paths, mut symlinks) = (Vec::new(), Vec::new(), None, Vec::new());
        let take_folders = |records| folders = records;
        let (header, keys) = format::read_blocks(path, accept, take_folders, |bytes, blocks| {
            // The paths stay where they lie in the snapshot's bytes, which the keys keep anyway
            // until the catch-up is done: copied, they were 18 MB of fresh memory at a million
            // files, whose first writes took 12 ms on the way to the first answer.
            let runs: Vec<_> = blocks.iter().map(|b| (b.paths_at, b.paths_at + b.paths.len(), b.count)).collect();
            paths = Some(FrontCoded::in_place(bytes.clone(), &runs));
            symlinks.reserve_exact(blocks.iter().map(|b| b.symlink_words().len()).sum());
            for (b, block) in blocks.iter().enumerate() {
                symlinks.extend(block.symlink_words());
                hashes.extend(block.hashes().map(|(i, hash, at)| ((b * RESTART + i) as u32, hash, at)));
            }
            Ok(())
        })?;
        let paths = paths.unwrap_or_default();
        let base = Base::from_parts(paths, symlinks);
        // The records stay as the reader made them (checked in order): the catch-up reads them
        // as they are, and keeps them as `Folders` only when it is done.
        Ok(WarmFiles { base, keys, hashes, written_ns: header.written_ns, folders, global: header.global })
    }
}

/// What the catch-up needs from outside the index: the content hash of a file now (through the
/// sidecar's confined reads), and where to hand the hashes that still hold.
pub struct Verify<'a> {
    /// The xxh3-128 of `rel` read now, or `None` when it cannot be read.
    pub hash_now: &'a (dyn Fn(&str) -> Option<u128> + Send + Sync),
    /// Receives every cached hash that is still true of its file.
    pub keep_hash: &'a mut dyn FnMut(&str, Cached),
    /// Called with how it went once the catch-up is done, just before the index turns ready, so
    /// whoever reports the cache's state never shows the index ready but still verifying.
    pub verified: &'a dyn Fn(&CatchUp),
}

impl Index {
    /// The first scan, starting from `warm`: see the module documentation. `offline` gets the
    /// batch of what changed while no sidecar watched (not called when nothing did), before the
    /// index turns ready. Returns once the index is complete and its FST built, with how it
    /// caught up.
    pub fn scan_warm(
        &self,
        warm: WarmFiles,
        progress: &(dyn Fn(u64) + Sync),
        verify: Verify<'_>,
        offline: &dyn Fn(ChangeBatch),
    ) -> Result<CatchUp> {
        let verified = verify.verified;
        let shared = &self.shared;
        let WarmFiles { base: warm_base, keys: warm_keys, hashes, written_ns, folders, global } = warm;
        // Published before the scan begins, so no reader ever sees an empty first-scan answer.
        let warm_base = shared.store.replace_base(warm_base);
        shared.unverified.store(true, Ordering::SeqCst);
        let mut counters = shared.phase.advance(Phase::Scanning, || shared.counters());
        counters.defer_meta = true;
        // Nobody reads the walk's files-so-far (the snapshot answers), except the test seam
        // that holds the walk, which counts them.
        if shared.found.is_held() {
            counters.found = Some(&shared.found);
        }
        let checked = folders.len() as u64;
        let caught = catchup::catch_up(shared, &warm_base, global, folders)?;
        let (walked, now_keys, report) = match caught {
            Ok(caught) => {
                shared.found.hold_point(warm_base.len() as u64);
                self.keep_folders(Some(caught.folders));
                progress(caught.files.len() as u64);
                (caught.files, caught.keys, CatchUp { folders: checked, reread: caught.reread, walk: None })
            }
            Err(why) => {
                counters.folders = self.folder_log();
                let walked = scan::scan_root(&shared.opts, &counters, progress)?;
                self.keep_folders(counters.folders.as_ref().map(|log| log.take_folders()));
                let keys = stat_keys(&walked, self.root(), cores());
                (walked, keys, CatchUp { folders: checked, reread: 0, walk: Some(why) })
            }
        };
        shared.record_hidden(None, counters);
        let (sizes, mtimes) = now_keys.iter().map(|k| k.map_or((0, 0), |k| (k.size, ns_to_ms(k.mtime_ns)))).unzip();
        let fresh = walked.with_meta(sizes, mtimes);
        drop(walked);
        let changes = diff(&warm_base, &warm_keys, &hashes, &fresh, &now_keys, |key| settled(written_ns, key), verify);
        drop((warm_keys, now_keys, hashes));
        // A catch-up that kept the snapshot's files kept their paths where they lie (which let
        // `diff` compare by position); the index keeps a copy, not the snapshot.
        let source = shared.store.replace_base(fresh.with_own_keys());
        drop(warm_base);
        if !changes.is_empty() {
            offline(ChangeBatch { generation: self.generation(), changes, rescan: false });
        }
        // Ready first: a reader that still sees "not ready" then still sees "unverified" too.
        (verified)(&report);
        shared.phase.advance(Phase::Ready, || ());
        shared.unverified.store(false, Ordering::SeqCst);
        shared.found.close();
        shared.phase.advance(Phase::Complete, || ());
        self.build_fst(Some(source));
        Ok(report)
    }

    /// True while the index answers from a cache snapshot the catch-up has not yet confirmed.
    pub fn is_unverified(&self) -> bool {
        self.shared.unverified.load(Ordering::SeqCst)
    }

    /// Marks a query answered from the cache's snapshot in flight until the guard is dropped:
    /// the catch-up stands aside meanwhile (see `foreground`).
    pub(crate) fn answering(&self) -> super::foreground::Busy<'_> {
        self.shared.foreground.enter()
    }
}

/// Merges the snapshot's entries with the disk's (both sorted) into the changes between them,
/// handing the still-true hashes to `verify.keep_hash`. When no folder changed, both hold the
/// same paths (one shared list), and the entries are compared by position alone. Otherwise
/// paths are copied into two reused buffers; either way they are made `String`s only for what
/// is reported, so a million unchanged files cost no allocation.
fn diff(
    old: &Base,
    old_keys: &Keys,
    hashes: &[(u32, u128, i64)],
    new: &Base,
    new_keys: &[Option<FileKey>],
    settled: impl Fn(&FileKey) -> bool,
    mut verify: Verify<'_>,
) -> Vec<Change> {
    use std::cmp::Ordering::{Equal, Greater, Less};
    let mut changes = Vec::new();
    let mut hashes = hashes.iter().peekable();
    let mut same = |path: &[u8], oi: usize, ni: usize, verify: &mut Verify<'_>| {
        let hash = skip_to(&mut hashes, oi);
        // A link cannot be written in place (pointing it elsewhere makes a new one), so its key
        // alone tells; a racy file's key does not.
        let settled = |key: &FileKey| new.meta(ni as u64).symlink || settled(key);
        unchanged(path, old_keys.get(oi), new_keys[ni], hash, &settled, verify)
    };
    let text = |path: &[u8]| String::from_utf8_lossy(path).into_owned();
    if std::sync::Arc::ptr_eq(&old.keys, &new.keys) {
        let mut it = old.keys.iter();
        while let Some((path, i)) = it.next_ref() {
            if !same(path, i as usize, i as usize, &mut verify) {
                changes.push(Change { path: text(path), kind: ChangeKind::Changed });
            }
        }
        return changes;
    }
    let (mut a, mut b) = (old.keys.iter(), new.keys.iter());
    let (mut old_path, mut new_path) = (Vec::new(), Vec::new());
    // Each side's current path is copied out: the front-coded iterators reuse their buffers.
    let take = |it: &mut super::frontcode::Iter<'_>, path: &mut Vec<u8>| {
        it.next_ref().map(|(k, i)| {
            path.clear();
            path.extend_from_slice(k);
            i as usize
        })
    };
    let (mut x, mut y) = (take(&mut a, &mut old_path), take(&mut b, &mut new_path));
    loop {
        let order = match (x, y) {
            (None, None) => break,
            (Some(_), None) => Less,
            (None, Some(_)) => Greater,
            (Some(_), Some(_)) => old_path.cmp(&new_path),
        };
        match order {
            Less => {
                changes.push(Change { path: text(&old_path), kind: ChangeKind::Deleted });
                x = take(&mut a, &mut old_path);
            }
            Greater => {
                changes.push(Change { path: text(&new_path), kind: ChangeKind::Created });
                y = take(&mut b, &mut new_path);
            }
            Equal => {
                if !same(&old_path, x.expect("an old entry"), y.expect("a new entry"), &mut verify) {
                    changes.push(Change { path: text(&old_path), kind: ChangeKind::Changed });
                }
                (x, y) = (take(&mut a, &mut old_path), take(&mut b, &mut new_path));
            }
        }
    }
    changes
}

/// Whether the file at `path`, whose key was `was` in the snapshot (with its content hash, if
/// known) and is `now`, is unchanged; hands a hash that still holds to `verify.keep_hash`.
fn unchanged(
    path: &[u8],
    was: FileKey,
    now: Option<FileKey>,
    hash: Option<(u128, i64)>,
    settled: &dyn Fn(&FileKey) -> bool,
    verify: &mut Verify<'_>,
) -> bool {
    let path = || String::from_utf8_lossy(path);
    match (now, hash) {
        (None, _) => false,
        (Some(now), _) if now != was => false,
        (Some(_), Some((h, computed))) if settled(&was) => {
            (verify.keep_hash)(&path(), Cached { key: was, hash: h, computed_ns: computed });
            true
        }
        (Some(_), None) => settled(&was),
        (Some(now), Some((h, _))) => {
            // Racy: only the content can tell. Hashed again, it is trusted from now on.
            let started = now_ns();
            let same = (verify.hash_now)(&path()) == Some(h);
            if same {
                (verify.keep_hash)(&path(), Cached { key: now, hash: h, computed_ns: started });
            }
            same
        }
    }
}

/// Whether a file whose key was `key` in a snapshot taken at `written_ns` may be taken as
/// unchanged by its key alone: its times are older than the snapshot by two ticks (racy rule).
fn settled(written_ns: i64, key: &FileKey) -> bool {
    let settled = written_ns.saturating_sub(2 * RACY_TICK_NS);
    key.mtime_ns < settled && key.ctime_ns < settled
}

/// The hash recorded for entry `i`, if any; `hashes` is sorted by entry and consumed in order.
fn skip_to<'a>(
    hashes: &mut std::iter::Peekable<impl Iterator<Item = &'a (u32, u128, i64)>>,
    i: usize,
) -> Option<(u128, i64)> {
    while hashes.next_if(|(e, _, _)| (*e as usize) < i).is_some() {}
    hashes.next_if(|(e, _, _)| *e as usize == i).map(|&(_, h, c)| (h, c))
}

/// The key of every entry of `base` under `root`, on `threads` threads (`None` for a file gone
/// since the walk: its watch reports that). Split at restart points like `meta::fill`.
pub(crate) fn stat_keys(base: &Base, root: &Path, threads: usize) -> Vec<Option<FileKey>> {
    let n = base.len();
    let mut keys = vec![None; n];
    let per = n.div_ceil(RESTART).div_ceil(threads.max(1)).max(1) * RESTART;
    std::thread::scope(|s| {
        for (c, part) in keys.chunks_mut(per).enumerate() {
            s.spawn(move || {
                let (mut it, mut stat) = (base.keys.iter_from_chunk(c * per / RESTART), Stat::new(root));
                for slot in part.iter_mut() {
                    let (key, _) = it.next_ref().expect("one key per entry");
                    *slot = std::str::from_utf8(key).ok().and_then(|rel| stat.key(rel));
                }
            });
        }
    });
    keys
}

/// The key of `rel` itself (a link is described, not followed), as the hash cache keys files.
pub fn lstat_key(root: &Path, rel: &str) -> Option<FileKey> {
    key_at(&root.join(rel), false)
}

/// The key of the entry at `path`: of a link itself, or with `follow` of what it points to.
#[cfg(unix)]
pub(crate) fn key_at(path: &Path, follow: bool) -> Option<FileKey> {
    let md = if follow { std::fs::metadata(path) } else { std::fs::symlink_metadata(path) };
    md.ok().map(|md| FileKey::from_metadata(&md))
}

/// On Windows std's metadata has no change time and no file index, so the file is opened for
/// its attributes only (no data access, the link itself) and asked through its handle.
#[cfg(windows)]
pub(crate) fn key_at(path: &Path, follow: bool) -> Option<FileKey> {
    use std::os::windows::fs::OpenOptionsExt;
    use windows_sys::Win32::Storage::FileSystem::{FILE_FLAG_BACKUP_SEMANTICS, FILE_FLAG_OPEN_REPARSE_POINT};
    let file = std::fs::OpenOptions::new()
        .access_mode(0)
        .share_mode(7)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS | if follow { 0 } else { FILE_FLAG_OPEN_REPARSE_POINT })
        .open(path)
        .ok()?;
    crate::hashes::file_key(&file).ok()
}

/// Elsewhere only what std offers (see `hashes::file_key`).
#[cfg(not(any(unix, windows)))]
pub(crate) fn key_at(path: &Path, _follow: bool) -> Option<FileKey> {
    let file = std::fs::File::open(path).ok()?;
    crate::hashes::file_key(&file).ok()
}

/// Milliseconds from nanoseconds, rounded toward zero as `scan::file_meta` rounds.
pub(crate) fn ns_to_ms(ns: i64) -> i64 {
    ns / 1_000_000
}

#[cfg(test)]
#[path = "warm_tests.rs"]
mod tests;
