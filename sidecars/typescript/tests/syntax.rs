//! Every import and export kind of issue 17 (item 4), the outline, positions in UTF-16, JSX in
//! `.js`, and namespaces, over `tests/fixtures/syntax` through the real binary.

mod common;

use common::{fixture, Sidecar};
use serde_json::{json, Value};

fn kinds(imports: &Value) -> Vec<(String, String)> {
    imports["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["kind"].as_str().unwrap().to_owned(), i["specifier"].as_str().unwrap().to_owned()))
        .collect()
}

#[test]
fn every_import_kind_is_found_in_source_order_and_resolved() {
    let root = fixture("syntax");
    let mut sc = Sidecar::start(root.path(), &[]);
    let imports = sc.ok("typescript/imports", json!({ "path": "src/kinds.ts" }));
    let pairs: Vec<(String, String)> = kinds(&imports);
    let want = [
        ("import", "./dep"),
        ("import", "./dep"),
        ("import", "./dep"),
        ("import-type", "./types"),
        ("import", "./types"),
        ("import", "./side-effect"),
        ("import-equals", "./legacy.cjs"),
        ("export-from", "./dep"),
        ("export-from", "./types"),
        ("export-from", "./dep"),
        ("export-from", "./dep"),
        ("dynamic", "./dep"),
        ("require", "./legacy.cjs"),
    ];
    let want: Vec<(String, String)> = want.iter().map(|(k, s)| ((*k).to_owned(), (*s).to_owned())).collect();
    assert_eq!(pairs, want);
    let list = imports["imports"].as_array().unwrap();
    assert_eq!(list[0]["names"], json!(["default"]));
    assert_eq!(list[1]["names"], json!(["*"]));
    assert_eq!(list[2]["names"], json!(["named", "other"]));
    assert!(list[5].get("names").is_none(), "a side-effect import names nothing");
    assert_eq!(list[7]["names"], json!(["reexported", "named"]));
    assert_eq!(list[6]["resolved"], "src/legacy.cts");
    assert!(list.iter().all(|i| i["resolved"].is_string() && i["external"] == false), "{imports}");
    // `import legacy = require('./legacy.cjs');` is line 7 (0-based): the range is the string literal.
    assert_eq!(
        list[6]["range"],
        json!({ "start": { "line": 7, "character": 24 }, "end": { "line": 7, "character": 38 } })
    );
}

#[test]
fn exports_list_every_kind_and_stars_apart() {
    let root = fixture("syntax");
    let mut sc = Sidecar::start(root.path(), &[]);
    let exports = sc.ok("typescript/exports", json!({ "path": "src/kinds.ts" }));
    let names: Vec<(String, String, bool)> = exports["exports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (e["name"].as_str().unwrap().to_owned(), e["kind"].as_str().unwrap().to_owned(), e["typeOnly"] == true)
        })
        .collect();
    let want = [
        ("reexported", "reexport", false),
        ("alias", "reexport", false),
        ("ShapeType", "reexport", true),
        ("ns", "namespace", false),
        ("value", "local", false),
        ("other", "local", false),
        ("make", "local", false),
        ("Box", "local", false),
        ("Props", "local", true),
        ("Alias", "local", true),
        ("Color", "local", false),
        ("exportedLocal", "local", false),
        ("default", "default", false),
    ];
    let want: Vec<(String, String, bool)> =
        want.iter().map(|(n, k, t)| ((*n).to_owned(), (*k).to_owned(), *t)).collect();
    assert_eq!(names, want);
    assert_eq!(exports["exports"][1]["from"], "./dep");
    assert_eq!(exports["stars"], json!([{ "specifier": "./dep", "resolved": "src/dep.ts" }]));
    let legacy = sc.ok("typescript/exports", json!({ "path": "src/legacy.cts" }));
    assert_eq!(legacy["exports"][0]["name"], "=");
    assert_eq!(legacy["exports"][0]["kind"], "assignment");
}

