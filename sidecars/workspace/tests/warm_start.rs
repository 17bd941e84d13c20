//! Warm start against the real binary (issue 18, items 1-2): a first run with `--cache-dir` leaves
//! a snapshot on shutdown; the workspace is changed while no sidecar runs; a second run must end
//! with exactly the index a cold scan builds, report exactly what changed as `workspace/didChange`,
//! and answer from the snapshot before it has checked it (marked `unverified`). The catch-up is
//! held by the scan seam where a test looks at that window, so it is a state, not a race.

// Fixtures create and change files; the read-only lint (clippy.toml) is meant for the sidecar.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;

use common::assert_schema;
use common::sidecar::Sidecar;
use common::tree::Tree;
use common::warm::{
    cached, changes, cold, cold_listing, edit_keeping_size_and_mtime, listing, read_snapshot, rewrite_header, run_once,
    set, settle,
};
use serde_json::json;

fn base_tree() -> Tree {
    let t = Tree::new();
    t.file("src/main.ts", "main").file("src/util.ts", "util").file("src/old/a.ts", "a").file("src/old/b.ts", "b");
    t.file("docs/readme.md", "readme").file("same.txt", "0123456789").file("grow.txt", "x");
    t.file("becomes-dir", "file").file("keep/k.txt", "k").file("later-ignored.log", "log");
    t.file("gone/g1.txt", "g1").file("gone/g2.txt", "g2");
    t.file(".gitignore", "*.tmp\n");
    #[cfg(unix)]
    t.symlink("link", "src/main.ts");
    t.dir(".git");
    t
}

#[test]
fn a_warm_start_ends_as_a_cold_scan_and_reports_what_changed_while_down() {
    let t = base_tree();
    let cache = tempfile::tempdir().unwrap();
    // Times the snapshot can trust: only the checks of device, inode, size, mtime and ctime can
    // then find an offline change (unsettled, every file would be read again for the racy rule,
    // and the same-size edit with its old mtime would be found even if ctime were not compared).
    settle();
    let first = run_once(t.root(), cache.path());
    assert_eq!(first["cache"]["state"], "cold", "{first}");
    assert_eq!(first["cache"]["reason"], "no snapshot yet");
    assert_schema("status.result", &first);

    // Every kind of change while no sidecar runs.
    let root = t.root();
    t.file("new/deep/n.ts", "new"); // an added folder
    std::fs::remove_dir_all(root.join("gone")).unwrap(); // a deleted folder
    std::fs::rename(root.join("src/old"), root.join("src/renamed")).unwrap(); // a renamed folder
    std::fs::remove_file(root.join("becomes-dir")).unwrap(); // a file replaced by a folder
    t.file("becomes-dir/inner.txt", "inner");
    t.file("grow.txt", "a longer content"); // an edit of a different size
    edit_keeping_size_and_mtime(&root.join("same.txt"), "9876543210");
    t.file(".gitignore", "*.tmp\n*.log\n"); // an ignore file edited: a file leaves the index
    t.file("scratch.tmp", "ignored"); // an ignored file added: not reported
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(root.join("keep/k.txt"), std::fs::Permissions::from_mode(0o600)).unwrap();
        std::fs::remove_file(root.join("link")).unwrap(); // a symlink pointed elsewhere
        std::os::unix::fs::symlink("docs/readme.md", root.join("link")).unwrap();
    }
    #[cfg(windows)]
    {
        // What Windows has of a permission change: the read-only attribute (it moves the change time).
        let mut permissions = std::fs::metadata(root.join("keep/k.txt")).unwrap().permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(root.join("keep/k.txt"), permissions).unwrap();
    }

    let mut s = cached(root, cache.path());
    let status = s.wait_ready(true);
    assert_eq!(status["cache"]["state"], "warm", "{status}");
    assert_schema("status.result", &status);
    let (cold_files, cold_skipped) = cold(root);
    assert_eq!(listing(&mut s), cold_files, "warm must equal cold");
    assert_eq!(status["skipped"], cold_skipped, "and skip what cold skips");
    #[allow(unused_mut)]
    let mut want = set(&[
        ("created", "new/deep/n.ts"),
        ("deleted", "gone/g1.txt"),
        ("deleted", "gone/g2.txt"),
        ("deleted", "src/old/a.ts"),
        ("deleted", "src/old/b.ts"),
        ("created", "src/renamed/a.ts"),
        ("created", "src/renamed/b.ts"),
        ("deleted", "becomes-dir"),
        ("created", "becomes-dir/inner.txt"),
        ("changed", "grow.txt"),
        ("changed", "same.txt"),
        ("changed", ".gitignore"),
        ("deleted", "later-ignored.log"),
    ]);
    #[cfg(unix)]
    want.extend([("changed".into(), "keep/k.txt".into()), ("changed".into(), "link".into())]);
    #[cfg(windows)]
    want.insert(("changed".into(), "keep/k.txt".into()));
    assert_eq!(changes(&s), want, "stderr:\n{}", s.stderr());
    s.shutdown();

    // Positive control: a restart with nothing changed reports nothing and is warm.
    let mut s = cached(root, cache.path());
    assert_eq!(s.wait_ready(true)["cache"]["state"], "warm");
    assert_eq!(listing(&mut s), cold_listing(root));
    assert_eq!(changes(&s), BTreeSet::new());
}

