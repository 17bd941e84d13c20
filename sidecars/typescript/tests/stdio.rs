//! The binary as main runs it: bad input answers a code and the sidecar keeps serving, files
//! over 1 MiB are skipped, `$/describe` lists every method, and `typescript/symbols` streams
//! while the first build is held part-way (the build hold seam, see `src/index/hold.rs`).

mod common;

use common::{assert_schema, fixture, write, Sidecar};
use serde_json::json;

#[test]
fn bad_input_answers_its_code_and_the_sidecar_keeps_serving() {
    let root = fixture("syntax");
    write(root.path(), "src/huge.ts", &format!("export const big = '{}';\n", "x".repeat(1 << 20)));
    let mut sc = Sidecar::start(root.path(), &[]);
    for method in ["typescript/outline", "typescript/imports", "typescript/exports"] {
        assert_eq!(sc.err(method, json!({ "path": "../outside.ts" })), "OUTSIDE_WORKSPACE");
        assert_eq!(sc.err(method, json!({ "path": "/etc/passwd" })), "OUTSIDE_WORKSPACE");
        assert_eq!(sc.err(method, json!({ "path": "src/nope.ts" })), "NOT_FOUND");
        assert_eq!(sc.err(method, json!({ "path": "README.md" })), "NOT_ANALYZED");
        assert_eq!(sc.err(method, json!({ "path": "src/huge.ts" })), "NOT_ANALYZED");
    }
    assert_eq!(sc.err("typescript/importers", json!({ "path": "../x.ts" })), "OUTSIDE_WORKSPACE");
    assert_eq!(sc.err("typescript/importers", json!({ "path": "src/nope.ts" })), "NOT_FOUND");
    assert_eq!(sc.err("typescript/components", json!({ "path": "README.md" })), "NOT_ANALYZED");
    assert_eq!(sc.err("typescript/outline", json!({ "file": "src/dep.ts" })), "INVALID_PARAMS");
    assert_eq!(
        sc.err("typescript/didChange", json!({ "generation": 1, "changes": [{ "path": "a.ts", "type": "moved" }] })),
        "INVALID_PARAMS"
    );
    let not_analyzed = sc.call("typescript/outline", json!({ "path": "README.md" }));
    assert_eq!(not_analyzed["error"]["data"]["path"], "README.md");
    let status = sc.ok("typescript/status", json!({}));
    assert_eq!(status["skipped"], 1);
    assert_eq!(status["state"], "ready");
    // Still serving after all of that.
    assert_eq!(sc.ok("typescript/outline", json!({ "path": "src/dep.ts" }))["stale"], false);
    assert!(sc.close(), "exits cleanly on stdin EOF");
}

#[test]
fn describe_lists_every_method() {
    let root = fixture("syntax");
    let mut sc = Sidecar::start(root.path(), &[]);
    let describe = sc.call("$/describe", json!({}));
    let mut methods: Vec<String> =
        describe["result"]["methods"].as_array().unwrap().iter().map(|m| m.as_str().unwrap().to_owned()).collect();
    methods.sort();
    let want = ["components", "didChange", "exports", "importers", "imports", "outline", "resync", "status", "symbols"];
    assert_eq!(methods, want.map(|m| format!("typescript/{m}")));
    assert_eq!(describe["result"]["name"], "typescript");
}

#[test]
fn symbols_stream_while_indexing_then_finish_with_the_rest() {
    let root = fixture("syntax");
    // Hold the build after 2 files (of 8), until `.git/release` exists.
    std::fs::create_dir_all(root.path().join(".git")).unwrap();
    let mut sc = Sidecar::start(root.path(), &[("SKAFFA_TYPESCRIPT_TEST_HOLD_BUILD", "2:.git/release")]);
    // Exactly 2 files get parsed before the hold; wait for them (a state the build must reach).
    while sc.ok("typescript/status", json!({}))["parsed"] != 2 {
        std::thread::yield_now();
    }
    assert_eq!(sc.ok("typescript/status", json!({}))["state"], "indexing");
    // Unstreamed: what is there now, flagged.
    let early = sc.ok("typescript/symbols", json!({ "query": "" }));
    assert_eq!(early["indexing"], true);
    let early_count = early["symbols"].as_array().unwrap().len();
    // Streamed: a first chunk now, flagged…
    let id = sc.send("typescript/symbols", json!({ "query": "" }), true);
    let chunk = sc.wait_for(|m| m["id"] == id.as_str() && m.get("partial").is_some());
    assert_schema("symbols.partial", &chunk["partial"]);
    assert_eq!(chunk["partial"]["indexing"], true);
    let first = chunk["partial"]["symbols"].as_array().unwrap().len();
    assert_eq!(first, early_count, "the build is held, so the chunk is what was there");
    // …and the rest once the build is released.
    std::fs::write(root.path().join(".git/release"), "").unwrap();
    let done = sc.wait_for(|m| m["id"] == id.as_str() && m.get("partial").is_none());
    assert_schema("symbols.result", &done["result"]);
    assert!(done["result"].get("indexing").is_none());
    let rest = done["result"]["symbols"].as_array().unwrap().len();
    let all = sc.ok("typescript/symbols", json!({ "query": "", "limit": 1000 }));
    assert_eq!(first + rest, all["symbols"].as_array().unwrap().len(), "chunk plus result is every symbol once");
    assert!(first > 0 && rest > 0, "{first} in the chunk, {rest} after");
}
