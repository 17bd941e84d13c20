//! A score bound from what one path offers the needle ([`Profile`]). The split bound
//! (`bounds.rs`) grants every character the slash's bonus and every neighbour a run, which almost
//! every path of a large tree reaches for a short needle, and which all the paths that tie at the
//! top score also reach, so it cannot tell them apart. Here each part of the path (its folders,
//! its file name) says, for each needle byte, the best bonus that byte earns there, and which
//! neighbouring pairs of the needle stand side by side there. No character may earn more than
//! that: a character whose pair is never side by side opens a gap (its bonus less the gap's
//! start), a run's bonus is the best of its own characters' (or the consecutive minimum) and its
//! growth is bounded by how far back the side-by-side pairs reach, and a run never crosses from
//! the folders into the file name (the `/` between them is not in the needle). For `dts` against
//! `index.d.ts` that is exactly the score. The folders' offer is the same for every file of a
//! folder, so fuzzy find keeps the last one ([`Folder`]): in sorted order a folder's files come
//! together, except where a subfolder's files fall between them. A part is read sixteen bytes at
//! a time in SSE2 registers on x86_64.

use super::{bonus_byte, BONUS_CONSECUTIVE, BONUS_FILENAME, FIRST_MULT, GAP_START, RUN_CAP, RUN_STEP, SCORE_MATCH};

/// Longest needle the profile bounds: its tables are one machine word wide, and combining the two
/// parts costs the square of the length. Longer needles are rare and keep the split bound.
const MAX_NEEDLE: usize = 16;
/// The best bonus of a needle byte that does not occur in the part.
const ABSENT: i8 = -1;

/// Per needle: its bytes, which distinct byte each byte value is (either case of a letter), and
/// the arithmetic of the bound.
pub(crate) struct Profile {
    needle: Vec<u8>,
    /// Byte value → 1 + the index of the distinct needle byte it matches, or 0.
    slot: [u8; 256],
    /// Per needle position, the index of its distinct byte.
    of: [u8; MAX_NEEDLE],
}

/// What one part of a path offers the needle: per needle position the best bonus its byte earns
/// there ([`ABSENT`] when it does not occur), and bit `i` of `adjacent` when needle bytes `i - 1`
/// and `i` stand side by side there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Offer {
    best: [i8; MAX_NEEDLE],
    adjacent: u32,
}

/// The folders' offer of the last path seen, for the next path in the same folder.
#[derive(Default)]
pub(crate) struct Folder {
    part: Vec<u8>,
    offer: Option<Offer>,
}

impl Profile {
    /// `None` for a needle the bound does not cover: longer than [`MAX_NEEDLE`], or holding `/`
    /// (a run may then cross into the file name).
    pub(crate) fn new(needle: &[u8]) -> Option<Self> {
        if needle.len() > MAX_NEEDLE || needle.contains(&b'/') {
            return None;
        }
        let (mut slot, mut of, mut distinct) = ([0u8; 256], [0u8; MAX_NEEDLE], 0u8);
        for (i, &b) in needle.iter().enumerate() {
            if slot[b as usize] == 0 {
                distinct += 1;
                // The needle is folded (lower case); a path's upper-case letter is the same byte.
                slot[b as usize] = distinct;
                slot[b.to_ascii_uppercase() as usize] = distinct;
            }
            of[i] = slot[b as usize] - 1;
        }
        Some(Profile { needle: needle.to_vec(), slot, of })
    }

    /// The offer of `path[from..to]`, one byte at a time (the byte before `from`, if any, decides
    /// the first one's bonus, as in `quick`).
    pub(crate) fn scan(&self, path: &[u8], from: usize, to: usize) -> Offer {
        let mut best = [ABSENT; MAX_NEEDLE];
        // pairs[a] bit b: distinct byte a right before distinct byte b somewhere.
        let mut pairs = [0u32; MAX_NEEDLE];
        let mut prev = from.checked_sub(1).map(|i| path[i]);
        let mut prev_slot = 0;
        for &b in &path[from..to] {
            let s = self.slot[b as usize];
            if s != 0 {
                let at = &mut best[s as usize - 1];
                *at = (*at).max(bonus_byte(prev, b) as i8);
                if prev_slot != 0 {
                    pairs[prev_slot as usize - 1] |= 1 << (s - 1);
                }
            }
            (prev, prev_slot) = (Some(b), s);
        }
        let mut offer = Offer { best: [ABSENT; MAX_NEEDLE], adjacent: 0 };
        for (i, &s) in self.of[..self.needle.len()].iter().enumerate() {
            offer.best[i] = best[s as usize];
            if i > 0 && pairs[self.of[i - 1] as usize] & 1 << s != 0 {
                offer.adjacent |= 1 << i;
            }
        }
        offer
    }

