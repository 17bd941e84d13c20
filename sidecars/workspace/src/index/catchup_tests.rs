//! The catch-up's first step gives way to queries: while one runs on the snapshot, its threads
//! stand aside (see `foreground`), and they finish the step once it ends.
// The test makes its tree with `std::fs`, as index tests do.
#![allow(clippy::disallowed_methods)]

use std::time::Duration;

use super::*;
use crate::index::types::FileMeta;

#[test]
fn the_check_stands_aside_while_a_query_runs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("a")).unwrap();
    std::fs::write(dir.path().join("a/x.txt"), "x").unwrap();
    let mut files = BaseBuilder::paths_only();
    files.push(b"a/x.txt", FileMeta { size: 1, mtime_ms: 0, symlink: false }).unwrap();
    let files = files.finish().unwrap();
    let seen = Print { folder: 1, rules: 1 };
    let records = vec![(String::new(), seen), ("a".to_owned(), seen)];
    // Long enough that the step cannot go on by running out the busy stretch during this test.
    let gate = Foreground::with_max_pause(Duration::from_secs(60));
    let query = gate.enter();
    std::thread::scope(|s| {
        let step = s.spawn(|| check(dir.path(), true, &records, None, &files, &gate));
        gate.await_waiting(1);
        assert!(!step.is_finished(), "the step went on while a query ran");
        drop(query);
        let (status, keys) = step.join().unwrap();
        assert_eq!(status.len(), 2);
        assert!(keys[0].is_some(), "the file's key was read once the query ended");
    });
}
