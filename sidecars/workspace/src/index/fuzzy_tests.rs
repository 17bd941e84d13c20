//! Tests of the finder over in-memory snapshots: the issue's ranking cases end to end (through
//! the shortlist), Unicode and `\` queries, and incremental typing giving exactly a fresh
//! search's answer, from the survivors of the same snapshot only.

use super::*;
use crate::index::score::Scratch;
use crate::test_rng::Rng;

fn snap(paths: &[&str]) -> Snapshot {
    Snapshot::from_paths(paths.iter().map(|p| p.to_string())).unwrap()
}

fn top(s: &Snapshot, query: &str, n: usize) -> Vec<String> {
    s.fuzzy(query, n, &|| false).into_iter().map(|m| m.path).collect()
}

#[test]
fn unicode_and_backslash_queries() {
    let s =
        snap(&["docs/Écran.txt", "cv/Résumé.md", "ide/hover.ts", "src/ide/hover/widget.ts", "ecran.txt", "other.md"]);
    // Accents fold both ways: `écran` finds the plain spelling too (as in nucleo).
    let mut found = top(&s, "écran", 5);
    found.sort();
    assert_eq!(found, ["docs/Écran.txt", "ecran.txt"]);
    assert_eq!(top(&s, "ECRAN", 5).len(), 2);
    assert_eq!(top(&s, "resume", 5), ["cv/Résumé.md"]);
    assert_eq!(top(&s, "RÉSUMÉ", 5), ["cv/Résumé.md"]);
    assert_eq!(top(&s, "ide\\hover", 5), ["ide/hover.ts", "src/ide/hover/widget.ts"]);
    let found = s.fuzzy("resume", 1, &|| false);
    assert_eq!(found[0].positions, [3, 4, 5, 6, 7, 8]);
    assert!(top(&s, "résuméx", 5).is_empty());
}

#[test]
fn the_issues_ranking_cases() {
    // Length breaks ties only: a deep `jpg.ts` is the file named by the query, and the shorter
    // name `class.js` wins over `class-scope.ts` though its path is longer.
    let s = snap(&["packages/app/src/util/jpg.ts", "assets/img/a.jpg", "b.jpg", "assets/photos/holiday.jpg"]);
    assert_eq!(top(&s, "jpg", 1), ["packages/app/src/util/jpg.ts"]);
    let s = snap(&["src/class-scope.ts", "lib/deep/folder/sub/class.js", "classes/x.ts"]);
    assert_eq!(top(&s, "class", 2), ["lib/deep/folder/sub/class.js", "src/class-scope.ts"]);
    // A target whose best alignment the old quick score missed (it took the `n` of "in") must
    // reach the answer even when the shortlist fills with paths that beat that bad window.
    let mut paths: Vec<String> = (0..400).map(|i| format!("n{i}/e/s/t.ts")).collect();
    paths.push("test/nested-in-react.test.ts".to_owned());
    let s = Snapshot::from_paths(paths).unwrap();
    let found = s.fuzzy("nest", 1, &|| false);
    assert_eq!(found[0].path, "test/nested-in-react.test.ts");
    assert_eq!(found[0].positions, [5, 6, 7, 8]);
}

const WORDS: &[&str] = &[
    "src",
    "lib",
    "index",
    "fuzzy",
    "score",
    "main",
    "test",
    "react",
    "nested",
    "Écran",
    "résumé",
    "util",
    "core",
    "api",
    "docs",
    "Widget",
    "hover",
    "a",
    "b",
    "data",
    "x",
    "Übung",
    "node_modules",
    "camelCase",
];

fn random_paths(rng: &mut Rng, n: usize) -> Vec<String> {
    (0..n)
        .map(|_| {
            let depth = 1 + rng.next(4);
            let mut parts: Vec<String> = (0..depth).map(|_| rng.pick(WORDS).to_owned()).collect();
            let ext = rng.pick(&["rs", "ts", "md", "json", "jpg"]);
            let last = parts.last_mut().unwrap();
            *last = format!("{last}{}.{ext}", rng.next(50));
            parts.join(rng.pick(&["/", "/", "/", "-"]))
        })
        .collect()
}

