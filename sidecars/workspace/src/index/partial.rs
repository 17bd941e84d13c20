//! What the first scan has found so far, so `workspace/findFiles` can answer before the index is
//! ready. Each walker thread copies the paths it found into an immutable [`Block`] now and then
//! (every [`BLOCK_FILES`] files, or once the oldest unpublished one waited [`BLOCK_DELAY`]) and
//! appends it to the shared [`Found`] list; a reader clones the list of `Arc`s under a short lock
//! and scores the blocks without holding it, so readers never slow the walk down beyond that copy.
//! The scoring is the finder's own code (`fuzzy`'s folded needle, [`Shortlist`] of the same size
//! with ties by path, and its exact re-scoring), so a partial answer is exactly what
//! [`Snapshot::fuzzy`](super::Snapshot::fuzzy) would answer on an index holding just the files
//! found so far. Once the index is ready the list is closed and its memory given back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::fuzzy;
use super::hold::Hold;
use super::shortlist::{self, Shortlist};
use super::types::{FileMeta, FuzzyMatch};

/// A walker thread publishes at least every this many files...
const BLOCK_FILES: usize = 2048;
/// ...and sooner once its oldest unpublished file waited this long, so a slow tree (a network
/// folder, a cold disk) still shows its first files at once.
const BLOCK_DELAY: Duration = Duration::from_millis(20);

/// Paths found by one walker thread in one stretch, back to back.
pub(crate) struct Block {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl Block {
    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.bytes[a as usize..b as usize])
    }
}

#[derive(Default)]
struct State {
    blocks: Vec<Arc<Block>>,
    files: u64,
    closed: bool,
}

/// The shared, append-only list of published blocks of the first scan.
#[derive(Default)]
pub(crate) struct Found {
    state: Mutex<State>,
    /// Files published, readable without the lock (the hold checks it after every publish).
    files: AtomicU64,
    /// The test seam of `hold`, if set.
    hold: OnceLock<Hold>,
}

impl Found {
    /// Appends `block` unless the list is closed.
    fn publish(&self, block: Block) {
        let n = block.ends.len() as u64;
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.closed {
                return;
            }
            state.files += n;
            state.blocks.push(Arc::new(block));
        }
        let total = self.files.fetch_add(n, Ordering::Relaxed) + n;
        if let Some(hold) = self.hold.get() {
            hold.wait(total);
        }
    }

    /// Ends the list once the index is ready: later publishes are dropped, readers get `None`.
    pub(crate) fn close(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.closed = true;
        state.blocks = Vec::new();
    }

    /// The files found so far, or `None` once the list is closed (the index is ready then).
    pub(crate) fn so_far(&self) -> Option<SoFar> {
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        (!state.closed).then(|| SoFar { blocks: state.blocks.clone(), files: state.files })
    }

    /// Holds the walk as `hold` says (see `hold`). Only the first call counts.
    pub(crate) fn hold(&self, hold: Hold) {
        let _ = self.hold.set(hold);
    }

    /// Where a first scan that publishes nothing (a warm start's quick catch-up, which starts
    /// from `files` known files) lets the test seam hold it, as a walk is held after a publish.
    pub(crate) fn hold_point(&self, files: u64) {
        if let Some(hold) = self.hold.get() {
            hold.wait(files);
        }
    }

    /// True when the test seam holds the first scan (see `hold`).
    pub(crate) fn is_held(&self) -> bool {
        self.hold.get().is_some()
    }

    /// Files per block: one while a hold is set, so the held walk stops at a known count.
    fn block_files(&self) -> usize {
        if self.hold.get().is_some() {
            1
        } else {
            BLOCK_FILES
        }
    }
}

/// One walker thread's side of [`Found`]: which of its arena's entries are not published yet.
pub(crate) struct Publisher<'a> {
    found: &'a Found,
    from: usize,
    oldest: Option<Instant>,
    block_files: usize,
}

impl<'a> Publisher<'a> {
    pub(crate) fn new(found: &'a Found) -> Self {
        Publisher { found, from: 0, oldest: None, block_files: found.block_files() }
    }

    /// Called after each file the walker thread appends to its arena (`bytes`, with `entries` as
    /// `(start, len, meta)` in append order); publishes the new ones when a block is due, or
    /// whatever is pending when `all` (the thread is done).
    pub(crate) fn offer(&mut self, bytes: &[u8], entries: &[(u32, u32, FileMeta)], all: bool) {
        let pending = entries.len() - self.from;
        if pending == 0 {
            return;
        }
        let oldest = *self.oldest.get_or_insert_with(Instant::now);
        if !all && pending < self.block_files && oldest.elapsed() < BLOCK_DELAY {
            return;
        }
        // The arena only grows, so the new entries' bytes are one contiguous tail of it.
        let start = entries[self.from].0;
        let block = Block {
            bytes: bytes[start as usize..].to_vec(),
            ends: entries[self.from..].iter().map(|&(s, len, _)| s + len - start).collect(),
        };
        self.from = entries.len();
        self.oldest = None;
        self.found.publish(block);
    }
}

/// A reader's copy of the list: the blocks published so far.
pub struct SoFar {
    blocks: Vec<Arc<Block>>,
    files: u64,
}

impl SoFar {
    /// How many files the scan had found.
    pub fn files(&self) -> u64 {
        self.files
    }

    /// [`Snapshot::fuzzy`](super::Snapshot::fuzzy) over the files found so far: best first, ties
    /// by path, and the same answer an index of exactly these files would give. Returns what it
    /// has when `cancelled()` turns true (the caller checks it again and answers `CANCELLED`).
    pub fn fuzzy(&self, query: &str, limit: usize, cancelled: &dyn Fn() -> bool) -> Vec<FuzzyMatch> {
        let query = fuzzy::fold_query(query);
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let needle = query.iter().collect::<String>().into_bytes();
        let cap = shortlist::shortlist_cap(limit);
        let mut list = Shortlist::new(cap);
        let mut folded = Vec::new();
        for block in &self.blocks {
            if cancelled() {
                break;
            }
            for key in block.iter() {
                if let Some(score) = fuzzy::quick(key, key.is_ascii(), &needle, &mut folded) {
                    list.offer(score, key);
                }
            }
        }
        shortlist::finish(std::iter::once(list), cap, &query, limit)
    }
}

#[cfg(test)]
#[path = "partial_tests.rs"]
mod tests;
