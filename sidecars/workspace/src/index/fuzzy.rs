//! Fuzzy file find over a snapshot. The base's front-coded keys are searched with the
//! subsequence automaton in chunks of ~1k keys that all cores take turns on; every survivor gets
//! the O(n) `quick` score, only a bounded shortlist per thread keeps an owned path, and once a
//! shortlist is full, paths too long to beat it are skipped unmatched. The shortlists are then
//! re-scored with the exact DP, which also yields the highlight positions, and sorted best first
//! (ties by path). The calling thread works too and is the only one that polls `cancelled` (it
//! need not be `Sync`); it raises a flag the helpers check.

use std::cell::Cell;
use std::cmp::Ordering as CmpOrdering;
use std::collections::BinaryHeap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use super::automaton::Subsequence;
use super::score::{self, Scratch, MAX_QUERY};
use super::{FuzzyMatch, Snapshot};

/// A shortlisted path. Ordered so that the *worst* candidate is the greatest, which makes a
/// max-heap's top the one to evict.
#[derive(PartialEq, Eq)]
struct Candidate {
    score: i32,
    path: Box<str>,
}

impl Ord for Candidate {
    fn cmp(&self, other: &Self) -> CmpOrdering {
        other.score.cmp(&self.score).then_with(|| self.path.cmp(&other.path))
    }
}

impl PartialOrd for Candidate {
    fn partial_cmp(&self, other: &Self) -> Option<CmpOrdering> {
        Some(self.cmp(other))
    }
}

/// A bounded best-`cap` list that only allocates for paths that make it in.
struct Shortlist {
    cap: usize,
    heap: BinaryHeap<Candidate>,
}

impl Shortlist {
    fn new(cap: usize) -> Self {
        Shortlist { cap, heap: BinaryHeap::with_capacity(cap + 1) }
    }

    /// The score a new path must reach to enter, once the list is full.
    fn bar(&self) -> i32 {
        match self.heap.len() >= self.cap {
            true => self.heap.peek().map_or(i32::MIN, |w| w.score),
            false => i32::MIN,
        }
    }

    fn offer(&mut self, score: i32, path: &[u8]) {
        if self.heap.len() >= self.cap {
            let worst = self.heap.peek().expect("cap > 0");
            if score < worst.score || (score == worst.score && path >= worst.path.as_bytes()) {
                return;
            }
            self.heap.pop();
        }
        // Keys come from the FST or the overlay, which only ever hold `&str` paths.
        let path = std::str::from_utf8(path).expect("index keys are UTF-8");
        self.heap.push(Candidate { score, path: path.into() });
    }
}

impl Snapshot {
    /// Fuzzy subsequence find, best first (ties broken by path). Stops early and returns what it
    /// has when `cancelled()` turns true. Whitespace in the query is ignored (as in editors' quick
    /// open, "main rs" finds `main.rs`); a query without other characters matches nothing.
    pub fn fuzzy(&self, query: &str, limit: usize, cancelled: &dyn Fn() -> bool) -> Vec<FuzzyMatch> {
        let query: Vec<char> = query.chars().filter(|c| !c.is_whitespace()).take(MAX_QUERY).collect();
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let needle: Vec<u8> = query.iter().collect::<String>().bytes().map(super::automaton::fold).collect();
        let cap = limit.saturating_mul(4).max(128);
        let stop = AtomicBool::new(false);
        let mut shortlists = self.shortlist_base(&needle, cap, &stop, cancelled);
        let mut overlay = Shortlist::new(cap);
        for (path, meta) in self.overlay.iter() {
            if meta.is_some() {
                if let Some(s) = score::quick(path.as_bytes(), &needle) {
                    overlay.offer(s, path.as_bytes());
                }
            }
        }
        shortlists.push(overlay);
        let mut scratch = Scratch::default();
        let mut out: Vec<FuzzyMatch> = shortlists
            .into_iter()
            .flat_map(|s| s.heap.into_vec())
            .filter_map(|c| {
                let (score, positions) = score::exact(&c.path, &query, &mut scratch)?;
                Some(FuzzyMatch { path: c.path.into(), score: score as i64, positions })
            })
            .collect();
        out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.path.cmp(&b.path)));
        out.truncate(limit);
        out
    }

    /// Runs the automaton over the base's keys on all cores; one shortlist per worker.
    fn shortlist_base(
        &self,
        needle: &[u8],
        cap: usize,
        stop: &AtomicBool,
        cancelled: &dyn Fn() -> bool,
    ) -> Vec<Shortlist> {
        let keys = &self.base.keys;
        let chunks = keys.chunks();
        let next = AtomicUsize::new(0);
        let helpers = super::cores().min(chunks.max(1)) - 1;
        let work = |poll: &dyn Fn() -> bool| {
            let mut list = Shortlist::new(cap);
            let aut = Subsequence::new(needle);
            let mut scratch = (Vec::new(), Vec::new());
            let max_len = Cell::new(usize::MAX);
            loop {
                // Chunks are ~1k keys, so checking between them keeps cancellation prompt.
                if poll() {
                    stop.store(true, Ordering::Relaxed);
                }
                let c = next.fetch_add(1, Ordering::Relaxed);
                if c >= chunks || stop.load(Ordering::Relaxed) {
                    break;
                }
                keys.search(&aut, c, &mut scratch, &max_len, &mut |key, _| {
                    if !self.shadowed(key) {
                        if let Some(s) = score::quick(key, needle) {
                            list.offer(s, key);
                            // Longer paths can no longer beat the shortlist: skip them unmatched.
                            max_len.set(score::max_len_for(needle.len(), list.bar()));
                        }
                    }
                });
            }
            list
        };
        std::thread::scope(|scope| {
            let handles: Vec<_> = (0..helpers).map(|_| scope.spawn(|| work(&|| false))).collect();
            let mut lists = vec![work(&|| cancelled())];
            lists.extend(handles.into_iter().filter_map(|h| h.join().ok()));
            lists
        })
    }

    /// True when the overlay overrides `key` (changed or removed), so the base copy must not count.
    #[inline]
    fn shadowed(&self, key: &[u8]) -> bool {
        !self.overlay.is_empty() && std::str::from_utf8(key).is_ok_and(|k| self.overlay.contains_key(k))
    }
}
