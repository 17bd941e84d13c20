//! Bad input never kills the sidecar (malformed lines, non-requests, unknown methods, a line over
//! the 64 MiB limit: each gets an error and the next request works), `$/cancel` answers at once
//! and stops a long search's work, and the process exits on `$/shutdown` and on stdin EOF.

// Fixtures create files; the read-only lint (clippy.toml) is meant for the sidecar, not for tests.
#![allow(clippy::disallowed_methods)]

mod common;

#[cfg(target_os = "linux")]
use std::time::{Duration, Instant};

use common::sidecar::Sidecar;
use common::tree::{snapshot, Tree};
#[cfg(target_os = "linux")]
use common::DEADLINE;
use serde_json::{json, Value};

fn ping_works(sc: &mut Sidecar) {
    assert_eq!(sc.ok("$/ping", json!({})), json!({}));
}

#[test]
fn bad_input_gets_errors_and_serving_continues() {
    let tree = Tree::new();
    tree.file("a.txt", "a\n");
    let before = snapshot(tree.root());
    let mut sc = Sidecar::start(tree.root(), &[]);
    let cases: [(&[u8], Value, &str); 6] = [
        (b"{oops\n", Value::Null, "PARSE_ERROR"),
        (b"\xff\xfe\n", Value::Null, "PARSE_ERROR"),
        (b"[1,2]\n", Value::Null, "INVALID_REQUEST"),
        (b"{\"id\":\"k1\",\"params\":{}}\n", json!("k1"), "INVALID_REQUEST"),
        (b"{\"id\":42,\"method\":\"$/ping\"}\n", Value::Null, "INVALID_REQUEST"),
        (b"{\"id\":\"k2\",\"method\":\"workspace/nope\",\"params\":{}}\n", json!("k2"), "METHOD_NOT_FOUND"),
    ];
    for (line, id, code) in cases {
        sc.send_raw(line);
        let r = sc.response_for(&id);
        assert_eq!(
            (r["ok"].clone(), r["error"]["code"].as_str()),
            (json!(false), Some(code)),
            "{}",
            String::from_utf8_lossy(line)
        );
        ping_works(&mut sc);
    }
    assert_eq!(sc.err("workspace/readFile", json!({"path": ["a.txt"]})), "INVALID_PARAMS");
    ping_works(&mut sc);

    // A line just over the 64 MiB limit is discarded as it streams in and answered once.
    let mut huge = b"{\"id\":\"huge\",\"method\":\"$/ping\",\"params\":{\"pad\":\"".to_vec();
    huge.resize(64 * 1024 * 1024 + 16, b'x');
    huge.extend_from_slice(b"\"}}\n");
    sc.send_raw(&huge);
    drop(huge);
    let r = sc.response_for(&Value::Null);
    assert_eq!(r["error"]["code"], "INVALID_REQUEST");
    assert_eq!(sc.ok("workspace/readFile", json!({"path": "a.txt"}))["content"], "a\n");
    sc.shutdown();
    assert!(before == snapshot(tree.root()), "the workspace changed during the run");
}

#[test]
fn pipelined_requests_are_each_answered_once() {
    let tree = Tree::new();
    tree.file("a.txt", "a\n");
    let mut sc = Sidecar::start(tree.root(), &[]);
    let n = 2000;
    let mut batch = Vec::new();
    for i in 0..n {
        let (method, params) =
            if i % 2 == 0 { ("$/ping", json!({})) } else { ("workspace/stat", json!({"path": "a.txt"})) };
        serde_json::to_writer(&mut batch, &json!({"id": format!("p{i}"), "method": method, "params": params})).unwrap();
        batch.push(b'\n');
    }
    // One write, as a busy main would send them.
    sc.send_raw(&batch);
    for i in 0..n {
        let r = sc.response_for(&json!(format!("p{i}")));
        assert_eq!(r["ok"], true, "{r}");
        if i % 2 == 1 {
            assert_eq!(r["result"]["type"], "file");
        }
    }
    ping_works(&mut sc);
    assert!(sc.unclaimed_responses().is_empty());
    sc.shutdown();
}