#[test]
fn extending_a_query_answers_exactly_as_a_fresh_search() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    // Over 3k keys so the base has several chunks, some sparse enough to be kept.
    let s = Arc::new(Snapshot::from_paths(random_paths(&mut rng, 6000)).unwrap());
    let finder = Finder::default();
    let letters: Vec<char> = "abcdeilmnorstuxyz/é.-_".chars().collect();
    let mut kept_sparse = false;
    for round in 0..60 {
        // Type a query one character at a time, sometimes inserting in the middle, sometimes
        // deleting the last character, comparing every step with a search that has no cache.
        let mut query = String::new();
        for _ in 0..(2 + rng.next(5)) {
            let c = letters[rng.next(letters.len())];
            match rng.next(6) {
                0 if !query.is_empty() => {
                    query.pop();
                }
                1 if !query.is_empty() => {
                    let at = query.char_indices().nth(rng.next(query.chars().count())).unwrap().0;
                    query.insert(at, c);
                }
                _ => query.push(c),
            }
            let limit = [1, 5, 50][round % 3];
            let cached = finder.find(&s, &query, limit, &|| false);
            let fresh = s.fuzzy(&query, limit, &|| false);
            assert_eq!(cached, fresh, "query {query:?}");
        }
        let memo = finder.0.lock().unwrap();
        kept_sparse |=
            memo.list.iter().any(|e| e.chunks.iter().any(|c| c.as_ref().is_some_and(|h| !h.ends.is_empty())));
    }
    // Positive control: the cached path really ran (some chunks were answered from survivors).
    assert!(kept_sparse, "no query kept any survivors, so the cache was never exercised");
}

/// The finder's answers for `query` on `s`, paths only.
fn found(finder: &Finder, s: &Arc<Snapshot>, query: &str, n: usize) -> Vec<String> {
    finder.find(s, query, n, &|| false).into_iter().map(|m| m.path).collect()
}

#[test]
fn the_cache_narrows_only_from_a_subsequence() {
    let s = Arc::new(snap(&["src/abc.rs", "src/acb.rs", "x/bca.md"]));
    let finder = Finder::default();
    assert_eq!(found(&finder, &s, "ab", 5), ["src/abc.rs", "src/acb.rs"]);
    // "ba" is not an extension of "ab": its answer must not come from "ab"'s survivors.
    assert!(finder.lookup(&s, b"ba").is_none());
    assert_eq!(found(&finder, &s, "ba", 5), ["x/bca.md"]);
    assert_eq!(finder.lookup(&s, b"abc").map(|e| e.needle.clone()), Some(b"ab".to_vec()));
    assert_eq!(found(&finder, &s, "abc", 5), ["src/abc.rs"]);
    assert_eq!(finder.lookup(&s, b"axbc").map(|e| e.needle.clone()), Some(b"abc".to_vec()));
}

#[test]
fn a_new_snapshot_is_searched_afresh() {
    let finder = Finder::default();
    let old = Arc::new(snap(&["a/abc.rs"]));
    assert_eq!(found(&finder, &old, "ab", 5), ["a/abc.rs"]);
    // The next generation has a file the old one's survivors of "ab" never saw; narrowing from
    // them would miss it.
    let new = Arc::new(snap(&["a/abc.rs", "b/abx.rs"]));
    assert!(finder.lookup(&new, b"abx").is_none());
    assert_eq!(found(&finder, &new, "abx", 5), ["b/abx.rs"]);
    // The memory moved on to the new snapshot: the old one's queries are forgotten.
    assert!(finder.lookup(&old, b"abc").is_none());
    assert_eq!(finder.lookup(&new, b"abxy").map(|e| e.needle.clone()), Some(b"abx".to_vec()));
}

