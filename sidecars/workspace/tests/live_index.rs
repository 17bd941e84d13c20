//! The live index must end up equal to a fresh scan of the disk, whatever the watcher went
//! through. The first test replays issue 9's lost-files report at test size: a large folder is
//! deleted, recreated by a copy and then written into straight away, while the watcher is still
//! busy with the deletion's events; the second churns many files with creates, writes, renames
//! and deletes. Both drive the library's `Index` directly (no process, no JSON) and poll with a
//! deadline; a passing run returns as soon as the index agrees.

// Fixtures create, modify and delete files; the read-only lint (clippy.toml) is for the sidecar.
#![allow(clippy::disallowed_methods)]

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use skaffa_workspace::index::{ChangeBatch, FileMeta, Index, IndexOptions};

/// Generous bound for the index to settle; a passing run never waits for it. After a large
/// deletion notify itself needs seconds (unoptimized, on a loaded machine) before it watches the
/// new folder, and the index waits for that watch.
const DEADLINE: Duration = Duration::from_secs(30);

fn opts(root: &Path) -> IndexOptions {
    IndexOptions { root: root.to_path_buf(), excludes: Vec::new(), no_ignore: false }
}

/// A canonical temporary root, in memory (`/dev/shm`) where there is one: these tests create
/// tens of thousands of files, which a disk-backed temp folder on a slow CI volume turns from
/// a second into a minute.
fn temp_root() -> (tempfile::TempDir, PathBuf) {
    let builder = tempfile::Builder::new().prefix("skaffa-ws-live").clone();
    let shm = Path::new("/dev/shm");
    let dir = match shm.is_dir() {
        true => builder.tempdir_in(shm).or_else(|_| builder.tempdir()),
        false => builder.tempdir(),
    }
    .unwrap();
    let root = dir.path().canonicalize().unwrap();
    (dir, root)
}

/// Every indexed path with its metadata, in order.
fn contents(index: &Index) -> Vec<(String, FileMeta)> {
    let mut out = Vec::new();
    index.snapshot().for_each(&mut |p, m| out.push((p.to_owned(), m)));
    out
}

fn fresh_scan(root: &Path) -> Vec<(String, FileMeta)> {
    let index = Index::new(opts(root));
    index.scan(&|_| {}).unwrap();
    contents(&index)
}

/// A scanned, watched index and every batch it reported.
fn watched(root: &Path) -> (Index, Arc<Mutex<Vec<ChangeBatch>>>) {
    let index = Index::new(opts(root));
    let batches = Arc::new(Mutex::new(Vec::new()));
    let sink = batches.clone();
    index.start_watching(Box::new(move |b| sink.lock().unwrap().push(b))).unwrap();
    index.scan(&|_| {}).unwrap();
    (index, batches)
}

/// Polls until the live index equals a fresh scan, then asserts it with a readable message.
fn assert_settles_to_fresh_scan(index: &Index, root: &Path) {
    let fresh = fresh_scan(root);
    let start = Instant::now();
    while contents(index) != fresh && start.elapsed() < DEADLINE {
        std::thread::sleep(Duration::from_millis(10));
    }
    let live = contents(index);
    if live != fresh {
        let names = |v: &[(String, FileMeta)]| v.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
        let (live_names, fresh_names) = (names(&live), names(&fresh));
        let missing: Vec<_> = fresh_names.iter().filter(|p| !live_names.contains(p)).take(10).collect();
        let extra: Vec<_> = live_names.iter().filter(|p| !fresh_names.contains(p)).take(10).collect();
        panic!(
            "live index ({} files) differs from a fresh scan ({} files) after {DEADLINE:?}; \
             missing (first 10): {missing:?}; extra (first 10): {extra:?}",
            live.len(),
            fresh.len()
        );
    }
}

/// Writes `dirs` folders of `per_dir` empty files under `base` (empty, so that a small
/// `/dev/shm`, such as a container's 64 MB, holds them: tmpfs charges pages, not inodes).
fn generate(base: &Path, dirs: usize, per_dir: usize) {
    for d in 0..dirs {
        let dir = base.join(format!("pkg{d}/src"));
        fs::create_dir_all(&dir).unwrap();
        for f in 0..per_dir {
            fs::write(dir.join(format!("m{f}.js")), "").unwrap();
        }
    }
}

/// Runs a folder rename the way a writer on Windows must: a folder that something holds open
/// inside (here, briefly, the watcher's own walks and stats) may refuse to be renamed there
/// (ERROR_SHARING_VIOLATION or ERROR_ACCESS_DENIED, which wine reports more readily than Windows),
/// so the rename is retried for a while. Elsewhere the first error fails the test.
fn retrying<T>(mut step: impl FnMut() -> std::io::Result<T>) -> T {
    let deadline = Instant::now() + DEADLINE;
    loop {
        match step() {
            Err(e) if cfg!(windows) && matches!(e.raw_os_error(), Some(5 | 32)) && Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(20));
            }
            result => return result.unwrap(),
        }
    }
}

/// `cp -r src/. dst/`: the copy creates its folders before their files, as cp does.
fn copy_tree(src: &Path, dst: &Path) {
    for entry in fs::read_dir(src).unwrap() {
        let entry = entry.unwrap();
        let to = dst.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            fs::create_dir(&to).unwrap();
            copy_tree(&entry.path(), &to);
        } else {
            fs::copy(entry.path(), &to).unwrap();
        }
    }
}

