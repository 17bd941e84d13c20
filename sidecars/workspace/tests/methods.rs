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
    assert_eq!(describe["methods"].as_array().unwrap().len(), 8);

    read_file(&mut sc, &tree);
    stat_and_list_dir(&mut sc, &tree);
    hashes(&mut sc, &tree);
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

fn hashes(sc: &mut Sidecar, tree: &Tree) {
    let hash =
        |rel: &str| format!("{:032x}", xxhash_rust::xxh3::xxh3_128(&std::fs::read(tree.root().join(rel)).unwrap()));
    let paths = json!(["src/main.rs", "nope.txt", "docs", "../x", "NUL", "bin/data.bin", "./src//main.rs"]);
    let r = checked(sc, "hashes", json!({ "paths": paths }));
    let codes: Vec<Value> = r["hashes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| if e["hash"].is_null() { e["error"]["code"].clone() } else { e["hash"].clone() })
        .collect();
    let want = [hash("src/main.rs"), "NOT_FOUND".into(), "NOT_A_FILE".into(), "OUTSIDE_WORKSPACE".into()];
    let want = [&want[..], &["INVALID_PATH".into(), hash("bin/data.bin"), hash("src/main.rs")]].concat();
    assert_eq!(codes, want.iter().map(|w| json!(w)).collect::<Vec<_>>());
    assert_eq!(r["hashes"][6]["path"], "./src//main.rs", "entries name the path as asked");
    // Streamed, the chunks' entries then the result's are the same answer.
    let (chunks, last) = sc.call_streamed("workspace/hashes", json!({ "paths": paths }));
    let mut all: Vec<Value> = Vec::new();
    for c in &chunks {
        assert_schema("hashes.partial", c);
        all.extend(c["hashes"].as_array().unwrap().iter().cloned());
    }
    assert_schema("hashes.result", &last["result"]);
    all.extend(last["result"]["hashes"].as_array().unwrap().iter().cloned());
    assert_eq!(Value::from(all), r["hashes"]);

    assert_eq!(checked(sc, "stat", json!({"path": "docs/readme.md", "hash": true}))["hash"], hash("docs/readme.md"));
    assert_eq!(checked(sc, "stat", json!({"path": "docs", "hash": true})).get("hash"), None);
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

/// One search line entry: `ranges` are UTF-16 `[start, end)` offsets in the line.
fn l(path: &str, line: u64, text: &str, ranges: &[[u64; 2]]) -> Value {
    json!({"path": path, "line": line, "text": text, "ranges": ranges})
}

fn search(sc: &mut Sidecar) {
    let s = checked(sc, "search", json!({"query": "hello"}));
    let util = "export const héllo = 'x'; // hello HELLO";
    let expected = json!([
        l(".hidden/conf", 1, "hello hidden", &[[0, 5]]),
        l("docs/readme.md", 2, "Say hello.", &[[4, 9]]),
        l("emoji.txt", 1, "😀 hello", &[[3, 8]]),
        l("latin1.txt", 1, "caf\u{fffd} hello", &[[5, 10]]),
        // One entry per line, with every match on it.
        l("src/lib/util.ts", 1, util, &[[29, 34], [35, 40]]),
        l("src/lib/util.ts", 2, "const helloWorld = 1;", &[[6, 11]]),
        l("src/main.rs", 2, "    println!(\"Hello, world\");", &[[14, 19]]),
    ]);
    assert_eq!(s["lines"], expected);
    // Binary, ignored and .git files are skipped; symlinks are not followed.
    assert_eq!((s["truncated"].as_bool(), s["filesSearched"].as_u64()), (Some(false), Some(9)));
    assert!(s.get("truncatedBy").is_none(), "{s}");

    let cs = checked(sc, "search", json!({"query": "HELLO", "caseSensitive": true}));
    assert_eq!(cs["lines"], json!([l("src/lib/util.ts", 1, util, &[[35, 40]])]));
    let ww = checked(sc, "search", json!({"query": "hello", "wholeWord": true, "include": ["src/**"]}));
    assert_eq!(ww["lines"], json!([expected[4], expected[6]]));
    let re =
        checked(sc, "search", json!({"query": "h[eé]l+o\\s+\\w+", "isRegex": true, "exclude": ["src/**", "*.txt"]}));
    assert_eq!(re["lines"], json!([l(".hidden/conf", 1, "hello hidden", &[[0, 12]])]));
    // A literal query is not a regex.
    assert_eq!(checked(sc, "search", json!({"query": "h.llo"}))["lines"], json!([]));
    // maxResults counts matches, not lines, and may stop inside a line's list of ranges.
    let capped = checked(sc, "search", json!({"query": "hello", "maxResults": 2}));
    assert_eq!(capped["lines"], json!([expected[0], expected[1]]));
    assert_eq!((capped["truncated"].as_bool(), capped["truncatedBy"].as_str()), (Some(true), Some("maxResults")));
    let split = checked(sc, "search", json!({"query": "hello", "maxResults": 5}));
    let mut cut = expected[4].clone();
    cut["ranges"] = json!([[29, 34]]);
    assert_eq!(split["lines"], json!([expected[0], expected[1], expected[2], expected[3], cut]));
    assert_eq!(split["truncated"], true);
    // Exactly as many matches as exist is not truncated.
    let exact = checked(sc, "search", json!({"query": "hello", "maxResults": 8}));
    assert_eq!((exact["lines"].clone(), exact["truncated"].clone()), (expected.clone(), json!(false)));

    let bad = [json!({"query": "("}), json!({"query": "(", "isRegex": true}), json!({"query": ""})];
    let r = sc.call("workspace/search", bad[1].clone());
    assert_eq!(r["error"]["code"], "INVALID_PARAMS", "{r}");
    // The regex parser's own words say what is wrong.
    assert!(r["error"]["message"].as_str().unwrap().contains("unclosed group"), "{r}");
    assert_eq!(sc.err("workspace/search", bad[2].clone()), "INVALID_PARAMS");
    assert!(!schema_accepts("search.params", &bad[2]), "the schema refuses what the sidecar refuses");
    // As a literal, "(" is an ordinary character.
    let parens = checked(sc, "search", bad[0].clone());
    assert_eq!(
        parens["lines"],
        json!([
            l("src/main.rs", 1, "fn main() {", &[[7, 8]]),
            l("src/main.rs", 2, "    println!(\"Hello, world\");", &[[12, 13]])
        ])
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
    let lines = r["lines"].as_array().unwrap();
    assert_eq!(lines.len(), 2, "one entry per line, however many matches it holds");
    assert_eq!(lines[0], l("min.js", 1, "short needle", &[[6, 12]]), "short lines stay whole, without textOffset");
    // The excerpt starts 100 bytes before the line's first match; ranges index the whole line,
    // and the astral character before the second needle counts two UTF-16 units.
    assert_eq!(
        lines[1],
        json!({"path": "min.js", "line": 2, "text": &line[2900..3900], "textOffset": 2900, "ranges": [[3000, 3006], [6008, 6014]]})
    );
    let text: Vec<u16> = lines[1]["text"].as_str().unwrap().encode_utf16().collect();
    assert_eq!(String::from_utf16(&text[100..106]).unwrap(), "needle", "range minus textOffset indexes the excerpt");
    sc.shutdown();
}

#[test]
fn search_ranges_index_the_content_read_file_returns_also_after_a_bom() {
    let tree = Tree::new();
    let long = format!("\u{feff}{}wörld", "z".repeat(1500));
    tree.file("bom.txt", "\u{feff}héllo wörld wörld\nwörld\n")
        .file("bom-long.txt", &long)
        .file("plain.txt", "héllo wörld\n");
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    let content = checked(&mut sc, "readFile", json!({"path": "bom.txt"}))["content"].as_str().unwrap().to_owned();
    assert!(content.starts_with('\u{feff}'), "readFile returns the file as it is, BOM included");
    let r = checked(&mut sc, "search", json!({"query": "wörld"}));
    assert_eq!(
        r["lines"],
        json!([
            {"path": "bom-long.txt", "line": 1, "text": format!("{}wörld", "z".repeat(100)), "textOffset": 1401, "ranges": [[1501, 1506]]},
            l("bom.txt", 1, "\u{feff}héllo wörld wörld", &[[7, 12], [13, 18]]),
            l("bom.txt", 2, "wörld", &[[0, 5]]),
            l("plain.txt", 1, "héllo wörld", &[[6, 11]]),
        ])
    );
    // Every range, taken as UTF-16 indexes into readFile's line, is the match, and so is the
    // range minus textOffset in the text returned.
    for found in r["lines"].as_array().unwrap() {
        let path = found["path"].as_str().unwrap();
        let content = checked(&mut sc, "readFile", json!({"path": path}))["content"].as_str().unwrap().to_owned();
        let line = content.lines().nth(found["line"].as_u64().unwrap() as usize - 1).unwrap();
        let units: Vec<u16> = line.encode_utf16().collect();
        let text: Vec<u16> = found["text"].as_str().unwrap().encode_utf16().collect();
        let offset = found["textOffset"].as_u64().unwrap_or(0) as usize;
        for range in found["ranges"].as_array().unwrap() {
            let (s, e) = (range[0].as_u64().unwrap() as usize, range[1].as_u64().unwrap() as usize);
            assert_eq!(String::from_utf16(&units[s..e]).unwrap(), "wörld", "{found}");
            assert_eq!(String::from_utf16(&text[s - offset..e - offset]).unwrap(), "wörld", "{found}");
        }
    }
    sc.shutdown();
}
