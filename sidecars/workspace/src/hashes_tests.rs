//! The hash cache's rules: a hit needs the same key and times older than the computation minus two
//! ticks; a same-size edit with the old mtime restored is answered with the new content's hash;
//! hashes are xxh3-128 of the whole content, read in chunks.
// Fixtures write the files the cache then reads; the sidecar itself never writes.
#![allow(clippy::disallowed_methods)]

use super::*;

const SECOND: i64 = 1_000_000_000;

fn key(mtime_ns: i64, ctime_ns: i64) -> FileKey {
    FileKey { device: 1, inode: 2, size: 3, mtime_ns, ctime_ns }
}

#[test]
fn a_settled_entry_answers_only_for_the_same_key() {
    let cache = HashCache::default();
    let k = key(100 * SECOND, 100 * SECOND);
    cache.remember("a", Cached { key: k, hash: 7, computed_ns: 200 * SECOND });
    assert_eq!(cache.lookup("a", &k), Some(7));
    assert_eq!(cache.lookup("b", &k), None);
    for changed in [
        FileKey { device: 9, ..k },
        FileKey { inode: 9, ..k },
        FileKey { size: 9, ..k },
        FileKey { mtime_ns: k.mtime_ns + 1, ..k },
        FileKey { ctime_ns: k.ctime_ns + 1, ..k },
    ] {
        assert_eq!(cache.lookup("a", &changed), None, "{changed:?}");
    }
}

#[test]
fn an_entry_whose_times_are_within_two_ticks_of_its_computation_is_racy() {
    let computed_ns = 1_000 * SECOND;
    let edge = computed_ns - 2 * RACY_TICK_NS;
    for (mtime, ctime, trusted) in [
        (edge - 1, edge - 1, true),
        (edge, edge - 1, false),
        (edge - 1, edge, false),
        (computed_ns, computed_ns, false),
        // A clock that ran backwards, or a time set in the future, is never trusted.
        (computed_ns + SECOND, edge - 1, false),
    ] {
        let entry = Cached { key: key(mtime, ctime), hash: 1, computed_ns };
        assert_eq!(entry.trusted_for(&key(mtime, ctime)), trusted, "mtime {mtime} ctime {ctime}");
    }
}

#[test]
fn hashes_are_xxh3_128_of_the_whole_content_in_any_chunking() {
    let big: Vec<u8> = (0..(3 * CHUNK + 17)).map(|i| (i * 31 % 251) as u8).collect();
    for data in [&b""[..], b"a", &big[..CHUNK + 1], &big] {
        assert_eq!(hash_reader(data).unwrap(), xxhash_rust::xxh3::xxh3_128(data));
    }
    // The reference value of the empty input, as `xxhsum -H128` prints it.
    assert_eq!(hex(hash_reader(&b""[..]).unwrap()), "99aa06d3014798d86001c324468d497f");
}

/// Writes `content` to `path` and sets its mtime to `mtime`.
fn write_at(path: &std::path::Path, content: &[u8], mtime: SystemTime) {
    std::fs::write(path, content).unwrap();
    std::fs::File::options().write(true).open(path).unwrap().set_modified(mtime).unwrap();
}

#[test]
fn a_same_size_edit_with_the_old_mtime_restored_answers_the_new_hash() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("f.txt");
    let old = UNIX_EPOCH + std::time::Duration::from_secs(946_684_800); // 2000-01-01
    write_at(&path, b"first", old);
    let cache = HashCache::default();
    let open = || std::fs::File::open(&path).unwrap();
    assert_eq!(cache.hash_file("f.txt", &open()).unwrap(), xxhash_rust::xxh3::xxh3_128(b"first"));

    // Make the entry as settled as a long-idle file's: only its key can refuse it now.
    let mut entry = cache.get("f.txt").unwrap();
    entry.key.ctime_ns = entry.key.ctime_ns.min(now_ns() - 10 * RACY_TICK_NS);
    entry.computed_ns = now_ns();
    cache.remember("f.txt", entry);
    let settled = cache.get("f.txt").unwrap();
    assert!(settled.key.mtime_ns < now_ns() - 2 * RACY_TICK_NS);

    write_at(&path, b"other", old);
    let now = file_key(&open()).unwrap();
    assert_eq!((now.size, now.mtime_ns, now.inode), (settled.key.size, settled.key.mtime_ns, settled.key.inode));
    assert_ne!(now.ctime_ns, settled.key.ctime_ns, "the write moved ctime");
    assert_eq!(cache.hash_file("f.txt", &open()).unwrap(), xxhash_rust::xxh3::xxh3_128(b"other"));
}

#[test]
fn a_file_hashed_just_after_a_write_is_hashed_again_until_it_settles() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.txt");
    std::fs::write(&path, b"one").unwrap();
    let cache = HashCache::default();
    let open = || std::fs::File::open(&path).unwrap();
    cache.hash_file("g.txt", &open()).unwrap();
    let entry = cache.get("g.txt").unwrap();
    // Just written: its ctime is within two ticks of the computation, so no lookup trusts it,
    // even with an unchanged key (here a planted wrong hash would otherwise be answered).
    cache.remember("g.txt", Cached { hash: 42, ..entry });
    assert_eq!(cache.lookup("g.txt", &entry.key), None);
    assert_eq!(cache.hash_file("g.txt", &open()).unwrap(), xxhash_rust::xxh3::xxh3_128(b"one"));
    // The same entry computed long after its times settled is trusted.
    cache.remember(
        "g.txt",
        Cached { hash: 42, computed_ns: entry.key.ctime_ns.max(entry.key.mtime_ns) + 3 * RACY_TICK_NS, ..entry },
    );
    assert_eq!(cache.lookup("g.txt", &entry.key), Some(42));
}

/// Each path finds its own entry among many, and storing one again replaces it in place.
#[test]
fn every_path_finds_its_own_entry_and_a_new_one_replaces_it() {
    let cache = HashCache::default();
    let entry = |i: u64| Cached { key: key(i as i64, i as i64), hash: u128::from(i) << 64 | 7, computed_ns: 0 };
    let path = |i: u64| format!("src/dir{}/file{i}.ts", i % 13);
    for i in 0..20_000 {
        cache.remember(&path(i), entry(i));
    }
    cache.remember(&path(5), entry(99_999));
    assert_eq!(cache.entries.lock().unwrap().all.len(), 20_000, "replaced in place");
    for i in (0..20_000).filter(|&i| i != 5) {
        assert_eq!(cache.get(&path(i)).map(|c| c.hash), Some(entry(i).hash), "{}", path(i));
    }
    assert_eq!(cache.get(&path(5)).map(|c| c.hash), Some(entry(99_999).hash));
    assert!(cache.get("src/dir0/file20000.ts").is_none());
}