    /// The offer of `path[from..to]`: in SSE2 registers on x86_64 when the path is at least 16
    /// bytes long, one byte at a time otherwise.
    #[inline]
    pub(crate) fn offer(&self, path: &[u8], from: usize, to: usize) -> Offer {
        #[cfg(target_arch = "x86_64")]
        if path.len() >= 16 {
            return self.offer_sse2(path, from, to);
        }
        self.scan(path, from, to)
    }

    /// The offer of the folders of `path` (up to `name_start`), from `folder` when the path
    /// before was in the same folder: the files of a folder come one after another.
    #[inline]
    pub(crate) fn folder(&self, path: &[u8], name_start: usize, folder: &mut Folder) -> Offer {
        let part = &path[..name_start];
        match folder.offer {
            Some(offer) if folder.part == part => offer,
            _ => {
                let offer = self.offer(path, 0, name_start);
                folder.part.clear();
                folder.part.extend_from_slice(part);
                folder.offer = Some(offer);
                offer
            }
        }
    }

    /// An upper bound of the match score (not yet ranked) of every alignment of the needle in a
    /// path whose parts offer `dir` and `name`, where the needle's first `g` bytes cannot lie in
    /// the file name (`bounds::fit_suffix`). Without `dir`, of the alignments wholly in the file
    /// name. `None` when no alignment is left. Each split (the first `h` characters in the
    /// folders, the rest in the name) is bounded on its own, and the best split is the bound.
    #[inline]
    pub(crate) fn bound(&self, dir: Option<&Offer>, name: &Offer, g: usize) -> Option<i32> {
        let m = self.needle.len();
        let mut best = part_sum(name, 0, m, BONUS_FILENAME).filter(|_| g == 0);
        let Some(dir) = dir else { return best };
        // The folders' part of each split grows by one character's bound at a time.
        let mut before = 0;
        let mut run = Run::default();
        for h in 1..=m {
            let Some(earn) = run.earn(dir, h - 1, 0, 0) else { break };
            before += earn;
            if h >= g {
                let after = if h == m { Some(0) } else { part_sum(name, h, m, BONUS_FILENAME) };
                best = best.max(after.map(|a| before + a));
            }
        }
        best
    }
}

