//! `check_run` checks each path only where it differs from the one before; these tests hold it to
//! a check of every path whole, on random front-coded runs built to hit the corners: a shared
//! prefix that ends inside a character or a component, `.`/`..`/empty components made by a
//! suffix, bytes that are not UTF-8, and paths out of order.

use super::*;
use crate::test_rng::Rng;

/// The plain rule: every path normal and UTF-8, each sorting strictly after the one before.
fn whole(paths: &[Vec<u8>]) -> bool {
    paths.iter().all(|p| normal(p) && std::str::from_utf8(p).is_ok()) && paths.windows(2).all(|w| w[0] < w[1])
}

/// Front-codes `paths` into blocks of `per` as the writer lays them out, sharing `shared(i)`
/// bytes with the path before (at most what they have in common).
fn encode(paths: &[Vec<u8>], per: usize, rng: &mut Rng) -> Vec<(usize, Vec<u8>)> {
    let mut out = Vec::new();
    for chunk in paths.chunks(per) {
        let mut bytes = Vec::new();
        for (i, p) in chunk.iter().enumerate() {
            let most = if i == 0 { 0 } else { chunk[i - 1].iter().zip(p).take_while(|(a, b)| a == b).count() };
            // Mostly the most they share (as the writer does), sometimes less (still valid).
            let shared = if rng.next(4) == 0 { rng.next(most + 1) } else { most };
            put(&mut bytes, shared as u64);
            put(&mut bytes, (p.len() - shared) as u64);
            bytes.extend_from_slice(&p[shared..]);
        }
        out.push((chunk.len(), bytes));
    }
    out
}

fn check(encoded: &[(usize, Vec<u8>)]) -> bool {
    let blocks: Vec<Block<'_>> = encoded
        .iter()
        .map(|(count, paths)| Block {
            count: *count,
            paths,
            paths_at: 0,
            keys_at: 0,
            keys: &[],
            bits: &[],
            hashes: &[],
        })
        .collect();
    check_run(&blocks).is_some()
}

#[test]
fn checking_suffixes_agrees_with_checking_whole_paths() {
    // Components are drawn from mostly good pieces; the rare bad ones (and a rare empty
    // component, which makes `//` or a slash at either end) decide most refusals.
    let good: [&[u8]; 6] = [b"a", b"b", b"ab", b"a.b", "é".as_bytes(), "è".as_bytes()];
    let bad: [&[u8]; 6] = [b".", b"..", b"", b"\xc3", b"\xa9", b"\xff"];
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..4000 {
        let n = 1 + rng.next(12);
        let component = |rng: &mut Rng| -> Vec<u8> {
            match rng.next(60) {
                0..3 => bad[rng.next(bad.len())].to_vec(),
                3 => [good[rng.next(good.len())], bad[rng.next(bad.len())]].concat(),
                _ => good[rng.next(good.len())].to_vec(),
            }
        };
        let mut paths: Vec<Vec<u8>> =
            (0..n).map(|_| (0..1 + rng.next(4)).map(|_| component(&mut rng)).collect::<Vec<_>>().join(&b'/')).collect();
        // Mostly sorted and distinct, so that the other rules decide; sometimes as drawn.
        if round % 5 != 0 {
            paths.sort();
            paths.dedup();
        }
        let encoded = encode(&paths, 1 + rng.next(4), &mut rng);
        let want = whole(&paths);
        assert_eq!(check(&encoded), want, "{:?}", paths.iter().map(|p| String::from_utf8_lossy(p)).collect::<Vec<_>>());
        if want {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // Both verdicts were exercised, many times each.
    assert!(accepted > 200 && refused > 200, "accepted {accepted}, refused {refused}");
}

#[test]
fn a_suffix_that_breaks_what_it_continues_is_refused() {
    let mut rng = Rng(1);
    let mut run = |paths: &[&[u8]]| check(&encode(&paths.iter().map(|p| p.to_vec()).collect::<Vec<_>>(), 8, &mut rng));
    // Each second path shares bytes with the first, so the suffix check is what must see the fault.
    for bad in [&b"a/b/"[..], b"a/b/..", b"a/b//c", b"a/b/./c"] {
        assert!(!run(&[b"a/b", bad]), "{}", String::from_utf8_lossy(bad));
    }
    // Shares `a/` and the first byte of `é`, then ends the character wrongly.
    assert!(!run(&["a/é".as_bytes(), b"a/\xc3\xff"]));
    // Controls: a child, a sibling, and a character that continues the shared bytes validly.
    assert!(run(&[b"a/b", b"a/b/c", b"a/c", "a/é".as_bytes(), "a/ê".as_bytes()]));
}
