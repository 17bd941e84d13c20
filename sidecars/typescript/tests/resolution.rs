//! Resolution as TypeScript and bundlers do it (issue 17, item 5), one case per import of
//! `tests/fixtures/resolution/src/main.ts`, plus the nearest tsconfig of a referenced project,
//! pnpm workspaces and jsconfig.json.

mod common;

use common::{fixture, resolved, Sidecar};
use serde_json::{json, Value};

fn to(path: &str) -> Value {
    json!(path)
}

#[test]
fn each_resolution_case_leads_where_typescript_would() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    let got = resolved(&mut sc, "src/main.ts");
    let want = [
        ("./util.js", to("src/util.ts"), false),
        ("./lib", to("src/lib/index.ts"), false),
        ("@lib/math", to("src/lib/math.ts"), false),
        ("~feature", to("src/feature/index.ts"), false),
        ("@acme/ui", to("packages/ui/src/index.ts"), false),
        ("@acme/ui/button", to("packages/ui/src/button.tsx"), false),
        ("@acme/util", to("packages/util/src/index.ts"), false),
        ("react", Value::Null, true),
        ("node:fs", Value::Null, true),
        ("./missing", Value::Null, false),
        ("#internal", to("src/internal.ts"), false),
    ];
    let want: Vec<(String, Value, bool)> = want.into_iter().map(|(s, r, e)| (s.to_owned(), r, e)).collect();
    assert_eq!(got, want);
}

#[test]
fn a_referenced_project_uses_its_own_tsconfig() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    let got = resolved(&mut sc, "apps/web/src/page.ts");
    assert_eq!(got[0], ("@app/widget".to_owned(), to("apps/web/src/widget.ts"), false));
    assert_eq!(got[1], ("@acme/ui".to_owned(), to("packages/ui/src/index.ts"), false));
}

#[test]
fn pnpm_workspace_packages_resolve_by_name_through_their_exports() {
    let root = fixture("pnpm");
    let mut sc = Sidecar::start(root.path(), &[]);
    let got = resolved(&mut sc, "app/main.ts");
    assert_eq!(got[0], ("core".to_owned(), to("packages/core/src/index.ts"), false));
    assert_eq!(got[1], ("core/extra".to_owned(), to("packages/core/src/extra.ts"), false));
}

#[test]
fn jsconfig_paths_apply_to_javascript() {
    let root = fixture("jsconfig");
    let mut sc = Sidecar::start(root.path(), &[]);
    let got = resolved(&mut sc, "src/app.js");
    assert_eq!(got[0], ("@shared/thing".to_owned(), to("src/shared/thing.js"), false));
    assert_eq!(got[1], ("./other.cjs".to_owned(), to("src/other.cjs"), false));
}

#[test]
fn importers_are_the_reverse_edges_and_transitive_follows_them_out() {
    let root = fixture("resolution");
    let mut sc = Sidecar::start(root.path(), &[]);
    let direct = sc.ok("typescript/importers", json!({ "path": "packages/ui/src/index.ts" }));
    let mut paths: Vec<&str> =
        direct["importers"].as_array().unwrap().iter().map(|i| i["path"].as_str().unwrap()).collect();
    paths.sort();
    assert_eq!(paths, ["apps/web/src/page.ts", "src/main.ts"]);
    let widget = sc.ok("typescript/importers", json!({ "path": "apps/web/src/widget.ts" }));
    assert_eq!(
        widget["importers"],
        json!([{ "path": "apps/web/src/page.ts", "specifier": "@app/widget", "kind": "import" }])
    );
    // math.ts ← lib/index.ts ← main.ts, and math.ts ← main.ts directly.
    let direct = sc.ok("typescript/importers", json!({ "path": "src/lib/math.ts" }));
    assert_eq!(direct["importers"].as_array().unwrap().len(), 2);
    let math = sc.ok("typescript/importers", json!({ "path": "src/lib/math.ts", "transitive": true }));
    assert_eq!(
        math["importers"],
        json!([
            { "path": "src/lib/index.ts", "specifier": "./math", "kind": "export-from" },
            { "path": "src/main.ts", "specifier": "@lib/math", "kind": "import" },
            { "path": "src/main.ts", "specifier": "./lib", "kind": "import", "via": "src/lib/index.ts" }
        ])
    );
}