#[cfg(target_arch = "x86_64")]
impl Profile {
    /// [`Profile::scan`] sixteen bytes at a time, for a path of at least 16 bytes: per block, the
    /// bonus each position earns (from the byte before it) as three masks, then per needle byte
    /// one compare for where it occurs, and one with the block a byte earlier for where it follows
    /// the needle byte before it. A block that would run past the path ends at its end instead;
    /// blocks may overlap, which the maxima and unions do not mind.
    fn offer_sse2(&self, path: &[u8], from: usize, to: usize) -> Offer {
        use std::arch::x86_64::*;
        debug_assert!(path.len() >= 16 && from <= to && to <= path.len());
        let mut offer = Offer { best: [ABSENT; MAX_NEEDLE], adjacent: 0 };
        let mut at = from;
        while at < to {
            let base = at.min(path.len() - 16);
            // Positions of the block in `at..to`, as bits.
            let part = (0xffff_u32 << (at - base)) & (0xffff_u32 >> (16 - (to - base).min(16)));
            // SAFETY: SSE2 is part of every x86_64 target; `base + 16 <= path.len()`, and the
            // load a byte earlier happens only when `base >= 1` (unaligned loads are allowed).
            unsafe {
                let cur = _mm_loadu_si128(path.as_ptr().add(base).cast());
                // The byte before each position; the path's first byte has none and earns the
                // slash's bonus (set below).
                let prev = match base {
                    0 => _mm_slli_si128(cur, 1),
                    _ => _mm_loadu_si128(path.as_ptr().add(base - 1).cast()),
                };
                let is = |v: __m128i, b: u8| _mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8));
                let within = |v: __m128i, lo: u8, hi: u8| {
                    let off = _mm_sub_epi8(v, _mm_set1_epi8(lo as i8));
                    _mm_cmpeq_epi8(_mm_min_epu8(off, _mm_set1_epi8((hi - lo) as i8)), off)
                };
                let bits = |v: __m128i| _mm_movemask_epi8(v) as u32 & part;
                let slash = bits(_mm_or_si128(is(prev, b'/'), is(prev, b'\\'))) | u32::from(base == 0) & part;
                let word = _mm_or_si128(
                    _mm_or_si128(is(prev, b'_'), is(prev, b'-')),
                    _mm_or_si128(is(prev, b'.'), is(prev, b' ')),
                );
                let boundary = bits(word) & !slash;
                let prev_lower = within(prev, b'a', b'z');
                let prev_alpha = _mm_or_si128(prev_lower, within(prev, b'A', b'Z'));
                let camel = _mm_or_si128(
                    _mm_and_si128(prev_lower, within(cur, b'A', b'Z')),
                    _mm_and_si128(prev_alpha, within(cur, b'0', b'9')),
                );
                let camel = bits(camel) & !slash & !boundary;
                // A pair side by side must have its first byte in `from..` too.
                let pair_part = part & u32::MAX << (from + 1).saturating_sub(base);
                let mut before = _mm_setzero_si128();
                for (i, &want) in self.needle.iter().enumerate() {
                    let fold = _mm_set1_epi8(super::fold_mask(want) as i8);
                    let here = is(_mm_or_si128(cur, fold), want);
                    let hits = bits(here);
                    let bonus = match hits {
                        0 => ABSENT,
                        _ if hits & slash != 0 => super::BONUS_SLASH as i8,
                        _ if hits & boundary != 0 => super::BONUS_BOUNDARY as i8,
                        _ if hits & camel != 0 => super::BONUS_CAMEL as i8,
                        _ => 0,
                    };
                    offer.best[i] = offer.best[i].max(bonus);
                    if i > 0 && bits(_mm_and_si128(before, here)) & pair_part != 0 {
                        offer.adjacent |= 1 << i;
                    }
                    // Where the next needle byte would follow this one: this byte one earlier.
                    before = is(_mm_or_si128(prev, fold), want);
                }
            }
            at = base + 16;
        }
        offer
    }
}

/// The bound of what needle characters `from..to` earn in a part offering `offer`, the
/// characters before `from` lying in another part (so no run reaches back past `from`); `None`
/// when one of their bytes does not occur in the part.
#[inline]
fn part_sum(offer: &Offer, from: usize, to: usize, fname: i32) -> Option<i32> {
    let mut run = Run::default();
    (from..to).try_fold(0, |sum, i| Some(sum + run.earn(offer, i, from, fname)?))
}

/// The run that may hold the next character: where it starts at the earliest, and the best bonus
/// of its characters so far.
#[derive(Default)]
struct Run {
    start: usize,
    bonus: i32,
}

impl Run {
    /// The bound of what needle character `i` earns in a part offering `offer` (its match
    /// score, `fname`, and its bonus: the first character's counted `FIRST_MULT` times, a gap's
    /// less the gap's start, a run's growing with the run), when the part's characters start at
    /// `from`; the characters are given in order.
    #[inline(always)]
    fn earn(&mut self, offer: &Offer, i: usize, from: usize, fname: i32) -> Option<i32> {
        let own = i32::from(offer.best[i]);
        if own == i32::from(ABSENT) {
            return None;
        }
        let joined = i > from && offer.adjacent & 1 << i != 0;
        let earn = if i == 0 {
            own * FIRST_MULT
        } else if joined {
            self.bonus = self.bonus.max(own);
            // The run before `i` is at most `i - start` long; a gap is always possible too.
            let growth = RUN_STEP * ((i - self.start - 1) as i32).min(i32::from(RUN_CAP));
            (self.bonus.max(BONUS_CONSECUTIVE) + growth).max(own + GAP_START)
        } else {
            own + GAP_START
        };
        if !joined {
            (self.start, self.bonus) = (i, own);
        }
        Some(SCORE_MATCH + fname + earn)
    }
}

#[cfg(test)]
#[path = "profile_tests.rs"]
mod tests;
