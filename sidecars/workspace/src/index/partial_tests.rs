//! Tests of answers from a first scan still running: a walk held by the test seam after a known
//! number of files is asked, and its answers must be exactly what an index of the files found so
//! far answers (same scorer, same order, ties by path), made only of real files; once the scan
//! ends the list closes and the full index answers.

// The fixture tree is written here; the read-only lint (clippy.toml) is for the sidecar.
#![allow(clippy::disallowed_methods)]

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use super::super::tests::{opts, temp_root, write_tree};
use super::super::{Index, Snapshot};
use super::*;

/// Queries of each kind a person types: names, fragments, folder + name, non-ASCII, none.
const QUERIES: &[&str] = &["main", "rs", "srcmod", "test", "écran", "resume", "a", "ix/hover", "zzzq", "s f"];

impl SoFar {
    /// Every path in the published blocks, for the tests' oracle.
    fn paths(&self) -> Vec<String> {
        let bytes = self.blocks.iter().flat_map(|b| b.iter().map(|k| std::str::from_utf8(k).unwrap().to_owned()));
        bytes.collect()
    }
}

/// 600 files in nested folders, with names that tie, differ only in case, or carry accents.
fn tree() -> (tempfile::TempDir, std::path::PathBuf, BTreeSet<String>) {
    let (dir, root) = temp_root();
    let mut files: Vec<String> = Vec::new();
    for i in 0..120 {
        let d = format!("pkg{}/src{}", i % 9, i % 4);
        files.push(format!("{d}/main{i}.rs"));
        files.push(format!("{d}/mod.rs"));
        files.push(format!("{d}/test_{i}.ts"));
        files.push(format!("ix/hover/Écran{i}.txt"));
        files.push(format!("docs/Résumé-{i}.md"));
    }
    let refs: Vec<&str> = files.iter().map(String::as_str).collect();
    write_tree(&root, &refs);
    (dir, root, files.into_iter().collect())
}

/// Waits (up to a deadline) until `check` holds, polling the index the scan thread fills.
fn wait_until(what: &str, mut check: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(20);
    while !check() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(2));
    }
}

#[test]
fn a_held_scan_answers_from_its_files_exactly_as_an_index_of_them_would() {
    let (_d, root, all) = tree();
    let index = Index::new(opts(&root));
    let released = Arc::new(AtomicBool::new(false));
    let flag = released.clone();
    index.hold_first_scan(50, Box::new(move || flag.load(Ordering::SeqCst)));
    // Before the scan starts the answer is partial too, and empty.
    let before = index.found_so_far().expect("open before the scan");
    assert_eq!((before.files(), before.fuzzy("main", 10, &|| false)), (0, Vec::new()));

    let scanner = {
        let index = index.clone();
        std::thread::spawn(move || index.scan(&|_| {}).unwrap())
    };
    wait_until("50 files found", || index.found_so_far().is_some_and(|s| s.files() >= 50));
    let so_far = index.found_so_far().expect("still scanning");
    // Each walker thread holds after its own publish, so at most one file per thread more.
    assert!(so_far.files() >= 50 && so_far.files() < 50 + super::super::types::cores() as u64, "{}", so_far.files());
    assert!(!index.is_ready());
    let found = so_far.paths();
    assert_eq!(found.len() as u64, so_far.files());
    assert!(found.iter().all(|p| all.contains(p)), "only real files");
    let oracle = Snapshot::from_paths(found.clone()).unwrap();
    for q in QUERIES {
        for limit in [1, 5, 200] {
            let partial = so_far.fuzzy(q, limit, &|| false);
            assert_eq!(partial, oracle.fuzzy(q, limit, &|| false), "{q:?} limit {limit}");
            assert!(partial.windows(2).all(|w| (w[0].score, &w[1].path) > (w[1].score, &w[0].path)), "{q:?}");
        }
    }
    // A query every file matches ranks all of them: nothing found is left out.
    assert_eq!(so_far.fuzzy("/", 10_000, &|| false).len(), found.len());

    released.store(true, Ordering::SeqCst);
    scanner.join().unwrap();
    assert!(index.is_ready());
    assert!(index.found_so_far().is_none(), "closed once ready");
    let full = index.snapshot();
    assert_eq!(full.len(), all.len());
    let everything = Snapshot::from_paths(all.iter().cloned()).unwrap();
    for q in QUERIES {
        assert_eq!(full.fuzzy(q, 50, &|| false), everything.fuzzy(q, 50, &|| false), "{q:?}");
    }
}

#[test]
fn every_walked_file_is_published_before_the_scan_ends() {
    let (_d, root, all) = tree();
    let index = Index::new(opts(&root));
    // The list closes once the index is ready, so the look is taken from inside the walk: the
    // seam's release check runs on the publish that brings the count to every file.
    let seen = Arc::new(std::sync::Mutex::new(0u64));
    let (index2, seen2) = (index.clone(), seen.clone());
    index.hold_first_scan(
        all.len() as u64,
        Box::new(move || {
            *seen2.lock().unwrap() = index2.found_so_far().map_or(0, |s| s.files());
            true
        }),
    );
    index.scan(&|_| {}).unwrap();
    assert_eq!(*seen.lock().unwrap(), all.len() as u64);
}

#[test]
fn cancelling_stops_a_partial_answer() {
    let found = Found::default();
    for i in 0..3 {
        found.publish(Arc::new(Block { bytes: format!("a{i}.rs").into_bytes(), ends: vec![5] }));
    }
    let so_far = found.so_far().unwrap();
    assert_eq!(so_far.fuzzy("a", 10, &|| false).len(), 3);
    assert_eq!(so_far.fuzzy("a", 10, &|| true), Vec::new());
    found.close();
    assert!(found.so_far().is_none());
    found.publish(Arc::new(Block { bytes: b"late.rs".to_vec(), ends: vec![7] }));
    assert!(found.so_far().is_none(), "a closed list stays closed");
}