#[test]
fn before_the_catch_up_answers_come_from_the_snapshot_marked_unverified() {
    let t = Tree::new();
    for i in 0..200 {
        t.file(&format!("d{}/file{i:03}.txt", i % 4), "x");
    }
    t.file("zebra/stripes.md", "z");
    t.dir(".git");
    let cache = tempfile::tempdir().unwrap();
    run_once(t.root(), cache.path());
    std::fs::remove_dir_all(t.root().join("zebra")).unwrap();
    t.file("zebra2/new.md", "new");

    let hold = OsStr::new("10:.git/release-scan");
    let args = ["--cache-dir", cache.path().to_str().unwrap()];
    let mut s = Sidecar::start_with_env(t.root(), &args, &[("SKAFFA_WORKSPACE_TEST_HOLD_SCAN", hold)]);
    let found = s.ok("workspace/findFiles", json!({ "query": "stripes" }));
    assert_schema("findFiles.result", &found);
    assert_eq!(found["indexing"], json!({ "filesSoFar": 201, "unverified": true }), "{found}");
    assert_eq!(found["matches"][0]["path"], "zebra/stripes.md", "the snapshot's file, not yet known gone");
    let globbed = s.ok("workspace/glob", json!({ "include": ["zebra*/**"] }));
    assert_schema("glob.result", &globbed);
    assert_eq!(globbed["paths"], json!(["zebra/stripes.md"]));
    assert_eq!(globbed["indexing"]["unverified"], true);
    let status = s.ok("workspace/status", json!({}));
    assert_eq!((status["state"].as_str(), status["cache"]["state"].as_str()), (Some("indexing"), Some("verifying")));

    t.file(".git/release-scan", "");
    assert_eq!(s.wait_ready(true)["cache"]["state"], "warm");
    let found = s.ok("workspace/findFiles", json!({ "query": "stripes" }));
    assert!(found.get("indexing").is_none() && found["matches"].as_array().unwrap().is_empty(), "{found}");
    let globbed = s.ok("workspace/glob", json!({ "include": ["zebra*/**"] }));
    assert_eq!(globbed, json!({ "paths": ["zebra2/new.md"], "truncated": false }));
}

