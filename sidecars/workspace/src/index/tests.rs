//! Tests of the scan, the store and the read side: what a scan includes and leaves out, overlay
//! updates and background merges agreeing with a fresh scan, directory listings, and fuzzy
//! ranking and highlight positions. They run on small real trees in temporary folders.

// These tests build and change their fixture trees in temporary folders; they are not the
// sidecar, so the read-only rule (clippy.toml) does not apply to them.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::{Path, PathBuf};

use super::*;

/// Writes `files` (relative paths, created with parents) under `root`.
pub(super) fn write_tree(root: &Path, files: &[&str]) {
    for f in files {
        let p = root.join(f);
        fs::create_dir_all(p.parent().unwrap()).unwrap();
        fs::write(&p, f.as_bytes()).unwrap();
    }
}

/// A canonical temporary root.
pub(super) fn temp_root() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

pub(super) fn opts(root: &Path) -> IndexOptions {
    IndexOptions { root: root.to_path_buf(), excludes: Vec::new(), no_ignore: false }
}

/// Every indexed path with its metadata, in order.
pub(super) fn contents(snap: &Snapshot) -> Vec<(String, FileMeta)> {
    let mut out = Vec::new();
    snap.for_each(&mut |p, m| out.push((p.to_owned(), m)));
    out
}

pub(super) fn scanned(opts: IndexOptions) -> Index {
    let index = Index::new(opts);
    index.scan(&|_| {}).unwrap();
    index
}

fn paths(index: &Index) -> Vec<String> {
    contents(&index.snapshot()).into_iter().map(|(p, _)| p).collect()
}

#[test]
fn scan_honours_gitignore_without_git_and_keeps_dotfiles() {
    let (_d, root) = temp_root();
    write_tree(
        &root,
        &[
            ".gitignore",
            ".env",
            "src/a.rs",
            "build/out.o",
            "src/gen/x.rs",
            "src/.ignore",
            "src/keep.log",
            "src/skip.tmp",
        ],
    );
    fs::write(root.join(".gitignore"), "build/\n*.log\n").unwrap();
    fs::write(root.join("src/.ignore"), "gen/\n*.tmp\n!keep.log\n").unwrap();
    write_tree(&root, &[".git/HEAD", ".git/objects/ab"]);
    let index = scanned(opts(&root));
    assert!(index.is_ready());
    assert_eq!(paths(&index), [".env", ".gitignore", "src/.ignore", "src/a.rs", "src/keep.log"]);
    assert!(index.is_excluded("build/new.o", false));
    assert!(index.is_excluded("src/gen/y.rs", false));
    assert!(index.is_excluded(".git/config", false));
    assert!(index.is_excluded("x.log", false));
    assert!(!index.is_excluded("src/keep.log", false), ".ignore's whitelist outranks .gitignore");
    assert!(!index.is_excluded("src/b.rs", false));
    assert_eq!(index.snapshot().len(), 5);
}

#[test]
fn excludes_and_no_ignore() {
    let (_d, root) = temp_root();
    write_tree(&root, &[".gitignore", "a.txt", "ignored.txt", "vendor/lib.js", "docs/x.md", ".git/HEAD"]);
    fs::write(root.join(".gitignore"), "ignored.txt\n").unwrap();
    let mut o = opts(&root);
    o.excludes = vec!["vendor/".into(), "*.md".into()];
    let index = scanned(o.clone());
    assert_eq!(paths(&index), [".gitignore", "a.txt"]);
    assert!(index.is_excluded("vendor/other.js", false));
    assert!(index.is_excluded("docs/y.md", false));
    o.excludes.clear();
    o.no_ignore = true;
    let index = scanned(o);
    assert_eq!(paths(&index), [".gitignore", "a.txt", "docs/x.md", "ignored.txt", "vendor/lib.js"]);
    assert!(index.is_excluded(".git/HEAD", false), ".git is skipped even with --no-ignore");
}

