//! `workspace/findFiles` while the first scan runs, against the real binary. The scan is held by
//! the test seam (`SKAFFA_WORKSPACE_TEST_HOLD_SCAN`) after a known number of files, so "during
//! the scan" is a state the test controls, not a race: findFiles must answer then (a findFiles
//! that waited for the index as before would never answer, and the test fails at its deadline)
//! with `indexing` and only real files, ranked best first; `waitForIndex` waits, and `$/cancel`
//! ends that wait; once the scan is released every answer is the full one, without the flag.

// Fixtures create files; the read-only lint (clippy.toml) is meant for the sidecar, not for tests.
#![allow(clippy::disallowed_methods)]

mod common;

use std::collections::BTreeSet;
use std::ffi::OsStr;

use common::assert_schema;
use common::sidecar::Sidecar;
use common::tree::Tree;
use serde_json::{json, Value};

/// Files held back after; the tree has far more.
const HOLD_AFTER: u64 = 40;

fn tree() -> (Tree, BTreeSet<String>) {
    let t = Tree::new();
    let mut all = BTreeSet::new();
    for i in 0..400 {
        let rel = format!("d{}/sub{}/file{i:03}.txt", i % 5, i % 3);
        t.file(&rel, "x");
        all.insert(rel);
    }
    // `.git/` is never indexed: the release file the test creates there changes nothing.
    t.dir(".git");
    (t, all)
}

fn held(root: &std::path::Path) -> Sidecar {
    let spec = format!("{HOLD_AFTER}:.git/release-scan");
    Sidecar::start_with_env(root, &[], &[("SKAFFA_WORKSPACE_TEST_HOLD_SCAN", OsStr::new(&spec))])
}

fn paths(result: &Value) -> Vec<String> {
    result["matches"].as_array().unwrap().iter().map(|m| m["path"].as_str().unwrap().to_owned()).collect()
}

fn is_subsequence(needle: &str, hay: &str) -> bool {
    let mut rest = hay.chars();
    needle.chars().all(|c| rest.any(|h| h == c))
}

/// Best first, ties by path.
fn assert_ranked(result: &Value) {
    let m = result["matches"].as_array().unwrap();
    for w in m.windows(2) {
        let (a, b) =
            ((w[0]["score"].as_i64().unwrap(), &w[0]["path"]), (w[1]["score"].as_i64().unwrap(), &w[1]["path"]));
        assert!(a.0 > b.0 || (a.0 == b.0 && a.1.as_str() < b.1.as_str()), "{a:?} before {b:?}");
    }
}

#[test]
fn find_files_answers_from_a_scan_in_progress_then_from_the_whole_index() {
    let (tree, all) = tree();
    let mut sc = held(tree.root());
    // Poll until the held scan has found what it will find; every answer meanwhile is partial.
    let until = std::time::Instant::now() + common::DEADLINE;
    let partial = loop {
        let r = sc.ok("workspace/findFiles", json!({"query": "file", "limit": 1000}));
        assert_schema("findFiles.result", &r);
        let so_far = r["indexing"]["filesSoFar"].as_u64().unwrap_or_else(|| panic!("no `indexing` while held: {r}"));
        // "file" matches every file: the answer holds exactly the files found so far.
        assert_eq!(r["matches"].as_array().unwrap().len() as u64, so_far, "{r}");
        if so_far >= HOLD_AFTER {
            break r;
        }
        assert!(std::time::Instant::now() < until, "the scan never reached {HOLD_AFTER} files");
    };
    let found = paths(&partial);
    assert!((found.len() as u64) < all.len() as u64, "the scan is held: {}", found.len());
    assert!(found.iter().all(|p| all.contains(p)), "only real files: {found:?}");
    assert_ranked(&partial);
    assert_eq!(sc.ok("workspace/status", json!({}))["state"], "indexing");

    // A narrower query (the digits of a found file's number, which files not found yet match
    // too): its matches are exactly the found files it is a subsequence of, best first.
    let digits: String = found[0].chars().filter(char::is_ascii_digit).skip(2).collect();
    let narrow = sc.ok("workspace/findFiles", json!({"query": digits, "limit": 1000}));
    let expected: BTreeSet<&String> = found.iter().filter(|p| is_subsequence(&digits, p)).collect();
    assert!(expected.contains(&found[0]), "{digits} {expected:?}");
    assert_eq!(paths(&narrow).iter().collect::<BTreeSet<_>>(), expected, "{narrow}");
    assert_ranked(&narrow);

    // `waitForIndex` waits for the scan; a cancel ends that wait.
    let waiting = sc.request("workspace/findFiles", json!({"query": "file", "waitForIndex": true}));
    sc.ok("$/cancel", json!({ "id": waiting }));
    assert_eq!(sc.response_for(&json!(waiting))["error"]["code"], "CANCELLED");
    let full_id = sc.request("workspace/findFiles", json!({"query": "file", "limit": 1000, "waitForIndex": true}));

    tree.file(".git/release-scan", "");
    let full = sc.response_for(&json!(full_id));
    assert_eq!(full["ok"], true, "{full}");
    assert_schema("findFiles.result", &full["result"]);
    assert!(full["result"].get("indexing").is_none(), "{}", full["result"]);
    assert_eq!(paths(&full["result"]).into_iter().collect::<BTreeSet<_>>(), all);
    assert_ranked(&full["result"]);
    // Ready now: a plain call answers the same, without the flag.
    let after = sc.ok("workspace/findFiles", json!({"query": "file", "limit": 1000}));
    assert_eq!(after, full["result"]);
    assert_eq!(sc.ok("workspace/status", json!({}))["state"], "ready");
    sc.shutdown();
}

#[test]
fn the_schemas_describe_the_partial_answer() {
    assert!(common::schema_accepts("findFiles.result", &json!({"matches": [], "indexing": {"filesSoFar": 3}})));
    assert!(!common::schema_accepts("findFiles.result", &json!({"matches": [], "indexing": {}})));
    assert!(common::schema_accepts("findFiles.params", &json!({"query": "a", "waitForIndex": true})));
    assert!(!common::schema_accepts("findFiles.params", &json!({"query": "a", "waitForIndex": 1})));
}
