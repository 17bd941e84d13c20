//! The shortlist of fuzzy find: the best `cap` paths by the quick score, kept per worker, and the
//! [`Floor`] they share, which every worker skips below. Then [`finish`] merges the lists and
//! re-scores them with the exact DP. `partial` ranks with the same pieces, so a partial answer
//! ranks exactly as the whole index does.

use std::cmp::{Ordering as CmpOrdering, Reverse};
use std::collections::{BinaryHeap, HashSet};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Mutex;

use super::score::{self, Scratch};
use super::types::FuzzyMatch;

/// A shortlisted path. Ordered so that the *worst* candidate is the greatest, which makes a
/// max-heap's top the one to evict.
#[derive(PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) score: i64,
    pub(crate) path: Box<str>,
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
pub(crate) struct Shortlist {
    cap: usize,
    heap: BinaryHeap<Candidate>,
}

impl Shortlist {
    pub(crate) fn new(cap: usize) -> Self {
        Shortlist { cap, heap: BinaryHeap::with_capacity(cap + 1) }
    }

    /// The score a path must reach to enter (and, at that very score, have a smaller path), once
    /// the list is full.
    pub(crate) fn bar(&self) -> i64 {
        match self.heap.len() >= self.cap {
            true => self.heap.peek().map_or(i64::MIN, |w| w.score),
            false => i64::MIN,
        }
    }

    pub(crate) fn offer(&mut self, score: i64, path: &[u8]) {
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

/// The score of the `cap`-th best of every path the workers of one search have scored: no path
/// below it can enter the global best `cap`, so each worker skips by it as well as by its own
/// list. A worker's own list holds only its share of the paths, and where the best few are
/// rare it would fill with weaker ones and never close as high as the search as a whole does
/// (`src/cor` at 1M files scored about 480k paths by its workers' own bars, 19k by the final
/// one). A search that extends an earlier query starts it from that query's best `cap` paths
/// scored again (the *pilot*), which are usually near the top of the new answer too. Each path
/// counts once: a pilot path that the scan meets again is not counted twice.
pub(crate) struct Floor {
    cap: usize,
    best: Mutex<BinaryHeap<Reverse<i64>>>,
    value: AtomicI64,
    pilot: HashSet<Box<str>>,
}

impl Floor {
    /// A floor for a shortlist of `cap`, started from `pilot`: distinct paths of this snapshot
    /// that match the needle, with their quick scores.
    pub(crate) fn new(cap: usize, pilot: impl IntoIterator<Item = (Box<str>, i64)>) -> Self {
        let mut floor = Floor { cap, best: Mutex::default(), value: AtomicI64::new(i64::MIN), pilot: HashSet::new() };
        for (path, score) in pilot {
            floor.count(score);
            floor.pilot.insert(path);
        }
        floor
    }

    /// The floor now (`i64::MIN` until `cap` paths were counted).
    #[inline]
    pub(crate) fn get(&self) -> i64 {
        self.value.load(Ordering::Relaxed)
    }

    /// Counts the scored `path` unless the pilot did. Only a score above the floor can raise it,
    /// and those grow rare as it rises, so the set and the lock are seldom reached.
    #[inline]
    pub(crate) fn offer(&self, score: i64, path: &[u8]) {
        if score <= self.get() {
            return;
        }
        if !self.pilot.is_empty() && std::str::from_utf8(path).is_ok_and(|p| self.pilot.contains(p)) {
            return;
        }
        self.count(score);
    }

    fn count(&self, score: i64) {
        let mut best = self.best.lock().unwrap_or_else(|e| e.into_inner());
        best.push(Reverse(score));
        if best.len() > self.cap {
            best.pop();
        }
        if best.len() == self.cap {
            self.value.store(best.peek().map_or(i64::MIN, |r| r.0), Ordering::Relaxed);
        }
    }
}

/// How many candidates the quick score keeps for the exact one, for an answer of `limit`.
pub(crate) fn shortlist_cap(limit: usize) -> usize {
    limit.saturating_mul(4).max(128)
}

/// The answer from shortlists: one global best-`cap` (so it depends on the survivors only, not
/// on how they were shared out between lists), re-scored with the exact DP, best first, ties by
/// path, at most `limit`.
pub(crate) fn finish(
    lists: impl Iterator<Item = Shortlist>,
    cap: usize,
    query: &[char],
    limit: usize,
) -> Vec<FuzzyMatch> {
    rescore(best(lists, cap), query, limit)
}

/// [`finish`] from the global best `cap` already taken.
pub(crate) fn rescore(best: Vec<Candidate>, query: &[char], limit: usize) -> Vec<FuzzyMatch> {
    let mut scratch = Scratch::default();
    let mut out: Vec<FuzzyMatch> = best
        .into_iter()
        .filter_map(|c| {
            let (score, positions) = score::exact(&c.path, query, &mut scratch)?;
            Some(FuzzyMatch { path: c.path.into(), score, positions })
        })
        .collect();
    out.sort_by(|a, b| b.score.cmp(&a.score).then_with(|| a.path.cmp(&b.path)));
    out.truncate(limit);
    out
}

/// The global best `cap` of `lists`, best first: what the exact score re-ranks.
pub(crate) fn best(lists: impl Iterator<Item = Shortlist>, cap: usize) -> Vec<Candidate> {
    let mut all: Vec<Candidate> = lists.flat_map(|s| s.heap.into_vec()).collect();
    all.sort_unstable();
    all.truncate(cap);
    all
}

/// [`best`] as (quick score, path) pairs, for tests that compare shortlists.
#[cfg(test)]
pub(crate) fn best_pairs(lists: impl Iterator<Item = Shortlist>, cap: usize) -> Vec<(i64, String)> {
    best(lists, cap).into_iter().map(|c| (c.score, c.path.into())).collect()
}
