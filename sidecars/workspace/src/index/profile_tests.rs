//! Unit tests of the profile bound: what a part offers is the same read in registers as byte by
//! byte, and the bound is the exact score where a path leaves the needle one way to lie.
//! (`score_tests` checks the bound against `quick` and `exact` over random paths.)

use super::super::tests::{ex, needle};
use super::super::{rank, Bounds, Gate};

/// The SSE2 offer of any part of a path agrees with the byte loop: parts that start and end inside
/// a block, blocks pulled back from the path's end, pairs side by side across two blocks, letters
/// of either case, camel humps, digits after letters and `\` as a separator.
#[test]
#[cfg(target_arch = "x86_64")]
fn a_part_offers_the_same_in_registers_and_byte_by_byte() {
    use super::super::tests::random_pairs;
    use super::Profile;
    use crate::test_rng::Rng;
    let mut rng = Rng(0x0ff3_12ab_cdef_7777);
    let (mut compared, mut side_by_side, mut long_parts) = (0, 0, 0);
    for (path, query) in random_pairs(0x7a7a_5151_c0c0_0303, 40_000) {
        // A random prefix of folders makes some paths span several blocks.
        let path = format!("{}{path}", "ab/Cd-".repeat(rng.next(6)));
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
    assert!(compared > 10_000 && side_by_side > 2_000 && long_parts > 2_000, "{counts:?}");
}

/// Where a path leaves the needle one way to lie, the bound is its exact score, while the split
/// bound (every character granted the slash's bonus and a run) stays above it: `dts` in a name
/// (`d` and `t` after dots, not side by side, `ts` a run), and `iconsmat` wholly in the folders
/// (a run from a slash, a gap, a run from a dash).
#[test]
fn the_bound_is_the_exact_score_where_the_path_leaves_no_choice() {
    for (path, query) in
        [("node_modules/@types/x/index.d.ts", "dts"), ("node_modules/@mui/icons-material/Abc.js", "iconsmat")]
    {
        let (p, nd) = (path.as_bytes(), needle(query));
        let bounds = Bounds::new(&nd);
        let name_start = path.rfind('/').map_or(0, |i| i + 1);
        let coarse = rank(bounds.at[0], path.len() - name_start, path.len());
        assert_eq!(bounds.rank(p, &nd), ex(path, query), "{path} {query}");
        assert!(coarse > ex(path, query), "{path} {query}: the split bound is exact already");
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