/// The astro case of issue 18: `srcconconf` among hundreds of `src/content.config.ts` and
/// `src/content/config.ts` fixtures (astro's shape). The shortlist must keep every path the exact
/// score puts in the top `limit`: the answer equals exact-scoring every path and sorting. (On
/// astro itself, commit 99d3d3dbbf's 6,697 paths, the same holds at limits 50 and 100, and
/// `packages/astro/src/content/config.ts` is 75th by the exact score: the 74
/// `src/content.config.ts` above it hold more of the query in their file name; see
/// bench/README.md, "Ranking queries".)
#[test]
fn the_shortlist_keeps_what_the_exact_score_ranks_in_the_top() {
    let mut paths =
        vec!["packages/astro/src/content/config.ts".to_owned(), "packages/astro/src/content/consts.ts".to_owned()];
    for i in 0..300 {
        paths.push(format!("packages/astro/test/fixtures/collections-{i}/src/content.config.ts"));
        paths.push(format!("packages/astro/test/fixtures/legacy-{i}/src/content/config.ts"));
        paths.push(format!("packages/astro/test/fixtures/legacy-{i}/src/content/blog/conf-{i}.md"));
        paths.push(format!("examples/site-{i}/src/components/ContentConfig{i}.astro"));
    }
    let s = Snapshot::from_paths(paths.clone()).unwrap();
    for (query, limit) in [("srcconconf", 50), ("srcconconf", 1), ("contconf", 50), ("astrosrcconf", 20)] {
        let q = fold_query(query);
        let mut scratch = Scratch::default();
        let mut every: Vec<(i64, &str)> =
            paths.iter().filter_map(|p| Some((score::exact(p, &q, &mut scratch)?.0, p.as_str()))).collect();
        every.sort_by(|a, b| b.0.cmp(&a.0).then_with(|| a.1.cmp(b.1)));
        let expected: Vec<&str> = every.iter().take(limit).map(|e| e.1).collect();
        assert_eq!(top(&s, query, limit), expected, "query {query:?}");
    }
}

/// The shortlist a search must end with: every path of `paths` that matches `needle`, scored.
fn every_path(paths: &[String], needle: &[u8], cap: usize) -> crate::index::shortlist::Shortlist {
    let mut every = crate::index::shortlist::Shortlist::new(cap);
    let mut scratch = Vec::new();
    for p in paths {
        if let Some(score) = quick(p.as_bytes(), p.is_ascii(), needle, &mut scratch) {
            every.offer(score, p.as_bytes());
        }
    }
    every
}

/// The skips (each worker's bar, the shared `Floor`, the score bounds) must leave the shortlist
/// exactly what scoring every matching path gives, so the answer is too. Rare strong matches
/// (`src/core-*`) are spread over many chunks among many weaker ones, the shape in which each
/// worker's own list closes low.
#[test]
fn skipping_never_changes_the_shortlist() {
    use crate::index::shortlist::{best_pairs, shortlist_cap};
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    let mut paths = random_paths(&mut rng, 20_000);
    for i in 0..300 {
        paths.push(format!("pkg{i}/src/{}/core-{}.ts", rng.pick(WORDS), rng.next(90)));
        if i % 3 == 0 {
            paths.push(format!("pkg{i}/src/core-{}.ts", rng.next(90)));
        }
    }
    paths.sort_unstable();
    paths.dedup();
    let s = Arc::new(Snapshot::from_paths(paths.clone()).unwrap());
    assert!(s.base.keys.chunks() > 10);
    let expected = |needle: &[u8], cap: usize| best_pairs(std::iter::once(every_path(&paths, needle, cap)), cap);
    let stop = AtomicBool::new(false);
    for query in ["src/cor", "srccore", "te", "dts", "core", "cts", "nested", "x", "idx.rs"] {
        for limit in [1, 50] {
            let needle = fold_query(query).iter().collect::<String>().into_bytes();
            let cap = shortlist_cap(limit);
            let want = expected(&needle, cap);
            assert!(want.len() > limit.min(20), "{query:?} finds enough");
            let (lists, _) = s.shortlist_base(&needle, None, cap, &stop, &|| false);
            assert_eq!(best_pairs(lists.into_iter(), cap), want, "query {query:?} limit {limit}");
        }
    }
    // Typed letter by letter, each step from the last one's survivors and pilot.
    let (finder, cap) = (Finder::default(), shortlist_cap(50));
    for typed in ["src/core", "dtsx", "cor.ts"] {
        for k in 2..=typed.len() {
            finder.find(&s, &typed[..k - 1], 50, &|| false);
            let needle = &typed.as_bytes()[..k];
            let from = finder.lookup(&s, needle).expect("the prefix is remembered");
            assert!(!from.best.is_empty(), "{typed:?}: a pilot to start from");
            let (lists, _) = s.shortlist_base(needle, Some(&from), cap, &stop, &|| false);
            assert_eq!(best_pairs(lists.into_iter(), cap), expected(needle, cap), "typed {:?}", &typed[..k]);
        }
    }
}

