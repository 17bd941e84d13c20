//! Tests of the Linux watcher's own promises: watches sit on exactly the folders the index covers
//! (counted by the kernel, in `/proc/self/fdinfo` of the instance), follow folders that are
//! created, renamed, moved out, deleted and ignored (also after an overflow), are placed before
//! each folder is read (with the positive control: placed after the read, a racing file is
//! lost), and running out of watches is reported and covered by periodic rescans; a burst the
//! applier cannot take at once is held for it, and only a flood past that bound is dropped and
//! covered by a rescan.

// These tests build and change their fixture trees in temporary folders; they are not the
// sidecar, so the read-only rule (clippy.toml) does not apply to them.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

use super::tests::{opts, temp_root, write_tree};
use super::watch_tests::{eventually, Watched};
use super::*;

impl Watched {
    /// Folders in the watcher's table, relative to the root (`""` is the root).
    fn watched(&self) -> Vec<String> {
        let slot = self.index.shared.watch.handle();
        let root = self.index.root();
        let rel = |p: &Path| p.strip_prefix(root).unwrap().to_str().unwrap().to_owned();
        slot.as_ref().unwrap().inotify.watches.watched().iter().map(|p| rel(p)).collect()
    }

    fn kernel_watches(&self) -> usize {
        self.index.shared.watch.handle().as_ref().unwrap().inotify.kernel_watches()
    }

    fn race(&self, f: impl Fn(&Path) + Send + Sync + 'static) {
        let slot = self.index.shared.watch.handle();
        *slot.as_ref().unwrap().inotify.watches.before_add.lock().unwrap() = Some(Box::new(f));
    }
}

/// Watching first, then the scan, as the sidecar does.
fn watched_and_scanned(root: &Path) -> Watched {
    let w = Watched::start(Index::new(opts(root)));
    w.index.scan(&|_| {}).unwrap();
    w
}

#[test]
fn only_indexed_folders_are_watched_and_the_watches_follow_the_tree() {
    let (_d, root) = temp_root();
    let (_o, outside) = temp_root();
    write_tree(
        &root,
        &[
            ".gitignore",
            "node_modules/pkg/lib/x.js",
            "node_modules/other/y.js",
            "src/a/b.rs",
            "src/c.rs",
            "docs/readme.md",
            ".git/objects/ab/cd",
            ".git/info/exclude",
        ],
    );
    fs::write(root.join(".gitignore"), "node_modules/\n").unwrap();
    fs::create_dir(root.join("empty")).unwrap();
    let w = watched_and_scanned(&root);
    // Ignored folders and `.git` get none (but `.git/info`, for its exclude file); an empty
    // folder the walk reads does.
    assert_eq!(w.watched(), ["", ".git/info", "docs", "empty", "src", "src/a"]);
    assert_eq!(w.kernel_watches(), 6);
    // New folders are watched when the applier walks them; new ignored ones are not.
    write_tree(&root, &["node_modules/fresh/z.js", "src/new/deep/f.rs"]);
    w.expect("src/new/deep/f.rs", ChangeKind::Created);
    write_tree(&root, &["src/new/deep/g.rs"]);
    w.expect("src/new/deep/g.rs", ChangeKind::Created);
    assert_eq!(w.watched(), ["", ".git/info", "docs", "empty", "src", "src/a", "src/new", "src/new/deep"]);
    assert_eq!(w.kernel_watches(), 8);
    // A folder renamed inside the root keeps being watched under its new name.
    fs::rename(root.join("src/new"), root.join("src/renamed")).unwrap();
    w.expect("src/renamed/deep/f.rs", ChangeKind::Created);
    write_tree(&root, &["src/renamed/deep/h.rs"]);
    w.expect("src/renamed/deep/h.rs", ChangeKind::Created);
    assert_eq!(w.watched(), ["", ".git/info", "docs", "empty", "src", "src/a", "src/renamed", "src/renamed/deep"]);
    assert_eq!(w.kernel_watches(), 8);
    // Moved out of the root or deleted: no watch is left behind, and nothing is reported from there.
    fs::rename(root.join("src/renamed"), outside.join("gone")).unwrap();
    w.expect("src/renamed/deep/f.rs", ChangeKind::Deleted);
    fs::remove_dir_all(root.join("docs")).unwrap();
    w.expect("docs/readme.md", ChangeKind::Deleted);
    eventually(|| w.kernel_watches() == 5, "the kernel holds 5 watches");
    assert_eq!(w.watched(), ["", ".git/info", "empty", "src", "src/a"]);
    write_tree(&outside, &["gone/deep/outside.rs"]);
    write_tree(&root, &["marker.txt"]);
    w.expect("marker.txt", ChangeKind::Created);
    assert!(!w.reported("outside.rs"));
    // Un-ignoring node_modules walks it, and so watches it.
    fs::write(root.join(".gitignore"), "").unwrap();
    w.expect("node_modules/pkg/lib/x.js", ChangeKind::Created);
    eventually(|| w.kernel_watches() == 10, "node_modules' 5 folders are watched too");
    w.assert_equals_fresh_scan();
}

