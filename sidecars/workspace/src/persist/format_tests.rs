//! Tests of the snapshot format: what is written reads back exactly; a file cut at any byte or
//! with any byte flipped yields no entry at all; another format version is foreign; a write that
//! fails part-way (as a crash would) leaves the previous snapshot whole. Folder records travel
//! with the entries and are covered by the same checks, and so are block boundaries (a block holds
//! 1024 files) and a file whose checksum is right but whose paths are out of order.

use super::*;

/// One entry as plain data: path, key, symlink flag, hash with its time.
type Owned = (String, FileKey, bool, Option<(u128, i64)>);

fn header(files: u64) -> Header {
    Header {
        version: "1.2.3".into(),
        root: "/w/ünïcode root".into(),
        root_device: 66306,
        root_inode: 1 << 40,
        options: 0xdead_beef_f00d,
        written_ns: 1_764_000_000_123_456_789,
        files,
        folders: folders().len() as u64,
        global: 0x1234_5678_9abc,
    }
}

/// Folder records, the root first (its path is empty).
fn folders() -> Folders {
    let print = |i: u64| Print { folder: u64::MAX - i, rules: i + 1 };
    let items = ["", "a", "a/bé", "z"].iter().enumerate().map(|(i, p)| (p.to_string(), print(i as u64)));
    Folders::from_sorted(0x1234_5678_9abc, items).unwrap()
}

fn folder_list(f: &Folders) -> Dirs {
    let mut out = Vec::new();
    f.for_each(&mut |p, print| out.push((p.to_owned(), print)));
    out
}

fn entries() -> Vec<Owned> {
    let key = |i: u64| FileKey {
        device: 66306,
        inode: 1000 + i,
        size: i * 4097,
        mtime_ns: 1_700_000_000_000_000_000 + i as i64,
        ctime_ns: -5 - i as i64,
    };
    // A backslash is part of a name on Unix; on Windows it is a separator, and never in an index path.
    let names: &[&str] = if cfg!(windows) {
        &["a", "a/b.txt", "a/bé.txt", "a/bé/c", "z/日本.md"]
    } else {
        &["a", "a/b.txt", "a/bé.txt", "a/bé/c", "back\\slash.txt", "z/日本.md"]
    };
    names
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let hash = (i % 2 == 0).then_some((u128::MAX - i as u128, 1_764_000_000_000_000_000 + i as i64));
            (p.to_string(), key(i as u64), i == 3, hash)
        })
        .collect()
}

fn write_all(path: &Path, files: &[Owned]) -> io::Result<()> {
    let it =
        files.iter().map(|(p, key, symlink, hash)| Ok(Entry { path: p, key: *key, symlink: *symlink, hash: *hash }));
    write(path, &header(files.len() as u64), it, Some(&folders()))
}

fn read_all(path: &Path) -> Result<(Header, Vec<Owned>), Reject> {
    read_with_folders(path).map(|(h, got, _)| (h, got))
}

/// Folder records as plain data.
type Dirs = Vec<(String, Print)>;

fn read_with_folders(path: &Path) -> Result<(Header, Vec<Owned>, Dirs), Reject> {
    let (mut got, mut dirs) = (Vec::new(), Vec::new());
    let h = read(
        path,
        |_| Ok(()),
        |p, print| dirs.push((p.to_owned(), print)),
        |e| {
            got.push((e.path.to_owned(), e.key, e.symlink, e.hash));
            Ok(())
        },
    )?;
    Ok((h, got, dirs))
}

#[test]
fn a_snapshot_reads_back_exactly_as_written() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.snapshot");
    let files = entries();
    write_all(&path, &files).unwrap();
    let (h, got, dirs) = read_with_folders(&path).unwrap();
    assert_eq!(h, header(files.len() as u64));
    assert_eq!(got, files);
    assert_eq!(dirs, folder_list(&folders()));
    // No temporary file is left beside it.
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn a_cut_or_flipped_snapshot_yields_no_entry() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.snapshot");
    write_all(&path, &entries()).unwrap();
    let whole = std::fs::read(&path).unwrap();
    let bad = dir.path().join("bad");
    let delivered = std::cell::Cell::new(0);
    let check = |bytes: &[u8], what: &str| {
        std::fs::write(&bad, bytes).unwrap();
        let r = read(
            &bad,
            |_| Ok(()),
            |_, _| delivered.set(delivered.get() + 1),
            |_| {
                delivered.set(delivered.get() + 1);
                Ok(())
            },
        );
        assert!(matches!(r, Err(Reject::Corrupt(_))), "{what}: {r:?}");
    };
    for cut in 0..whole.len() {
        check(&whole[..cut], &format!("cut at {cut}"));
    }
    for at in 0..whole.len() {
        let mut flipped = whole.clone();
        flipped[at] ^= 0x10;
        if (8..12).contains(&at) {
            continue; // the format version: foreign, checked below
        }
        check(&flipped, &format!("byte {at} flipped"));
    }
    assert_eq!(delivered.get(), 0, "a damaged snapshot handed out entries or folders");
    // Positive control: the same reader accepts the whole file.
    std::fs::write(&bad, &whole).unwrap();
    assert_eq!(read_all(&bad).unwrap().1.len(), entries().len());
}

