//! A front-coded copy of the base's sorted keys, for scans that must visit every path. Each key
//! is stored as (length shared with the previous key, new suffix), with a full key every
//! `RESTART` entries so threads can start mid-list. Fuzzy find runs its subsequence automaton
//! over this list instead of `Map::search`: both visit each distinct prefix byte once, but the
//! FST decodes a node per byte (about 18 ns here: 42 ms for 117k paths) while this is a
//! sequential scan (about 1 ns per byte). The copy costs roughly 25 bytes per path. A warm
//! start answers without copying its keys: the snapshot's blocks hold them in this very coding,
//! one restart per block, so they are read where they lie in the snapshot's bytes
//! ([`FrontCoded::in_place`]) until the catch-up has its own ([`FrontCoded::owned`]).

use std::cell::Cell;
use std::ops::Deref;
use std::sync::Arc;

use fst::Automaton;

use super::automaton::Subsequence;

/// Keys between two restart points (where a key is stored whole).
pub(crate) const RESTART: usize = 1024;

/// Sorted keys, front-coded.
#[derive(Default)]
pub(crate) struct FrontCoded {
    bytes: Store,
    /// Byte offset of every restart point; restart `r` holds key number `r * RESTART`.
    restarts: Vec<usize>,
    /// Where each restart's keys end, when they do not run on to the next restart (keys read in
    /// place have other bytes between them); empty for keys built here.
    ends: Vec<usize>,
    len: usize,
    prev: Vec<u8>,
}

/// The bytes the keys are coded in: built here, or shared with the buffer they were read from.
enum Store {
    Own(Vec<u8>),
    Shared(Arc<dyn Deref<Target = [u8]> + Send + Sync>),
}

impl Default for Store {
    fn default() -> Store {
        Store::Own(Vec::new())
    }
}

impl Deref for Store {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            Store::Own(bytes) => bytes,
            Store::Shared(bytes) => bytes,
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut v: usize) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

#[inline]
fn get_varint(bytes: &[u8], at: &mut usize) -> usize {
    let mut v = 0usize;
    let mut shift = 0;
    loop {
        let b = bytes[*at];
        *at += 1;
        v |= ((b & 0x7f) as usize) << shift;
        if b < 0x80 {
            return v;
        }
        shift += 7;
    }
}

impl FrontCoded {
    /// Appends the next key (keys arrive in increasing order, as for the FST builder).
    pub(crate) fn push(&mut self, key: &[u8]) {
        let Store::Own(bytes) = &mut self.bytes else { panic!("keys read in place are never added to") };
        let shared = if self.len.is_multiple_of(RESTART) {
            self.restarts.push(bytes.len());
            0
        } else {
            self.prev.iter().zip(key).take_while(|(a, b)| a == b).count()
        };
        put_varint(bytes, shared);
        put_varint(bytes, key.len() - shared);
        bytes.extend_from_slice(&key[shared..]);
        self.prev.clear();
        self.prev.extend_from_slice(key);
        self.len += 1;
    }

    /// The keys of `blocks`, read where they lie in `bytes`: each block is `(start, end, count)`,
    /// `count` keys at `bytes[start..end]` front-coded as [`FrontCoded::push`] codes them, the
    /// first one whole, one restart's worth (the snapshot stores them so, see `persist::blocks`).
    /// The caller has checked that they are well formed and sort in order.
    pub(crate) fn in_place(
        bytes: Arc<dyn Deref<Target = [u8]> + Send + Sync>,
        blocks: &[(usize, usize, usize)],
    ) -> FrontCoded {
        assert!(blocks.iter().all(|&(start, end, _)| start <= end && end <= bytes.len()), "blocks lie in the bytes");
        let counts = blocks.iter().map(|&(_, _, count)| count);
        assert!(counts.clone().rev().skip(1).all(|count| count == RESTART), "only the last block is short");
        let len = counts.sum();
        let (restarts, ends) = blocks.iter().map(|&(start, end, _)| (start, end)).unzip();
        FrontCoded { bytes: Store::Shared(bytes), restarts, ends, len, prev: Vec::new() }
    }