/// A pilot path may live in the overlay (a file changed or added since the base) while the base
/// copy of another was removed: typing through the cache must still rank exactly as scoring every
/// live path does, each path counted once.
#[test]
fn a_pilot_with_overlay_paths_ranks_as_every_live_path() {
    use crate::index::shortlist::{finish, shortlist_cap};
    use crate::index::store::Store;
    use crate::index::types::FileMeta;
    let mut rng = Rng(0x6a09_e667_f3bc_c908);
    let mut paths = random_paths(&mut rng, 8_000);
    paths.extend((0..150).map(|i| format!("pkg{i}/src/core-{i}.ts")));
    paths.sort_unstable();
    paths.dedup();
    let store = Arc::new(Store::new());
    let base = Snapshot::from_paths(paths.clone()).unwrap().base;
    store.replace_base(Arc::into_inner(base).expect("the only reference"));
    // Strong matches added in the overlay, and half of the base's strong matches removed.
    let meta = Some(FileMeta { size: 1, mtime_ms: 1, symlink: false });
    let mut updates: Vec<(String, Option<FileMeta>)> =
        (0..120).map(|i| (format!("new{i}/src/core{i}.ts"), meta)).collect();
    updates.extend((0..150).step_by(2).map(|i| (format!("pkg{i}/src/core-{i}.ts"), None)));
    store.apply(|_| (updates.clone(), ()));
    let snap = store.snapshot();
    assert!(!snap.overlay.is_empty());
    let mut live: Vec<String> =
        paths.into_iter().filter(|p| !updates.iter().any(|(u, m)| u == p && m.is_none())).collect();
    live.extend(updates.iter().filter(|(_, m)| m.is_some()).map(|(p, _)| p.clone()));
    let finder = Finder::default();
    for typed in ["src/core", "srccorets"] {
        for k in 1..=typed.len() {
            let (query, limit) = (&typed[..k], 50);
            let (folded, cap) = (fold_query(query), shortlist_cap(limit));
            let needle = folded.iter().collect::<String>().into_bytes();
            let want = finish(std::iter::once(every_path(&live, &needle, cap)), cap, &folded, limit);
            assert_eq!(finder.find(&snap, query, limit, &|| false), want, "typed {query:?}");
        }
    }
    // Positive control: the pilot held overlay paths.
    let memo = finder.0.lock().unwrap();
    assert!(memo.list[0].best.iter().any(|p| p.starts_with("new")), "overlay paths in the pilot");
}

#[test]
fn chunks_are_visited_once_each_a_sample_of_the_tree_first() {
    for n in [0, 1, 15, 16, 17, 100, 977] {
        let mut order = spread(n);
        assert_eq!(order.len(), n);
        order.sort_unstable();
        assert!(order.iter().copied().eq(0..n), "{n} chunks: each once");
    }
    assert_eq!(spread(160)[..4], [0, 10, 20, 30]);
    assert_eq!(spread(160)[16..18], [1, 11]);
}
