//! Tests of loading a warm start's snapshot: what `WarmFiles::load` publishes must be exactly
//! what was written, over several blocks (the keys are read in place, a block at a time).

use super::*;
use crate::index::base::keys;
use crate::index::folders::Folders;
use crate::persist::format::{write, Entry};

#[test]
fn a_loaded_snapshot_holds_every_file_with_its_flags_hashes_and_keys() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.snapshot");
    let n = 2 * RESTART + 500;
    let mut names: Vec<String> = (0..n).map(|i| format!("pkg{}/src/file{i}.ts", i % 7)).collect();
    names.sort();
    let key = |i: usize| FileKey {
        device: 9,
        inode: i as u64,
        size: 3 * i as u64,
        mtime_ns: 1000 * i as i64,
        ctime_ns: i as i64,
    };
    let hash = |i: usize| i.is_multiple_of(5).then_some((i as u128 * 77, i as i64));
    let entries = names
        .iter()
        .enumerate()
        .map(|(i, p)| Ok(Entry { path: p, key: key(i), symlink: i.is_multiple_of(3), hash: hash(i) }));
    let records = [("".to_owned(), Print { folder: 1, rules: 2 }), ("pkg0".to_owned(), Print { folder: 3, rules: 4 })];
    let folders = Folders::from_sorted(5, records.clone()).unwrap();
    let header = Header {
        version: "test".into(),
        root: "/w".into(),
        root_device: 1,
        root_inode: 2,
        options: 3,
        written_ns: 4,
        files: n as u64,
        folders: 2,
        global: 5,
    };
    write(&path, &header, entries, Some(&folders)).unwrap();

    let warm = WarmFiles::load(&path, |_| Ok(())).unwrap();
    assert_eq!(keys(&warm.base), names);
    for (i, name) in names.iter().enumerate() {
        assert_eq!(warm.base.get(name.as_bytes()).map(|m| m.symlink), Some(i.is_multiple_of(3)), "{name}");
        assert_eq!(warm.keys.get(i), key(i));
    }
    let want: Vec<(u32, u128, i64)> = (0..n).filter_map(|i| hash(i).map(|(h, at)| (i as u32, h, at))).collect();
    assert_eq!(warm.hashes, want);
    assert_eq!(warm.folders, records);
    assert_eq!((warm.written_ns, warm.global), (4, 5));
}
