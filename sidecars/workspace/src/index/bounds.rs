//! Upper bounds of the fuzzy score ([`Bounds`]): the split bound here and the profile's
//! (`profile.rs`), so fuzzy find can skip the quick score of a path that cannot enter a full
//! shortlist. They must never be below what `quick` or `exact` give (the
//! skip would drop a real answer), which `score_tests` checks over many random paths and queries;
//! they are worth computing only while they cost less than the quick score they save.

use super::profile::{Folder, Profile};
use super::{bonus_byte, fold_mask, rank, run_score, BONUS_FILENAME, BONUS_SLASH, FIRST_MULT, GAP_START, SCORE_MATCH};

/// The most an alignment of a needle of `m` bytes can score when its first `h` characters lie
/// before the file name and the rest in it: every bonus the slash's, every character after the
/// first of its side continuing one run. With `gap` (the needle has no `/`, so the two sides cannot touch:
/// the `/` between them is not matched) the first character in the name opens a gap, which
/// earns at most `GAP_START + BONUS_SLASH` and restarts the run's growth.
fn split_score(m: usize, h: usize, gap: bool) -> i32 {
    let mut score = 0;
    for i in 0..m {
        let fname = if i >= h { BONUS_FILENAME } else { 0 };
        // Position of `i` in its run: one run for all, or a second run from `h`.
        let k = if gap && i >= h && h > 0 { i - h } else { i };
        score += SCORE_MATCH
            + fname
            + match (i, k) {
                (0, _) => BONUS_SLASH * FIRST_MULT,
                (_, 0) => GAP_START + BONUS_SLASH,
                _ => run_score(BONUS_SLASH, k as u16),
            };
    }
    score
}

/// What [`Bounds::judge`] found for one path and bar.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// No alignment can reach the bar: the path need not be scored.
    Below,
    /// Only alignments wholly inside the file name, which starts here, can reach the bar:
    /// `score::quick_in_name` scores the path.
    Name(usize),
    /// Any alignment may reach the bar: `score::quick` scores the path.
    Path,
}

/// Per-needle upper bounds of the match score by how many of the needle's characters cannot
/// lie in a path's file name: `at[g]` bounds every alignment with at least `g` characters before
/// it. Each such character misses the file name bonus and, unless the needle holds a `/`, the
/// two sides are split by a gap. More gaps only lower the score in this model (a gap earns less
/// than any run continuation and restarts the growth), so one split is the worst case. `at`
/// grants the first character the slash's bonus; the bound of a path lowers that, for alignments
/// wholly in the file name, to the best the needle's first byte has there.
pub(crate) struct Bounds {
    pub(super) at: Vec<i32>,
    /// The profile's bound, for needles it covers.
    profile: Option<Profile>,
}

impl Bounds {
    pub(crate) fn new(needle: &[u8]) -> Self {
        let (m, gap) = (needle.len(), !needle.contains(&b'/'));
        let mut at = vec![i32::MIN; m + 1];
        let mut best = i32::MIN;
        for h in (0..=m).rev() {
            best = best.max(split_score(m, h, gap));
            at[h] = best;
        }
        Bounds { at, profile: Profile::new(needle) }
    }

    /// The bound of `path` that [`Bounds::judge`] compares with the bar, for tests: the lower of
    /// the split bound and the profile's over every alignment (`judge` may be tighter: when the
    /// bar is above `at[1]` the profile bounds only the file name's alignments).
    #[cfg(test)]
    pub(crate) fn rank(&self, path: &[u8], needle: &[u8]) -> i64 {
        let name_start = memchr::memrchr(b'/', path).map_or(0, |i| i + 1);
        let fit = fit_suffix(path, name_start, needle);
        let split = self.bound(path, name_start, needle, i64::MAX, fit);
        let Some(profile) = &self.profile else { return split };
        let (dir, name) = (profile.scan(path, 0, name_start), profile.scan(path, name_start, path.len()));
        let bound = profile.bound(Some(&dir), &name, fit.0);
        split.min(bound.map_or(i64::MIN, |score| rank(score, path.len() - name_start, path.len())))
    }

    /// The split bound alone of `path`, for tests.
    #[cfg(test)]
    pub(crate) fn split_rank(&self, path: &[u8], needle: &[u8]) -> i64 {
        let name_start = memchr::memrchr(b'/', path).map_or(0, |i| i + 1);
        self.bound(path, name_start, needle, i64::MAX, fit_suffix(path, name_start, needle))
    }

    /// True when [`Bounds::judge`] puts the ASCII `path` below `bar`, so `quick` need not score
    /// it for a shortlist that `bar` closes.
    #[cfg(test)]
    pub(crate) fn below(&self, path: &[u8], needle: &[u8], bar: i64) -> bool {
        matches!(self.judge(path, needle, bar, &mut Scratch::default()), Verdict::Below)
    }