/// Creates `a/b/raced.txt` the moment the watcher is about to watch `a/b`, i.e. after every
/// change before the walk and just before the watch: the walk must then still see it.
fn race_scenario(after_read: bool) -> (tempfile::TempDir, Watched) {
    let (d, root) = temp_root();
    write_tree(&root, &["a/b/one.txt", "a/two.txt"]);
    let index = Index::new(opts(&root));
    index.shared.watch.seams.hook_after_read.store(after_read, Ordering::SeqCst);
    let w = Watched::start(index);
    let target = root.join("a/b");
    let done = AtomicBool::new(false);
    w.race(move |dir| {
        if dir == target && !done.swap(true, Ordering::SeqCst) {
            fs::write(target.join("raced.txt"), "raced").unwrap();
        }
    });
    w.index.scan(&|_| {}).unwrap();
    write_tree(&root, &["marker.txt"]);
    w.expect("marker.txt", ChangeKind::Created);
    (d, w)
}

#[test]
fn a_change_just_before_a_folders_watch_is_not_missed() {
    let (_d, w) = race_scenario(false);
    assert!(w.index.snapshot().get("a/b/raced.txt").is_some());
    w.assert_equals_fresh_scan();
}

/// Positive control for the test above: with the watch placed after the folder was read (what
/// a watcher that walks separately from the index amounts to), the same file is never seen.
#[test]
fn control_a_watch_placed_after_the_read_misses_the_change() {
    let (_d, w) = race_scenario(true);
    assert!(w.index.snapshot().get("a/b/raced.txt").is_none(), "the wrong order loses the file");
    let fresh = super::tests::scanned(opts(w.index.root()));
    assert!(fresh.snapshot().get("a/b/raced.txt").is_some());
}

#[test]
fn out_of_watches_is_reported_and_periodic_rescans_keep_the_index_current() {
    let (_d, root) = temp_root();
    write_tree(&root, &["a/x.txt", "b/y.txt", "c/z.txt"]);
    let index = Index::new(opts(&root));
    // The root and one folder: two of the three folders stay unwatched.
    index.limit_watches(2);
    let w = Watched::start(index);
    w.index.scan(&|_| {}).unwrap();
    assert_eq!(w.kernel_watches(), 2);
    let limit = w.index.watch_limit().expect("the refusal is reported");
    assert!(limit.message.contains("--max-watches"), "{limit:?}");
    assert!(limit.rescan_ms >= 1000, "{limit:?}");
    // Every change is still found: in the watched folders at once, elsewhere by a rescan.
    write_tree(&root, &["a/new.txt", "b/new.txt", "c/new.txt"]);
    for dir in ["a", "b", "c"] {
        w.expect(&format!("{dir}/new.txt"), ChangeKind::Created);
    }
    let rescanned = w.batches.lock().unwrap().iter().any(|b| b.rescan);
    assert!(rescanned, "the unwatched folders were caught by a rescan");
    w.assert_equals_fresh_scan();
    // Once every folder fits in the budget again, a rescan watches them all and the report ends.
    fs::remove_dir_all(root.join("b")).unwrap();
    fs::remove_dir_all(root.join("c")).unwrap();
    w.expect("c/z.txt", ChangeKind::Deleted);
    w.expect("b/y.txt", ChangeKind::Deleted);
    eventually(|| w.index.watch_limit().is_none(), "the limit report ends");
    write_tree(&root, &["a/later.txt"]);
    w.expect("a/later.txt", ChangeKind::Created);
    w.assert_equals_fresh_scan();
}

