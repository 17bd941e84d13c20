//! Scoring of fuzzy matches in the spirit of fzf's algorithms: each matched character earns a
//! base score plus a bonus for where it sits (start of a word after `/ _ - .` or space, a camelCase
//! hump, inside the file name), a run of consecutive matches keeps the bonus of its first
//! character and grows with its length (as VS Code's quick open does), and gaps cost a start and
//! an extension penalty. Length is never part of the match score: as in fzf and nucleo it only
//! breaks ties, first the file name's length (so `class` puts `class.js` above `class-scope.ts`,
//! as VS Code does) and then the whole path's. `quick` is an O(n) greedy scorer used to rank
//! every survivor of the automaton; `exact` is fzf's "v2": a dynamic programme that finds the
//! best-scoring alignment and its positions, run only on the shortlist. Both compare characters
//! after [`fold_char`]: Unicode lower case without accents (what nucleo calls normalization).

pub(crate) use super::fold::{fold_char, fold_into, is_combining};
pub(crate) use bounds::{Bounds, Scratch as BoundsScratch, Verdict};

#[path = "bounds.rs"]
mod bounds;
#[path = "profile.rs"]
mod profile;

/// Score of every matched character.
const SCORE_MATCH: i32 = 16;
/// Penalty for opening a gap between two matched characters.
const GAP_START: i32 = -3;
/// Penalty for every further skipped character of a gap.
const GAP_EXT: i32 = -1;
/// Bonus for a character that starts a word (after a separator or at the start).
const BONUS_BOUNDARY: i32 = 8;
/// Bonus for a character right after `/`: a path segment start is the strongest word start.
const BONUS_SLASH: i32 = 9;
/// Bonus for a camelCase hump or a digit after a letter.
const BONUS_CAMEL: i32 = 7;
/// Minimum bonus of a character that continues a run of matches.
const BONUS_CONSECUTIVE: i32 = 4;
/// What every further character of a run adds on top of the run's bonus, so that a long
/// contiguous fragment beats the same letters spread over word starts.
const RUN_STEP: i32 = 2;
/// The run growth stops after this many steps, so one very long run cannot drown the rest.
const RUN_CAP: u16 = 8;
/// Extra bonus for every matched character inside the file name (the last segment).
const BONUS_FILENAME: i32 = 6;
/// The first query character's position bonus counts this many times.
const FIRST_MULT: i32 = 2;
/// Longest query considered; longer queries are cut here to bound the DP's table.
pub(crate) const MAX_QUERY: usize = 128;
/// Longest path given to the DP (PATH_MAX on Linux); longer paths do not match.
const MAX_PATH: usize = 4096;
const NEG: i32 = i32::MIN / 2;
/// How many earlier word starts `quick` tries besides the rightmost window.
const QUICK_STARTS: usize = 4;
/// How many earlier occurrences of the first byte `quick` looks at to find them.
const QUICK_LOOKS: usize = 12;
/// Needles up to this many bytes get the word-preferring greedy steps in `quick` (it needs each
/// byte's rightmost feasible position, kept on the stack); longer ones take the next occurrence.
const QUICK_FEASIBLE: usize = 64;
/// How many occurrences of a byte a greedy step looks at for one that starts a word.
const WORD_LOOKS: usize = 6;

/// Position bonus of `cur` given the character before it. The path's first character starts its
/// first segment, so it earns what a character after `/` does (`clippy` puts the root's
/// `clippy.toml` above `test_data/clippy_pass_by_ref.txt`, as a folder's would be).
#[inline]
fn bonus(prev: Option<char>, cur: char) -> i32 {
    match prev {
        None => BONUS_SLASH,
        Some('/') | Some('\\') => BONUS_SLASH,
        Some('_' | '-' | '.' | ' ') => BONUS_BOUNDARY,
        Some(p) if p.is_lowercase() && cur.is_uppercase() => BONUS_CAMEL,
        Some(p) if p.is_alphabetic() && cur.is_numeric() => BONUS_CAMEL,
        _ => 0,
    }
}

