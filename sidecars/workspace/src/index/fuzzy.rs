//! Fuzzy file find over a snapshot. The query is folded (Unicode lower case, accents dropped, `\`
//! read as `/`, whitespace and combining marks left out). The base's front-coded keys are searched
//! with the subsequence automaton in chunks of ~1k keys that all cores take turns on (a sample of
//! the whole tree first, see `spread`); keys with non-ASCII bytes are folded and checked again,
//! so the ASCII hot path never folds. Every survivor gets the O(n) `quick` score and the best few
//! are kept, except a survivor whose score bound (`score::Bounds`: how many query characters fit in
//! the file name, and what the path offers each of them) is already below the
//! shortlist's bar: its worker's own, or the floor all workers share (`shortlist::Floor`). Once
//! the bar is above what any alignment reaching into the folders can score, only the file name
//! is scored (`score::quick_in_name`: the same score, on a few bytes instead of the path). The
//! merged shortlist is re-scored with the exact DP, which also yields the highlight positions,
//! and sorted best first (ties by path). Typing is
//! incremental, as in fzf: the index's [`Finder`] remembers, per chunk, which keys survived the
//! last few queries on the current snapshot, and a query whose folded needle contains an earlier
//! one as a subsequence (the next keystroke, usually) visits only those keys. A key that fails the
//! shorter needle fails the longer one, so the answer is exactly a fresh search's. The earlier
//! query's best paths, scored again, also start the shared floor. A change to the index publishes a
//! new snapshot, which starts afresh. The calling thread works too and is the only one that polls
//! `cancelled` (it need not be `Sync`); it raises a flag the helpers check.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use super::automaton::Subsequence;
use super::score::{self, Verdict, MAX_QUERY};
use super::shortlist::{self, shortlist_cap, Floor, Shortlist};
use super::snapshot::Snapshot;
use super::types::{cores, FuzzyMatch};

/// How many queries' survivors a snapshot keeps (more than one, so two people typing in turn,
/// or a backspace, still find theirs).
const CACHE_ENTRIES: usize = 4;
/// A chunk whose survivors are more than this many keys is not kept: searching it whole again
/// costs about the same as walking them, and it would hold memory for nothing.
const DENSE: usize = 128;
/// At most this many key bytes are kept per query.
const CACHE_BYTES: usize = 32 << 20;

/// The keys of one base chunk that survived a query, back to back.
#[derive(Default)]
struct Hits {
    bytes: Vec<u8>,
    ends: Vec<u32>,
}

impl Hits {
    fn push(&mut self, key: &[u8]) {
        self.bytes.extend_from_slice(key);
        self.ends.push(self.bytes.len() as u32);
    }

    fn iter(&self) -> impl Iterator<Item = &[u8]> {
        let starts = std::iter::once(0).chain(self.ends.iter().copied());
        starts.zip(&self.ends).map(|(a, &b)| &self.bytes[a as usize..b as usize])
    }
}

/// The survivors of one query on one snapshot.
struct Survivors {
    needle: Vec<u8>,
    /// Per base chunk: the keys that survived, or `None` when that chunk must be searched whole.
    chunks: Vec<Option<Hits>>,
    /// The query's best `cap` paths by the quick score: the pilot of a query that extends it.
    best: Vec<Box<str>>,
}

/// Remembers the survivors of the last few queries on one snapshot at a time, most recent first;
/// a query on another snapshot (a later generation) starts afresh. Each index owns one (see
/// `Index::fuzzy`); it is apart from [`Snapshot`] so a read view carries no finder state. Until
/// that next query it keeps the survivors of a snapshot already replaced, at most
/// [`CACHE_ENTRIES`] × [`CACHE_BYTES`], usually far less.
#[derive(Default)]
pub struct Finder(Mutex<Memo>);

#[derive(Default)]
struct Memo {
    /// The snapshot the survivors are from (weak: the cache never keeps a snapshot alive).
    of: Weak<Snapshot>,
    list: Vec<Arc<Survivors>>,
}

impl Finder {
    /// [`Snapshot::fuzzy`] on `snap`, starting from the survivors of an earlier query on it whose
    /// needle the new one extends (see the module comment): the same answer, sooner.
    pub fn find(
        &self,
        snap: &Arc<Snapshot>,
        query: &str,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
    ) -> Vec<FuzzyMatch> {
        snap.search(query, limit, cancelled, Some((self, snap)))
    }

    /// The remembered query on `snap` with the longest needle that is a subsequence of `needle`:
    /// every key that can match `needle` is among its survivors.
    fn lookup(&self, snap: &Arc<Snapshot>, needle: &[u8]) -> Option<Arc<Survivors>> {
        let memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if !Weak::ptr_eq(&memo.of, &Arc::downgrade(snap)) {
            return None;
        }
        memo.list.iter().filter(|s| is_subsequence(&s.needle, needle)).max_by_key(|s| s.needle.len()).cloned()
    }

