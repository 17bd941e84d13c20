//! Tests of the live index: real file-system changes under a watched temporary root must show
//! up in the index and in the reported batches (polled with a generous deadline, never a fixed
//! sleep), changes in ignored folders must stay silent, and afterwards the index must equal a
//! fresh scan of the disk.

// These tests build and change their fixture trees in temporary folders; they are not the
// sidecar, so the read-only rule (clippy.toml) does not apply to them.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::tests::{contents, opts, scanned, temp_root, write_tree};
use super::*;

/// Generous: CI machines are slow, but a passing run returns as soon as the condition holds.
const DEADLINE: Duration = Duration::from_secs(10);

/// Polls `cond` until it holds, failing after [`DEADLINE`].
pub(super) fn eventually(cond: impl Fn() -> bool, what: &str) {
    let start = Instant::now();
    while !cond() {
        assert!(start.elapsed() < DEADLINE, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(5));
    }
}

pub(super) struct Watched {
    pub(super) index: Index,
    pub(super) batches: Arc<Mutex<Vec<ChangeBatch>>>,
}

impl Watched {
    pub(super) fn start(index: Index) -> Watched {
        let batches = Arc::new(Mutex::new(Vec::new()));
        let sink = batches.clone();
        index.start_watching(Box::new(move |b| sink.lock().unwrap().push(b))).unwrap();
        assert!(index.is_watching());
        Watched { index, batches }
    }

