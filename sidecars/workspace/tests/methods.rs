//! Every `workspace/*` method against the real binary on a generated tree: each result is checked
//! against its schema file *and* against the expected content, ignore rules are honoured, and
//! the tree is byte- and mtime-identical afterwards.

// Fixtures create files; the read-only lint (clippy.toml) is meant for the sidecar, not for tests.
#![allow(clippy::disallowed_methods)]

mod common;

use base64::Engine;
use common::sidecar::Sidecar;
use common::tree::{snapshot, Tree};
use common::{assert_schema, schema_accepts};
use serde_json::{json, Value};

/// The fixture: ignored and hidden files, a binary, non-UTF-8 and astral-plane text, a link.
fn fixture() -> Tree {
    let t = Tree::new();
    t.file(".gitignore", "ignored/\n*.log\n")
        .file("src/main.rs", "fn main() {\n    println!(\"Hello, world\");\n}\n")
        .file("src/lib/util.ts", "export const héllo = 'x'; // hello HELLO\nconst helloWorld = 1;\n")
        .file("docs/readme.md", "# Readme\nSay hello.\n")
        .dir("docs/empty")
        .file("bin/data.bin", b"\x00\x01hello\x00")
        .file("ignored/secret.txt", "hello secret")
        .file("debug.log", "hello log")
        .file(".hidden/conf", "hello hidden")
        .file("latin1.txt", b"caf\xe9 hello\n")
        .file("emoji.txt", "😀 hello\n")
        .file("big.txt", "a".repeat(2000))
        .file(".git/HEAD", "ref: hello");
    #[cfg(unix)]
    t.symlink("link_in", "src/main.rs");
    t
}

/// Calls `method` after checking `params` against the params schema, checks the result schema.
fn checked(sc: &mut Sidecar, method: &str, params: Value) -> Value {
    assert_schema(&format!("{method}.params"), &params);
    let result = sc.ok(&format!("workspace/{method}"), params);
    assert_schema(&format!("{method}.result"), &result);
    result
}

fn mtime_ms(path: &std::path::Path) -> i64 {
    let m = std::fs::symlink_metadata(path).unwrap().modified().unwrap();
    m.duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

#[test]
fn every_method_answers_per_schema_and_content() {
    let tree = fixture();
    let before = snapshot(tree.root());
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);

    let status = checked(&mut sc, "status", json!({}));
    // Wire paths use `/` on every platform, the root included.
    let wire_root = if cfg!(windows) {
        tree.root().to_str().unwrap().replace('\\', "/")
    } else {
        tree.root().to_str().unwrap().into()
    };
    assert_eq!(status["root"], wire_root);
    // Nine files, plus the symlink where the fixture makes one (unix).
    let files = if cfg!(unix) { 10 } else { 9 };
    assert_eq!((status["state"].as_str(), status["files"].as_u64()), (Some("ready"), Some(files)));

    let describe = sc.ok("$/describe", json!({}));
    assert_eq!(describe["name"], "workspace");
    assert_eq!(describe["methods"].as_array().unwrap().len(), 7);

    read_file(&mut sc, &tree);
    stat_and_list_dir(&mut sc, &tree);
    glob_and_find_files(&mut sc);
    search(&mut sc);

    let progress: Vec<&Value> = sc.events.iter().filter(|e| e["event"] == "workspace/indexProgress").collect();
    assert!(!progress.is_empty(), "the first scan reports progress");
    for e in progress {
        assert_schema("indexProgress.event", &e["data"]);
    }
    sc.shutdown();
    assert!(before == snapshot(tree.root()), "the workspace changed during the run");
}

