//! Live changes through the feed (issue 17, items 1, 5 and 6): `typescript/didChange` with the
//! workspace sidecar's batch shape for an edit, a create, a rename, a delete (a bare specifier
//! re-resolved per condition set) and a tsconfig edit; a half-typed file keeping its last good
//! summary; `typescript/resync` catching up with changes it was never told about; and
//! `typescript/didUpdate` after each applied batch.

mod common;

use common::{assert_schema, fixture, resolved, write, Sidecar};
use serde_json::{json, Value};

fn change(sc: &mut Sidecar, generation: u64, changes: Value) -> Value {
    let params = json!({ "generation": generation, "changes": changes });
    assert_schema("didChange.params", &params);
    let applied = sc.ok("typescript/didChange", params);
    let update = sc.event("typescript/didUpdate");
    assert_schema("didUpdate.event", &update);
    assert_eq!(applied["applied"], changes.as_array().unwrap().len());
    update
}

fn names(outline: &Value) -> Vec<String> {
    outline["symbols"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect()
}

fn target(sc: &mut Sidecar, path: &str, specifier: &str) -> Value {
    resolved(sc, path).into_iter().find(|(s, _, _)| s == specifier).unwrap().1
}

#[test]
fn an_edit_is_reparsed_and_announced() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    common::ready(&mut sc, "src/util.ts");
    let before = sc.ok("typescript/status", json!({}))["generation"].as_u64().unwrap();
    write(root.path(), "src/util.ts", "export const util = 1;\nexport function added() {}\n");
    let update = change(&mut sc, 5, json!([{ "path": "src/util.ts", "type": "changed" }]));
    assert_eq!(update["paths"], json!(["src/util.ts"]));
    assert_eq!(update["generation"], before + 1);
    assert_eq!(names(&sc.ok("typescript/outline", json!({ "path": "src/util.ts" }))), ["util", "added"]);
}

#[test]
fn a_created_file_satisfies_imports_that_did_not_resolve() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    assert_eq!(target(&mut sc, "src/main.ts", "./missing"), Value::Null);
    write(root.path(), "src/missing.ts", "export const gone = 0;\n");
    let update = change(&mut sc, 1, json!([{ "path": "src/missing.ts", "type": "created" }]));
    assert_eq!(update["paths"], json!(["src/main.ts", "src/missing.ts"]));
    assert_eq!(target(&mut sc, "src/main.ts", "./missing"), "src/missing.ts");
    let importers = sc.ok("typescript/importers", json!({ "path": "src/missing.ts" }));
    assert_eq!(importers["importers"], json!([{ "path": "src/main.ts", "specifier": "./missing", "kind": "import" }]));
}

#[test]
fn a_created_file_that_wins_over_the_current_answer_re_resolves_its_importers() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    // A relative import that resolved already: a file beats a folder's index.
    assert_eq!(target(&mut sc, "src/main.ts", "./lib"), "src/lib/index.ts");
    write(root.path(), "src/lib.ts", "export const lib = 2;\n");
    let update = change(&mut sc, 1, json!([{ "path": "src/lib.ts", "type": "created" }]));
    assert!(update["paths"].as_array().unwrap().contains(&json!("src/main.ts")), "{update}");
    assert_eq!(target(&mut sc, "src/main.ts", "./lib"), "src/lib.ts");
    // A bare specifier through the tsconfig's `paths`: math.ts becomes math.tsx.
    assert_eq!(target(&mut sc, "src/main.ts", "@lib/math"), "src/lib/math.ts");
    std::fs::rename(root.path().join("src/lib/math.ts"), root.path().join("src/lib/math.tsx")).unwrap();
    let batch =
        json!([{ "path": "src/lib/math.ts", "type": "deleted" }, { "path": "src/lib/math.tsx", "type": "created" }]);
    change(&mut sc, 2, batch);
    assert_eq!(target(&mut sc, "src/main.ts", "@lib/math"), "src/lib/math.tsx");
    let importers = sc.ok("typescript/importers", json!({ "path": "src/lib/math.tsx" }));
    let from: Vec<&str> =
        importers["importers"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    assert!(from.contains(&"src/main.ts"), "{importers}");
}

#[test]
fn a_bare_specifier_is_re_resolved_once_per_condition_set_not_once_for_all() {
    let root = fixture("oracle");
    let mut sc = Sidecar::start(root.path(), &[]);
    // Under the same tsconfig, `import` and `require` of one package lead to different files.
    assert_eq!(target(&mut sc, "src/ambient.d.ts", "@oracle/conditions"), "libs/conditions/src/esm.ts");
    assert_eq!(target(&mut sc, "src/cjs.cts", "@oracle/conditions"), "libs/conditions/src/cjs.ts");
    // Deleting the ESM target changes only the `import` answer; the CommonJS one must keep its own.
    std::fs::remove_file(root.path().join("libs/conditions/src/esm.ts")).unwrap();
    let update = change(&mut sc, 1, json!([{ "path": "libs/conditions/src/esm.ts", "type": "deleted" }]));
    assert!(update["paths"].as_array().unwrap().contains(&json!("src/main.ts")), "{update}");
    assert!(!update["paths"].as_array().unwrap().contains(&json!("src/cjs.cts")), "{update}");
    assert_eq!(target(&mut sc, "src/main.ts", "@oracle/conditions"), Value::Null);
    assert_eq!(target(&mut sc, "src/cjs.cts", "@oracle/conditions"), "libs/conditions/src/cjs.ts");
}

