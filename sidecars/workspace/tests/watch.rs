//! Watching, end to end: creating, modifying, deleting and renaming files produce
//! `workspace/didChange` events (schema-checked, generations increasing) that agree with what
//! the sidecar then serves, changes in ignored folders produce none, and afterwards the live index
//! matches what a fresh scan of the same tree reports.

// Fixtures create, modify and delete files; the read-only lint (clippy.toml) is for the sidecar.
#![allow(clippy::disallowed_methods)]

mod common;

use common::assert_schema;
use common::sidecar::Sidecar;
use common::tree::Tree;
use serde_json::{json, Value};

/// Waits for a didChange event (from event position `from`) that reports `path` as `kind`.
fn wait_change(sc: &mut Sidecar, from: usize, path: &str, kind: &str) -> usize {
    let (data, next) = sc.wait_event("workspace/didChange", from, |d| {
        d["changes"].as_array().is_some_and(|c| c.iter().any(|c| c["path"] == path && c["type"] == kind))
    });
    assert_schema("didChange.event", &data);
    next
}

fn all_paths(sc: &mut Sidecar) -> Value {
    sc.ok("workspace/glob", json!({"include": ["**"]}))["paths"].clone()
}

#[test]
fn file_changes_arrive_as_events_and_update_the_index() {
    let tree = Tree::new();
    tree.file(".gitignore", "ignored/\n")
        .file("a.txt", "one\n")
        .file("b.txt", "bee\n")
        .file("c.txt", "sea\n")
        .dir("ignored");
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(true);
    let root = tree.root();
    let mut at = sc.events.len();

    std::fs::write(root.join("new.txt"), "fresh\n").unwrap();
    at = wait_change(&mut sc, at, "new.txt", "created");
    assert_eq!(sc.ok("workspace/readFile", json!({"path": "new.txt"}))["content"], "fresh\n");

    let hash_before = sc.ok("workspace/readFile", json!({"path": "a.txt"}))["hash"].clone();
    std::fs::write(root.join("a.txt"), "one\ntwo\n").unwrap();
    at = wait_change(&mut sc, at, "a.txt", "changed");
    let after = sc.ok("workspace/readFile", json!({"path": "a.txt"}));
    assert_eq!(after["content"], "one\ntwo\n");
    assert_ne!(after["hash"], hash_before, "a changed file gets a new hash");
    let found = sc.ok("workspace/search", json!({"query": "two"}));
    assert_eq!(found["lines"], json!([{"path": "a.txt", "line": 2, "text": "two", "ranges": [[0, 3]]}]));

    std::fs::remove_file(root.join("b.txt")).unwrap();
    at = wait_change(&mut sc, at, "b.txt", "deleted");
    assert_eq!(sc.err("workspace/readFile", json!({"path": "b.txt"})), "NOT_FOUND");

    std::fs::rename(root.join("c.txt"), root.join("d.txt")).unwrap();
    // The two halves of a rename may come in one batch or in two.
    let deleted = wait_change(&mut sc, at, "c.txt", "deleted");
    let created = wait_change(&mut sc, at, "d.txt", "created");
    at = deleted.max(created);

    // A change inside an ignored folder is silent: the marker written after it arrives alone.
    std::fs::write(root.join("ignored/hidden.txt"), "x").unwrap();
    std::fs::write(root.join("marker.txt"), "m").unwrap();
    let end = wait_change(&mut sc, at, "marker.txt", "created");
    let mentions_ignored = sc.events.iter().any(|e| e.to_string().contains("ignored/"));
    assert!(!mentions_ignored, "events for an ignored folder: {:?}", sc.events);

    // Generations only grow, and status agrees with the last event.
    let gens: Vec<u64> = sc.events[..end]
        .iter()
        .filter(|e| e["event"] == "workspace/didChange")
        .map(|e| e["data"]["generation"].as_u64().unwrap())
        .collect();
    assert!(gens.windows(2).all(|w| w[0] < w[1]), "generations must increase: {gens:?}");
    let status = sc.ok("workspace/status", json!({}));
    assert!(status["generation"].as_u64().unwrap() >= *gens.last().unwrap());
    assert_eq!(status["files"], 5);

    let live = all_paths(&mut sc);
    assert_eq!(live, json!([".gitignore", "a.txt", "d.txt", "marker.txt", "new.txt"]));
    sc.shutdown();

    let mut fresh = Sidecar::start(tree.root(), &[]);
    fresh.wait_ready(false);
    assert_eq!(all_paths(&mut fresh), live, "the live index must match a fresh scan");
    fresh.shutdown();
}

/// Out of watches (forced with `--max-watches`, as no test may lower the system's limit): status
/// says so within its schema, and a change in an unwatched folder still arrives, by a rescan.
#[cfg(target_os = "linux")]
#[test]
fn running_out_of_watches_is_reported_and_changes_still_arrive() {
    let tree = Tree::new();
    tree.file("a/one.txt", "1").file("b/two.txt", "2").file("c/three.txt", "3");
    let mut sc = Sidecar::start(tree.root(), &["--max-watches", "1"]);
    sc.wait_ready(true);
    let status = sc.ok("workspace/status", json!({}));
    assert_schema("status.result", &status);
    assert!(status["watchLimit"]["message"].as_str().unwrap().contains("--max-watches"), "{status}");
    assert!(status["watchLimit"]["rescanMs"].as_u64().unwrap() >= 1000);
    // Only the root is watched: a file in a/ is found by the periodic rescan.
    let at = sc.events.len();
    std::fs::write(tree.root().join("a/new.txt"), "new\n").unwrap();
    let (data, _) = sc.wait_event("workspace/didChange", at, |d| d.to_string().contains("a/new.txt"));
    assert_schema("didChange.event", &data);
    assert_eq!(data["rescan"], true);
    sc.shutdown();
}
