//! Unit tests of the scorer: word starts, file names and runs, Unicode folding with UTF-16
//! positions, length only as a tie-breaker (the file name's first), run growth, and `quick`
//! agreeing with `exact` on the alignments people aim for.

use super::*;
use crate::test_rng::Rng;

/// A query as `fuzzy` hands it over: folded characters.
fn q(s: &str) -> Vec<char> {
    s.chars().filter(|&c| !is_combining(c)).map(fold_char).collect()
}

pub(super) fn needle(s: &str) -> Vec<u8> {
    q(s).into_iter().collect::<String>().into_bytes()
}

pub(super) fn ex(path: &str, query: &str) -> i64 {
    exact(path, &q(query), &mut Scratch::default()).unwrap().0
}

/// `quick` of a path the way `fuzzy` calls it: folded when it is not ASCII.
fn qk(path: &str, query: &str) -> Option<i64> {
    let mut folded = Vec::new();
    fold_into(path, &mut folded);
    quick(&folded, &needle(query))
}

#[test]
fn contiguous_beats_scattered() {
    let mut s = Scratch::default();
    let (a, pa) = exact("src/abc.rs", &q("abc"), &mut s).unwrap();
    let (b, _) = exact("src/axbxc.rs", &q("abc"), &mut s).unwrap();
    assert!(a > b, "{a} <= {b}");
    assert_eq!(pa, [4, 5, 6]);
    assert!(qk("src/abc.rs", "abc") > qk("src/axbxc.rs", "abc"));
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
fn case_insensitive_and_rejects_non_matches() {
    let mut s = Scratch::default();
    assert!(exact("README.md", &q("readme"), &mut s).is_some());
    assert!(exact("README.md", &q("xyz"), &mut s).is_none());
    assert!(quick(b"README.md", &needle("xyz")).is_none());
    assert!(exact("ab", &q("abc"), &mut s).is_none());
}

#[test]
fn folds_case_and_accents_beyond_ascii() {
    for (c, want) in [('É', 'e'), ('é', 'e'), ('Ü', 'u'), ('ñ', 'n'), ('Ж', 'ж'), ('ß', 'ß'), ('İ', 'i'), ('x', 'x')]
    {
        assert_eq!(fold_char(c), want, "{c}");
    }
    let mut s = Scratch::default();
    let (_, p) = exact("docs/Écran.txt", &q("écran"), &mut s).unwrap();
    assert_eq!(p, [5, 6, 7, 8, 9]);
    let (_, p) = exact("cv/Résumé.md", &q("resume"), &mut s).unwrap();
    assert_eq!(p, [3, 4, 5, 6, 7, 8]);
    assert!(qk("cv/Résumé.md", "resume").is_some() && qk("docs/Écran.txt", "ECRAN").is_some());
    // Cyrillic folds too, and a query in another case finds it.
    assert!(exact("Жук.txt", &q("жук"), &mut s).is_some());
    // A decomposed path (as macOS writes names): the marks are skipped, positions count them.
    let (_, p) = exact("Re\u{301}sume\u{301}.md", &q("resume"), &mut s).unwrap();
    assert_eq!(p, [0, 1, 3, 4, 5, 6]);
    // A decomposed query folds the same as a composed one.
    assert_eq!(q("e\u{301}cran"), q("écran"));
    // Positions are UTF-16 units of the original path: '😀' is two, 'é' one.
    let (_, p) = exact("😀é/x-y", &q("xy"), &mut s).unwrap();
    assert_eq!(p, [4, 6]);
    let (_, p) = exact("😀/Étude", &q("etu"), &mut s).unwrap();
    assert_eq!(p, [3, 4, 5]);
}

#[test]
fn length_only_breaks_ties_and_the_file_name_counts_first() {
    // A name that starts with the query beats the query as an extension, however long the path.
    let deep = "packages/some/deeply/nested/folder/jpg.ts";
    for short in ["img/a.jpg", "b.jpg"] {
        assert!(ex(deep, "jpg") > ex(short, "jpg"), "{deep} <= {short}");
        assert!(qk(deep, "jpg") > qk(short, "jpg"), "quick: {deep} <= {short}");
    }
    // Equal matches: the shorter file name wins, even on a longer path.
    let (long_path, short_path) = ("lib/deep/folder/class.js", "class-scope.ts");
    assert!(ex(long_path, "class") > ex(short_path, "class"));
    assert!(qk(long_path, "class") > qk(short_path, "class"));
    // Equal names: the shorter path wins.
    assert!(ex("a/main.rs", "main") > ex("a/b/main.rs", "main"));
    // The match itself still comes first: a better match wins against a shorter name.
    assert!(ex("src/components/Button.tsx", "button") > ex("b/u/t.ton", "button"));
}

#[test]
fn runs_grow_so_contiguous_fragments_win() {
    // A run that starts inside a word ("ndexe" in `indexer`) earns only the small consecutive
    // bonus per character, so with a flat bonus the same letters on five segment starts win
    // (126 against 128); a run that grows keeps the contiguous fragment first, as VS Code does.
    let (together, scattered) = ("src/indexer.ts", "n/d/e/x/e.ts");
    assert!(ex(together, "ndexe") > ex(scattered, "ndexe"), "{} <= {}", ex(together, "ndexe"), ex(scattered, "ndexe"));
    assert!(qk(together, "ndexe") > qk(scattered, "ndexe"));
    // A longer run is worth more per character than a shorter one.
    let gain = |n: usize| ex(&"a".repeat(n), &"a".repeat(n)) >> 24;
    assert!(gain(6) - gain(5) > gain(3) - gain(2));
}

#[test]
fn quick_takes_the_contiguous_window_not_the_rightmost() {
    let path = "src/nested-in-react.test.ts";
    let mut s = Scratch::default();
    let (best, p) = exact(path, &q("nest"), &mut s).unwrap();
    assert_eq!(p, [4, 5, 6, 7]);
    // `quick` finds the same alignment as the DP here, so its score equals the exact one.
    assert_eq!(quick(path.as_bytes(), &needle("nest")), Some(best));
    // And it stays an alignment score: never above the DP's optimum.
    for (path, query) in [("a/b/c.rs", "abc"), ("src/index/fuzzy.rs", "ifz"), ("nested/nest.ts", "nest")] {
        let (best, _) = exact(path, &q(query), &mut s).unwrap();
        assert!(quick(path.as_bytes(), &needle(query)).unwrap() <= best, "{path}");
    }
}

/// `n` random (path, query) pairs from a small alphabet that makes matches likely (word starts,
/// camel humps, digits after letters, `\` and `/`, runs and gaps), the same for every `seed`.
pub(super) fn random_pairs(seed: u64, n: usize) -> impl Iterator<Item = (String, String)> {
    let mut rng = Rng(seed);
    let alphabet = b"abcsAB/-._t1\\";
    (0..n).map(move |_| {
        let mut word = |len: usize| -> String {
            (0..1 + rng.next(len)).map(|_| alphabet[rng.next(alphabet.len())] as char).collect()
        };
        (word(24), word(6))
    })
}

/// The skip in `fuzzy` is only safe if `Bounds::rank` really bounds both scorers: checked over
/// many random paths and queries from a small alphabet (so most pairs match, with word starts,
/// camel humps, digits after letters, `\` as a separator, runs, gaps, `/` in the query and file
/// names that hold all, some or none of it).
#[test]
fn bounds_are_never_below_quick_or_exact() {
    let (mut checked, mut tighter) = (0, 0);
    for (path, query) in random_pairs(0x9e37_79b9_7f4a_7c15, 40_000) {
        let nd = needle(&query);
        let Some(quick_score) = quick(path.as_bytes(), &nd) else { continue };
        let bound = Bounds::new(&nd).rank(path.as_bytes(), &nd);
        assert!(bound >= quick_score, "{path:?} {query:?}: bound {bound} < quick {quick_score}");
        let exact_score = ex(&path, &query);
        assert!(bound >= exact_score, "{path:?} {query:?}: bound {bound} < exact {exact_score}");
        // `judge` puts a path below every bar above this bound (skipping scans only where they
        // cannot change that), and below no bar that either score reaches.
        for bar in [bound - (1 << 24), bound, bound + 1, bound + (1 << 24)] {
            let below = Bounds::new(&nd).below(path.as_bytes(), &nd, bar);
            assert!(below || bound >= bar, "{path:?} {query:?}: not below {bar}, bound {bound}");
            assert!(!below || quick_score.max(exact_score) < bar, "{path:?} {query:?}: below {bar}");
        }
        checked += 1;
        let name_start = path.rfind('/').map_or(0, |i| i + 1);
        tighter += usize::from(bound < rank(Bounds::new(&nd).at[0], path.len() - name_start, path.len()));
    }
    // Positive control: enough pairs matched, and the file name often caps the bound.
    assert!(checked > 5_000 && tighter > 1_000, "{checked} matched, {tighter} with a tighter bound");
}

#[test]
fn a_query_outside_the_file_name_bounds_below_one_inside_it() {
    // `testts` cannot lie in `bar-core.ts` beyond its `ts`: the bound of that path is below
    // what `bar.test.ts` really scores, so a full shortlist of such paths skips it.
    let nd = needle("testts");
    let bound = Bounds::new(&nd).rank(b"src/test/foo/bar-core.ts", &nd);
    assert!(bound < ex("src/x/bar.test.ts", "testts"));
    assert!(bound >= ex("src/test/foo/bar-core.ts", "testts"));
}

#[test]
fn the_path_start_is_a_segment_start() {
    // A root file's name starts at 0, with no `/` before it; it must not lose to the same name
    // one folder down (rust-analyzer: `clippy` for `clippy.toml`, not `test_data/clippy_pass_by_ref.txt`).
    assert_eq!(exact("clippy.toml", &q("clippy"), &mut Scratch::default()).unwrap().1, vec![0, 1, 2, 3, 4, 5]);
    assert!(ex("clippy.toml", "clippy") > ex("crates/ra/test_data/clippy_pass_by_ref.txt", "clippy"));
    assert!(qk("clippy.toml", "clippy") > qk("crates/ra/test_data/clippy_pass_by_ref.txt", "clippy"));
    assert_eq!(ex("clippy.toml", "clippy") >> 24, ex("a/clippy.toml", "clippy") >> 24);
}

#[test]
fn quick_steps_to_word_starts() {
    // The plain greedy takes the `t` of "data" after `met` and loses the run "testj"; the DP's
    // alignment is `met` + `TestJ`, and `quick` must find it too or the path misses the shortlist.
    let path = "src/test/java/org/springframework/boot/metadata/TestJsonConverter.java";
    assert_eq!(qk(path, "mettestj"), Some(ex(path, "mettestj")));
    let rival = "src/test/java/org/springframework/boot/metrics/autoconfigure/MeterValueTests.java";
    assert!(qk(path, "mettestj") > qk(rival, "mettestj"));
}

#[test]
fn quick_takes_needles_longer_than_its_stack_table() {
    let name = "LayersIndexTests-writeToWhenAllFilesInDirectoryAreInNotInSameLayerUsesFiles.txt";
    let path = format!("loader/tools/{name}");
    assert!(name.len() > QUICK_FEASIBLE);
    assert_eq!(qk(&path, &name.to_lowercase()), Some(ex(&path, &name.to_lowercase())));
}

#[test]
fn a_first_byte_that_starts_no_word_in_the_name_lowers_the_bound() {
    // Both names hold `te` wholly; only `tex` starts a word with its `t`, so only its bound keeps
    // the slash's bonus for the first character. The lengths are equal, so the score decides.
    let nd = needle("te");
    let bounds = Bounds::new(&nd);
    let (mid_word, word_start) = (bounds.rank(b"src/bte.md", &nd), bounds.rank(b"src/tex.md", &nd));
    assert!(mid_word < word_start, "{mid_word} < {word_start}");
    assert!(mid_word >= ex("src/bte.md", "te") && word_start >= ex("src/tex.md", "te"));
    // `tex` really reaches the top: the bound of a word start is not lowered at all.
    assert_eq!(word_start, ex("src/tex.md", "te"));
}

/// Wherever `judge` says only the file name can reach the bar, `quick_in_name` must put the path
/// on the same side of the bar as `quick`, with the same score when it is above (random paths and
/// queries as in the bounds test, bars around each score and bound).
#[test]
fn judged_by_the_name_alone_a_path_scores_as_by_the_whole() {
    let (mut by_name, mut name_above, mut name_not_best, mut folders_needed) = (0, 0, 0, 0);
    for (path, query) in random_pairs(0x2545_f491_4f6c_dd1d, 40_000) {
        let (p, nd) = (path.as_bytes(), needle(&query));
        let Some(whole) = quick(p, &nd) else { continue };
        let bounds = Bounds::new(&nd);
        let name_start = path.rfind('/').map_or(0, |i| i + 1);
        let in_name = quick_in_name(p, name_start, &nd);
        let bound = bounds.rank(p, &nd);
        let mut bars = vec![whole, whole + 1, bound, bound + 1, whole - (1 << 24)];
        bars.extend(in_name.into_iter().flat_map(|s| [s, s + 1]));
        for bar in bars {
            match bounds.judge(p, &nd, bar, &mut Default::default()) {
                Verdict::Below => assert!(whole < bar, "{path:?} {query:?}"),
                Verdict::Name(start) => {
                    assert_eq!(start, name_start);
                    let part = quick_in_name(p, start, &nd);
                    assert_eq!(part.is_some_and(|s| s >= bar), whole >= bar, "{path:?} {query:?} bar {bar}");
                    if whole >= bar {
                        assert_eq!(part, Some(whole), "{path:?} {query:?}");
                        name_above += 1;
                    }
                    by_name += 1;
                    name_not_best += usize::from(part != Some(whole));
                }
                Verdict::Path => folders_needed += usize::from(whole >= bar && in_name.is_none_or(|s| s < bar)),
            }
        }
    }
    // Positive controls: the name alone decided often, often for a path at or above the bar (so
    // the scores were compared), sometimes for a path whose best quick alignment reaches into its
    // folders (below the bar), and some paths reach a bar only through their folders, which
    // `judge` must leave to `quick`.
    let counts = (by_name, name_above, name_not_best, folders_needed);
    assert!(by_name > 1_000 && name_above > 1_000 && name_not_best > 0 && folders_needed > 100, "{counts:?}");
}

/// The SSE2 match of a needle's suffix into a file name agrees with the byte loop: names in one
/// register (up to 16 bytes), in two (up to 32) and past them, paths shorter than the registers,
/// and letters of either case.
#[test]
fn the_file_name_fit_is_the_same_in_a_register_and_byte_by_byte() {
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let (mut fitted, mut short_paths, mut two_blocks, mut short_two, mut long_names) = (0, 0, 0, 0, 0);
    for (path, query) in random_pairs(0x5151_7a7a_0303_c0c0, 30_000) {
        // A random prefix of folders makes some paths longer than the registers, and a random
        // stretch of name (after the last `/`) some names longer than one or both.
        let path = format!("{}{path}{}", "ab/Cd-".repeat(rng.next(4)), "xY_z".repeat(rng.next(6)));
        let (p, nd) = (path.as_bytes(), needle(&query));
        let name_start = path.rfind('/').map_or(0, |i| i + 1);
        let (g, end) = bounds::fit_suffix(p, name_start, &nd);
        let (g_bytes, end_bytes) = bounds::fit_suffix_bytes(&p[name_start..], &nd);
        assert_eq!(g, g_bytes, "{path:?} {query:?}");
        if g == 0 {
            assert_eq!(end, end_bytes, "{path:?} {query:?}");
            fitted += 1;
        }
        let name_len = p.len() - name_start;
        short_paths += usize::from(p.len() < 16);
        two_blocks += usize::from((17..=32).contains(&name_len));
        short_two += usize::from((17..=32).contains(&name_len) && p.len() < 32);
        long_names += usize::from(name_len > 32);
    }
    // Positive controls: whole fits, paths shorter than one register, names for two registers
    // (some in paths shorter than both), and names longer than both.
    let counts = (fitted, short_paths, two_blocks, short_two, long_names);
    assert!(
        fitted > 1_000 && short_paths > 1_000 && two_blocks > 1_000 && short_two > 100 && long_names > 100,
        "{counts:?}"
    );
}