#[test]
fn a_damaged_or_foreign_snapshot_means_a_full_scan_with_one_line_saying_why() {
    let t = base_tree();
    let cache = tempfile::tempdir().unwrap();
    let first = run_once(t.root(), cache.path());
    let snapshot = std::path::PathBuf::from(first["cache"]["path"].as_str().unwrap());
    let whole = std::fs::read(&snapshot).unwrap();
    // A whole snapshot, checksum and all, that another version wrote.
    rewrite_header(&snapshot, |h| h.version = "0.0.0-other".into());
    let other_version = std::fs::read(&snapshot).unwrap();
    let cold = cold_listing(t.root());
    let cases: Vec<(&str, Vec<u8>, &[&str], &str)> = vec![
        ("truncated", whole[..whole.len() / 2].to_vec(), &[], "snapshot corrupt"),
        ("flipped", whole.iter().enumerate().map(|(i, b)| if i == 40 { b ^ 1 } else { *b }).collect(), &[], "corrupt"),
        ("other options", whole.clone(), &["--exclude", "docs/**"], "other --exclude/--no-ignore options"),
        ("not a snapshot", b"hello".to_vec(), &[], "not a workspace snapshot"),
        ("other version", other_version, &[], "written by version 0.0.0-other"),
    ];
    for (what, bytes, extra, reason) in cases {
        std::fs::write(&snapshot, &bytes).unwrap();
        let mut args = vec!["--cache-dir", cache.path().to_str().unwrap()];
        args.extend_from_slice(extra);
        let mut s = Sidecar::start(t.root(), &args);
        let status = s.wait_ready(true);
        assert_eq!(status["cache"]["state"], "cold", "{what}: {status}");
        assert!(status["cache"]["reason"].as_str().unwrap().contains(reason), "{what}: {status}");
        let want = if extra.is_empty() {
            cold.clone()
        } else {
            cold.iter().filter(|p| !p.starts_with("docs/")).cloned().collect()
        };
        assert_eq!(listing(&mut s), want, "{what}");
        assert_eq!(changes(&s), BTreeSet::new(), "{what}: a cold start reports no offline change");
        let stderr = s.wait_stderr("cache:");
        let lines = stderr.lines().filter(|l| l.contains("cache:")).count();
        assert_eq!(lines, 1, "{what}: one stderr line: {stderr}");
        drop(s);
    }
    // A whole snapshot of this root's path with another folder behind it (made again while no
    // sidecar ran).
    std::fs::write(&snapshot, &whole).unwrap();
    let moved = t.root().with_extension("moved");
    std::fs::rename(t.root(), &moved).unwrap();
    std::fs::create_dir(t.root()).unwrap();
    for entry in std::fs::read_dir(&moved).unwrap() {
        let entry = entry.unwrap();
        std::fs::rename(entry.path(), t.root().join(entry.file_name())).unwrap();
    }
    std::fs::remove_dir(&moved).unwrap();
    let mut s = cached(t.root(), cache.path());
    let status = s.wait_ready(true);
    assert_eq!(status["cache"]["state"], "cold", "{status}");
    assert!(status["cache"]["reason"].as_str().unwrap().contains("the root folder was replaced"), "{status}");
    assert_eq!(listing(&mut s), cold);
    s.shutdown();
    // Control: the snapshot that run wrote, for the folder there now, is taken.
    let mut s = cached(t.root(), cache.path());
    assert_eq!(s.wait_ready(true)["cache"]["state"], "warm");
    s.shutdown();

    // A snapshot of another root, copied into this root's place, is foreign too.
    let other = base_tree();
    let other_first = run_once(other.root(), cache.path());
    std::fs::copy(other_first["cache"]["path"].as_str().unwrap(), &snapshot).unwrap();
    let mut s = cached(t.root(), cache.path());
    let status = s.wait_ready(true);
    assert!(status["cache"]["reason"].as_str().unwrap().contains("written for root"), "{status}");
    assert_eq!(listing(&mut s), cold);
}

#[test]
fn a_second_sidecar_on_the_root_works_uncached_and_a_bad_cache_folder_costs_only_speed() {
    let t = base_tree();
    let cache = tempfile::tempdir().unwrap();
    let mut first = cached(t.root(), cache.path());
    first.wait_ready(true);
    let mut second = cached(t.root(), cache.path());
    let status = second.wait_ready(true);
    assert_eq!(status["cache"]["state"], "locked", "{status}");
    assert_eq!(listing(&mut second), listing(&mut first));
    first.shutdown();

    // A cache "folder" that is a file, and one inside the workspace: unusable, nothing written there.
    let file = cache.path().join("a-file");
    std::fs::write(&file, "x").unwrap();
    let inside = t.root().join("cache-inside");
    let before = common::tree::snapshot(t.root());
    for (dir, reason) in [(file.as_path(), "cannot create it"), (inside.as_path(), "inside the workspace")] {
        let mut s = cached(t.root(), dir);
        let status = s.wait_ready(true);
        assert_eq!(status["cache"]["state"], "unusable", "{status}");
        assert!(status["cache"]["reason"].as_str().unwrap().contains(reason), "{status}");
        assert_eq!(listing(&mut s), cold_listing(t.root()));
        s.shutdown();
    }
    assert_eq!(common::tree::snapshot(t.root()), before, "the sidecar wrote into the workspace");
    assert!(!inside.exists());
}