    fn store(&self, snap: &Arc<Snapshot>, survivors: Survivors) {
        let mut memo = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let of = Arc::downgrade(snap);
        if !Weak::ptr_eq(&memo.of, &of) {
            *memo = Memo { of, list: Vec::new() };
        }
        memo.list.retain(|s| s.needle != survivors.needle);
        memo.list.insert(0, Arc::new(survivors));
        memo.list.truncate(CACHE_ENTRIES);
    }
}

fn is_subsequence(short: &[u8], long: &[u8]) -> bool {
    let mut rest = long.iter();
    short.iter().all(|b| rest.any(|c| c == b))
}

/// The query as the matcher compares it (see the module comment).
pub(super) fn fold_query(query: &str) -> Vec<char> {
    query
        .chars()
        .filter(|&c| !c.is_whitespace() && !score::is_combining(c))
        .map(|c| score::fold_char(if c == '\\' { '/' } else { c }))
        .take(MAX_QUERY)
        .collect()
}

impl Snapshot {
    /// Fuzzy subsequence find, best first (ties broken by path). Stops early and returns what it
    /// has when `cancelled()` turns true. Case and accents do not count (`resume` finds
    /// `Résumé.md`), `\` in the query is read as `/`, and whitespace is ignored (as in editors'
    /// quick open, "main rs" finds `main.rs`); a query without other characters matches nothing.
    /// A fresh search each time; [`Finder::find`] answers the same from earlier queries' survivors.
    pub fn fuzzy(&self, query: &str, limit: usize, cancelled: &dyn Fn() -> bool) -> Vec<FuzzyMatch> {
        self.search(query, limit, cancelled, None)
    }

    /// The search, narrowed by and remembered in `cache` (the finder and this snapshot's `Arc`).
    fn search(
        &self,
        query: &str,
        limit: usize,
        cancelled: &dyn Fn() -> bool,
        cache: Option<(&Finder, &Arc<Snapshot>)>,
    ) -> Vec<FuzzyMatch> {
        let query = fold_query(query);
        if query.is_empty() || limit == 0 {
            return Vec::new();
        }
        let needle = query.iter().collect::<String>().into_bytes();
        let cap = shortlist_cap(limit);
        let stop = AtomicBool::new(false);
        let from = cache.and_then(|(finder, snap)| finder.lookup(snap, &needle));
        let (shortlists, hits) = self.shortlist_base(&needle, from.as_deref(), cap, &stop, cancelled);
        let mut overlay = Shortlist::new(cap);
        let mut folded = Vec::new();
        for (path, meta) in self.overlay.iter() {
            if meta.is_some() {
                if let Some(s) = quick(path.as_bytes(), path.is_ascii(), &needle, &mut folded) {
                    overlay.offer(s, path.as_bytes());
                }
            }
        }
        // One global best-`cap`, so the answer depends on the survivors only, not on how the
        // chunks happened to be shared out between threads.
        let best = shortlist::best(shortlists.into_iter().chain([overlay]), cap);
        if let Some((finder, snap)) = cache.filter(|_| !stop.load(Ordering::Relaxed)) {
            let best = best.iter().map(|c| c.path.clone()).collect();
            finder.store(snap, Survivors { needle: needle.clone(), chunks: hits, best });
        }
        shortlist::rescore(best, &query, limit)
    }

