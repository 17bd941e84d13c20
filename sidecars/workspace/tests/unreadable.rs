//! Folders and files the sidecar may not read, against the real binary. CI runs as root, which
//! reads everything, so every sidecar here runs confined (`common::sidecar::confine`: on Linux it
//! starts without root's power to read past permissions). A positive control shows that an
//! unconfined root sidecar does read the same folder, so a pass means the permissions were in
//! force. Unix only: Windows has no mode bits to take away.
#![cfg(unix)]
// Fixtures create and change files; the read-only lint (clippy.toml) is meant for the sidecar.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use common::sidecar::{self, Sidecar};
use common::tree::Tree;
use common::warm::{cached, changes, cold, listing, run_once, set};
use serde_json::json;

fn chmod(path: &Path, mode: u32) {
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)).unwrap();
}

fn paths(items: &[&str]) -> BTreeSet<String> {
    items.iter().map(|p| p.to_string()).collect()
}

/// A tree with a readable folder, a folder to lock and a file to lock.
fn tree() -> Tree {
    let t = Tree::new();
    t.file("open/a.txt", "a").file("locked/b.txt", "b").file("locked/deep/c.txt", "c");
    t.file("secret.txt", "secret").file("top.txt", "top");
    t
}

/// [`tree`] with `name` (a folder or a file) unreadable to its owner.
fn tree_with_locked(name: &str) -> Tree {
    let t = tree();
    chmod(&t.root().join(name), 0o000);
    t
}

/// Gives every folder back its permissions, so the temporary tree can be removed.
fn unlock(t: &Tree) {
    chmod(&t.root().join("locked"), 0o755);
}

#[test]
fn an_unreadable_folder_is_counted_and_its_files_left_out() {
    assert!(sidecar::confine(), "cannot confine a root sidecar on this platform");
    let t = tree_with_locked("locked");
    let (listed, skipped) = cold(t.root());
    unlock(&t);
    assert_eq!(listed, paths(&["open/a.txt", "secret.txt", "top.txt"]));
    assert_eq!(skipped["errors"], 1, "the folder that could not be read is counted: {skipped}");
}

#[test]
fn listing_an_unreadable_folder_answers_permission_denied() {
    assert!(sidecar::confine(), "cannot confine a root sidecar on this platform");
    let t = tree_with_locked("locked");
    let mut s = Sidecar::start(t.root(), &[]);
    s.wait_ready(false);
    let code =
        |s: &mut Sidecar, path: &str| s.call("workspace/listDir", json!({ "path": path }))["error"]["code"].clone();
    // The folder itself (the index could not read it) and one inside it (not even reachable).
    assert_eq!(code(&mut s, "locked"), "PERMISSION_DENIED");
    assert_eq!(code(&mut s, "locked/deep"), "PERMISSION_DENIED");
    // The positive control: a readable folder lists its file.
    let open = s.ok("workspace/listDir", json!({ "path": "open" }));
    assert_eq!(open["entries"], json!([{ "name": "a.txt", "type": "file" }]));
    s.shutdown();
    unlock(&t);
}

/// The positive control: without the confinement, root reads the locked folder, so the test
/// above passes because the sidecar met the permissions, not because the folder was empty.
#[test]
fn root_unconfined_reads_the_locked_folder() {
    // SAFETY: geteuid has no preconditions and cannot fail.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("not root: every sidecar meets the permissions, there is nothing to control");
        return;
    }
    let t = tree_with_locked("locked");
    let (listed, skipped) = cold(t.root());
    unlock(&t);
    assert!(listed.contains("locked/deep/c.txt"), "{listed:?}");
    assert_eq!(skipped["errors"], 0, "{skipped}");
}

#[test]
fn an_unreadable_file_is_listed_and_reading_it_answers_permission_denied() {
    assert!(sidecar::confine(), "cannot confine a root sidecar on this platform");
    let t = tree_with_locked("secret.txt");
    let mut s = Sidecar::start(t.root(), &[]);
    s.wait_ready(false);
    // Its folder can be read, so it is listed, and its metadata needs no read permission.
    assert!(listing(&mut s).contains("secret.txt"));
    let stat = s.ok("workspace/stat", json!({ "path": "secret.txt" }));
    assert_eq!((stat["type"].as_str(), stat["size"].as_u64()), (Some("file"), Some(6)), "{stat}");
    // Its bytes need it: each way of reading them says why, naming only the relative path.
    let denied = |r: &serde_json::Value| {
        let error = &r["error"];
        assert_eq!(error["code"], "PERMISSION_DENIED", "{r}");
        let message = error["message"].as_str().unwrap();
        assert!(message.starts_with("secret.txt:") && !message.contains(t.root().to_str().unwrap()), "{r}");
    };
    denied(&s.call("workspace/readFile", json!({ "path": "secret.txt" })));
    denied(&s.call("workspace/stat", json!({ "path": "secret.txt", "hash": true })));
    let hashes = s.ok("workspace/hashes", json!({ "paths": ["secret.txt", "top.txt"] }));
    common::assert_schema("hashes.result", &hashes);
    denied(&hashes["hashes"][0]);
    assert_eq!(hashes["hashes"][1]["hash"].as_str().map(str::len), Some(32), "the other path still answers: {hashes}");
    // The positive control: the same file, readable again, is read.
    chmod(&t.root().join("secret.txt"), 0o644);
    let read = s.ok("workspace/readFile", json!({ "path": "secret.txt" }));
    assert_eq!(read["content"], "secret");
    s.shutdown();
}