/// Adding a watched folder to an ignore file drops its files and, with them, every watch in it
/// (so they neither cost an `lstat` per event nor count against the watch limit); both through
/// a nested ignore file (a rescan of its folder) and the root's (a rescan of everything).
#[test]
fn folders_that_become_ignored_lose_their_watches() {
    let (_d, root) = temp_root();
    write_tree(&root, &["pkg/build/obj/x.o", "pkg/build/y.o", "pkg/src/a.rs", "out/deep/z.o", "main.rs"]);
    let w = watched_and_scanned(&root);
    assert_eq!(w.watched(), ["", "out", "out/deep", "pkg", "pkg/build", "pkg/build/obj", "pkg/src"]);
    assert_eq!(w.kernel_watches(), 7);
    fs::write(root.join("pkg/.gitignore"), "build/\n").unwrap();
    w.expect("pkg/build/y.o", ChangeKind::Deleted);
    eventually(|| w.kernel_watches() == 5, "the kernel holds 5 watches");
    assert_eq!(w.watched(), ["", "out", "out/deep", "pkg", "pkg/src"]);
    fs::write(root.join(".gitignore"), "out/\n").unwrap();
    w.expect("out/deep/z.o", ChangeKind::Deleted);
    eventually(|| w.kernel_watches() == 3, "the kernel holds 3 watches");
    assert_eq!(w.watched(), ["", "pkg", "pkg/src"]);
    // Nothing is reported from there any more, and un-ignoring watches them again.
    write_tree(&root, &["pkg/build/obj/new.o", "marker.txt"]);
    w.expect("marker.txt", ChangeKind::Created);
    assert!(!w.reported("new.o"));
    fs::write(root.join("pkg/.gitignore"), "").unwrap();
    w.expect("pkg/build/obj/new.o", ChangeKind::Created);
    eventually(|| w.kernel_watches() == 5, "pkg/build is watched again");
    w.assert_equals_fresh_scan();
}

/// After an overflow, events that dropped a folder's watch (it moved away, or became ignored)
/// may be lost; the full rescan places every watch the index needs and drops every other one.
#[test]
fn an_overflow_rescan_drops_watches_it_did_not_place() {
    use notify::event::{EventKind, Flag};
    use notify_debouncer_full::DebouncedEvent;
    let (_d, root) = temp_root();
    write_tree(&root, &[".gitignore", "sub/b.txt", "ign/x.o"]);
    fs::write(root.join(".gitignore"), "ign/\n").unwrap();
    let w = watched_and_scanned(&root);
    let handle = || w.index.shared.watch.handle();
    // A watch the walks would not place, as one whose folder's removal was in the lost events.
    handle().as_ref().unwrap().inotify.watches.add(&root.join("ign"));
    assert_eq!(w.watched(), ["", "ign", "sub"]);
    assert_eq!(w.kernel_watches(), 3);
    let overflow = notify::Event::new(EventKind::Other).set_flag(Flag::Rescan);
    handle().as_ref().unwrap().inject.send(Ok(vec![DebouncedEvent::new(overflow, std::time::Instant::now())])).unwrap();
    eventually(|| w.kernel_watches() == 2, "the rescan dropped the stale watch");
    assert_eq!(w.watched(), ["", "sub"]);
    write_tree(&root, &["sub/after.txt"]);
    w.expect("sub/after.txt", ChangeKind::Created);
    w.assert_equals_fresh_scan();
}

