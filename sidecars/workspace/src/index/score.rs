//! Scoring of fuzzy matches in the spirit of fzf's algorithms: each matched character earns a
//! base score plus a bonus for where it sits (start of a word after `/ _ - .` or space, a camelCase
//! hump, inside the file name), consecutive matches keep the bonus of their run, gaps cost a
//! start and an extension penalty, and longer paths lose a little. `quick` is fzf's "v1": an O(n)
//! greedy window used to rank every survivor of the automaton; `exact` is fzf's "v2": a dynamic
//! programme that finds the best-scoring alignment and its positions, run only on the shortlist.

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
/// Extra bonus for every matched character inside the file name (the last segment).
const BONUS_FILENAME: i32 = 6;
/// The first query character's position bonus counts this many times.
const FIRST_MULT: i32 = 2;
/// Longest query considered; longer queries are cut here to bound the DP's table.
pub(crate) const MAX_QUERY: usize = 128;
/// Longest path given to the DP (PATH_MAX on Linux); longer paths do not match.
const MAX_PATH: usize = 4096;
const NEG: i32 = i32::MIN / 2;

/// Position bonus of `cur` given the character before it.
#[inline]
fn bonus(prev: Option<char>, cur: char) -> i32 {
    match prev {
        None => BONUS_BOUNDARY,
        Some('/') | Some('\\') => BONUS_SLASH,
        Some('_' | '-' | '.' | ' ') => BONUS_BOUNDARY,
        Some(p) if p.is_lowercase() && cur.is_uppercase() => BONUS_CAMEL,
        Some(p) if p.is_alphabetic() && cur.is_numeric() => BONUS_CAMEL,
        _ => 0,
    }
}

/// Same comparison as the automaton: ASCII case-folded, everything else exact.
#[inline]
fn same(q: char, p: char) -> bool {
    q == p || (q.is_ascii() && q.eq_ignore_ascii_case(&p))
}

/// Penalty for the path's length, so among equal matches the shorter path wins.
#[inline]
fn length_penalty(chars: usize) -> i32 {
    -((chars / 4) as i32)
}

/// An upper bound of [`quick`]'s score for any path of `len` bytes and a needle of `m` bytes:
/// every character matched in the file name with the best bonus. Lets the search skip scoring
/// paths that could not enter a full shortlist anyway.
#[inline]
pub(crate) fn quick_bound(m: usize, len: usize) -> i32 {
    let per_char = SCORE_MATCH + BONUS_FILENAME + BONUS_SLASH;
    m as i32 * per_char + BONUS_SLASH * (FIRST_MULT - 1) + length_penalty(len)
}

/// The longest path that could still score at least `bar` under [`quick_bound`].
pub(crate) fn max_len_for(m: usize, bar: i32) -> usize {
    if bar == i32::MIN {
        return usize::MAX;
    }
    // quick_bound(m, len) = best - len / 4 >= bar  <=>  len / 4 <= best - bar.
    let slack = quick_bound(m, 0) as i64 - bar as i64;
    if slack < 0 {
        0
    } else {
        (slack as usize).saturating_mul(4).saturating_add(3)
    }
}

/// Fast O(n) score of a byte path against an ASCII-lowercased needle, or `None` when the needle
/// is not a subsequence. Picks the tight window that ends as far right as possible (so the file
/// name is preferred) and scores it with the same rules as [`exact`].
pub(crate) fn quick(path: &[u8], needle: &[u8]) -> Option<i32> {
    use super::automaton::{find_folded, rfind_folded};
    // Backward pass: the rightmost start from which the needle still fits.
    let mut j = path.len();
    for &want in needle.iter().rev() {
        j = rfind_folded(want, &path[..j])?;
    }
    let name_start = memchr::memrchr(b'/', path).map_or(0, |i| i + 1);
    let (mut score, mut prev_pos, mut run_bonus) = (0, usize::MAX, 0);
    let mut p = j;
    for (i, &want) in needle.iter().enumerate() {
        // The backward pass proved every needle byte occurs at or after `p`.
        p += find_folded(want, &path[p..])?;
        let prev = if p == 0 { None } else { Some(path[p - 1] as char) };
        let b = bonus(prev, path[p] as char);
        let fname = if p >= name_start { BONUS_FILENAME } else { 0 };
        score += SCORE_MATCH + fname;
        if i == 0 {
            score += b * FIRST_MULT;
            run_bonus = b;
        } else if prev_pos + 1 == p {
            run_bonus = run_bonus.max(BONUS_CONSECUTIVE).max(b);
            score += run_bonus;
        } else {
            score += GAP_START + GAP_EXT * (p - prev_pos - 2) as i32 + b;
            run_bonus = b;
        }
        prev_pos = p;
        p += 1;
    }
    Some(score + length_penalty(path.len()))
}

