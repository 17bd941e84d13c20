//! Confinement against the real binary: every way of naming something outside the root is
//! refused with `OUTSIDE_WORKSPACE` by every path-taking method, including symlinks (absolute,
//! relative, to folders, dangling) whose target lies outside, and nothing from outside ever shows
//! up in glob or search results.

// Fixtures create files and links; the read-only lint (clippy.toml) is meant for the sidecar.
#![allow(clippy::disallowed_methods)]

mod common;

use common::sidecar::Sidecar;
use common::tree::{snapshot, Tree};
use serde_json::json;

#[test]
fn paths_outside_the_root_are_refused() {
    let outside = Tree::new();
    outside.file("secret.txt", "TOKEN_OUTSIDE_42\n").file("dir/inner.txt", "TOKEN_OUTSIDE_42\n");
    let tree = Tree::new();
    tree.file("inside.txt", "harmless\n").file("sub/a.txt", "a\n");
    let out = outside.root();
    let mut escapes: Vec<String> = vec![
        "/etc/passwd".into(),
        out.join("secret.txt").to_str().unwrap().into(),
        "..".into(),
        "../secret.txt".into(),
        "sub/../../secret.txt".into(),
        "sub/../..".into(),
        "sub\\..\\..\\secret.txt".into(),
        "..\\secret.txt".into(),
        "C:/Windows/win.ini".into(),
        "c:secret.txt".into(),
        "inside.txt\0".into(),
        "sub/\0/a.txt".into(),
    ];
    #[cfg(unix)]
    {
        tree.symlink("abs_link", out.join("secret.txt"));
        tree.symlink("dir_link", out);
        tree.symlink("sub/rel_link", format!("../../{}/secret.txt", out.file_name().unwrap().to_str().unwrap()));
        tree.symlink("dangling_link", out.join("no-such-file"));
        tree.symlink("root_link", "/");
        escapes.extend(
            [
                "abs_link",
                "dir_link",
                "dir_link/secret.txt",
                "dir_link/dir",
                "sub/rel_link",
                "dangling_link",
                "root_link/etc/passwd",
            ]
            .map(String::from),
        );
    }
    let before = snapshot(tree.root());
    let outside_before = snapshot(out);
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    for path in &escapes {
        for method in ["readFile", "stat", "listDir"] {
            let r = sc.call(&format!("workspace/{method}"), json!({ "path": path }));
            assert_eq!(r["error"]["code"], "OUTSIDE_WORKSPACE", "{method} {path:?}: {r}");
            assert!(!r.to_string().contains("TOKEN_OUTSIDE"), "no outside content leaks: {r}");
        }
    }
    // Outside content is reachable through no method.
    let s = sc.ok("workspace/search", json!({"query": "TOKEN_OUTSIDE_42"}));
    assert_eq!((s["matches"].clone(), s["truncated"].clone()), (json!([]), json!(false)));
    let g = sc.ok("workspace/glob", json!({"include": ["**/secret.txt", "**/inner.txt"]}));
    assert_eq!(g["paths"], json!([]));
    // The same requests for harmless paths still work, so refusals above are not blanket errors.
    assert_eq!(sc.ok("workspace/readFile", json!({"path": "sub/../inside.txt"}))["content"], "harmless\n");
    assert_eq!(sc.ok("workspace/listDir", json!({"path": "sub/"}))["entries"][0]["name"], "a.txt");
    sc.shutdown();
    assert!(before == snapshot(tree.root()), "the workspace changed during the run");
    assert!(outside_before == snapshot(out), "the outside folder changed during the run");
}