#[cfg(unix)]
#[test]
fn symlinks_are_listed_not_followed() {
    let (_d, root) = temp_root();
    write_tree(&root, &["real/inner.txt"]);
    std::os::unix::fs::symlink("real", root.join("link")).unwrap();
    std::os::unix::fs::symlink("real/inner.txt", root.join("file-link")).unwrap();
    // Confined reads refuse absolute link targets (even ones inside), so the index leaves them out.
    std::os::unix::fs::symlink(root.join("real"), root.join("abs-link")).unwrap();
    let index = scanned(opts(&root));
    assert_eq!(paths(&index), ["file-link", "link", "real/inner.txt"]);
    let snap = index.snapshot();
    assert!(snap.get("link").unwrap().symlink);
    assert!(!snap.get("real/inner.txt").unwrap().symlink);
    let root_list = snap.list_dir("").unwrap();
    assert!(root_list.contains(&("link".to_owned(), EntryType::Symlink)));
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_names_are_counted_not_indexed() {
    use std::os::unix::ffi::OsStrExt;
    let (_d, root) = temp_root();
    write_tree(&root, &["ok.txt"]);
    fs::write(root.join(std::ffi::OsStr::from_bytes(b"bad\xff.txt")), b"x").unwrap();
    let index = scanned(opts(&root));
    assert_eq!(paths(&index), ["ok.txt"]);
    assert_eq!(index.skipped().non_utf8, 1);
    assert_eq!(index.skipped().errors, 0);
}

/// Names Windows reads as something else are refused by every method on every platform, so they
/// are not listed; they are counted and named in `status.skipped` instead, and those a rule
/// ignores are not counted, as a scan counts nothing else it ignores.
#[cfg(unix)]
#[test]
fn unportable_names_are_counted_and_named_not_indexed() {
    let (_d, root) = temp_root();
    let hidden = ["NUL", "a:b.txt", "aux/inner.txt", "con.ts", "dot.", "space "];
    write_tree(&root, &[".gitignore", "ok.txt", "ignored/com1.log", "contents.ts"]);
    write_tree(&root, &hidden);
    fs::write(root.join(".gitignore"), "ignored/\n").unwrap();
    let index = scanned(opts(&root));
    assert_eq!(paths(&index), [".gitignore", "contents.ts", "ok.txt"]);
    let skipped = index.skipped();
    assert_eq!((skipped.unportable, skipped.non_utf8, skipped.errors), (6, 0, 0));
    assert_eq!(skipped.unportable_sample, hidden);
    // The sample holds the first ten in sorted order.
    let more: Vec<String> = (10..30).map(|i| format!("nul.{i}")).collect();
    write_tree(&root, &more.iter().map(String::as_str).collect::<Vec<_>>());
    let skipped = scanned(opts(&root)).skipped();
    assert_eq!(skipped.unportable, 26);
    assert_eq!(
        skipped.unportable_sample,
        ["NUL", "a:b.txt", "aux/inner.txt", "con.ts", "dot.", "nul.10", "nul.11", "nul.12", "nul.13", "nul.14"]
    );
}

#[test]
fn metadata_matches_the_file_system() {
    let (_d, root) = temp_root();
    write_tree(&root, &["dir/file.txt"]);
    let index = scanned(opts(&root));
    let meta = index.snapshot().get("dir/file.txt").unwrap();
    let md = fs::metadata(root.join("dir/file.txt")).unwrap();
    assert_eq!(meta.size, "dir/file.txt".len() as u64);
    let expect = md.modified().unwrap().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64;
    assert_eq!(meta.mtime_ms, expect);
    assert!(index.snapshot().get("dir").is_none());
}

#[test]
fn overlay_updates_are_visible_and_merge_equals_fresh_scan() {
    let (_d, root) = temp_root();
    let names: Vec<String> = (0..1500).map(|i| format!("d{}/f{i:04}.txt", i % 7)).collect();
    write_tree(&root, &names.iter().map(String::as_str).collect::<Vec<_>>());
    let index = scanned(opts(&root));
    let gen0 = index.generation();
    let meta = FileMeta { size: 1, mtime_ms: 2, symlink: false };
    let applied = index
        .shared
        .store
        .apply(|_| (vec![("d0/f0000.txt".to_owned(), None), ("new/one.txt".to_owned(), Some(meta))], ()));
    assert_eq!(applied.map(|(g, _)| g), Some(gen0 + 1));
    let snap = index.snapshot();
    assert_eq!(snap.generation(), gen0 + 1);
    assert_eq!(snap.len(), 1500);
    assert_eq!(snap.get("new/one.txt"), Some(meta));
    assert_eq!(snap.get("d0/f0000.txt"), None);
    let listed = contents(&snap);
    assert!(listed.windows(2).all(|w| w[0].0 < w[1].0), "for_each must stay sorted");
    assert!(listed.iter().any(|(p, _)| p == "new/one.txt"));
    // Make the disk agree, merge, and compare with a fresh scan of the disk.
    fs::remove_file(root.join("d0/f0000.txt")).unwrap();
    write_tree(&root, &["new/one.txt"]);
    let real = scan::file_meta(&fs::symlink_metadata(root.join("new/one.txt")).unwrap());
    index.shared.store.apply(|_| (vec![("new/one.txt".to_owned(), Some(real))], ()));
    assert!(index.compact().unwrap(), "the scanned base is complete");
    let merged = index.snapshot();
    assert!(merged.overlay.is_empty());
    assert_eq!(merged.generation(), gen0 + 2, "a merge does not change the content, so not the generation");
    assert_eq!(contents(&merged), contents(&scanned(opts(&root)).snapshot()));
    assert_eq!(base::keys(&merged.base).len(), 1500);
}

#[test]
fn list_dir_derives_entries_from_paths() {
    let (_d, root) = temp_root();
    write_tree(&root, &["a.txt", "a/x.txt", "a/y/z.txt", "a-b/c.txt", "b.txt"]);
    let index = scanned(opts(&root));
    let snap = index.snapshot();
    let names =
        |dir: &str| snap.list_dir(dir).map(|v| v.into_iter().map(|(n, t)| format!("{n}:{t:?}")).collect::<Vec<_>>());
    assert_eq!(names("").unwrap(), ["a:Dir", "a-b:Dir", "a.txt:File", "b.txt:File"]);
    assert_eq!(names("a").unwrap(), ["x.txt:File", "y:Dir"]);
    assert_eq!(names("a/y").unwrap(), ["z.txt:File"]);
    assert_eq!(names("missing"), None);
    assert_eq!(names("a.txt"), None);
    // Removing the only file of a folder removes the folder from its parent's listing.
    index.shared.store.apply(|_| (vec![("a/y/z.txt".to_owned(), None)], ()));
    let snap = index.snapshot();
    assert_eq!(snap.list_dir("a/y"), None);
    assert_eq!(snap.list_dir("a").unwrap(), [("x.txt".to_owned(), EntryType::File)]);
}

#[test]
fn fuzzy_ranks_file_names_and_runs_first() {
    let (_d, root) = temp_root();
    write_tree(
        &root,
        &["main/util/lib.rs", "lib/util/main.rs", "src/m_a_i_n.rs", "docs/other.md", "src/axbxc.rs", "src/abc.rs"],
    );
    let snap = scanned(opts(&root)).snapshot();
    let found = snap.fuzzy("main", 10, &|| false);
    let order: Vec<&str> = found.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(order[0], "lib/util/main.rs");
    assert_eq!(found[0].positions, [9, 10, 11, 12]);
    assert!(!order.contains(&"docs/other.md"));
    assert!(found.windows(2).all(|w| w[0].score >= w[1].score));
    let found = snap.fuzzy("ABC", 10, &|| false);
    assert_eq!(found.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(), ["src/abc.rs", "src/axbxc.rs"]);
    assert_eq!(snap.fuzzy("main", 1, &|| false).len(), 1);
    assert!(snap.fuzzy("", 10, &|| false).is_empty());
    assert!(snap.fuzzy("  ", 10, &|| false).is_empty());
    assert_eq!(snap.fuzzy("main rs", 1, &|| false)[0].path, "lib/util/main.rs");
    assert!(snap.fuzzy("qqq", 10, &|| false).is_empty());
}

#[test]
fn fuzzy_positions_are_utf16_and_overlay_is_searched() {
    let (_d, root) = temp_root();
    write_tree(&root, &["dössier/😀-note.txt", "plain.txt"]);
    let index = scanned(opts(&root));
    let found = index.snapshot().fuzzy("note", 5, &|| false);
    assert_eq!(found[0].path, "dössier/😀-note.txt");
    // "dössier/" is 8 units, the emoji 2, '-' 1: "note" starts at unit 11.
    assert_eq!(found[0].positions, [11, 12, 13, 14]);
    let meta = FileMeta { size: 0, mtime_ms: 0, symlink: false };
    // "no" leaves survivors behind in this snapshot's cache; a change publishes a new snapshot,
    // so the extension "note" after it must see the change, not those survivors.
    assert_eq!(index.snapshot().fuzzy("no", 5, &|| false).len(), 1);
    index
        .shared
        .store
        .apply(|_| (vec![("zz/notes.md".to_owned(), Some(meta)), ("dössier/😀-note.txt".to_owned(), None)], ()));
    let found = index.snapshot().fuzzy("note", 5, &|| false);
    assert_eq!(found.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(), ["zz/notes.md"]);
}

#[test]
fn fuzzy_ties_break_by_path_and_cancel_stops() {
    let (_d, root) = temp_root();
    // Equal lengths and equal match positions give equal scores.
    let names: Vec<String> = (0..3000).map(|i| format!("d{:02}/same{:04}.rs", i % 40, 2999 - i)).collect();
    write_tree(&root, &names.iter().map(String::as_str).collect::<Vec<_>>());
    let snap = scanned(opts(&root)).snapshot();
    let found = snap.fuzzy("same", 3, &|| false);
    assert!(found.iter().all(|m| m.score == found[0].score));
    assert_eq!(
        found.iter().map(|m| m.path.as_str()).collect::<Vec<_>>(),
        ["d00/same0039.rs", "d00/same0079.rs", "d00/same0119.rs"]
    );
    assert_eq!(snap.fuzzy("same", 5000, &|| false).len(), 3000);
    let cancelled = snap.fuzzy("same", 5000, &|| true);
    assert!(cancelled.len() < 3000, "a cancelled search stops before visiting everything");
}

#[test]
fn progress_is_reported_and_wait_ready_honours_cancel() {
    let (_d, root) = temp_root();
    write_tree(&root, &["a", "b"]);
    let index = Index::new(opts(&root));
    assert!(!index.is_ready());
    assert!(!index.wait_ready(&|| true));
    let last = std::sync::Mutex::new(0);
    index.scan(&|n| *last.lock().unwrap() = n).unwrap();
    assert_eq!(*last.lock().unwrap(), 2);
    assert!(index.wait_ready(&|| false));
}

#[test]
fn a_scan_without_metadata_filled_in_afterwards_equals_an_eager_scan() {
    let (_d, root) = temp_root();
    let files: Vec<String> = (0..3000).map(|i| format!("d{}/f{i}.txt", i % 7)).collect();
    write_tree(&root, &files.iter().map(String::as_str).collect::<Vec<_>>());
    let index = Index::new(opts(&root));
    let mut counters = index.shared.counters();
    counters.defer_meta = true;
    let lazy = scan::scan_root(&index.shared.opts, &counters, &|_| {}).unwrap();
    let eager = scan::scan_root(&index.shared.opts, &index.shared.counters(), &|_| {}).unwrap();
    assert_eq!(base::keys(&lazy), base::keys(&eager));
    assert!((0..lazy.len() as u64).all(|id| lazy.meta(id).size == 0), "no lstat during the walk");
    let filled = meta::fill(&lazy, &root, 3);
    let all = |b: &base::Base| (0..b.len() as u64).map(|id| b.meta(id)).collect::<Vec<_>>();
    assert_eq!(all(&filled), all(&eager));
    assert!(all(&filled).iter().all(|m| m.size > 0));
    // The index itself is complete once `scan` returns.
    index.scan(&|_| {}).unwrap();
    assert!(index.is_ready() && index.is_complete());
    assert!(index.snapshot().base.map.is_some(), "the FST is in once scan returns");
    assert_eq!(contents(&index.snapshot()).into_iter().map(|(_, m)| m).collect::<Vec<_>>(), all(&eager));
}

/// Until its FST is built, the first scan's base answers lookups, ranges and listings from the
/// front-coded keys; they must agree with the FST's answers exactly, across restart blocks.
#[test]
fn a_base_without_its_fst_answers_as_one_with_it() {
    let mut keys: Vec<String> = (0..2600).map(|i| format!("d{}/s{}/f{i:04}.txt", i % 13, i % 3)).collect();
    keys.extend(["a.txt", "a/x", "a0", "zz/top"].map(String::from));
    keys.sort();
    let build = |fst: bool| {
        let mut b = base::BaseBuilder::with_fst(keys.len(), fst);
        for (i, k) in keys.iter().enumerate() {
            b.push(k.as_bytes(), FileMeta { size: i as u64, mtime_ms: 1, symlink: i % 5 == 0 }).unwrap();
        }
        let base = b.finish().unwrap();
        assert_eq!(base.map.is_some(), fst);
        Snapshot::new(1, Arc::new(base), Arc::new(base::Overlay::new()), keys.len())
    };
    let (lazy, full) = (build(false), build(true));
    for k in keys.iter().chain(&["", "a", "d1/s1", "d9/s9/zzz", "zzz", "0"].map(String::from)) {
        assert_eq!(lazy.get(k), full.get(k), "get {k}");
    }
    for dir in ["", "a", "d0", "d7/s1", "d12/s2", "zz", "nope"] {
        assert_eq!(lazy.list_dir(dir), full.list_dir(dir), "list_dir {dir}");
    }
    let range = |s: &Snapshot, lo: &str, hi: Option<&str>| {
        let mut out = Vec::new();
        s.for_each_in(lo.as_bytes(), hi.map(str::as_bytes), &mut |k, _| {
            out.push(k.to_owned());
            out.len() < 700
        });
        out
    };
    for (lo, hi) in [("", None), ("d1/", Some("d10")), ("d3/s1/f0", Some("d3/s2")), ("e", None), ("a", Some("a1"))] {
        assert_eq!(range(&lazy, lo, hi), range(&full, lo, hi), "range {lo}..{hi:?}");
    }
    // A key out of order is refused with or without the FST builder.
    let mut b = base::BaseBuilder::with_fst(2, false);
    b.push(b"b", FileMeta { size: 0, mtime_ms: 0, symlink: false }).unwrap();
    assert!(b.push(b"a", FileMeta { size: 0, mtime_ms: 0, symlink: false }).is_err());
}
