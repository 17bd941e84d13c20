//! The automaton behind fuzzy find: accepts every key that contains the query as a
//! case-insensitive subsequence. ASCII letters are folded to lower case; every other byte must
//! match exactly, so a non-ASCII query character is matched byte for byte (the scorer then
//! re-checks whole characters). It implements `fst::Automaton`, so it runs on the FST with
//! `Map::search`; fuzzy find runs the same rule through `find` over the front-coded keys
//! instead, which is several times faster (see `frontcode`).

use fst::Automaton;

/// Case-insensitive subsequence automaton over bytes; the state is how many query bytes matched.
pub(crate) struct Subsequence<'a> {
    needle: &'a [u8],
}

impl<'a> Subsequence<'a> {
    /// `needle` must already be ASCII-lowercased (see [`fold`]).
    pub(crate) fn new(needle: &'a [u8]) -> Self {
        Subsequence { needle }
    }
}

impl Subsequence<'_> {
    /// Where in `hay` the needle byte after `state` matched bytes occurs first, if anywhere;
    /// `None` also when the whole needle already matched. Same rule as [`Automaton::accept`].
    #[inline]
    pub(crate) fn find(&self, state: usize, hay: &[u8]) -> Option<usize> {
        find_folded(*self.needle.get(state)?, hay)
    }
}

/// First `b` in `hay` with `fold(b) == want` (`want` already folded), using SIMD `memchr`.
#[inline]
pub(crate) fn find_folded(want: u8, hay: &[u8]) -> Option<usize> {
    // Setting bit 0x20 folds exactly the two cases of a letter together, nothing else.
    let mask = if want.is_ascii_lowercase() { 0x20 } else { 0 };
    if hay.len() < SHORT {
        return hay.iter().position(|&b| b | mask == want);
    }
    match mask {
        0x20 => memchr::memchr2(want, want.to_ascii_uppercase(), hay),
        _ => memchr::memchr(want, hay),
    }
}

/// Below this length a plain loop beats the setup cost of a SIMD search.
const SHORT: usize = 16;

/// Last `b` in `hay` with `fold(b) == want` (`want` already folded).
#[inline]
pub(crate) fn rfind_folded(want: u8, hay: &[u8]) -> Option<usize> {
    if hay.len() < SHORT {
        let mask = if want.is_ascii_lowercase() { 0x20 } else { 0 };
        return hay.iter().rposition(|&b| b | mask == want);
    }
    match want.is_ascii_lowercase() {
        true => memchr::memrchr2(want, want.to_ascii_uppercase(), hay),
        false => memchr::memrchr(want, hay),
    }
}

/// ASCII case folding used on both sides of a comparison.
#[inline]
pub(crate) fn fold(b: u8) -> u8 {
    b.to_ascii_lowercase()
}

impl Automaton for Subsequence<'_> {
    type State = usize;

    fn start(&self) -> usize {
        0
    }

    fn is_match(&self, state: &usize) -> bool {
        *state == self.needle.len()
    }

    fn can_match(&self, _: &usize) -> bool {
        // A later byte can always still complete a subsequence.
        true
    }

    fn will_always_match(&self, state: &usize) -> bool {
        *state == self.needle.len()
    }

    #[inline]
    fn accept(&self, state: &usize, byte: u8) -> usize {
        match self.needle.get(*state) {
            Some(&want) if fold(byte) == want => state + 1,
            _ => *state,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use fst::{IntoStreamer, Set, Streamer};

    #[test]
    fn matches_case_insensitive_subsequences_only() {
        let set = Set::from_iter(["Cargo.toml", "docs/README.md", "src/Main.rs", "zzz"]).unwrap();
        let needle: Vec<u8> = "mrs".bytes().map(fold).collect();
        let mut stream = set.search(Subsequence::new(&needle)).into_stream();
        let mut got = Vec::new();
        while let Some(k) = stream.next() {
            got.push(String::from_utf8(k.to_vec()).unwrap());
        }
        assert_eq!(got, ["src/Main.rs"]);
    }

    #[test]
    fn non_ascii_bytes_compare_exactly() {
        let set = Set::from_iter(["cafe.txt", "caf\u{e9}.txt"]).unwrap();
        let needle: Vec<u8> = "\u{e9}".bytes().map(fold).collect();
        let mut stream = set.search(Subsequence::new(&needle)).into_stream();
        assert_eq!(stream.next(), Some("caf\u{e9}.txt".as_bytes()));
        assert_eq!(stream.next(), None);
    }
}