/// A snapshot that cannot be written is said once on stderr and in `workspace/status`, and the
/// sidecar goes on uncached. Here a folder stands where the snapshot goes, so the write's last
/// step (the rename) fails on every platform, as a full disk or a cache folder cleared while the
/// sidecar runs would fail it.
#[test]
fn a_snapshot_that_cannot_be_written_makes_the_cache_unusable_and_the_sidecar_goes_on() {
    let t = base_tree();
    let cache = tempfile::tempdir().unwrap();
    let first = run_once(t.root(), cache.path());
    let snapshot = std::path::PathBuf::from(first["cache"]["path"].as_str().unwrap());
    std::fs::remove_file(&snapshot).unwrap();
    std::fs::create_dir_all(snapshot.join("in-the-way")).unwrap();
    let mut s = cached(t.root(), cache.path());
    s.wait_ready(true);
    let stderr = s.wait_stderr("could not write the snapshot");
    assert_eq!(stderr.matches("could not write the snapshot").count(), 1, "{stderr}");
    let status = s.ok("workspace/status", json!({}));
    assert_eq!(status["cache"]["state"], "unusable", "{status}");
    assert!(status["cache"]["reason"].as_str().unwrap().starts_with("could not write the snapshot"), "{status}");
    assert_schema("status.result", &status);
    assert_eq!(listing(&mut s), cold_listing(t.root()));
    assert!(snapshot.join("in-the-way").is_dir(), "the folder in the way is left alone");
}

/// A hash computed in one run is kept in the snapshot, with the key of the file it was computed
/// from, so the next run can answer it after checking that key (issue 18, item 3). The tree is
/// settled first: the writer hashes the files still within the racy rule's ticks itself (the
/// next start checks those by content), which here would be all of them.
#[test]
fn a_hash_computed_in_one_run_is_kept_in_the_snapshot() {
    let t = base_tree();
    let cache = tempfile::tempdir().unwrap();
    settle();
    let mut s = cached(t.root(), cache.path());
    let status = s.wait_ready(true);
    let r = s.ok("workspace/hashes", json!({ "paths": ["src/main.ts"] }));
    let want = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(b"main"));
    assert_eq!(r["hashes"][0]["hash"], want.as_str());
    s.shutdown();
    let (_, entries, _) = read_snapshot(std::path::Path::new(status["cache"]["path"].as_str().unwrap()));
    let hashed: Vec<_> = entries.iter().filter(|e| e.3.is_some()).map(|e| (e.0.as_str(), e.3.unwrap().0)).collect();
    assert_eq!(hashed, [("src/main.ts", xxhash_rust::xxh3::xxh3_128(b"main"))], "only the file asked for");
}

#[test]
fn after_a_restart_an_offline_edit_is_never_answered_with_the_old_hash() {
    let t = base_tree();
    let cache = tempfile::tempdir().unwrap();
    // Settled, so the old hash would be trusted if the edit's new ctime were not compared.
    settle();
    let mut s = cached(t.root(), cache.path());
    s.wait_ready(true);
    let hash = |s: &mut Sidecar, path: &str| {
        let r = s.ok("workspace/hashes", json!({ "paths": [path] }));
        r["hashes"][0]["hash"].as_str().unwrap().to_owned()
    };
    let before = hash(&mut s, "same.txt");
    s.shutdown();
    edit_keeping_size_and_mtime(&t.root().join("same.txt"), "9876543210");
    let mut s = cached(t.root(), cache.path());
    s.wait_ready(true);
    let after = hash(&mut s, "same.txt");
    assert_ne!(after, before, "answered the hash of the content before the edit");
    let want = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(b"9876543210"));
    assert_eq!(after, want);
    assert_eq!(hash(&mut s, "src/main.ts"), format!("{:032x}", xxhash_rust::xxh3::xxh3_128(b"main")));
}