    /// The same keys in memory of their own: keys read in place are copied (their blocks back
    /// to back), so a base made from them does not keep the buffer they lie in alive (at a
    /// million files, a whole mapped snapshot of 60 MB for 18 MB of keys); others are shared.
    pub(crate) fn owned(this: &Arc<FrontCoded>) -> Arc<FrontCoded> {
        if let Store::Own(_) = this.bytes {
            return this.clone();
        }
        let (mut bytes, mut restarts) = (Vec::new(), Vec::with_capacity(this.chunks()));
        bytes.reserve_exact((0..this.chunks()).map(|c| this.end(c) - this.restarts[c]).sum());
        for (c, &start) in this.restarts.iter().enumerate() {
            restarts.push(bytes.len());
            bytes.extend_from_slice(&this.bytes[start..this.end(c)]);
        }
        Arc::new(FrontCoded { bytes: Store::Own(bytes), restarts, ends: Vec::new(), len: this.len, prev: Vec::new() })
    }

    /// Where the keys of restart `chunk` end.
    fn end(&self, chunk: usize) -> usize {
        match self.ends.get(chunk) {
            Some(&end) => end,
            None => self.restarts.get(chunk + 1).map_or(self.bytes.len(), |&next| next),
        }
    }

    /// The last key pushed (before [`FrontCoded::finish`]).
    pub(crate) fn last(&self) -> Option<&[u8]> {
        (self.len > 0).then_some(&self.prev[..])
    }

    /// Drops growth slack once all keys are in.
    pub(crate) fn finish(&mut self) {
        if let Store::Own(bytes) = &mut self.bytes {
            bytes.shrink_to_fit();
        }
        self.restarts.shrink_to_fit();
        self.prev = Vec::new();
    }

    /// Number of keys.
    pub(crate) fn len(&self) -> usize {
        self.len
    }

    /// Number of independent chunks for [`FrontCoded::search`].
    pub(crate) fn chunks(&self) -> usize {
        self.restarts.len()
    }

    /// Calls `f(key, id)` for every key in order; about ten times faster than an FST stream.
    pub(crate) fn for_each(&self, f: &mut dyn FnMut(&[u8], u64)) {
        let mut it = self.iter();
        while let Some((key, id)) = it.next_ref() {
            f(key, id);
        }
    }