/// Reusable buffers for [`exact`], so scoring a shortlist allocates almost nothing.
#[derive(Default)]
pub(crate) struct Scratch {
    chars: Vec<char>,
    utf16: Vec<u32>,
    bonus: Vec<i32>,
    fname: Vec<i32>,
    m: Vec<i32>,
    run: Vec<i32>,
    from: Vec<u32>,
}

/// The best alignment of `query` in `path`: its score and the UTF-16 positions of the matched
/// characters, or `None` when `query` is not a subsequence of `path` (as whole characters).
pub(crate) fn exact(path: &str, query: &[char], s: &mut Scratch) -> Option<(i32, Vec<u32>)> {
    s.chars.clear();
    s.chars.extend(path.chars());
    let (n, m) = (s.chars.len(), query.len());
    if m == 0 || n < m || n > MAX_PATH || m > MAX_QUERY {
        return None;
    }
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
    s.m.clear();
    s.m.resize(m * n, NEG);
    s.run.clear();
    s.run.resize(m * n, 0);
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
            if !same(q, s.chars[j]) {
                continue;
            }
            let at = i * n + j;
            let base = SCORE_MATCH + s.fname[j];
            if i == 0 {
                s.m[at] = base + s.bonus[j] * FIRST_MULT;
                s.run[at] = s.bonus[j];
                continue;
            }
            let diag = if j > 0 { s.m[(i - 1) * n + j - 1] } else { NEG };
            if diag > NEG {
                let run = s.run[(i - 1) * n + j - 1].max(BONUS_CONSECUTIVE).max(s.bonus[j]);
                s.m[at] = diag + base + run;
                s.run[at] = run;
                s.from[at] = (j - 1) as u32;
            }
            if gap > NEG && gap + base + s.bonus[j] > s.m[at] {
                s.m[at] = gap + base + s.bonus[j];
                s.run[at] = s.bonus[j];
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
    Some((best + length_penalty(n), positions))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Vec<char> {
        s.chars().collect()
    }

    fn needle(s: &str) -> Vec<u8> {
        s.bytes().map(|b| b.to_ascii_lowercase()).collect()
    }

    #[test]
    fn contiguous_beats_scattered() {
        let mut s = Scratch::default();
        let (a, pa) = exact("src/abc.rs", &q("abc"), &mut s).unwrap();
        let (b, _) = exact("src/axbxc.rs", &q("abc"), &mut s).unwrap();
        assert!(a > b, "{a} <= {b}");
        assert_eq!(pa, [4, 5, 6]);
        assert!(quick(b"src/abc.rs", &needle("abc")) > quick(b"src/axbxc.rs", &needle("abc")));
        for path in ["abc", "src/abc.rs", "a/b/c", "xabc"] {
            let score = quick(path.as_bytes(), &needle("abc")).unwrap();
            assert!(score <= quick_bound(3, path.len()));
            assert!(max_len_for(3, score) >= path.len(), "a path never prunes its own score");
        }
        assert!(max_len_for(3, quick_bound(3, 40)) < 44);
    }

    #[test]
    fn file_name_beats_directory() {
        let mut s = Scratch::default();
        let (name, p) = exact("lib/util/main.rs", &q("main"), &mut s).unwrap();
        let (dir, _) = exact("main/util/lib.rs", &q("main"), &mut s).unwrap();
        assert!(name > dir, "{name} <= {dir}");
        assert_eq!(p, [9, 10, 11, 12]);
    }

    #[test]
    fn prefers_word_starts_and_camel_humps() {
        let mut s = Scratch::default();
        let (_, p) = exact("src/fooBarBaz.ts", &q("fbb"), &mut s).unwrap();
        assert_eq!(p, [4, 7, 10]);
        let (_, p) = exact("a_b-c.txt", &q("abc"), &mut s).unwrap();
        assert_eq!(p, [0, 2, 4]);
    }

    #[test]
    fn positions_are_utf16_units() {
        let mut s = Scratch::default();
        // '😀' is two UTF-16 units and 'é' one, so 'x' sits at unit 4 and 'y' at 6.
        let (_, p) = exact("😀é/x-y", &q("xy"), &mut s).unwrap();
        assert_eq!(p, [4, 6]);
        let (_, p) = exact("dir/Ünïcode.txt", &q("ünï"), &mut s).unwrap_or_default();
        assert!(p.is_empty(), "non-ASCII letters must compare exactly");
        let (_, p) = exact("dir/Ünïcode.txt", &q("Ünï"), &mut s).unwrap();
        assert_eq!(p, [4, 5, 6]);
    }

    #[test]
    fn case_insensitive_and_rejects_non_matches() {
        let mut s = Scratch::default();
        assert!(exact("README.md", &q("readme"), &mut s).is_some());
        assert!(exact("README.md", &q("xyz"), &mut s).is_none());
        assert!(quick(b"README.md", &needle("xyz")).is_none());
        assert!(exact("ab", &q("abc"), &mut s).is_none());
    }
}