#[test]
fn stdin_eof_ends_the_process() {
    let tree = Tree::new();
    let mut sc = Sidecar::start(tree.root(), &[]);
    ping_works(&mut sc);
    let exit = sc.close_stdin_and_wait();
    assert!(exit.success(), "{exit:?}");
}

/// The control of the harness's wine check (`common::wine`): a live sidecar has more threads than
/// the one a hung `ExitProcess` leaves, so the check cannot take a sidecar that never began to exit
/// for one that wine hung.
#[test]
#[cfg(windows)]
fn a_live_sidecar_has_more_than_one_thread() {
    let tree = Tree::new();
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(true);
    let threads = common::wine::threads_of(sc.pid()).expect("a thread snapshot");
    assert!(threads > 1, "{threads} threads");
    assert!(!common::wine::hung_in_exit(sc.pid()));
    sc.shutdown();
}

/// CPU time (user + system) the process has used so far, from /proc/<pid>/stat, in clock ticks.
#[cfg(target_os = "linux")]
fn cpu_ticks(pid: u32) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap();
    // Fields after the parenthesized command name; utime and stime are the 12th and 13th of them.
    let rest = &stat[stat.rfind(')').unwrap() + 2..];
    let fields: Vec<&str> = rest.split(' ').collect();
    fields[11].parse::<u64>().unwrap() + fields[12].parse::<u64>().unwrap()
}

/// Waits until the process stops using CPU (two samples 100 ms apart agree); returns the ticks.
#[cfg(target_os = "linux")]
fn settle(pid: u32) -> u64 {
    let until = Instant::now() + DEADLINE;
    let mut last = cpu_ticks(pid);
    loop {
        std::thread::sleep(Duration::from_millis(100));
        let now = cpu_ticks(pid);
        if now == last || Instant::now() > until {
            return now;
        }
        last = now;
    }
}

#[cfg(target_os = "linux")]
#[test]
fn cancel_answers_at_once_and_stops_the_search() {
    let tree = Tree::new();
    let line = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi\n";
    let block = line.repeat(100_000 / line.len());
    for i in 0..300 {
        tree.file(&format!("d{}/f{i:03}.txt", i % 10), &block);
    }
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    let pid = sc.pid();
    let query = json!({"query": "absent_token_q", "maxResults": 5});

    // The full cost of the search, for comparison.
    let start = settle(pid);
    let full = sc.ok("workspace/search", query.clone());
    assert_eq!((full["lines"].clone(), full["filesSearched"].clone()), (json!([]), json!(300)));
    let full_cost = settle(pid) - start;

    let start = settle(pid);
    let sent = Instant::now();
    let id = sc.request("workspace/search", query.clone());
    let cancel = sc.request("$/cancel", json!({ "id": id }));
    let r = sc.response_for(&json!(id));
    let waited = sent.elapsed();
    assert_eq!(r["error"]["code"], "CANCELLED", "{r}");
    assert_eq!(sc.response_for(&json!(cancel)), json!({"id": cancel, "ok": true, "result": {}}));
    let cancelled_cost = settle(pid) - start;
    eprintln!("full search: {full_cost} ticks; cancelled search: {cancelled_cost} ticks, answered in {waited:?}");
    assert!(waited < Duration::from_secs(2), "the cancelled answer took {waited:?}");
    assert!(
        cancelled_cost * 2 < full_cost.max(2),
        "the search kept working after the cancel: {cancelled_cost} ticks vs {full_cost} for a full search"
    );
    ping_works(&mut sc);
    assert!(sc.unclaimed_responses().is_empty(), "a cancelled request answered twice: {:?}", sc.unclaimed_responses());
    sc.shutdown();
}