fn read_file(sc: &mut Sidecar, tree: &Tree) {
    let r = checked(sc, "readFile", json!({"path": "src/main.rs"}));
    let bytes = std::fs::read(tree.root().join("src/main.rs")).unwrap();
    assert_eq!(r["content"], std::str::from_utf8(&bytes).unwrap());
    assert_eq!((r["path"].as_str(), r["encoding"].as_str()), (Some("src/main.rs"), Some("utf8")));
    assert_eq!(r["size"], bytes.len());
    assert_eq!(r["mtimeMs"], mtime_ms(&tree.root().join("src/main.rs")));
    assert_eq!(r["hash"], format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&bytes)));
    // Same file, same hash (served from the cache keyed by size and mtime).
    assert_eq!(checked(sc, "readFile", json!({"path": "src/main.rs"}))["hash"], r["hash"]);

    let b = checked(sc, "readFile", json!({"path": "latin1.txt", "encoding": "base64"}));
    let decoded = base64::engine::general_purpose::STANDARD.decode(b["content"].as_str().unwrap()).unwrap();
    assert_eq!(decoded, b"caf\xe9 hello\n");
    assert_eq!(sc.err("workspace/readFile", json!({"path": "latin1.txt"})), "INVALID_ENCODING");

    // A link inside the workspace to a file inside it reads the target's content.
    #[cfg(unix)]
    assert_eq!(checked(sc, "readFile", json!({"path": "link_in"}))["content"], r["content"]);
    assert_eq!(checked(sc, "readFile", json!({"path": "./src//main.rs"}))["path"], "src/main.rs");

    let too_large = sc.call("workspace/readFile", json!({"path": "big.txt", "maxBytes": 100}));
    assert_eq!(too_large["error"]["code"], "TOO_LARGE");
    assert_eq!(too_large["error"]["data"], json!({"path": "big.txt", "size": 2000, "limit": 100}));
    assert_eq!(checked(sc, "readFile", json!({"path": "big.txt", "maxBytes": 2000}))["size"], 2000);

    for (path, code) in [
        ("docs", "NOT_A_FILE"),
        ("", "NOT_A_FILE"),
        ("nope.txt", "NOT_FOUND"),
        ("src/main.rs/x", "NOT_FOUND"),
        ("ignored/secret.txt", "NOT_FOUND"),
        ("debug.log", "NOT_FOUND"),
        (".git/HEAD", "NOT_FOUND"),
    ] {
        assert_eq!(sc.err("workspace/readFile", json!({ "path": path })), code, "{path}");
    }
}

fn stat_and_list_dir(sc: &mut Sidecar, tree: &Tree) {
    let s = checked(sc, "stat", json!({"path": "docs/readme.md"}));
    assert_eq!(
        s,
        json!({"path": "docs/readme.md", "type": "file", "size": 20, "mtimeMs": mtime_ms(&tree.root().join("docs/readme.md"))})
    );
    assert_eq!(checked(sc, "stat", json!({"path": "docs"}))["type"], "dir");
    assert_eq!(checked(sc, "stat", json!({"path": ""}))["type"], "dir");
    #[cfg(unix)]
    assert_eq!(checked(sc, "stat", json!({"path": "link_in"}))["type"], "symlink");
    assert_eq!(sc.err("workspace/stat", json!({"path": "ignored"})), "NOT_FOUND");
    assert_eq!(sc.err("workspace/stat", json!({"path": "missing"})), "NOT_FOUND");

    let root = checked(sc, "listDir", json!({"path": ""}));
    let mut expected = vec![
        json!({"name": ".gitignore", "type": "file"}),
        json!({"name": ".hidden", "type": "dir"}),
        json!({"name": "big.txt", "type": "file"}),
        json!({"name": "bin", "type": "dir"}),
        json!({"name": "docs", "type": "dir"}),
        json!({"name": "emoji.txt", "type": "file"}),
        json!({"name": "latin1.txt", "type": "file"}),
        json!({"name": "src", "type": "dir"}),
    ];
    if cfg!(unix) {
        expected.insert(7, json!({"name": "link_in", "type": "symlink"}));
    }
    assert_eq!(root["entries"], Value::Array(expected));
    let src = checked(sc, "listDir", json!({"path": "src"}));
    assert_eq!(src["entries"], json!([{"name": "lib", "type": "dir"}, {"name": "main.rs", "type": "file"}]));
    assert_eq!(checked(sc, "listDir", json!({"path": "docs/empty"}))["entries"], json!([]));
    assert_eq!(sc.err("workspace/listDir", json!({"path": "src/main.rs"})), "NOT_A_DIRECTORY");
    assert_eq!(sc.err("workspace/listDir", json!({"path": "ignored"})), "NOT_FOUND");
    assert_eq!(sc.err("workspace/listDir", json!({"path": "nope"})), "NOT_FOUND");
}

