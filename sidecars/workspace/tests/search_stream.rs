//! `workspace/search` streamed (`"stream": true`) against the real binary: the lines of the
//! chunks followed by the final result's are exactly the unstreamed answer (sorted, with
//! `maxResults` exact, also when it cuts a line's ranges), every chunk matches
//! `search.partial.json`, `$/cancel` in the middle of a stream answers `CANCELLED` with nothing
//! after it, and the deadline (`deadlineMs`) stops a search with what it found and says so.

// Fixtures create files; the read-only lint (clippy.toml) is meant for the sidecar, not for tests.
#![allow(clippy::disallowed_methods)]

mod common;

use common::assert_schema;
use common::sidecar::Sidecar;
use common::tree::Tree;
use serde_json::{json, Value};

/// Lines of every chunk, in order, then those of the final result (which must be a success).
fn concat(chunks: &[Value], last: &Value) -> Vec<Value> {
    assert_eq!(last["ok"], true, "{last}");
    let mut lines = Vec::new();
    for chunk in chunks {
        assert_schema("search.partial", chunk);
        lines.extend(chunk["lines"].as_array().unwrap().iter().cloned());
    }
    assert_schema("search.result", &last["result"]);
    lines.extend(last["result"]["lines"].as_array().unwrap().iter().cloned());
    lines
}

/// 1,500 files of which each has two matching lines, the first with two matches.
fn many_matches() -> Tree {
    let t = Tree::new();
    for i in 0..1500 {
        t.file(&format!("d{}/f{i:04}.txt", i % 7), format!("x needle y needle\nnothing\n{i} needle\n"));
    }
    t
}

#[test]
fn chunks_then_result_equal_the_unstreamed_answer() {
    let tree = many_matches();
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    let describe = sc.ok("$/describe", json!({}));
    assert!(describe["streams"].as_array().unwrap().contains(&json!("workspace/search")), "{describe}");

    for params in [
        json!({"query": "needle"}),
        // 2,002 = 667 files of three matches, plus one: the cap falls between a line's two ranges.
        json!({"query": "needle", "maxResults": 2002}),
        json!({"query": "needle", "maxResults": 3}),
    ] {
        let whole = sc.ok("workspace/search", params.clone());
        let (chunks, last) = sc.call_streamed("workspace/search", params.clone());
        let streamed = concat(&chunks, &last);
        assert_eq!(streamed, whole["lines"].as_array().unwrap().clone(), "{params}");
        let r = &last["result"];
        assert_eq!((&r["truncated"], &r["truncatedBy"]), (&whole["truncated"], &whole["truncatedBy"]));
        // How many files a capped search got through depends on how the threads raced.
        if r["truncated"] == false {
            assert_eq!(r["filesSearched"], whole["filesSearched"]);
        }
        // The chunks arrive already sorted by (path, line).
        let keys: Vec<(String, u64)> =
            streamed.iter().map(|l| (l["path"].as_str().unwrap().to_owned(), l["line"].as_u64().unwrap())).collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]), "{params}: not sorted");
        let matches: usize = streamed.iter().map(|l| l["ranges"].as_array().unwrap().len()).sum();
        match params["maxResults"].as_u64() {
            None => {
                // Three matches in 1,500 files is more than one chunk holds: it really streamed.
                assert!(chunks.len() >= 2, "{} chunks", chunks.len());
                assert_eq!((matches, streamed.len(), r["truncated"].as_bool()), (4500, 3000, Some(false)));
            }
            Some(max) => {
                assert_eq!((matches as u64, r["truncatedBy"].as_str()), (max, Some("maxResults")), "{params}");
            }
        }
    }
    let cut = sc.ok("workspace/search", json!({"query": "needle", "maxResults": 2002}));
    let last = cut["lines"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        (last["line"].as_u64(), last["ranges"].clone()),
        (Some(1), json!([[2, 8]])),
        "the cap cuts inside a line"
    );
    sc.shutdown();
}

#[test]
fn cancel_in_the_middle_of_a_stream_answers_cancelled_and_nothing_follows() {
    let tree = Tree::new();
    let line = "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi\n";
    let block = line.repeat(100_000 / line.len());
    for i in 0..400 {
        tree.file(&format!("d{}/f{i:03}.txt", i % 10), &block);
    }
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    // Every line matches: about 470,000 lines, far more than can be found before the cancel.
    let id = sc.request_streamed("workspace/search", json!({"query": "alpha", "maxResults": 10_000_000}));
    let first = sc.next_partial(&id).expect("a first chunk before the search ends");
    assert_schema("search.partial", &first);
    let cancel = sc.request("$/cancel", json!({ "id": id }));
    let r = sc.response_for(&json!(id));
    assert_eq!(r["error"]["code"], "CANCELLED", "{r}");
    assert_eq!(sc.response_for(&json!(cancel)), json!({"id": cancel, "ok": true, "result": {}}));
    // Output is one ordered stream: a partial written after the final answer would come before
    // this ping's answer.
    assert_eq!(sc.ok("$/ping", json!({})), json!({}));
    assert_eq!(sc.late_partials(&id), 0, "partial answers came after the final one");
    let before = sc.drop_partials(&id);
    eprintln!("{} chunks before the cancelled answer", before + 1);
    // The sidecar is fine afterwards: the same search, capped, streams and completes.
    let (chunks, last) = sc.call_streamed("workspace/search", json!({"query": "alpha", "maxResults": 10}));
    assert_eq!(concat(&chunks, &last).len(), 10);
    sc.shutdown();
}

#[test]
fn the_deadline_stops_a_search_with_what_it_found() {
    let tree = Tree::new();
    // 16 MiB in one file, a match on every line: far more than 1 ms of work.
    tree.file("big.txt", "needle and hay\n".repeat(16 << 20 >> 4));
    for i in 0..200 {
        tree.file(&format!("small/{i:03}.txt"), "needle\n");
    }
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    let params = json!({"query": "needle", "maxResults": 100_000_000, "deadlineMs": 1});
    assert_schema("search.params", &params);
    let r = sc.ok("workspace/search", params.clone());
    assert_schema("search.result", &r);
    assert_eq!(
        (r["truncated"].as_bool(), r["truncatedBy"].as_str()),
        (Some(true), Some("deadline")),
        "{}",
        r["filesSearched"]
    );
    assert!(r["filesSearched"].as_u64().unwrap() < 201, "{}", r["filesSearched"]);
    // What it found is right: lines in order, each with its match where the range says.
    let lines = r["lines"].as_array().unwrap();
    let keys: Vec<(String, u64)> =
        lines.iter().map(|l| (l["path"].as_str().unwrap().to_owned(), l["line"].as_u64().unwrap())).collect();
    assert!(keys.windows(2).all(|w| w[0] < w[1]), "not sorted");
    for l in lines {
        assert_eq!(l["ranges"], json!([[0, 6]]), "{l}");
    }
    // Streamed, the deadline ends the stream the same way.
    let (chunks, last) = sc.call_streamed("workspace/search", params);
    concat(&chunks, &last);
    assert_eq!(last["result"]["truncatedBy"], "deadline");
    // Positive control: with the default deadline the same search is complete.
    let all = sc.ok("workspace/search", json!({"query": "needle", "include": ["small/**"]}));
    assert_eq!((all["lines"].as_array().unwrap().len(), all["truncated"].as_bool()), (200, Some(false)));
    assert!(all.get("truncatedBy").is_none());
    sc.shutdown();
}