    /// Polls until `(path, kind)` was reported and the index agrees with it (a change may pass
    /// through intermediate states first, e.g. a file rewritten in two steps); returns the
    /// generation of the reporting batch.
    pub(super) fn expect(&self, path: &str, kind: ChangeKind) -> u64 {
        let start = Instant::now();
        loop {
            let found = self
                .batches
                .lock()
                .unwrap()
                .iter()
                .rev()
                .find_map(|b| b.changes.iter().any(|c| c.path == path && c.kind == kind).then_some(b.generation));
            let present = self.index.snapshot().get(path).is_some();
            if let Some(generation) = found.filter(|_| present == (kind != ChangeKind::Deleted)) {
                assert!(self.index.generation() >= generation);
                return generation;
            }
            assert!(start.elapsed() < DEADLINE, "no {kind:?} for {path}; got {:?}", self.batches.lock().unwrap());
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    pub(super) fn reported(&self, needle: &str) -> bool {
        self.batches.lock().unwrap().iter().any(|b| b.changes.iter().any(|c| c.path.contains(needle)))
    }

    /// Polls until the live index equals a fresh scan of the disk (the last batch of a
    /// multi-step change may still be in flight), then asserts it once more for the message.
    pub(super) fn assert_equals_fresh_scan(&self) {
        let fresh = contents(&scanned(opts(self.index.root())).snapshot());
        let start = Instant::now();
        while contents(&self.index.snapshot()) != fresh && start.elapsed() < DEADLINE {
            std::thread::sleep(Duration::from_millis(5));
        }
        assert_eq!(contents(&self.index.snapshot()), fresh);
    }
}

#[test]
fn create_modify_delete_rename_are_reflected() {
    let (_d, root) = temp_root();
    write_tree(&root, &["keep.txt", "old.txt"]);
    let w = Watched::start(scanned(opts(&root)));
    fs::write(root.join("new.txt"), "hello").unwrap();
    let g1 = w.expect("new.txt", ChangeKind::Created);
    fs::write(root.join("new.txt"), "hello, longer").unwrap();
    let g2 = w.expect("new.txt", ChangeKind::Changed);
    assert!(g2 > g1, "generations increase");
    // The rewrite truncates first, so a batch with size 0 may come before the final one.
    eventually(|| w.index.snapshot().get("new.txt").is_some_and(|m| m.size == 13), "new.txt has 13 bytes");
    fs::rename(root.join("old.txt"), root.join("renamed.txt")).unwrap();
    w.expect("old.txt", ChangeKind::Deleted);
    w.expect("renamed.txt", ChangeKind::Created);
    fs::remove_file(root.join("new.txt")).unwrap();
    w.expect("new.txt", ChangeKind::Deleted);
    w.assert_equals_fresh_scan();
    assert!(!w.reported("keep.txt"));
}

#[test]
fn folders_moved_in_and_out_are_walked() {
    let (_d, root) = temp_root();
    let (_o, outside) = temp_root();
    write_tree(&root, &["a.txt"]);
    write_tree(&outside, &["pkg/one.txt", "pkg/deep/two.txt", "pkg/.gitignore", "pkg/deep/skip.log"]);
    fs::write(outside.join("pkg/.gitignore"), "*.log\n").unwrap();
    let w = Watched::start(scanned(opts(&root)));
    retrying(|| fs::rename(outside.join("pkg"), root.join("pkg")));
    w.expect("pkg/one.txt", ChangeKind::Created);
    w.expect("pkg/deep/two.txt", ChangeKind::Created);
    assert!(!w.reported("skip.log"), "the moved-in folder's own .gitignore applies");
    retrying(|| fs::rename(root.join("pkg"), root.join("moved")));
    w.expect("pkg/deep/two.txt", ChangeKind::Deleted);
    w.expect("moved/deep/two.txt", ChangeKind::Created);
    retrying(|| fs::rename(root.join("moved"), outside.join("back")));
    w.expect("moved/one.txt", ChangeKind::Deleted);
    w.expect("moved/deep/two.txt", ChangeKind::Deleted);
    write_tree(&root, &["fresh/dir/file.txt"]);
    w.expect("fresh/dir/file.txt", ChangeKind::Created);
    retrying(|| fs::remove_dir_all(root.join("fresh")));
    w.expect("fresh/dir/file.txt", ChangeKind::Deleted);
    // A file taking the name of a folder, and back.
    write_tree(&root, &["swap/inner.txt"]);
    w.expect("swap/inner.txt", ChangeKind::Created);
    retrying(|| fs::remove_dir_all(root.join("swap")));
    fs::write(root.join("swap"), "now a file").unwrap();
    w.expect("swap", ChangeKind::Created);
    w.expect("swap/inner.txt", ChangeKind::Deleted);
    fs::remove_file(root.join("swap")).unwrap();
    retrying(|| fs::create_dir(root.join("swap")));
    write_tree(&root, &["swap/again.txt"]);
    w.expect("swap/again.txt", ChangeKind::Created);
    w.expect("swap", ChangeKind::Deleted);
    w.assert_equals_fresh_scan();
}

#[test]
fn ignored_folders_stay_silent_and_ignore_file_changes_rescan() {
    let (_d, root) = temp_root();
    write_tree(&root, &[".gitignore", "build/old.o", "src/a.rs", "src/b.txt", ".git/HEAD"]);
    fs::write(root.join(".gitignore"), "build/\n").unwrap();
    let w = Watched::start(scanned(opts(&root)));
    write_tree(&root, &["build/new.o", "build/sub/x.o", ".git/index"]);
    fs::remove_file(root.join("build/old.o")).unwrap();
    // A later change elsewhere proves the watcher has processed the ignored ones by now.
    write_tree(&root, &["marker.txt"]);
    w.expect("marker.txt", ChangeKind::Created);
    assert!(!w.reported("build/"), "{:?}", w.batches.lock().unwrap());
    assert!(!w.reported(".git/"));
    // Ignoring *.txt must drop the .txt files, in a batch marked as a rescan.
    fs::write(root.join(".gitignore"), "build/\n*.txt\n").unwrap();
    w.expect("src/b.txt", ChangeKind::Deleted);
    let rescan = w.batches.lock().unwrap().iter().any(|b| b.rescan && b.changes.iter().any(|c| c.path == "src/b.txt"));
    assert!(rescan, "an ignore-file change is reported as a rescan");
    // Un-ignoring build/ brings its files in.
    fs::write(root.join(".gitignore"), "*.txt\n").unwrap();
    w.expect("build/new.o", ChangeKind::Created);
    w.assert_equals_fresh_scan();
}

#[test]
fn watching_before_the_scan_holds_events_until_ready() {
    let (_d, root) = temp_root();
    write_tree(&root, &["a.txt"]);
    let index = Index::new(opts(&root));
    let w = Watched::start(index.clone());
    write_tree(&root, &["early.txt"]);
    index.scan(&|_| {}).unwrap();
    write_tree(&root, &["late.txt"]);
    w.expect("late.txt", ChangeKind::Created);
    assert!(index.snapshot().get("early.txt").is_some());
    w.assert_equals_fresh_scan();
}

#[test]
fn burst_of_files_is_fully_indexed() {
    let (_d, root) = temp_root();
    write_tree(&root, &["seed.txt"]);
    let w = Watched::start(scanned(opts(&root)));
    let names: Vec<String> = (0..2000).map(|i| format!("burst/d{}/f{i}.txt", i % 10)).collect();
    write_tree(&root, &names.iter().map(String::as_str).collect::<Vec<_>>());
    // The index is updated before the callback runs, so wait for the reports, then check both.
    let created = || -> std::collections::BTreeSet<String> {
        let batches = w.batches.lock().unwrap();
        let changes = batches.iter().flat_map(|b| b.changes.iter());
        changes.filter(|c| c.kind == ChangeKind::Created).map(|c| c.path.clone()).collect()
    };
    eventually(|| created().len() >= 2000, "2000 files were reported");
    assert_eq!(created().into_iter().collect::<Vec<_>>(), {
        let mut n = names.clone();
        n.sort();
        n
    });
    assert_eq!(w.index.snapshot().len(), 2001);
    assert!(w.index.compact().unwrap(), "the scanned base is complete");
    w.assert_equals_fresh_scan();
}

#[test]
fn changes_between_scan_and_watch_are_caught_up_as_a_rescan() {
    let (_d, root) = temp_root();
    write_tree(&root, &["a.txt", "gone.txt"]);
    let index = scanned(opts(&root));
    write_tree(&root, &["between.txt"]);
    fs::remove_file(root.join("gone.txt")).unwrap();
    let w = Watched::start(index);
    w.expect("between.txt", ChangeKind::Created);
    w.expect("gone.txt", ChangeKind::Deleted);
    let batches = w.batches.lock().unwrap();
    assert!(batches.iter().any(|b| b.rescan && b.changes.iter().any(|c| c.path == "between.txt")));
}

#[test]
fn an_os_rescan_signal_rescans_and_reports_it() {
    use notify::event::{EventKind, Flag};
    use notify_debouncer_full::DebouncedEvent;
    let (_d, root) = temp_root();
    write_tree(&root, &["a.txt", "sub/b.txt", "sub/c.txt"]);
    let index = scanned(opts(&root));
    // Changes the (absent) watcher never saw, as after a kernel queue overflow.
    write_tree(&root, &["sub/new.txt"]);
    fs::remove_file(root.join("sub/b.txt")).unwrap();
    let generation = index.generation();
    let flagged = |paths: Vec<PathBuf>| {
        let mut event = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
        event.paths = paths;
        Ok(vec![DebouncedEvent::new(event, Instant::now())])
    };
    let mut pending = changes::Pending::default();
    pending.add(&index.shared, flagged(vec![root.join("sub")]));
    let batch = changes::apply(&index.shared, pending).unwrap().batch.expect("a batch");
    assert!(batch.rescan);
    assert_eq!(batch.generation, generation + 1);
    let got: Vec<(String, ChangeKind)> = batch.changes.into_iter().map(|c| (c.path, c.kind)).collect();
    assert_eq!(got, [("sub/b.txt".to_owned(), ChangeKind::Deleted), ("sub/new.txt".to_owned(), ChangeKind::Created)]);
    // Without paths the whole root is rescanned.
    write_tree(&root, &["top.txt"]);
    let mut pending = changes::Pending::default();
    pending.add(&index.shared, flagged(Vec::new()));
    let batch = changes::apply(&index.shared, pending).unwrap().batch.expect("a batch");
    assert!(batch.rescan);
    assert_eq!(batch.changes.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(), ["top.txt"]);
    assert_eq!(contents(&index.snapshot()), contents(&scanned(opts(&root)).snapshot()));
}

// Per-folder watches that an overflow can leave missing are inotify's model; Windows and macOS
// watch the whole tree from the root, so there is no folder watch to drop (or to place again).
#[cfg(target_os = "linux")]
#[test]
fn an_os_overflow_places_the_watch_again() {
    use notify::event::{EventKind, Flag};
    use notify_debouncer_full::DebouncedEvent;
    let (_d, root) = temp_root();
    write_tree(&root, &["a.txt", "sub/b.txt"]);
    // Watching before the scan, so no catch-up rescan can find what the test hides.
    let w = Watched::start(Index::new(opts(&root)));
    w.index.scan(&|_| {}).unwrap();
    let handle = || w.index.shared.watch.handle();
    // After an overflow a folder created meanwhile may have no watch (its creation was never
    // read); dropping the watch of sub/ leaves the watcher in that state.
    handle().as_ref().unwrap().inotify.watches.forget_under(&root.join("sub"));
    write_tree(&root, &["sub/unseen.txt", "marker.txt"]);
    w.expect("marker.txt", ChangeKind::Created);
    assert!(w.index.snapshot().get("sub/unseen.txt").is_none(), "sub/ is no longer watched");
    let overflow = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
    handle().as_ref().unwrap().inject.send(Ok(vec![DebouncedEvent::new(overflow, Instant::now())])).unwrap();
    // The rescan finds what the watch missed, and the watch placed again sees what follows.
    w.expect("sub/unseen.txt", ChangeKind::Created);
    write_tree(&root, &["sub/after.txt"]);
    w.expect("sub/after.txt", ChangeKind::Created);
    w.assert_equals_fresh_scan();
}

#[cfg(target_os = "linux")]
#[test]
fn non_utf8_count_follows_the_disk_while_watching() {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;
    let (_d, root) = temp_root();
    write_tree(&root, &["ok.txt"]);
    let bad = |name: &[u8]| root.join(OsStr::from_bytes(name));
    let numbered = |i: u8| bad(&[b'b', 0xff, b'0' + i]);
    fs::write(numbered(0), b"x").unwrap();
    let w = Watched::start(Index::new(opts(&root)));
    w.index.scan(&|_| {}).unwrap();
    assert_eq!(w.index.skipped().non_utf8, 1);
    // Events for names that are never indexed report nothing, so a marker written after each
    // step shows when the watcher has handled it.
    let mut step = 0;
    let mut settle = || {
        step += 1;
        write_tree(&root, &[&format!("marker{step}.txt")]);
        w.expect(&format!("marker{step}.txt"), ChangeKind::Created);
        let fresh = scanned(opts(&root)).skipped().non_utf8;
        (w.index.skipped().non_utf8, fresh)
    };
    for i in 1..=3 {
        fs::rename(numbered(i - 1), numbered(i)).unwrap();
        assert_eq!(settle(), (1, 1), "after rename {i}");
    }
    fs::create_dir(bad(b"dir\xfe")).unwrap();
    fs::write(bad(b"dir\xfe/a"), b"a").unwrap();
    fs::write(bad(b"dir\xfe/b"), b"b").unwrap();
    assert_eq!(settle(), (3, 3), "a folder with two files");
    fs::rename(bad(b"dir\xfe"), root.join("plain")).unwrap();
    assert_eq!(settle(), (1, 1), "the folder renamed to a UTF-8 name");
    w.expect("plain/a", ChangeKind::Created);
    fs::remove_file(numbered(3)).unwrap();
    assert_eq!(settle(), (0, 0), "after the delete");
}

/// Files hidden for names Windows reads as something else are counted (and named) as a fresh scan
/// would count them, through renames, a folder of them, and deletes.
#[cfg(unix)]
#[test]
fn unportable_count_follows_the_disk_while_watching() {
    let (_d, root) = temp_root();
    write_tree(&root, &["ok.txt", "NUL"]);
    let w = Watched::start(Index::new(opts(&root)));
    w.index.scan(&|_| {}).unwrap();
    // Such names are never indexed and report nothing, so a marker written after each step shows
    // when the watcher has handled it.
    let mut step = 0;
    let mut settle = || {
        step += 1;
        write_tree(&root, &[&format!("marker{step}.txt")]);
        w.expect(&format!("marker{step}.txt"), ChangeKind::Created);
        let (live, fresh) = (w.index.skipped(), scanned(opts(&root)).skipped());
        assert_eq!(live.unportable_sample, fresh.unportable_sample, "step {step}");
        (live.unportable, fresh.unportable, live.unportable_sample)
    };
    assert_eq!(settle(), (1, 1, vec!["NUL".to_owned()]));
    fs::rename(root.join("NUL"), root.join("con.ts")).unwrap();
    assert_eq!(settle(), (1, 1, vec!["con.ts".to_owned()]), "after a rename");
    write_tree(&root, &["aux/a", "aux/b"]);
    assert_eq!(settle().0, 3, "a folder with two files");
    fs::rename(root.join("aux"), root.join("plain")).unwrap();
    assert_eq!(settle().0, 1, "the folder renamed to a portable name");
    w.expect("plain/a", ChangeKind::Created);
    fs::remove_file(root.join("con.ts")).unwrap();
    assert_eq!(settle(), (0, 0, vec![]), "after the delete");
}

/// Before the first scan's sizes and mtimes are filled in they read 0: a walk of a folder whose
/// files are already indexed must not report them as changed, while a real write still is.
#[test]
fn before_metadata_is_filled_in_only_real_changes_are_reported() {
    use notify::event::{AccessKind, AccessMode, CreateKind, EventKind};
    use notify_debouncer_full::DebouncedEvent;
    let (_d, root) = temp_root();
    write_tree(&root, &["dir/a.txt", "dir/b.txt"]);
    let index = Index::new(opts(&root));
    let mut counters = index.shared.counters();
    counters.defer_meta = true;
    let lazy = scan::scan_root(&index.shared.opts, &counters, &|_| {}).unwrap();
    index.shared.store.replace_base(lazy);
    let event = |kind: EventKind, rel: &str| {
        let e = notify::Event::new(kind).add_path(root.join(rel));
        Ok(vec![DebouncedEvent::new(e, Instant::now())])
    };
    let mut pending = changes::Pending::default();
    pending.add(&index.shared, event(EventKind::Create(CreateKind::Folder), "dir"));
    let applied = changes::apply(&index.shared, pending).unwrap();
    assert!(applied.batch.is_none(), "{:?}", applied.batch);
    fs::write(root.join("dir/a.txt"), "rewritten").unwrap();
    let mut pending = changes::Pending::default();
    pending.add(&index.shared, event(EventKind::Access(AccessKind::Close(AccessMode::Write)), "dir/a.txt"));
    let batch = changes::apply(&index.shared, pending).unwrap().batch.expect("the write is reported");
    let got: Vec<(String, ChangeKind)> = batch.changes.into_iter().map(|c| (c.path, c.kind)).collect();
    assert_eq!(got, [("dir/a.txt".to_owned(), ChangeKind::Changed)]);
    assert_eq!(index.snapshot().get("dir/a.txt").unwrap().size, 9);
}

/// Runs a step the way a writer on Windows must: a folder that something holds open inside (here,
/// briefly, the watcher's own walks and stats) may refuse to be renamed or removed there
/// (ERROR_SHARING_VIOLATION or ERROR_ACCESS_DENIED), and a name deleted while held open stays
/// until it is closed (ERROR_ALREADY_EXISTS when it is made again; wine has no POSIX-semantics
/// delete), so the step is retried for a while. Elsewhere the first error fails the test.
fn retrying<T>(mut step: impl FnMut() -> std::io::Result<T>) -> T {
    let start = Instant::now();
    loop {
        match step() {
            Err(e) if cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32 | 183)) && start.elapsed() < DEADLINE => {
                std::thread::sleep(Duration::from_millis(20));
            }
            result => return result.unwrap(),
        }
    }
}