fn glob_and_find_files(sc: &mut Sidecar) {
    let g = checked(sc, "glob", json!({"include": ["**/*.rs"]}));
    assert_eq!(g, json!({"paths": ["src/main.rs"], "truncated": false}));
    let g = checked(sc, "glob", json!({"include": ["*.txt"]}));
    assert_eq!(g["paths"], json!(["big.txt", "emoji.txt", "latin1.txt"]));
    let g = checked(sc, "glob", json!({"include": ["**"], "exclude": ["src/**", ".*/**"], "limit": 3}));
    assert_eq!(g, json!({"paths": [".gitignore", "big.txt", "bin/data.bin"], "truncated": true}));
    assert_eq!(sc.err("workspace/glob", json!({"include": ["a[b"]})), "INVALID_PARAMS");

    let f = checked(sc, "findFiles", json!({"query": "mainrs"}));
    let first = &f["matches"][0];
    assert_eq!(first["path"], "src/main.rs");
    // Positions point at the query's characters, in order.
    let path: Vec<u16> = "src/main.rs".encode_utf16().collect();
    let picked: String = first["positions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| path[p.as_u64().unwrap() as usize] as u8 as char)
        .collect();
    assert_eq!(picked, "mainrs");
    assert!(checked(sc, "findFiles", json!({"query": "e", "limit": 2}))["matches"].as_array().unwrap().len() <= 2);
    assert_eq!(checked(sc, "findFiles", json!({"query": "zzzqqq"}))["matches"], json!([]));
}

fn m(path: &str, line: u64, column: u64, text: &str) -> Value {
    json!({"path": path, "line": line, "column": column, "text": text})
}

fn search(sc: &mut Sidecar) {
    let s = checked(sc, "search", json!({"query": "hello"}));
    let util = "export const héllo = 'x'; // hello HELLO";
    let expected = json!([
        m(".hidden/conf", 1, 1, "hello hidden"),
        m("docs/readme.md", 2, 5, "Say hello."),
        m("emoji.txt", 1, 4, "😀 hello"),
        m("latin1.txt", 1, 6, "caf\u{fffd} hello"),
        m("src/lib/util.ts", 1, 30, util),
        m("src/lib/util.ts", 1, 36, util),
        m("src/lib/util.ts", 2, 7, "const helloWorld = 1;"),
        m("src/main.rs", 2, 15, "    println!(\"Hello, world\");"),
    ]);
    assert_eq!(s["matches"], expected);
    // Binary, ignored and .git files are skipped; symlinks are not followed.
    assert_eq!((s["truncated"].as_bool(), s["filesSearched"].as_u64()), (Some(false), Some(9)));

    let cs = checked(sc, "search", json!({"query": "HELLO", "caseSensitive": true}));
    assert_eq!(cs["matches"], json!([m("src/lib/util.ts", 1, 36, util)]));
    let ww = checked(sc, "search", json!({"query": "hello", "wholeWord": true, "include": ["src/**"]}));
    assert_eq!(
        ww["matches"],
        json!([
            m("src/lib/util.ts", 1, 30, util),
            m("src/lib/util.ts", 1, 36, util),
            m("src/main.rs", 2, 15, "    println!(\"Hello, world\");")
        ])
    );
    let re =
        checked(sc, "search", json!({"query": "h[eé]l+o\\s+\\w+", "isRegex": true, "exclude": ["src/**", "*.txt"]}));
    assert_eq!(re["matches"], json!([m(".hidden/conf", 1, 1, "hello hidden")]));
    // A literal query is not a regex.
    assert_eq!(checked(sc, "search", json!({"query": "h.llo"}))["matches"], json!([]));
    let capped = checked(sc, "search", json!({"query": "hello", "maxResults": 2}));
    assert_eq!(capped["matches"], json!([expected[0], expected[1]]));
    assert_eq!(capped["truncated"], true);

    let bad = [json!({"query": "("}), json!({"query": "(", "isRegex": true}), json!({"query": ""})];
    assert_eq!(sc.err("workspace/search", bad[1].clone()), "INVALID_PARAMS");
    assert_eq!(sc.err("workspace/search", bad[2].clone()), "INVALID_PARAMS");
    assert!(!schema_accepts("search.params", &bad[2]), "the schema refuses what the sidecar refuses");
    // As a literal, "(" is an ordinary character.
    let parens = checked(sc, "search", bad[0].clone());
    assert_eq!(
        parens["matches"],
        json!([m("src/main.rs", 1, 8, "fn main() {"), m("src/main.rs", 2, 13, "    println!(\"Hello, world\");")])
    );
}

#[test]
fn wrong_params_answer_invalid_params_as_the_schemas_say() {
    let tree = fixture();
    let mut sc = Sidecar::start(tree.root(), &[]);
    let cases = [
        ("readFile", json!({"path": 5})),
        ("readFile", json!({"path": "a", "bogus": 1})),
        ("readFile", json!({"path": "a", "encoding": "latin1"})),
        ("readFile", json!({})),
        ("stat", json!({"path": null})),
        ("listDir", json!({})),
        ("glob", json!({"include": "*.rs"})),
        ("glob", json!({"include": ["*"], "limit": 0})),
        ("glob", json!({"include": []})),
        ("findFiles", json!({"query": "a", "limit": -1})),
        ("search", json!({"query": "a", "maxResults": 0})),
        ("search", json!({"query": "a", "caseSensitive": "yes"})),
        ("status", json!({"x": 1})),
    ];
    for (method, params) in cases {
        assert!(!schema_accepts(&format!("{method}.params"), &params), "schema accepts {method} {params}");
        assert_eq!(sc.err(&format!("workspace/{method}"), params.clone()), "INVALID_PARAMS", "{method} {params}");
    }
    sc.shutdown();
}

#[test]
fn command_line_options_shape_the_workspace_view() {
    let tree = fixture();
    let mut sc = Sidecar::start(tree.root(), &["--no-ignore", "--exclude", "docs/**", "--max-file-size", "30"]);
    sc.wait_ready(false);
    let all = sc.ok("workspace/glob", json!({"include": ["**"]}));
    let paths: Vec<&str> = all["paths"].as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
    assert!(paths.contains(&"ignored/secret.txt") && paths.contains(&"debug.log"), "{paths:?}");
    assert!(!paths.iter().any(|p| p.starts_with("docs/") || p.starts_with(".git/")), "{paths:?}");
    assert_eq!(sc.ok("workspace/readFile", json!({"path": "ignored/secret.txt"}))["content"], "hello secret");
    assert_eq!(sc.err("workspace/readFile", json!({"path": "docs/readme.md"})), "NOT_FOUND");
    // --max-file-size caps reads even when the request allows more.
    assert_eq!(sc.err("workspace/readFile", json!({"path": "src/main.rs", "maxBytes": 1000})), "TOO_LARGE");
    sc.shutdown();

    let missing = tree.root().join("does-not-exist");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skaffa-workspace"))
        .arg("--root")
        .arg(&missing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("does-not-exist"));
    assert!(out.stdout.is_empty(), "nothing but protocol lines on stdout");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_skaffa-workspace")).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn matches_on_very_long_lines_come_as_excerpts() {
    let tree = Tree::new();
    let line = format!("{}needle{}😀needle", "x".repeat(3000), "y".repeat(3000));
    tree.file("min.js", format!("short needle\n{line}\n"));
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    let r = checked(&mut sc, "search", json!({"query": "needle"}));
    let matches = r["matches"].as_array().unwrap();
    assert_eq!(matches.len(), 3);
    assert_eq!(matches[0], m("min.js", 1, 7, "short needle"), "short lines stay whole, without textOffset");
    assert_eq!((matches[1]["column"].as_u64(), matches[1]["textOffset"].as_u64()), (Some(3001), Some(2900)));
    assert_eq!(matches[1]["text"], &line[2900..3900]);
    // The astral character before the second needle counts two UTF-16 units.
    assert_eq!((matches[2]["column"].as_u64(), matches[2]["textOffset"].as_u64()), (Some(6009), Some(5910)));
    for found in &matches[1..] {
        let text: Vec<u16> = found["text"].as_str().unwrap().encode_utf16().collect();
        assert!(found["text"].as_str().unwrap().len() <= 1000);
        let at = (found["column"].as_u64().unwrap() - 1 - found["textOffset"].as_u64().unwrap()) as usize;
        assert_eq!(String::from_utf16(&text[at..at + 6]).unwrap(), "needle", "{found}");
    }
    sc.shutdown();
}

#[test]
fn search_columns_index_the_content_read_file_returns_also_after_a_bom() {
    let tree = Tree::new();
    let long = format!("\u{feff}{}wörld", "z".repeat(1500));
    tree.file("bom.txt", "\u{feff}héllo wörld\nwörld\n").file("bom-long.txt", &long).file("plain.txt", "héllo wörld\n");
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    let content = checked(&mut sc, "readFile", json!({"path": "bom.txt"}))["content"].as_str().unwrap().to_owned();
    assert!(content.starts_with('\u{feff}'), "readFile returns the file as it is, BOM included");
    let r = checked(&mut sc, "search", json!({"query": "wörld"}));
    assert_eq!(
        r["matches"],
        json!([
            {"path": "bom-long.txt", "line": 1, "column": 1502, "text": format!("{}wörld", "z".repeat(100)), "textOffset": 1401},
            m("bom.txt", 1, 8, "\u{feff}héllo wörld"),
            m("bom.txt", 2, 1, "wörld"),
            m("plain.txt", 1, 7, "héllo wörld"),
        ])
    );
    // Every column, taken as a UTF-16 index into readFile's line, lands on the match.
    for found in r["matches"].as_array().unwrap() {
        let path = found["path"].as_str().unwrap();
        let content = checked(&mut sc, "readFile", json!({"path": path}))["content"].as_str().unwrap().to_owned();
        let line = content.lines().nth(found["line"].as_u64().unwrap() as usize - 1).unwrap();
        let units: Vec<u16> = line.encode_utf16().collect();
        let at = found["column"].as_u64().unwrap() as usize - 1;
        assert_eq!(String::from_utf16(&units[at..at + 5]).unwrap(), "wörld", "{found}");
        let text: Vec<u16> = found["text"].as_str().unwrap().encode_utf16().collect();
        let in_text = at - found["textOffset"].as_u64().unwrap_or(0) as usize;
        assert_eq!(String::from_utf16(&text[in_text..in_text + 5]).unwrap(), "wörld", "{found}");
    }
    sc.shutdown();
}