    /// What the bounds of the ASCII `path` say about scoring it for a shortlist that `bar`
    /// closes. First the split bound, which can put the path below only when even `at[m]` is
    /// (it is never above `at[0]` nor below `at[m]`), and whose look at the first character's
    /// bonus in the name is skipped when it cannot change the answer; then the profile's (see
    /// `profile.rs`; `scratch` keeps the folders' offer of the path before and the gate), once
    /// the shortlist is full (before that nothing that matches is below the bar). Both need the
    /// needle's fit in the name, which is skipped when neither runs. When the bar is above
    /// `at[1]`, which bounds every alignment with a character before the file name, only the
    /// name's own alignments can enter ([`Verdict::Name`]), and the profile bounds those alone.
    #[inline]
    pub(crate) fn judge(&self, path: &[u8], needle: &[u8], bar: i64, scratch: &mut Scratch) -> Verdict {
        let name_start = memchr::memrchr(b'/', path).map_or(0, |i| i + 1);
        let ranked = |score| rank(score, path.len() - name_start, path.len());
        if ranked(self.at[0]) < bar {
            return Verdict::Below;
        }
        let only_name = ranked(self.at[1]) < bar;
        let verdict = if only_name { Verdict::Name(name_start) } else { Verdict::Path };
        let split_decides = ranked(self.at[needle.len()]) < bar;
        let profile = self.profile.as_ref().filter(|_| bar > i64::MIN && scratch.gate.open());
        if !split_decides && profile.is_none() {
            return verdict;
        }
        let fit = fit_suffix(path, name_start, needle);
        if split_decides && self.bound(path, name_start, needle, bar, fit) < bar {
            return Verdict::Below;
        }
        if let Some(profile) = profile {
            let name = profile.offer(path, name_start, path.len());
            let dir = (!only_name).then(|| profile.folder(path, name_start, &mut scratch.folder));
            let below = profile.bound(dir.as_ref(), &name, fit.0).is_none_or(|score| ranked(score) < bar);
            scratch.gate.tally(below);
            if below {
                return Verdict::Below;
            }
        }
        verdict
    }

    /// An upper bound of the [`rank`] any alignment of `needle` (the one given to
    /// [`Bounds::new`]) in the ASCII `path` whose file name starts at `name_start` can reach,
    /// exact enough to compare with `bar`. The needle's characters that fit in the file name are
    /// its longest suffix that is a subsequence of the name (`fit`, from [`fit_suffix`]), which
    /// leaves `g` before it. When `g` is 0 an alignment may lie wholly in the name,
    /// and its first character, at or before where the greedy match put it, earns at most the
    /// best bonus of the needle's first byte there (counted `FIRST_MULT` times, where `at`
    /// counted the slash's); any other alignment has a character before the name, which `at[1]`
    /// bounds. That last scan is skipped when it cannot bring the bound below `bar`.
    #[inline]
    fn bound(&self, path: &[u8], name_start: usize, needle: &[u8], bar: i64, fit: (usize, usize)) -> i64 {
        let name = &path[name_start..];
        let (g, end) = fit;
        let ranked = |score| rank(score, name.len(), path.len());
        if g > 0 || ranked(self.at[1]) >= bar {
            return ranked(self.at[g]);
        }
        let (want, mask) = (needle[0], fold_mask(needle[0]));
        let mut first = 0;
        for p in (0..=end).rev() {
            if name[p] | mask == want {
                let prev = (name_start + p).checked_sub(1).map(|i| path[i]);
                first = first.max(bonus_byte(prev, name[p]));
                if first == BONUS_SLASH {
                    break;
                }
            }
        }
        ranked(self.at[1].max(self.at[0] - (BONUS_SLASH - first) * FIRST_MULT))
    }
}

/// A worker's reusable state for [`Bounds::judge`]: the folders' offer of the last path seen, and
/// whether the profile is worth its cost.
#[derive(Default)]
pub(crate) struct Scratch {
    folder: Folder,
    gate: Gate,
}

/// Turns the profile off for a while where it seldom prunes. It costs about a third to half of a
/// `quick` score, so it pays where it puts many of the paths it reads below the bar (`dts`,
/// `utils` and `testts` on the npm tree, 70-90%); where it puts fewer than a quarter below, the
/// next 1,024 paths it would read go straight to `quick` (`editormain` there: 56.4M
/// instructions a query with the profile always on, 52.3M with the gate, 49.8M without the
/// profile). The answer is the same either way: the bound only spares scores.
#[derive(Default)]
pub(super) struct Gate {
    tried: u32,
    pruned: u32,
    /// How many more paths skip the profile.
    closed: u32,
}