#[test]
fn a_rename_moves_the_file_and_its_importers_follow() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    assert_eq!(target(&mut sc, "src/main.ts", "./util.js"), "src/util.ts");
    std::fs::rename(root.path().join("src/util.ts"), root.path().join("src/utils.ts")).unwrap();
    let batch = json!([{ "path": "src/util.ts", "type": "deleted" }, { "path": "src/utils.ts", "type": "created" }]);
    change(&mut sc, 2, batch);
    assert_eq!(target(&mut sc, "src/main.ts", "./util.js"), Value::Null);
    assert_eq!(sc.err("typescript/outline", json!({ "path": "src/util.ts" })), "NOT_FOUND");
    assert_eq!(names(&sc.ok("typescript/outline", json!({ "path": "src/utils.ts" }))), ["util"]);
    let old = sc.ok("typescript/importers", json!({ "path": "src/utils.ts" }));
    assert_eq!(old["importers"], json!([]));
}

#[test]
fn a_delete_removes_the_file_and_its_edges() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    common::ready(&mut sc, "src/main.ts");
    let edges = sc.ok("typescript/status", json!({}))["edges"].as_u64().unwrap();
    std::fs::remove_file(root.path().join("src/lib/index.ts")).unwrap();
    let update = change(&mut sc, 3, json!([{ "path": "src/lib/index.ts", "type": "deleted" }]));
    assert!(update["paths"].as_array().unwrap().contains(&json!("src/main.ts")), "{update}");
    assert_eq!(target(&mut sc, "src/main.ts", "./lib"), Value::Null);
    // lib/index.ts's own edge (to math.ts) and main.ts's edge to it are gone.
    assert_eq!(sc.ok("typescript/status", json!({}))["edges"], edges - 2);
    assert_eq!(
        sc.ok("typescript/importers", json!({ "path": "src/lib/math.ts" }))["importers"].as_array().unwrap().len(),
        1
    );
}

#[test]
fn a_tsconfig_edit_re_resolves_what_it_affects() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    assert_eq!(target(&mut sc, "src/main.ts", "~feature"), "src/feature/index.ts");
    let base = "{ \"compilerOptions\": { \"baseUrl\": \"..\", \"paths\": { \"~feature\": [\"src/util.ts\"] } } }\n";
    write(root.path(), "config/tsconfig.base.json", base);
    let update = change(&mut sc, 4, json!([{ "path": "config/tsconfig.base.json", "type": "changed" }]));
    assert!(update["paths"].as_array().unwrap().contains(&json!("src/main.ts")), "{update}");
    assert_eq!(target(&mut sc, "src/main.ts", "~feature"), "src/util.ts");
    assert_eq!(target(&mut sc, "src/main.ts", "@lib/math"), Value::Null, "the '@lib/*' alias is gone");
}

#[test]
fn a_half_typed_file_keeps_its_last_good_outline_marked_stale() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    let good = sc.ok("typescript/outline", json!({ "path": "src/main.ts" }));
    assert_eq!(good["stale"], false);
    let text = std::fs::read_to_string(root.path().join("src/main.ts")).unwrap();
    write(root.path(), "src/main.ts", &format!("{text}\nexport function half(a: number {{\n  return [a,\n"));
    change(&mut sc, 6, json!([{ "path": "src/main.ts", "type": "changed" }]));
    let stale = sc.ok("typescript/outline", json!({ "path": "src/main.ts" }));
    assert_eq!(stale["stale"], true);
    assert!(!stale["diagnostics"].as_array().unwrap().is_empty());
    assert_eq!(stale["symbols"], good["symbols"], "the last good outline, not what error recovery made of the edit");
    assert_eq!(target(&mut sc, "src/main.ts", "./util.js"), "src/util.ts", "its imports stay too");
    assert_eq!(sc.ok("typescript/status", json!({}))["failed"], 1);
    // A second broken edit still answers the last good summary, and fixing it clears the flag.
    write(root.path(), "src/main.ts", "export const broken = (;\n");
    change(&mut sc, 7, json!([{ "path": "src/main.ts", "type": "changed" }]));
    assert_eq!(sc.ok("typescript/outline", json!({ "path": "src/main.ts" }))["symbols"], good["symbols"]);
    write(root.path(), "src/main.ts", "export const fixed = 1;\n");
    change(&mut sc, 8, json!([{ "path": "src/main.ts", "type": "changed" }]));
    let fixed = sc.ok("typescript/outline", json!({ "path": "src/main.ts" }));
    assert_eq!((fixed["stale"].clone(), names(&fixed)), (json!(false), vec!["fixed".to_owned()]));
}

#[test]
fn resync_applies_what_the_feed_never_said() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    common::ready(&mut sc, "src/main.ts");
    write(root.path(), "src/missing.ts", "export const gone = 0;\n");
    write(root.path(), "src/util.ts", "export const util = 1;\nexport const more = 2;\n");
    std::fs::remove_file(root.path().join("src/internal.ts")).unwrap();
    let resynced = sc.ok("typescript/resync", json!({}));
    assert_eq!(resynced["changed"], 3);
    let update = sc.event("typescript/didUpdate");
    assert!(update["paths"].as_array().unwrap().contains(&json!("src/util.ts")), "{update}");
    assert_eq!(target(&mut sc, "src/main.ts", "./missing"), "src/missing.ts");
    assert_eq!(target(&mut sc, "src/main.ts", "#internal"), Value::Null);
    assert_eq!(names(&sc.ok("typescript/outline", json!({ "path": "src/util.ts" }))), ["util", "more"]);
    assert_eq!(sc.ok("typescript/resync", json!({}))["changed"], 0, "nothing is left to apply");
}