#[test]
fn files_written_into_a_recreated_large_folder_are_not_lost() {
    let (_d, root) = temp_root();
    let (_s, source) = temp_root();
    // 12,000 files in 300 folders: deleting them queues enough events to keep the watcher busy
    // while the folder comes back.
    generate(&root.join("F"), 1000, 12);
    generate(&source, 1000, 12);
    fs::write(root.join("top.txt"), "top\n").unwrap();
    let (index, _batches) = watched(&root);
    assert_eq!(index.snapshot().len(), 12_001);

    let folder = root.join("F");
    fs::remove_dir_all(&folder).unwrap();
    fs::create_dir(&folder).unwrap();
    copy_tree(&source, &folder);
    for i in 0..50 {
        fs::write(folder.join(format!("new{i}.txt")), format!("new {i}\n")).unwrap();
    }
    assert_settles_to_fresh_scan(&index, &root);
    assert_eq!(index.snapshot().len(), 12_051);
}

#[test]
fn live_index_after_heavy_churn_equals_a_fresh_scan() {
    let (_d, root) = temp_root();
    generate(&root, 40, 50);
    let (index, _batches) = watched(&root);
    assert_eq!(index.snapshot().len(), 2000);
    for round in 0..5 {
        for d in 0..40 {
            // Folders of earlier rounds were moved away at the end of their round.
            let pkg = if d < round { format!("moved{d}") } else { format!("pkg{d}") };
            let dir = root.join(format!("{pkg}/src"));
            // Rewrite some files, delete some, rename some, add some, and replace a folder.
            for f in (round..50).step_by(7) {
                fs::write(dir.join(format!("m{f}.js")), format!("round {round}\n")).unwrap();
            }
            let _ = fs::remove_file(dir.join(format!("m{}.js", (round * 3 + d) % 50)));
            let _ = fs::rename(dir.join(format!("m{}.js", (round * 5 + d + 1) % 50)), dir.join(format!("r{round}.js")));
            fs::write(dir.join(format!("n{round}.js")), "new\n").unwrap();
            if d % 10 == round {
                let sub = root.join(format!("{pkg}/tmp"));
                let _ = fs::remove_dir_all(&sub);
                fs::create_dir_all(sub.join("deep")).unwrap();
                fs::write(sub.join("deep/x.js"), "x\n").unwrap();
                fs::write(sub.join("y.js"), "y\n").unwrap();
            }
        }
        let moved = root.join(format!("pkg{round}"));
        retrying(|| fs::rename(&moved, root.join(format!("moved{round}"))));
    }
    assert_settles_to_fresh_scan(&index, &root);
}

/// Folders created, filled at once, renamed, moved in and out and deleted, nested several levels
/// deep, while the first scan runs and after it: the watches follow every folder (on Linux the
/// walks place them before reading each folder), so the index ends equal to a fresh scan.
#[test]
fn nested_folder_churn_during_and_after_the_scan_equals_a_fresh_scan() {
    let (_d, root) = temp_root();
    let (_o, outside) = temp_root();
    generate(&root, 200, 20);
    // Trees waiting outside to be moved in, one per round.
    for r in 0..6 {
        generate(&outside.join(format!("in{r}")), 5, 4);
    }
    let index = Index::new(opts(&root));
    index.start_watching(Box::new(|_| {})).unwrap();
    let scanner = {
        let index = index.clone();
        std::thread::spawn(move || index.scan(&|_| {}).unwrap())
    };
    for r in 0..6usize {
        for d in (r..200).step_by(9) {
            let pkg = root.join(format!("pkg{d}"));
            // A deep folder made and filled at once (mkdir -p, then files at every level).
            let deep = pkg.join(format!("new{r}/a/b/c"));
            fs::create_dir_all(&deep).unwrap();
            for (i, dir) in deep.ancestors().take(4).enumerate() {
                fs::write(dir.join(format!("f{i}.js")), "x").unwrap();
            }
            // A renamed folder with nested content, written into under its new name.
            let _ = fs::rename(pkg.join("src"), pkg.join(format!("src{r}")));
            let _ = fs::rename(pkg.join(format!("src{}", r.wrapping_sub(1))), pkg.join("src"));
            fs::write(pkg.join(format!("new{r}/a/after-rename.js")), "y").unwrap();
            // Deleted again a round later, and one moved out of the root.
            if r > 0 {
                let _ = fs::remove_dir_all(pkg.join(format!("new{}", r - 1)));
            }
        }
        let out = root.join(format!("pkg{}", 190 + r));
        fs::rename(&out, outside.join(format!("out{r}"))).unwrap();
        // Its src/ may be renamed away just now; a write outside must not show up either way.
        let _ = fs::write(outside.join(format!("out{r}/src/written-outside.js")), "z");
        fs::rename(outside.join(format!("in{r}")), root.join(format!("moved-in{r}"))).unwrap();
        fs::write(root.join(format!("moved-in{r}/pkg0/src/written-inside.js")), "w").unwrap();
    }
    scanner.join().unwrap();
    assert_settles_to_fresh_scan(&index, &root);
}
