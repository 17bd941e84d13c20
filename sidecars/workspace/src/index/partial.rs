//! What the first scan has found so far, so `workspace/findFiles` can answer before the index is
//! ready. Each walker thread keeps the paths it finds in [`Block`]s, which it closes now and
//! then (every [`BLOCK_FILES`] files, or once the oldest unpublished one waited [`BLOCK_DELAY`])
//! and appends, shared, to the [`Found`] list: the walk and the list hold one copy of each path,
//! not two (at a million files that copy was 68 MB of the walk's peak). A reader clones the list of `Arc`s under a short lock
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
use super::types::FuzzyMatch;

/// A walker thread publishes at least every this many files...
const BLOCK_FILES: usize = 2048;
/// ...and sooner once its oldest unpublished file waited this long, so a slow tree (a network
/// folder, a cold disk) still shows its first files at once.
const BLOCK_DELAY: Duration = Duration::from_millis(20);

/// Paths found by one walker thread in one stretch, back to back.
#[derive(Default)]
pub(crate) struct Block {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl Block {
    /// A block for the paths of about `bytes` bytes (none yet).
    pub(crate) fn with_capacity(bytes: usize) -> Block {
        Block { bytes: Vec::with_capacity(bytes), ends: Vec::new() }
    }

    /// Appends `path`.
    pub(crate) fn push(&mut self, path: &[u8]) {
        self.bytes.extend_from_slice(path);
        self.ends.push(self.bytes.len() as u32);
    }

    /// Number of paths.
    pub(crate) fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when it holds no path.
    pub(crate) fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Bytes of its paths together.
    pub(crate) fn bytes(&self) -> usize {
        self.bytes.len()
    }

    /// Gives back the room it was made with but did not use (a block closed early: a slow
    /// walk publishes every 20 ms, with a few paths each time).
    pub(crate) fn shrink(&mut self) {
        self.bytes.shrink_to_fit();
        self.ends.shrink_to_fit();
    }

    /// Bytes it takes on the heap.
    #[cfg(test)]
    pub(crate) fn heap_bytes(&self) -> usize {
        self.bytes.capacity() + self.ends.capacity() * 4
    }

    /// Path `i`.
    pub(crate) fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.bytes[start..self.ends[i] as usize]
    }

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
    /// Files the test seam's hold admitted for publishing (see `Hold::admit`).
    admitted: AtomicU64,
    /// The test seam of `hold`, if set.
    hold: OnceLock<Hold>,
}

impl Found {
    /// Appends `block` unless the list is closed. Under the test seam's hold a block is
    /// published once admitted (see `Hold::admit`), so the count stops at exactly the hold's,
    /// and the thread whose block reached it then waits to be released.
    fn publish(&self, block: Arc<Block>) {
        let n = block.ends.len() as u64;
        if let Some(hold) = self.hold.get() {
            hold.admit(&self.admitted, n);
        }
        {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            if state.closed {
                return;
            }
            state.files += n;
            state.blocks.push(block);
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

/// One walker thread's side of [`Found`]: when its open block is due to be published.
pub(crate) struct Publisher<'a> {
    found: &'a Found,
    /// When the oldest file of the open block was found.
    oldest: Option<Instant>,
    block_files: usize,
}

impl<'a> Publisher<'a> {
    pub(crate) fn new(found: &'a Found) -> Self {
        Publisher { found, oldest: None, block_files: found.block_files() }
    }

    /// Called after each file the walker thread adds to its open block (which then holds
    /// `pending` files): whether that block is due now.
    pub(crate) fn due(&mut self, pending: usize) -> bool {
        if pending == 0 {
            return false;
        }
        let oldest = *self.oldest.get_or_insert_with(Instant::now);
        pending >= self.block_files || oldest.elapsed() >= BLOCK_DELAY
    }

    /// Appends a block the walker thread closed (due, full, or its last).
    pub(crate) fn publish(&mut self, block: Arc<Block>) {
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