    /// Runs the automaton over the base's keys (or over `from`'s survivors where it kept them) on
    /// all cores; one shortlist per worker, and this needle's survivors per chunk.
    fn shortlist_base(
        &self,
        needle: &[u8],
        from: Option<&Survivors>,
        cap: usize,
        stop: &AtomicBool,
        cancelled: &dyn Fn() -> bool,
    ) -> (Vec<Shortlist>, Vec<Option<Hits>>) {
        let keys = &self.base.keys;
        let chunks = keys.chunks();
        let next = AtomicUsize::new(0);
        let order = spread(chunks);
        let budget = AtomicUsize::new(CACHE_BYTES);
        let helpers = cores().min(chunks.max(1)) - 1;
        let bounds = score::Bounds::new(needle);
        let mut folded = Vec::new();
        let pilot = from.into_iter().flat_map(|f| &f.best).filter_map(|path| {
            let score = quick(path.as_bytes(), path.is_ascii(), needle, &mut folded)?;
            Some((path.clone(), score))
        });
        let floor = Floor::new(cap, pilot);
        let work = |poll: &dyn Fn() -> bool| {
            let mut list = Shortlist::new(cap);
            let aut = Subsequence::new(needle);
            let (mut scratch, mut folded, mut kept) = ((Vec::new(), Vec::new()), Vec::new(), Vec::new());
            let mut judging = score::BoundsScratch::default();
            let no_limit = Cell::new(usize::MAX);
            loop {
                // Chunks are ~1k keys, so checking between them keeps cancellation prompt.
                if poll() {
                    stop.store(true, Ordering::Relaxed);
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= chunks || stop.load(Ordering::Relaxed) {
                    break;
                }
                let c = order[i];
                let mut hits = Hits::default();
                let mut dense = false;
                let mut take = |key: &[u8], ascii: bool| {
                    // An ASCII key from the automaton arrives matched; one replayed from an
                    // earlier query's survivors matched only that shorter needle, and is kept as a
                    // survivor unscored when its bound is below the bar (the next query's `quick`
                    // drops it if it does not match: the kept set may be wider, never narrower).
                    let bar = list.bar().max(floor.get());
                    let verdict = if ascii { bounds.judge(key, needle, bar, &mut judging) } else { Verdict::Path };
                    let scored = match verdict {
                        Verdict::Below => None,
                        Verdict::Name(start) => score::quick_in_name(key, start, needle),
                        Verdict::Path => quick(key, ascii, needle, &mut folded),
                    };
                    if let Some(s) = scored.filter(|&s| s >= bar) {
                        list.offer(s, key);
                        floor.offer(s, key);
                    }
                    // A key its bound put below the bar is kept unscored: only `quick` of the whole
                    // path could tell whether it matches. (A key judged by its name always
                    // matches there: that verdict means the needle fits in the name.)
                    let survived = scored.is_some() || verdict != Verdict::Path;
                    if survived && !dense {
                        hits.push(key);
                        dense = hits.ends.len() > DENSE;
                    }
                };
                match from.and_then(|f| f.chunks[c].as_ref()) {
                    Some(earlier) => earlier.iter().for_each(|key| take(key, key.is_ascii())),
                    None => keys.search(&aut, c, &mut scratch, &no_limit, &mut |key, _, ascii| {
                        if !self.shadowed(key) {
                            take(key, ascii)
                        }
                    }),
                }
                let size = hits.bytes.len() + 4 * hits.ends.len();
                let keep = !dense
                    && budget.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |b| b.checked_sub(size)).is_ok();
                kept.push((c, keep.then_some(hits)));
            }
            (list, kept)
        };
        let done = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..helpers).map(|_| scope.spawn(|| work(&|| false))).collect();
            let mut done = vec![work(&|| cancelled())];
            // A helper that panicked would leave its chunks out of the answer unnoticed; its panic
            // goes on in this thread instead, which the dispatcher turns into an error reply.
            done.extend(handles.into_iter().map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))));
            done
        });
        let mut hits: Vec<Option<Hits>> = (0..chunks).map(|_| None).collect();
        let lists = done
            .into_iter()
            .map(|(list, kept)| {
                kept.into_iter().for_each(|(c, h)| hits[c] = h);
                list
            })
            .collect();
        (lists, hits)
    }

    /// True when the overlay overrides `key` (changed or removed), so the base copy must not count.
    #[inline]
    fn shadowed(&self, key: &[u8]) -> bool {
        !self.overlay.is_empty() && std::str::from_utf8(key).is_ok_and(|k| self.overlay.contains_key(k))
    }
}

/// The order to visit `n` chunks in: one from each sixteenth of the keys, then the next one of
/// each, and so on. Sorted keys cluster (a package of `utils` files comes together), so in path
/// order the shortlist fills with whatever the first packages hold and its bar rises slowly;
/// a sample of the whole tree first raises it sooner, and fewer survivors need the quick score
/// (at 117k files the slowest of the bench's fresh queries took about 11% less).
fn spread(n: usize) -> Vec<usize> {
    const WAYS: usize = 16;
    let per = n.div_ceil(WAYS);
    (0..per).flat_map(|lap| (0..WAYS).map(move |way| way * per + lap)).filter(|&c| c < n).collect()
}

/// [`score::quick`] of a key, folded first when it holds non-ASCII bytes (into `folded`).
#[inline]
pub(super) fn quick(key: &[u8], ascii: bool, needle: &[u8], folded: &mut Vec<u8>) -> Option<i64> {
    if ascii {
        return score::quick(key, needle);
    }
    folded.clear();
    score::fold_into(std::str::from_utf8(key).expect("index keys are UTF-8"), folded);
    score::quick(folded, needle)
}

#[cfg(test)]
#[path = "fuzzy_tests.rs"]
mod tests;