/// [`bonus`] on bytes, for `quick`: a byte of a multi-byte character counts as neither case.
#[inline(always)]
fn bonus_byte(prev: Option<u8>, cur: u8) -> i32 {
    match prev {
        None => BONUS_SLASH,
        Some(b'/' | b'\\') => BONUS_SLASH,
        Some(b'_' | b'-' | b'.' | b' ') => BONUS_BOUNDARY,
        Some(p) if p.is_ascii_lowercase() && cur.is_ascii_uppercase() => BONUS_CAMEL,
        Some(p) if p.is_ascii_alphabetic() && cur.is_ascii_digit() => BONUS_CAMEL,
        _ => 0,
    }
}

/// The bit that folds an ASCII letter's two cases together (see `automaton::find_folded`).
#[inline(always)]
fn fold_mask(want: u8) -> u8 {
    if want.is_ascii_lowercase() {
        0x20
    } else {
        0
    }
}

/// What a character that continues a run earns: the run's bonus, plus its growth. `len` is the
/// run's length before this character (at least 1).
#[inline]
fn run_score(run_bonus: i32, len: u16) -> i32 {
    run_bonus + RUN_STEP * i32::from((len - 1).min(RUN_CAP))
}

/// The final, comparable score: the match score first, then shorter file names, then shorter
/// paths (lengths in characters, capped at 4095 so they cannot reach the match score's bits).
#[inline]
pub(crate) fn rank(score: i32, name_len: usize, path_len: usize) -> i64 {
    (i64::from(score) << 24) - ((name_len.min(4095) as i64) << 12) - path_len.min(4095) as i64
}

/// Fast O(n) score of a path against a folded needle (see [`fold_char`]), or `None` when the
/// needle is not a subsequence. `path` is the path's bytes, already folded when it is not ASCII;
/// ASCII letters are compared case-insensitively either way. Scores several greedy alignments
/// with the same rules as [`exact`] and keeps the best: the tight window that ends as far right
/// as possible (so the file name is preferred), and one from each of the last few occurrences of
/// the needle's first byte that start a word and a run (so `nest` against
/// `nested-in-react.test.ts` takes the contiguous `nest`, not the `n` of "in"). Only the first,
/// rightmost window steps to word starts (see [`greedy`]): on the ranking benchmark's 1,200
/// queries doing it in every window ranked exactly the same, at more cost per survivor.
pub(crate) fn quick(path: &[u8], needle: &[u8]) -> Option<i64> {
    use super::automaton::rfind_folded;
    // Backward pass: the rightmost start from which the needle still fits, and for each needle
    // byte the rightmost position it can take with the rest still fitting after it.
    let mut feasible = [0usize; QUICK_FEASIBLE];
    let mut last = path.len();
    for (i, &want) in needle.iter().enumerate().rev() {
        last = rfind_folded(want, &path[..last])?;
        if i < QUICK_FEASIBLE {
            feasible[i] = last;
        }
    }
    let feasible = (needle.len() <= QUICK_FEASIBLE).then(|| &feasible[..needle.len()]);
    let name_start = memchr::memrchr(b'/', path).map_or(0, |i| i + 1);
    let mut best = greedy(path, needle, last, name_start, feasible);
    // The backward pass's own alignment, every byte as far right as it goes: it keeps the end of
    // the needle together at the end of the path (`astrosrcconf` against `src/content/config.ts`
    // takes the `conf` of "config"), which the forward steps miss when an earlier word start
    // (the `con` of "content") takes the bytes first.
    if let Some(rightmost) = feasible {
        let mut tally = Tally::default();
        rightmost.iter().for_each(|&p| tally.step(path, p, name_start));
        best = best.max(tally.score);
    }
    // Earlier occurrences of the first byte, right to left, that start a word and a run of at
    // least two (the alignments the DP ranks high); a few tries, a few more looks.
    let (mut end, mut tried, mut looked) = (last, 0, 0);
    while tried < QUICK_STARTS && looked < QUICK_LOOKS {
        let Some(p) = rfind_folded(needle[0], &path[..end]) else { break };
        end = p;
        looked += 1;
        let starts_run = needle.len() == 1 || path[p + 1] | fold_mask(needle[1]) == needle[1];
        if starts_run && bonus_byte(p.checked_sub(1).map(|i| path[i]), path[p]) > 0 {
            best = best.max(greedy(path, needle, p, name_start, None));
            tried += 1;
        }
    }
    let name_len = path.len() - name_start;
    Some(rank(best, name_len, path.len()))
}