/// What a warm start and then a cold scan make of the tree as it is now: the warm start's status,
/// listing and reported changes, and the cold scan's listing and skips.
struct WarmAndCold {
    status: serde_json::Value,
    warm: BTreeSet<String>,
    reported: BTreeSet<(String, String)>,
    cold: BTreeSet<String>,
    cold_skipped: serde_json::Value,
}

fn warm_and_cold(root: &Path, cache: &Path) -> WarmAndCold {
    let mut s = cached(root, cache);
    let status = s.wait_ready(true);
    let warm = listing(&mut s);
    let reported = changes(&s);
    s.shutdown();
    let (cold, cold_skipped) = cold(root);
    assert_eq!(status["cache"]["state"], "warm", "{status}");
    assert_eq!(warm, cold);
    assert_eq!(status["skipped"], cold_skipped, "warm counts what cold counts");
    WarmAndCold { status, warm, reported, cold, cold_skipped }
}

#[test]
fn a_folder_locked_while_no_sidecar_ran_leaves_the_index_as_in_a_cold_scan() {
    assert!(sidecar::confine(), "cannot confine a root sidecar on this platform");
    let t = tree();
    let cache = tempfile::tempdir().unwrap();
    run_once(t.root(), cache.path());
    chmod(&t.root().join("locked"), 0o000);
    let after = warm_and_cold(t.root(), cache.path());
    unlock(&t);
    assert_eq!(after.cold, paths(&["open/a.txt", "secret.txt", "top.txt"]));
    assert_eq!(after.cold_skipped["errors"], 1, "{}", after.status);
    assert_eq!(after.reported, set(&[("deleted", "locked/b.txt"), ("deleted", "locked/deep/c.txt")]));
}

#[test]
fn a_folder_unlocked_while_no_sidecar_ran_comes_back_as_in_a_cold_scan() {
    assert!(sidecar::confine(), "cannot confine a root sidecar on this platform");
    let t = tree();
    let cache = tempfile::tempdir().unwrap();
    chmod(&t.root().join("locked"), 0o000);
    let first = run_once(t.root(), cache.path());
    assert_eq!(first["skipped"]["errors"], 1, "{first}");
    unlock(&t);
    let after = warm_and_cold(t.root(), cache.path());
    assert!(after.warm.contains("locked/deep/c.txt"), "{:?}", after.warm);
    assert_eq!(after.cold_skipped["errors"], 0, "{}", after.status);
    assert_eq!(after.reported, set(&[("created", "locked/b.txt"), ("created", "locked/deep/c.txt")]));
}

/// While watching (Linux, where a folder's permission change is its own event): a folder locked
/// leaves the index with its files, as a fresh scan would not see them, and comes back unlocked.
#[cfg(target_os = "linux")]
#[test]
fn a_folder_locked_and_unlocked_while_watched_follows_its_permissions() {
    assert!(sidecar::confine(), "cannot confine a root sidecar on this platform");
    let t = tree();
    let mut s = Sidecar::start(t.root(), &[]);
    s.wait_ready(true);
    chmod(&t.root().join("locked"), 0o000);
    let (gone, seen) = s.wait_event("workspace/didChange", 0, |_| true);
    let (locked, locked_skipped) = (listing(&mut s), s.ok("workspace/status", json!({}))["skipped"].clone());
    let refused = s.call("workspace/listDir", json!({ "path": "locked" }));
    unlock(&t);
    let (back, _) = s.wait_event("workspace/didChange", seen, |_| true);
    let (unlocked, unlocked_skipped) = (listing(&mut s), s.ok("workspace/status", json!({}))["skipped"].clone());
    let listed = s.ok("workspace/listDir", json!({ "path": "locked" }));
    s.shutdown();
    let kinds = |batch: &serde_json::Value| -> BTreeSet<(String, String)> {
        let list = batch["changes"].as_array().unwrap().iter();
        list.map(|c| (c["type"].as_str().unwrap().to_owned(), c["path"].as_str().unwrap().to_owned())).collect()
    };
    assert_eq!(kinds(&gone), set(&[("deleted", "locked/b.txt"), ("deleted", "locked/deep/c.txt")]));
    assert_eq!(locked, paths(&["open/a.txt", "secret.txt", "top.txt"]));
    assert_eq!(locked_skipped["errors"], 1, "{locked_skipped}");
    assert_eq!(refused["error"]["code"], "PERMISSION_DENIED", "{refused}");
    assert_eq!(kinds(&back), set(&[("created", "locked/b.txt"), ("created", "locked/deep/c.txt")]));
    assert!(unlocked.contains("locked/deep/c.txt"), "{unlocked:?}");
    assert_eq!(unlocked_skipped["errors"], 0, "the count is of what cannot be read now: {unlocked_skipped}");
    assert_eq!(listed["entries"], json!([{ "name": "b.txt", "type": "file" }, { "name": "deep", "type": "dir" }]));
}
