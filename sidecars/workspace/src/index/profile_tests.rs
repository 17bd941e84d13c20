//! Unit tests of the profile bound: what a part offers is the same read in registers as byte by
//! byte, and the bound is the exact score where a path leaves the needle one way to lie.
//! (`score_tests` checks the bound against `quick` and `exact` over random paths.)

use super::super::bounds::Gate;
use super::super::tests::{ex, needle};
use super::super::{quick, Bounds};
use super::{Folder, Profile};
use crate::test_rng::Rng;

/// The SSE2 offer of any part of a path agrees with the byte loop: parts that start and end inside
/// a block, blocks pulled back from the path's end, pairs side by side across two blocks, letters
/// of either case, camel humps, digits after letters and `\` as a separator.
#[test]
#[cfg(target_arch = "x86_64")]
fn a_part_offers_the_same_in_registers_and_byte_by_byte() {
    use super::super::tests::random_pairs;
    let mut rng = Rng(0x0ff3_12ab_cdef_7777);
    let (mut compared, mut side_by_side, mut long_parts) = (0, 0, 0);
    for (path, query) in random_pairs(0x7a7a_5151_c0c0_0303, 40_000) {
        // A random prefix of folders makes some paths span several blocks.
        let prefix: String = (0..rng.next(6)).map(|_| rng.pick(&["ab/Cd-", "x y/", "Q_r.s/"])).collect();
        let path = format!("{prefix}{path}");
        let (p, nd) = (path.as_bytes(), needle(&query));
        let Some(profile) = Profile::new(&nd) else { continue };
        if p.len() < 16 {
            continue;
        }
        let from = rng.next(p.len() + 1);
        let to = from + rng.next(p.len() - from + 1);
        let offer = profile.offer_sse2(p, from, to);
        assert_eq!(offer, profile.scan(p, from, to), "{path:?} {query:?} {from}..{to}");
        compared += 1;
        side_by_side += usize::from(offer.adjacent != 0);
        long_parts += usize::from(to - from > 16);
    }
    // Positive controls: many parts compared, often with pairs side by side, often past a block.
    let counts = (compared, side_by_side, long_parts);
    assert!(compared > 10_000 && side_by_side > 1_000 && long_parts > 2_000, "{counts:?}");
}

/// Where a path leaves the needle one way to lie, the bound is its exact score, while the split
/// bound alone (every character granted the slash's bonus and a run) stays above it: `dts` in a name
/// (`d` and `t` after dots, not side by side, `ts` a run), and `iconsmat` wholly in the folders
/// (a run from a slash, a gap, a run from a dash).
#[test]
fn the_bound_is_the_exact_score_where_the_path_leaves_no_choice() {
    for (path, query) in
        [("node_modules/@types/x/index.d.ts", "dts"), ("node_modules/@mui/icons-material/Abc.js", "iconsmat")]
    {
        let (p, nd) = (path.as_bytes(), needle(query));
        let bounds = Bounds::new(&nd);
        assert_eq!(bounds.rank(p, &nd), ex(path, query), "{path} {query}");
        assert!(bounds.split_rank(p, &nd) > ex(path, query), "{path} {query}: the split bound is exact already");
    }
}

/// The gate keeps the profile while it prunes at least a quarter of a window, closes it for a
/// pause after a window that pruned fewer, and opens it again after the pause.
#[test]
fn the_profile_is_skipped_for_a_while_where_it_seldom_prunes() {
    let mut gate = Gate::default();
    // A window where every third path is pruned: the gate stays open.
    for i in 0..Gate::WINDOW {
        assert!(gate.open());
        gate.tally(i % 3 == 0);
    }
    // A window where every fifth path is pruned: the next `PAUSE` paths skip the profile.
    for i in 0..Gate::WINDOW {
        assert!(gate.open());
        gate.tally(i % 5 == 0);
    }
    let skipped = (0..2 * Gate::PAUSE).take_while(|_| !gate.open()).count();
    assert_eq!(skipped, Gate::PAUSE as usize);
}

/// The bound holds for needles up to the profile's longest and past it, taken from the path
/// itself (so they match, with runs long enough to reach the growth cap), against `quick` and
/// `exact`; and for many of them it is below the split bound, so it is what decides.
#[test]
fn the_bound_is_never_below_quick_or_exact_for_long_needles() {
    let mut rng = Rng(0x5eed_0f10_9e3d_2b7c);
    let alphabet = b"abcstAB/-._ 1\\";
    let (mut checked, mut long, mut tighter) = (0, 0, 0);
    for _ in 0..20_000 {
        let path: String = (0..8 + rng.next(40)).map(|_| alphabet[rng.next(alphabet.len())] as char).collect();
        // A subsequence of the path: runs of neighbours, with gaps now and then.
        let bytes = path.as_bytes();
        let (mut query, mut at, want) = (String::new(), rng.next(bytes.len() / 3), 1 + rng.next(18));
        while at < bytes.len() && query.len() < want {
            query.push(bytes[at] as char);
            at += 1 + if rng.next(4) == 0 { rng.next(3) } else { 0 };
        }
        let nd = needle(&query);
        if nd.contains(&b'/') || nd.contains(&b'\\') {
            continue;
        }
        let Some(quick_score) = quick(bytes, &nd) else { continue };
        let bounds = Bounds::new(&nd);
        let bound = bounds.rank(bytes, &nd);
        assert!(bound >= quick_score, "{path:?} {query:?}: bound {bound} < quick {quick_score}");
        assert!(bound >= ex(&path, &query), "{path:?} {query:?}: bound {bound} < exact");
        checked += 1;
        long += usize::from(nd.len() > 6);
        tighter += usize::from(bound < bounds.split_rank(bytes, &nd));
    }
    // Positive controls: many long needles (the random pairs stop at 6 bytes), and the profile
    // often below the split bound.
    assert!(checked > 5_000 && long > 2_000 && tighter > 2_000, "{checked} {long} {tighter}");
}

/// The folders' offer kept from the path before is reused only for the same folders: along sorted
/// paths where a subfolder's files fall between a folder's own and folders of the same length
/// follow each other, the kept offer is always what reading the folders afresh gives.
#[test]
fn a_kept_folder_offer_is_the_folders_own() {
    let paths = [
        "src/a.ts",
        "src/ab/c.ts",
        "src/ab/de.ts",
        "src/b.ts",
        "src/ba/c.ts",
        "src/c.ts",
        "src/d.ts",
        "srd/a.ts",
        "srd/b.ts",
        "tst/a.ts",
        "tst/b/c.ts",
        "tst/b/d.ts",
        "tst/bc.ts",
    ];
    let profile = Profile::new(b"sbt").expect("a needle the profile covers");
    let (mut folder, mut reused) = (Folder::default(), 0);
    let mut before: Option<&str> = None;
    for path in paths {
        let name_start = path.rfind('/').map_or(0, |i| i + 1);
        let kept = profile.folder(path.as_bytes(), name_start, &mut folder);
        assert_eq!(kept, profile.scan(path.as_bytes(), 0, name_start), "{path}");
        reused += usize::from(before.is_some_and(|b| b[..b.rfind('/').unwrap() + 1] == path[..name_start]));
        before = Some(path);
    }
    assert!(reused >= 4, "{reused} paths reused the folders' offer");
}