    /// The keys in order, with their ranks, as an iterator (for merging with another stream).
    pub(crate) fn iter(&self) -> Iter<'_> {
        self.iter_from_chunk(0)
    }

    /// The keys from restart point `chunk` on (the key ranked `chunk * RESTART` first), so
    /// threads can each walk their own share of the list without a copy of the keys before it.
    pub(crate) fn iter_from_chunk(&self, chunk: usize) -> Iter<'_> {
        let (at, end) = match self.restarts.get(chunk) {
            Some(&at) => (at, self.end(chunk)),
            None => (0, 0),
        };
        Iter { fc: self, bytes: &self.bytes, chunk, at, end, id: (chunk * RESTART) as u64, key: Vec::new() }
    }

    /// The rank of `key`, if present: a binary search over the restart points, then a scan of
    /// one block (at most `RESTART` keys). Used until the FST is built (see `store`).
    pub(crate) fn get(&self, key: &[u8]) -> Option<u64> {
        let mut found = None;
        self.for_each_from(key, &mut |k, id| {
            if k == key {
                found = Some(id);
            }
            false
        });
        found
    }

    /// Calls `f(key, id)` for every key `>= lo` in order until it returns false.
    pub(crate) fn for_each_from(&self, lo: &[u8], f: &mut dyn FnMut(&[u8], u64) -> bool) {
        // The last restart whose (whole) key is <= lo; keys before it are all smaller.
        let first_key = |r: usize| {
            let mut at = self.restarts[r];
            let _shared = get_varint(&self.bytes, &mut at);
            let n = get_varint(&self.bytes, &mut at);
            &self.bytes[at..at + n]
        };
        let (mut a, mut b) = (0, self.restarts.len());
        while a < b {
            let mid = (a + b) / 2;
            match first_key(mid) <= lo {
                true => a = mid + 1,
                false => b = mid,
            }
        }
        let block = a.saturating_sub(1);
        let mut it = self.iter_from_chunk(block);
        while let Some((key, id)) = it.next_ref() {
            if key >= lo && !f(key, id) {
                return;
            }
        }
    }

    /// Runs the subsequence automaton over the keys of `chunk` and calls `f(key, id, ascii)` for
    /// every match, where `id` is the key's rank (its FST value), and also for every key holding a
    /// non-ASCII byte (`ascii` false), whose bytes the automaton cannot judge: the caller folds it
    /// (case, accents) and checks again. Keys longer than `max_len` (which `f` may lower as results
    /// come in) are skipped without matching. Instead of one automaton state
    /// per byte it remembers at which depth each needle byte was consumed (`steps`), so a key
    /// that shares a prefix with the previous one resumes from the state at that prefix, and the
    /// rest is searched for the next needle byte without a per-byte dependency chain.
    pub(crate) fn search(
        &self,
        aut: &Subsequence<'_>,
        chunk: usize,
        scratch: &mut (Vec<usize>, Vec<u8>),
        max_len: &Cell<usize>,
        f: &mut dyn FnMut(&[u8], u64, bool),
    ) {
        let (steps, key) = scratch;
        let bytes: &[u8] = &self.bytes;
        let (start, end) = (self.restarts[chunk], self.end(chunk));
        let mut id = (chunk * RESTART) as u64;
        let mut at = start;
        key.clear();
        steps.clear();
        // `steps` describe the greedy match over key[..scanned]: steps[k] is the depth right
        // after needle byte k matched, and the next needle byte does not occur between the last
        // step and `scanned`. Both stay true for the part of a key shared with the next one.
        let mut scanned = 0;
        // Where the current key's first non-ASCII byte is, if it has one; a shared prefix keeps it.
        let mut wide = usize::MAX;
        while at < end {
            let shared = get_varint(bytes, &mut at);
            let n = get_varint(bytes, &mut at);
            key.truncate(shared);
            key.extend_from_slice(&bytes[at..at + n]);
            at += n;
            while steps.last().is_some_and(|&d| d > shared) {
                steps.pop();
            }
            scanned = scanned.min(shared);
            if wide >= shared {
                // `is_ascii` checks a word at a time; the byte loop runs only on the rare others.
                wide = match key[shared..].is_ascii() {
                    true => usize::MAX,
                    false => key[shared..].iter().position(|&b| b >= 0x80).map_or(usize::MAX, |i| shared + i),
                };
            }
            if key.len() <= max_len.get() {
                while let Some(i) = aut.find(steps.len(), &key[scanned..]) {
                    scanned += i + 1;
                    steps.push(scanned);
                }
                scanned = key.len();
                if wide != usize::MAX || aut.is_match(&steps.len()) {
                    f(key, id, wide == usize::MAX);
                }
            }
            id += 1;
        }
    }
}

/// An in-order walk over front-coded keys.
pub(crate) struct Iter<'a> {
    fc: &'a FrontCoded,
    bytes: &'a [u8],
    /// The restart being read, from `at` up to `end`.
    chunk: usize,
    at: usize,
    end: usize,
    id: u64,
    key: Vec<u8>,
}

impl Iter<'_> {
    /// The next key (valid until the next call) and its rank.
    pub(crate) fn next_ref(&mut self) -> Option<(&[u8], u64)> {
        while self.at >= self.end {
            // The next restart's first key is whole, so nothing of this one's carries over.
            self.chunk += 1;
            let &at = self.fc.restarts.get(self.chunk)?;
            (self.at, self.end) = (at, self.fc.end(self.chunk));
        }
        let bytes = self.bytes;
        let shared = get_varint(bytes, &mut self.at);
        let n = get_varint(bytes, &mut self.at);
        self.key.truncate(shared);
        self.key.extend_from_slice(&bytes[self.at..self.at + n]);
        self.at += n;
        self.id += 1;
        Some((&self.key, self.id - 1))
    }
}

#[cfg(test)]
#[path = "frontcode_tests.rs"]
mod tests;