/// [`quick`] over only the alignments wholly inside the file name of `path` (which starts at
/// `name_start`), ranked as `path`'s. Whenever [`Bounds::judge`] says only such alignments can
/// reach a bar, this is above the bar exactly when `quick` is, and then equal to it. That verdict
/// means the needle fits in the name, so `quick`'s backward pass ends in the name as here; its
/// earlier starts are tried right to left, the name's first, so they spend the same tries and
/// looks on the same alignments, scored by the name's bytes alone (the name's first character
/// earns the slash's bonus either way); the starts it tries after them reach into folders and
/// score below the bar. It costs less because the name is a short part of the path.
pub(crate) fn quick_in_name(path: &[u8], name_start: usize, needle: &[u8]) -> Option<i64> {
    let name_len = path.len() - name_start;
    // The name's own rank counts its length as the path's; the path's own length replaces it
    // (`rank` is a sum, so the lengths' part of it can be swapped alone).
    let lengths = |path_len| rank(0, name_len, path_len);
    quick(&path[name_start..], needle).map(|r| r - lengths(name_len) + lengths(path.len()))
}

/// Score of the greedy alignment that matches the needle's first byte at `start` (which holds it)
/// and every later byte at its next occurrence, except that a byte which cannot continue the run
/// takes the next occurrence that starts a word, when one lies before its `feasible` position
/// (so the rest still fits): `mettestj` against `metadata/TestJsonConverter.java` takes the `T` of
/// "Test", not the `t` of "data". The caller proved the needle fits from `start`.
fn greedy(path: &[u8], needle: &[u8], start: usize, name_start: usize, feasible: Option<&[usize]>) -> i32 {
    use super::automaton::find_folded;
    let mut tally = Tally::default();
    let mut p = start;
    for (i, &want) in needle.iter().enumerate() {
        if i > 0 {
            match find_folded(want, &path[p..]) {
                Some(d) => p += d,
                None => return NEG,
            }
            if let Some(limit) = feasible.map(|f| f[i]).filter(|_| p != tally.prev + 1) {
                p = word_start(path, want, p, limit).unwrap_or(p);
            }
        }
        tally.step(path, p, name_start);
        p += 1;
    }
    tally.score
}

/// The score of an alignment built one matched position at a time, left to right, by the rules
/// of [`exact`] (so `quick` never scores an alignment higher than the DP would).
struct Tally {
    score: i32,
    /// The last matched position (`usize::MAX` before the first).
    prev: usize,
    run_bonus: i32,
    run_len: u16,
}

impl Default for Tally {
    fn default() -> Self {
        Tally { score: 0, prev: usize::MAX, run_bonus: 0, run_len: 0 }
    }
}

impl Tally {
    /// Adds the match of the next needle byte at `p` (after the previous one).
    #[inline(always)]
    fn step(&mut self, path: &[u8], p: usize, name_start: usize) {
        let b = bonus_byte(p.checked_sub(1).map(|i| path[i]), path[p]);
        self.score += SCORE_MATCH + if p >= name_start { BONUS_FILENAME } else { 0 };
        if self.prev == usize::MAX {
            self.score += b * FIRST_MULT;
            (self.run_bonus, self.run_len) = (b, 1);
        } else if self.prev + 1 == p {
            self.run_bonus = self.run_bonus.max(BONUS_CONSECUTIVE).max(b);
            self.score += run_score(self.run_bonus, self.run_len);
            self.run_len += 1;
        } else {
            self.score += GAP_START + GAP_EXT * (p - self.prev - 2) as i32 + b;
            (self.run_bonus, self.run_len) = (b, 1);
        }
        self.prev = p;
    }
}

/// The first occurrence of `want` in `path[from..=limit]` that starts a word (`from` holds one,
/// which is returned when it does or no other is found within a few looks).
#[inline]
fn word_start(path: &[u8], want: u8, from: usize, limit: usize) -> Option<usize> {
    use super::automaton::find_folded;
    let mut p = from;
    for _ in 0..WORD_LOOKS {
        if bonus_byte(p.checked_sub(1).map(|i| path[i]), path[p]) > 0 {
            return Some(p);
        }
        if p >= limit {
            return None;
        }
        p += 1 + find_folded(want, &path[p + 1..=limit])?;
    }
    None
}