#[test]
fn outline_nests_members_and_marks_what_is_exported() {
    let root = fixture("syntax");
    let mut sc = Sidecar::start(root.path(), &[]);
    let outline = sc.ok("typescript/outline", json!({ "path": "src/kinds.ts" }));
    assert_eq!(outline["stale"], false);
    assert_eq!(outline["diagnostics"], json!([]));
    let symbols = outline["symbols"].as_array().unwrap();
    let find =
        |name: &str| symbols.iter().find(|s| s["name"] == name).unwrap_or_else(|| panic!("no {name} in {outline}"));
    assert_eq!(find("Box")["kind"], "class");
    let members: Vec<&str> =
        find("Box")["children"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(members, ["item", "constructor", "get"]);
    assert_eq!(find("Color")["children"].as_array().unwrap().len(), 2);
    assert_eq!(find("make")["kind"], "function");
    assert_eq!(find("make")["exported"], true);
    // `const local = 3; export { local as exportedLocal };` exports the declaration.
    assert_eq!(find("local")["exported"], true);
    assert_eq!(find("value")["kind"], "constant");
    // The selection range is the name: `export function make(` → "make" at line 13, char 16.
    assert_eq!(find("make")["selectionRange"]["start"], json!({ "line": 13, "character": 16 }));
}

#[test]
fn positions_are_utf16_and_jsx_is_allowed_in_js() {
    let root = fixture("syntax");
    let mut sc = Sidecar::start(root.path(), &[]);
    let outline = sc.ok("typescript/outline", json!({ "path": "src/unicode.ts" }));
    // Line 1 is `const s = 'é😀'; export const after = s;`: 'é' is 1 unit and '😀' 2, so
    // `after` starts at character 30 (it would be 33 counting UTF-8 bytes).
    let after = outline["symbols"].as_array().unwrap().iter().find(|s| s["name"] == "after").unwrap().clone();
    assert_eq!(after["selectionRange"]["start"], json!({ "line": 1, "character": 30 }));
    let js = sc.ok("typescript/outline", json!({ "path": "src/plain.js" }));
    assert_eq!(js["diagnostics"], json!([]), "JSX parses in a .js file");
    assert_eq!(js["symbols"][0]["kind"], "component");
}

#[test]
fn namespace_exports_are_the_namespaces_not_the_files() {
    let root = fixture("syntax");
    let mut sc = Sidecar::start(root.path(), &[]);
    let exports = sc.ok("typescript/exports", json!({ "path": "src/space.ts" }));
    let names: Vec<&str> = exports["exports"].as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["Outer"]);
    let outline = sc.ok("typescript/outline", json!({ "path": "src/space.ts" }));
    let outer = &outline["symbols"][0];
    assert_eq!(outer["kind"], "namespace");
    assert_eq!(outer["children"][0]["name"], "inner");
    assert_eq!(outer["children"][0]["exported"], true);
    assert_eq!(outer["children"][1]["children"][0]["name"], "deeper");
    assert_eq!(outline["symbols"][1]["name"], "\"ambient\"");
}

#[test]
fn symbols_rank_exact_and_prefix_first_and_top_level_above_members() {
    let root = fixture("syntax");
    let mut sc = Sidecar::start(root.path(), &[]);
    common::ready(&mut sc, "src/dep.ts");
    let found = sc.ok("typescript/symbols", json!({ "query": "other" }));
    let list = found["symbols"].as_array().unwrap();
    // Exported top-level `other` (in kinds.ts and dep.ts) first; none is a member.
    assert_eq!(list[0]["name"], "other");
    assert_eq!(list[0]["exported"], true);
    // The top-level `get` of dep.ts above the member `Box.get` of kinds.ts.
    let found = sc.ok("typescript/symbols", json!({ "query": "get" }));
    let gets: Vec<(&str, &str)> = found["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["path"].as_str().unwrap(), s["containerName"].as_str().unwrap_or("")))
        .collect();
    assert_eq!(gets, [("src/dep.ts", ""), ("src/kinds.ts", "Box")]);
    // A top-level declaration above a member of the same name even when only the member is
    // exported (space.ts: `const inner` and `Outer.inner`).
    let inner = sc.ok("typescript/symbols", json!({ "query": "inner" }));
    assert_eq!(inner["symbols"][0]["exported"], false);
    assert!(inner["symbols"][0].get("containerName").is_none(), "{inner}");
    assert_eq!(inner["symbols"][1]["containerName"], "Outer");
    let kinds = sc.ok("typescript/symbols", json!({ "query": "", "kinds": ["enum"] }));
    assert_eq!(kinds["symbols"].as_array().unwrap().len(), 1);
    assert_eq!(kinds["symbols"][0]["name"], "Color");
    // The limit caps the answer.
    let limited = sc.ok("typescript/symbols", json!({ "query": "", "limit": 2 }));
    assert_eq!(limited["symbols"].as_array().unwrap().len(), 2);
}