/// A folder moved away (its watch still alive, its event not read yet) and a new one made under
/// its name: watching the new one drops the old one's watch, whose events would otherwise be
/// reported under the new folder's name.
#[test]
fn a_new_folder_under_an_old_name_replaces_the_old_watch() {
    let (_d, dir) = temp_root();
    fs::create_dir(dir.join("sub")).unwrap();
    let (tx, rx) = crossbeam_channel::unbounded();
    let handle = super::inotify::start(tx, Arc::default(), None, 1024).unwrap();
    // Only `sub` itself is watched, so moving it away raises no event at all.
    handle.watches.add(&dir.join("sub"));
    fs::rename(dir.join("sub"), dir.join("old")).unwrap();
    fs::create_dir(dir.join("sub")).unwrap();
    handle.watches.add(&dir.join("sub"));
    assert_eq!(handle.watches.watched(), [dir.join("sub")]);
    assert_eq!(handle.kernel_watches(), 1);
    fs::write(dir.join("old/stray.txt"), "").unwrap();
    fs::write(dir.join("sub/real.txt"), "").unwrap();
    let mut seen = Vec::new();
    while !seen.contains(&dir.join("sub/real.txt")) {
        let events = rx.recv_timeout(std::time::Duration::from_secs(10)).expect("events").unwrap();
        seen.extend(events.into_iter().flat_map(|e| e.event.paths));
    }
    assert!(!seen.contains(&dir.join("sub/stray.txt")), "{seen:?}");
}

/// A watched index whose applier's callback blocks until the returned flag is cleared, with
/// `queued` deliveries and `held` events allowed to wait for it (see `inotify::read_loop`).
fn blocked_applier(root: &Path, queued: usize, held: usize) -> (Watched, Arc<AtomicBool>) {
    let index = Index::new(opts(root));
    index.shared.watch.seams.queued_reads.store(queued, Ordering::SeqCst);
    index.shared.watch.seams.held_events.store(held, Ordering::SeqCst);
    let batches: Arc<Mutex<Vec<ChangeBatch>>> = Arc::default();
    let gate = Arc::new(AtomicBool::new(true));
    let (sink, blocked) = (batches.clone(), gate.clone());
    index
        .start_watching(Box::new(move |b| {
            sink.lock().unwrap().push(b);
            while blocked.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
        }))
        .unwrap();
    index.scan(&|_| {}).unwrap();
    (Watched { index, batches }, gate)
}

/// Blocks the applier in its callback, fills the one delivery slot, writes 300 files, lets the
/// applier go, waits for the last file; true when a rescan reported them.
fn flood(held: usize) -> bool {
    let (_d, root) = temp_root();
    write_tree(&root, &["d/seed.txt"]);
    let (w, gate) = blocked_applier(&root, 1, held);
    write_tree(&root, &["first.txt"]);
    eventually(|| w.reported("first.txt"), "the first batch reached the (now blocked) callback");
    // Fill the one slot (it may be full already), so every read from now on must wait.
    let _ = w.index.shared.watch.handle().as_ref().unwrap().inject.try_send(Ok(Vec::new()));
    let names: Vec<String> = (0..300).map(|i| format!("d/f{i}.txt")).collect();
    write_tree(&root, &names.iter().map(String::as_str).collect::<Vec<_>>());
    gate.store(false, Ordering::SeqCst);
    w.expect("d/f299.txt", ChangeKind::Created);
    w.assert_equals_fresh_scan();
    let batches = w.batches.lock().unwrap();
    batches.iter().any(|b| b.rescan && b.changes.iter().any(|c| c.path == "d/f0.txt"))
}

/// While the applier is busy (here: in the callback; in real life waiting for the first scan),
/// the reader holds a bounded number of events for it; past that bound they are dropped and a
/// rescan finds what they said.
#[test]
fn a_flood_the_applier_cannot_take_is_dropped_and_rescanned() {
    // 300 files are hundreds of events: far more than 10.
    assert!(flood(10), "the dropped events were covered by a rescan");
}

/// A burst that outgrows the delivery queue while the applier is busy reaches it whole, as
/// ordinary events: no rescan (which at 117k files costs several times the burst itself). The
/// flood test above is its control: the same burst past a small bound is rescanned.
#[test]
fn a_burst_beyond_the_queue_is_held_not_rescanned() {
    assert!(!flood(0), "the held events were delivered, not dropped for a rescan");
}