/// Reusable buffers for [`exact`], so scoring a shortlist allocates almost nothing.
#[derive(Default)]
pub(crate) struct Scratch {
    chars: Vec<char>,
    folded: Vec<char>,
    utf16: Vec<u32>,
    bonus: Vec<i32>,
    fname: Vec<i32>,
    m: Vec<i32>,
    run: Vec<i32>,
    len: Vec<u16>,
    from: Vec<u32>,
}

/// The best alignment of the folded `query` in `path`: its [`rank`] and the UTF-16 positions of
/// the matched characters, or `None` when `query` is not a subsequence of the folded `path`.
pub(crate) fn exact(path: &str, query: &[char], s: &mut Scratch) -> Option<(i64, Vec<u32>)> {
    s.chars.clear();
    s.chars.extend(path.chars());
    let (n, m) = (s.chars.len(), query.len());
    if m == 0 || n < m || n > MAX_PATH || m > MAX_QUERY {
        return None;
    }
    s.folded.clear();
    s.folded.extend(s.chars.iter().map(|&c| fold_char(c)));
    s.utf16.clear();
    let mut unit = 0;
    for c in &s.chars {
        s.utf16.push(unit);
        unit += c.len_utf16() as u32;
    }
    let name_start = s.chars.iter().rposition(|&c| c == '/').map_or(0, |i| i + 1);
    s.bonus.clear();
    s.fname.clear();
    for j in 0..n {
        let prev = if j == 0 { None } else { Some(s.chars[j - 1]) };
        s.bonus.push(bonus(prev, s.chars[j]));
        s.fname.push(if j >= name_start { BONUS_FILENAME } else { 0 });
    }
    for v in [&mut s.m, &mut s.run] {
        v.clear();
        v.resize(m * n, 0);
    }
    s.m.fill(NEG);
    s.len.clear();
    s.len.resize(m * n, 0);
    s.from.clear();
    s.from.resize(m * n, u32::MAX);
    for (i, &q) in query.iter().enumerate() {
        // `gap` = best M[i-1][k] + gap penalty for a match at the current j, and its k.
        let (mut gap, mut gap_k) = (NEG, u32::MAX);
        for j in i..n {
            if i > 0 && j >= 2 {
                let extended = gap + GAP_EXT;
                let opened = s.m[(i - 1) * n + j - 2] + GAP_START;
                if opened >= extended {
                    (gap, gap_k) = (opened, (j - 2) as u32);
                } else {
                    gap = extended;
                }
            }
            if q != s.folded[j] {
                continue;
            }
            let at = i * n + j;
            let base = SCORE_MATCH + s.fname[j];
            if i == 0 {
                s.m[at] = base + s.bonus[j] * FIRST_MULT;
                s.run[at] = s.bonus[j];
                s.len[at] = 1;
                continue;
            }
            let diag_at = (i - 1) * n + j - 1;
            if j > 0 && s.m[diag_at] > NEG {
                let run = s.run[diag_at].max(BONUS_CONSECUTIVE).max(s.bonus[j]);
                s.m[at] = s.m[diag_at] + base + run_score(run, s.len[diag_at]);
                s.run[at] = run;
                s.len[at] = s.len[diag_at].saturating_add(1);
                s.from[at] = (j - 1) as u32;
            }
            if gap > NEG && gap + base + s.bonus[j] > s.m[at] {
                s.m[at] = gap + base + s.bonus[j];
                s.run[at] = s.bonus[j];
                s.len[at] = 1;
                s.from[at] = gap_k;
            }
        }
    }
    let last = (m - 1) * n;
    let (best_j, best) = (0..n).map(|j| (j, s.m[last + j])).max_by_key(|&(j, v)| (v, std::cmp::Reverse(j)))?;
    if best <= NEG / 2 {
        return None;
    }
    let mut positions = vec![0u32; m];
    let mut j = best_j;
    for i in (0..m).rev() {
        positions[i] = s.utf16[j];
        if i > 0 {
            j = s.from[i * n + j] as usize;
        }
    }
    Some((rank(best, n - name_start, n), positions))
}

#[cfg(test)]
#[path = "score_tests.rs"]
mod tests;