/// Files hidden for their names (issue 18, item 6: names Windows reads as something else, and on
/// Linux names that are not UTF-8) are counted after a warm start as a cold scan counts them, also
/// when the offline change lies in another folder: the quick catch-up reads only changed folders,
/// so a snapshot of a tree with such files keeps no folder records and the warm start walks the
/// whole tree.
#[cfg(unix)]
#[test]
fn a_warm_start_counts_the_files_hidden_for_their_names_as_a_cold_scan() {
    let t = Tree::new();
    t.file("ok.txt", "ok").file("NUL", "n").file("aux/a.txt", "a");
    let want = json!({ "nonUtf8": 0, "unportable": 2, "unportableSample": ["NUL", "aux/a.txt"], "errors": 0 });
    warm_skips_as_cold(t, want);
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::ffi::OsStrExt;
        // In a folder of its own: one the catch-up would not read again.
        let t = Tree::new();
        t.file("ok.txt", "ok").dir("e");
        std::fs::write(t.root().join("e").join(OsStr::from_bytes(b"bad\xff.txt")), "b").unwrap();
        warm_skips_as_cold(t, json!({ "nonUtf8": 1, "unportable": 0, "unportableSample": [], "errors": 0 }));
    }
}

/// Runs `t` (plus a folder `d`) once with a cache, adds a file to `d` while down, and checks that
/// the warm start reports `want` as `status.skipped`, as the first (cold) run did.
#[cfg(unix)]
fn warm_skips_as_cold(t: Tree, want: serde_json::Value) {
    t.file("d/x.txt", "x");
    t.dir(".git");
    settle();
    let cache = tempfile::tempdir().unwrap();
    let first = run_once(t.root(), cache.path());
    assert_eq!(first["skipped"], want);
    t.file("d/y.txt", "y");
    let mut s = cached(t.root(), cache.path());
    let status = s.wait_ready(true);
    assert_eq!(status["cache"]["state"], "warm", "{status}");
    assert_schema("status.result", &status);
    assert_eq!(status["skipped"], want, "{status}");
    assert_eq!(listing(&mut s), cold_listing(t.root()));
    assert_eq!(changes(&s), set(&[("created", "d/y.txt")]));
}

/// The snapshot is read in place while the index answers from it (Linux maps it), and let go once
/// the catch-up is done: what the index keeps after that is its own, even when nothing changed
/// and the catch-up kept the snapshot's files as they were. Otherwise the whole file (60 MB at a
/// million files, for 18 MB of paths) would stay resident for as long as the sidecar runs.
#[cfg(target_os = "linux")]
#[test]
fn a_warm_start_lets_go_of_the_snapshot_once_caught_up() {
    let t = Tree::new();
    for i in 0..50 {
        t.file(&format!("d{}/file{i:02}.txt", i % 3), "x");
    }
    t.dir(".git");
    // Folders the snapshot can trust, so the catch-up reads none again and keeps its files.
    settle();
    let cache = tempfile::tempdir().unwrap();
    run_once(t.root(), cache.path());
    let mapped = |s: &Sidecar| {
        let maps = std::fs::read_to_string(format!("/proc/{}/maps", s.pid())).unwrap();
        // A snapshot renamed over since is listed as `index.snapshot (deleted)`.
        maps.lines().any(|l| l.contains("index.snapshot"))
    };

    let hold = OsStr::new("10:.git/release-scan");
    let args = ["--cache-dir", cache.path().to_str().unwrap()];
    let mut s = Sidecar::start_with_env(t.root(), &args, &[("SKAFFA_WORKSPACE_TEST_HOLD_SCAN", hold)]);
    let found = s.ok("workspace/findFiles", json!({ "query": "file07" }));
    assert_eq!(found["indexing"]["unverified"], true, "{found}");
    assert!(mapped(&s), "answering from the snapshot, the sidecar reads it in place");
    t.file(".git/release-scan", "");
    let status = s.wait_ready(true);
    let how = &status["cache"]["catchUp"];
    assert_eq!((status["cache"]["state"].as_str(), how["reread"].as_u64()), (Some("warm"), Some(0)), "{status}");
    assert!(how.get("walk").is_none(), "the catch-up kept the snapshot's files, it did not walk: {status}");
    assert!(!mapped(&s), "the snapshot is still mapped after the catch-up");
    let found = s.ok("workspace/findFiles", json!({ "query": "file07" }));
    assert_eq!(found["matches"][0]["path"], "d1/file07.txt", "{found}");
    s.shutdown();
}
