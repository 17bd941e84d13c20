//! Tests of the front-coded keys: walks from a restart point, the subsequence search, and keys
//! read in place from a buffer that holds other bytes between their blocks (a warm start's
//! snapshot), which must read exactly as the same keys built here.

use super::*;

/// `keys` (in order) front-coded as the index builds them.
fn coded<K: AsRef<[u8]>>(keys: &[K]) -> FrontCoded {
    let mut fc = FrontCoded::default();
    keys.iter().for_each(|k| fc.push(k.as_ref()));
    fc.finish();
    fc
}

/// Walking from restart point `k` must give exactly what the full walk gives from key
/// `k * RESTART` on, with the same ranks: `meta::fill` gives each thread its own run of
/// blocks this way. Keys share long prefixes across block boundaries, so a walk that started
/// mid-block or kept a stale prefix would differ.
#[test]
fn a_walk_from_a_restart_point_is_the_tail_of_the_full_walk() {
    let keys: Vec<String> = (0..2 * RESTART + 300).map(|i| format!("deep/shared/prefix/{}/f{i:05}", i / 700)).collect();
    let fc = coded(&keys);
    assert_eq!((fc.len(), fc.chunks()), (keys.len(), 3));
    let mut full = Vec::new();
    fc.for_each(&mut |k, id| full.push((k.to_vec(), id)));
    for chunk in 0..=fc.chunks() {
        let (mut it, mut got) = (fc.iter_from_chunk(chunk), Vec::new());
        while let Some((k, id)) = it.next_ref() {
            got.push((k.to_vec(), id));
        }
        assert_eq!(got, full[(chunk * RESTART).min(full.len())..], "from restart point {chunk}");
    }
}

#[test]
fn search_sees_every_key_with_its_rank() {
    let keys: Vec<String> = (0..3000).map(|i| format!("dir{}/file{i:05}.txt", i / 100)).collect();
    let fc = coded(&keys);
    assert_eq!(fc.chunks(), 3);
    let mut all = Vec::new();
    fc.for_each(&mut |k, id| all.push((String::from_utf8(k.to_vec()).unwrap(), id)));
    assert_eq!(all, keys.iter().cloned().zip(0..).collect::<Vec<_>>());
    let needle = b"f9.t".to_vec();
    let aut = Subsequence::new(&needle);
    let (mut scratch, mut got) = ((Vec::new(), Vec::new()), Vec::new());
    for c in 0..fc.chunks() {
        fc.search(&aut, c, &mut scratch, &Cell::new(usize::MAX), &mut |k, id, ascii| {
            assert!(ascii);
            assert_eq!(keys[id as usize].as_bytes(), k);
            got.push(id);
        });
    }
    let want: Vec<u64> = (0..3000u64).filter(|i| format!("{i:05}").contains('9')).collect();
    assert_eq!(got, want);
    // Skipping long keys must not disturb matching of the shorter keys after them.
    let mixed = ["a/b/xx.rs", "a/b/xx/very/long/name/x.rs", "a/b/xy.rs", "a/c.rs"];
    let fc = coded(&mixed);
    let needle = b"xrs".to_vec();
    let aut = Subsequence::new(&needle);
    let mut got = Vec::new();
    fc.search(&aut, 0, &mut scratch, &Cell::new(12), &mut |k, _, _| got.push(String::from_utf8(k.to_vec()).unwrap()));
    assert_eq!(got, ["a/b/xx.rs", "a/b/xy.rs"]);
    // Keys with a non-ASCII byte are always handed over, flagged, matched or not; the flag
    // follows the byte through shared prefixes and is cleared once a key no longer shares it.
    let wide = ["a/x.rs", "a/\u{e9}.md", "a/\u{e9}b.md", "b/x.rs", "\u{e9}/x.rs"];
    let fc = coded(&wide);
    let mut got = Vec::new();
    fc.search(&aut, 0, &mut scratch, &Cell::new(usize::MAX), &mut |k, _, ascii| {
        got.push((String::from_utf8(k.to_vec()).unwrap(), ascii))
    });
    let want =
        [("a/x.rs", true), ("a/\u{e9}.md", false), ("a/\u{e9}b.md", false), ("b/x.rs", true), ("\u{e9}/x.rs", false)];
    assert_eq!(got, want.map(|(k, a)| (k.to_owned(), a)));
}

/// Lays the keys out as a snapshot does (each restart's coded bytes, with other bytes between
/// them) and reads them in place: every walk, lookup and search must give what the keys built
/// here give. A walk that did not hop over the gaps, or ran one restart into the next, differs.
#[test]
fn keys_read_in_place_read_as_the_same_keys_built_here() {
    let keys: Vec<String> = (0..2 * RESTART + 300).map(|i| format!("deep/shared/{}/f{i:05}.rs", i / 700)).collect();
    let built = coded(&keys);
    let (mut buffer, mut blocks) = (b"header".to_vec(), Vec::new());
    for chunk in 0..built.chunks() {
        let coded = &built.bytes[built.restarts[chunk]..built.end(chunk)];
        blocks.push((buffer.len(), buffer.len() + coded.len(), RESTART.min(keys.len() - chunk * RESTART)));
        buffer.extend_from_slice(coded);
        buffer.extend_from_slice(&[0xff; 40]);
    }
    let buffer = Arc::new(buffer);
    let held = Arc::downgrade(&buffer);
    let fc = FrontCoded::in_place(buffer, &blocks);
    assert_eq!((fc.len(), fc.chunks()), (built.len(), built.chunks()));
    let walk = |fc: &FrontCoded| {
        let mut all = Vec::new();
        fc.for_each(&mut |k, id| all.push((String::from_utf8(k.to_vec()).unwrap(), id)));
        all
    };
    assert_eq!(walk(&fc), keys.iter().cloned().zip(0..).collect::<Vec<_>>());
    for chunk in 0..=fc.chunks() {
        let (mut it, mut got) = (fc.iter_from_chunk(chunk), 0);
        while let Some((k, id)) = it.next_ref() {
            assert_eq!((k, id as usize), (keys[chunk * RESTART + got].as_bytes(), chunk * RESTART + got));
            got += 1;
        }
        assert_eq!(got, keys.len().saturating_sub(chunk * RESTART), "from restart point {chunk}");
    }
    for (i, k) in keys.iter().enumerate().step_by(97) {
        assert_eq!(fc.get(k.as_bytes()), Some(i as u64));
    }
    assert_eq!(fc.get(b"deep/shared/1/f00700.rs~"), None);
    let needle = b"f9.rs".to_vec();
    let aut = Subsequence::new(&needle);
    let search = |fc: &FrontCoded| {
        let (mut scratch, mut got) = ((Vec::new(), Vec::new()), Vec::new());
        for c in 0..fc.chunks() {
            fc.search(&aut, c, &mut scratch, &Cell::new(usize::MAX), &mut |_, id, _| got.push(id));
        }
        got
    };
    assert!(!search(&built).is_empty());
    assert_eq!(search(&fc), search(&built));
    // A copy of its own reads the same and lets the buffer go; keys built here are shared.
    let fc = Arc::new(fc);
    let own = FrontCoded::owned(&fc);
    drop(fc);
    assert!(held.upgrade().is_none(), "the copy must not keep the buffer alive");
    assert_eq!(walk(&own), keys.iter().cloned().zip(0..).collect::<Vec<_>>());
    assert_eq!(search(&own), search(&built));
    let built = Arc::new(built);
    assert!(Arc::ptr_eq(&FrontCoded::owned(&built), &built));
}