#[test]
fn another_format_version_or_a_refused_header_is_foreign() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.snapshot");
    write_all(&path, &entries()).unwrap();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes[8] = 4;
    let n = bytes.len();
    let sum = xxh3_64(&bytes[..n - 8]).to_le_bytes();
    bytes[n - 8..].copy_from_slice(&sum);
    std::fs::write(&path, &bytes).unwrap();
    assert!(matches!(read_all(&path), Err(Reject::Foreign(why)) if why.contains("format 4")));
    write_all(&path, &entries()).unwrap();
    let refused = read(
        &path,
        |h| Err(format!("root {}", h.root)),
        |_, _| panic!("no folder"),
        |_| panic!("no entry after a refused header"),
    );
    assert_eq!(refused, Err(Reject::Foreign("root /w/ünïcode root".into())));
    assert_eq!(read_all(&dir.path().join("none")).unwrap_err(), Reject::Missing);
}

#[test]
fn a_write_that_fails_part_way_leaves_the_old_snapshot_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.snapshot");
    let old = entries();
    write_all(&path, &old).unwrap();
    // The second write dies after two entries, as a crash or a full disk would stop it.
    let newer: Vec<_> = old.iter().map(|(p, k, s, _)| (p.clone(), FileKey { size: 1, ..*k }, *s, None)).collect();
    let failing = newer.iter().enumerate().map(|(i, (p, key, symlink, hash))| {
        if i == 2 {
            Err(io::Error::other("disk full"))
        } else {
            Ok(Entry { path: p, key: *key, symlink: *symlink, hash: *hash })
        }
    });
    assert!(write(&path, &header(newer.len() as u64), failing, Some(&folders())).is_err());
    assert_eq!(read_all(&path).unwrap().1, old);
    // A temporary file a killed process left behind is not the snapshot and does not disturb it.
    std::fs::write(path.with_extension("tmp1"), b"SKWSNAP\0garbage").unwrap();
    assert_eq!(read_all(&path).unwrap().1, old);
    // Control: the same entries without the failure replace it.
    write_all(&path, &newer).unwrap();
    assert_eq!(read_all(&path).unwrap().1, newer);
}

/// `n` entries over several blocks, every third with a hash and every seventh a symlink.
fn many(n: usize) -> Vec<Owned> {
    let mut names: Vec<String> = (0..n).map(|i| format!("d{}/f{i}.txt", i % 13)).collect();
    names.sort();
    let key = |i: u64| FileKey { device: 7, inode: i, size: i * 3, mtime_ns: i as i64 * 1000, ctime_ns: -(i as i64) };
    let hash = |i: usize| i.is_multiple_of(3).then_some((i as u128 * 0x1_0000_0001, i as i64));
    names.into_iter().enumerate().map(|(i, p)| (p, key(i as u64), i.is_multiple_of(7), hash(i))).collect()
}

fn write_entries(path: &Path, files: &[Owned]) -> io::Result<()> {
    let it = files.iter().map(|(p, k, s, h)| Ok(Entry { path: p, key: *k, symlink: *s, hash: *h }));
    write(path, &Header { files: files.len() as u64, ..header(0) }, it, Some(&folders()))
}

#[test]
fn entries_over_several_blocks_read_back_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.snapshot");
    for n in [1023, 1024, 1025, 2500] {
        let files = many(n);
        write_entries(&path, &files).unwrap();
        let (h, got) = read_all(&path).unwrap();
        assert_eq!(h.files, n as u64);
        assert_eq!(got, files, "{n} entries");
    }
}

#[test]
fn a_well_summed_snapshot_with_paths_out_of_order_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.snapshot");
    // The writer takes what it is given; the reader must not trust the order.
    for swap in [(0, 1), (1500, 1501), (1023, 1024)] {
        let mut files = many(2500);
        files.swap(swap.0, swap.1);
        write_entries(&path, &files).unwrap();
        let r = read(&path, |_| Ok(()), |_, _| panic!("no folder"), |_| panic!("no entry"));
        assert!(matches!(r, Err(Reject::Corrupt(_))), "{swap:?}: {r:?}");
    }
    // Control: the same entries in order are read.
    write_entries(&path, &many(2500)).unwrap();
    assert_eq!(read_all(&path).unwrap().1.len(), 2500);
}

#[test]
fn a_path_that_could_name_something_outside_the_root_is_corrupt() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("index.snapshot");
    let print = Print { folder: 1, rules: 1 };
    for bad in ["/etc", "a/../..", "a//b", "a/"] {
        let folders = Folders::from_sorted(0, [("".to_string(), print), (bad.to_string(), print)]).unwrap();
        let h = Header { files: 0, folders: 2, ..header(0) };
        write(&path, &h, std::iter::empty(), Some(&folders)).unwrap();
        assert!(matches!(read_all(&path), Err(Reject::Corrupt(_))), "folder {bad:?}");
        let files = vec![(bad.to_string(), entries()[0].1, false, None)];
        write_entries(&path, &files).unwrap();
        assert!(matches!(read_all(&path), Err(Reject::Corrupt(_))), "file {bad:?}");
    }
    // Control: the same with a plain path is read.
    write_entries(&path, &[("a/b".to_string(), entries()[0].1, false, None)]).unwrap();
    assert_eq!(read_all(&path).unwrap().1.len(), 1);
}