impl Gate {
    /// Paths the profile is tried on before the gate decides.
    pub(super) const WINDOW: u32 = 256;
    /// Paths that skip the profile after a window in which it pruned too few.
    pub(super) const PAUSE: u32 = 1024;

    #[inline]
    pub(super) fn open(&mut self) -> bool {
        if self.closed == 0 {
            return true;
        }
        self.closed -= 1;
        false
    }

    #[inline]
    pub(super) fn tally(&mut self, pruned: bool) {
        self.tried += 1;
        self.pruned += u32::from(pruned);
        if self.tried == Self::WINDOW {
            if self.pruned * 4 < Self::WINDOW {
                self.closed = Self::PAUSE;
            }
            (self.tried, self.pruned) = (0, 0);
        }
    }
}

/// The greedy match of `needle` from the right into the file name of `path` (from `name_start`):
/// `g`, how many of the needle's first bytes did not fit, and, when all did (`g` is 0), where the
/// needle's first byte lies in the name. A name of at most 16 bytes is matched in one SSE2
/// register and one of at most 32 in two, a needle byte per compare, which spares the
/// mispredicted branch that each match costs the byte loop (at 1M files, one core: `dts` 67 →
/// 64 ms, `testts` 78 → 75 ms with one register; the generated tree's names, `editor-cart12.tsx`,
/// are mostly 17 to 32 bytes long); longer names, and other targets, take the byte loop.
#[inline]
pub(super) fn fit_suffix(path: &[u8], name_start: usize, needle: &[u8]) -> (usize, usize) {
    #[cfg(target_arch = "x86_64")]
    match path.len() - name_start {
        0..=16 => return fit_suffix_sse2::<1>(path, name_start, needle),
        17..=32 => return fit_suffix_sse2::<2>(path, name_start, needle),
        _ => {}
    }
    fit_suffix_bytes(&path[name_start..], needle)
}

/// [`fit_suffix`] one byte at a time.
#[inline]
pub(super) fn fit_suffix_bytes(name: &[u8], needle: &[u8]) -> (usize, usize) {
    let (mut g, mut end) = (needle.len(), name.len());
    'needle: while g > 0 {
        let (want, mask) = (needle[g - 1], fold_mask(needle[g - 1]));
        while end > 0 {
            end -= 1;
            if name[end] | mask == want {
                g -= 1;
                continue 'needle;
            }
        }
        break;
    }
    (g, end)
}

/// [`fit_suffix`] for a name of at most `16 * BLOCKS` bytes (`BLOCKS` is 1 or 2), on that many
/// bytes that end the path, one bit per byte in a mask.
#[cfg(target_arch = "x86_64")]
#[inline]
fn fit_suffix_sse2<const BLOCKS: usize>(path: &[u8], name_start: usize, needle: &[u8]) -> (usize, usize) {
    use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8};
    const { assert!(BLOCKS == 1 || BLOCKS == 2) };
    let width = 16 * BLOCKS;
    let name_len = path.len() - name_start;
    debug_assert!(name_len <= width);
    // A path shorter than the window is copied into zeros, right-aligned like a longer one's
    // last bytes; the bytes before the name are masked off below either way.
    let mut short = [0u8; 32];
    let window: &[u8] = match path.len().checked_sub(width) {
        Some(from) => &path[from..],
        None => {
            short[width - path.len()..width].copy_from_slice(path);
            &short[..width]
        }
    };
    // SAFETY: SSE2 is part of every x86_64 target, and `window` is exactly `16 * BLOCKS`
    // readable bytes (unaligned loads are allowed).
    let blocks: [_; BLOCKS] = std::array::from_fn(|b| unsafe { _mm_loadu_si128(window.as_ptr().add(16 * b).cast()) });
    let skip = width - name_len;
    // The window positions a match may still take: the name's, below the last match.
    let mut open = ((((1_u64 << width) - 1) >> skip) << skip) as u32;
    let (mut g, mut end) = (needle.len(), name_len);
    while g > 0 {
        let want = needle[g - 1];
        let mut hits = 0_u32;
        for (b, &block) in blocks.iter().enumerate() {
            // SAFETY: SSE2 intrinsics on values in registers only.
            let mask = unsafe {
                let folded = _mm_or_si128(block, _mm_set1_epi8(fold_mask(want) as i8));
                _mm_movemask_epi8(_mm_cmpeq_epi8(folded, _mm_set1_epi8(want as i8)))
            } as u32;
            hits |= mask << (16 * b);
        }
        hits &= open;
        if hits == 0 {
            break;
        }
        let at = 31 - hits.leading_zeros() as usize;
        open &= (1 << at) - 1;
        (g, end) = (g - 1, at - skip);
    }
    (g, end)
}
