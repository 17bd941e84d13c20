//! Confinement against the real binary, on every platform the tests run on (Linux, and Windows
//! under wine): every way of naming something outside the root is refused with
//! `OUTSIDE_WORKSPACE` by every path-taking method, including symlinks (absolute, relative, to
//! folders, dangling) whose target lies outside; names Windows reads as something else answer
//! `INVALID_PATH`; nothing from outside ever shows up in glob or search results; no error message
//! carries an absolute path; and the index never lists a path the methods refuse (FIFOs,
//! backslash names, looping and dangling links included).

// Fixtures create files and links; the read-only lint (clippy.toml) is meant for the sidecar.
#![allow(clippy::disallowed_methods)]

mod common;

use common::sidecar::Sidecar;
use common::tree::{snapshot, Tree};
use serde_json::{json, Value};

/// Fails if an answer mentions the temp folders' absolute locations (or outside content), other
/// than by echoing the path that was `asked` for.
fn assert_discreet(r: &Value, asked: &str, tree: &Tree, outside: &Tree) {
    // The asked path as it appears inside a JSON string, blanked out of the answer.
    let quoted = json!(asked).to_string();
    let debug = json!(format!("{asked:?}")).to_string();
    let text = r.to_string().replace(&debug[1..debug.len() - 1], "").replace(&quoted[1..quoted.len() - 1], "");
    for root in [tree.root(), outside.root()] {
        let abs = root.to_str().unwrap();
        // JSON escapes backslashes, so check both spellings of a Windows path.
        assert!(!text.contains(abs) && !text.contains(&abs.replace('\\', "\\\\")), "absolute path leaked: {r}");
    }
    assert!(!text.contains("TOKEN_OUTSIDE"), "outside content leaked: {r}");
}

/// Creates a link for a test case, or says on stderr why this platform skips that case.
fn link(tree: &Tree, rel: &str, target: impl AsRef<std::path::Path>) -> bool {
    let made = tree.try_symlink(rel, target);
    if !made {
        eprintln!("SKIPPED {rel}: this platform cannot create that symlink here (wine hides dangling host links)");
    }
    made
}

#[test]
fn paths_outside_the_root_are_refused() {
    let outside = Tree::new();
    outside.file("secret.txt", "TOKEN_OUTSIDE_42\n").file("dir/inner.txt", "TOKEN_OUTSIDE_42\n");
    let tree = Tree::new();
    tree.file("inside.txt", "harmless\n").file("sub/a.txt", "a\n");
    let out = outside.root();
    let mut escapes: Vec<String> = [
        "/etc/passwd",
        "..",
        "../secret.txt",
        "sub/../../secret.txt",
        "sub/../..",
        "C:/Windows/win.ini",
        "C:\\Windows\\win.ini",
        "c:secret.txt",
        "//server/share/secret.txt",
        "inside.txt\0",
        "sub/\0/a.txt",
    ]
    .map(String::from)
    .into();
    // A backslash separates only on Windows; elsewhere these are single names that do not exist
    // (checked below: NOT_FOUND, never the file outside).
    let backslashed = ["sub\\..\\..\\secret.txt", "..\\secret.txt", "\\\\server\\share\\secret.txt"];
    if cfg!(windows) {
        escapes.extend(backslashed.map(String::from));
    }
    escapes.push(out.join("secret.txt").to_str().unwrap().into());
    let out_name = out.file_name().unwrap().to_str().unwrap();
    let links: [(&str, std::path::PathBuf, &[&str]); 5] = [
        ("abs_link", out.join("secret.txt"), &["abs_link"]),
        ("dir_link", out.to_path_buf(), &["dir_link", "dir_link/secret.txt", "dir_link/dir"]),
        ("sub/rel_link", format!("../../{out_name}/secret.txt").into(), &["sub/rel_link"]),
        ("rel_dir_link", format!("../{out_name}").into(), &["rel_dir_link/secret.txt", "rel_dir_link/dir/inner.txt"]),
        ("dangling_link", out.join("no-such-file"), &["dangling_link"]),
    ];
    for (rel, target, cases) in links {
        if link(&tree, rel, target) {
            escapes.extend(cases.iter().map(|c| c.to_string()));
        }
    }
    // The whole file system through one link: only where a link shows as a link (a host link
    // under wine would show as the drive itself, and the fixture snapshot would walk all of it).
    #[cfg(unix)]
    {
        tree.symlink("root_link", "/");
        escapes.push("root_link/etc/passwd".into());
    }
    let before = snapshot(tree.root());
    let outside_before = snapshot(out);
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    for path in &escapes {
        for method in ["readFile", "stat", "listDir"] {
            let r = sc.call(&format!("workspace/{method}"), json!({ "path": path }));
            assert_eq!(r["error"]["code"], "OUTSIDE_WORKSPACE", "{method} {path:?}: {r}");
            assert_discreet(&r, path, &tree, &outside);
        }
    }
    if !cfg!(windows) {
        for path in backslashed {
            for method in ["readFile", "stat", "listDir"] {
                let r = sc.call(&format!("workspace/{method}"), json!({ "path": path }));
                assert_eq!(r["error"]["code"], "NOT_FOUND", "{method} {path:?}: {r}");
            }
        }
    }
    // Outside content is reachable through no method, and no outside path is listed.
    let s = sc.ok("workspace/search", json!({"query": "TOKEN_OUTSIDE_42"}));
    assert_eq!((s["lines"].clone(), s["truncated"].clone()), (json!([]), json!(false)));
    let g = sc.ok("workspace/glob", json!({"include": ["**"]}));
    assert_eq!(g["paths"], json!(["inside.txt", "sub/a.txt"]), "only the real files are listed");
    // The same requests for harmless paths still work, so refusals above are not blanket errors.
    assert_eq!(sc.ok("workspace/readFile", json!({"path": "sub/../inside.txt"}))["content"], "harmless\n");
    assert_eq!(sc.ok("workspace/listDir", json!({"path": "sub/"}))["entries"][0]["name"], "a.txt");
    assert_eq!(sc.ok("workspace/search", json!({"query": "harmless"}))["lines"][0]["path"], "inside.txt");
    sc.shutdown();
    assert!(before == snapshot(tree.root()), "the workspace changed during the run");
    assert!(outside_before == snapshot(out), "the outside folder changed during the run");
}

#[test]
fn names_windows_reads_as_something_else_are_refused() {
    let tree = Tree::new();
    tree.file("a.txt", "a\n").file("sub/b.txt", "b\n");
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    let cases =
        ["a.txt:stream", "a.txt::$DATA", "sub:x/b.txt", "a.txt.", "a.txt ", "sub./b.txt", "CON", "nul", "NUL.txt"];
    for path in cases.iter().chain(&["sub/com1", "LPT9.log", "aux .c", "conout$"]) {
        for method in ["readFile", "stat", "listDir"] {
            let r = sc.call(&format!("workspace/{method}"), json!({ "path": path }));
            assert_eq!(r["error"]["code"], "INVALID_PATH", "{method} {path:?}: {r}");
            assert_eq!(r["error"]["data"]["path"], *path, "{r}");
            assert!(r["error"]["data"]["reason"].is_string(), "{r}");
        }
    }
    // Positive control: near misses are ordinary names.
    for ok in ["a.txt", "sub/b.txt"] {
        assert_eq!(sc.ok("workspace/stat", json!({ "path": ok }))["type"], "file");
    }
    for missing in ["console.txt", "COM10", "nul_handler.rs"] {
        assert_eq!(sc.err("workspace/stat", json!({ "path": missing })), "NOT_FOUND", "{missing}");
    }
    sc.shutdown();
}

#[test]
fn a_folder_is_not_a_file_and_links_inside_are_described() {
    let outside = Tree::new();
    let tree = Tree::new();
    tree.file("real.txt", "real\n").file("dir/x.txt", "x\n");
    let file_link = link(&tree, "file_link", "real.txt");
    let loop_link = link(&tree, "loop", "loop");
    let dangling = link(&tree, "dangling", "no-such-file");
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    for folder in ["dir", "", "dir/.."] {
        let r = sc.call("workspace/readFile", json!({ "path": folder }));
        assert_eq!(r["error"]["code"], "NOT_A_FILE", "{folder:?}: {r}");
        assert_discreet(&r, folder, &tree, &outside);
    }
    assert_eq!(sc.err("workspace/listDir", json!({"path": "real.txt"})), "NOT_A_DIRECTORY");
    assert_eq!(sc.err("workspace/readFile", json!({"path": "nothing.txt"})), "NOT_FOUND");
    if file_link {
        assert_eq!(sc.ok("workspace/readFile", json!({"path": "file_link"}))["content"], "real\n");
    }
    if loop_link {
        assert_eq!(sc.ok("workspace/stat", json!({"path": "loop"}))["type"], "symlink");
        let r = sc.call("workspace/readFile", json!({"path": "loop"}));
        assert_eq!(r["error"]["code"], "NOT_FOUND", "{r}");
        assert_discreet(&r, "loop", &tree, &outside);
    }
    if dangling {
        assert_eq!(sc.ok("workspace/stat", json!({"path": "dangling"}))["type"], "symlink");
        assert_eq!(sc.err("workspace/readFile", json!({"path": "dangling"})), "NOT_FOUND");
    }
    sc.shutdown();
}

/// Everything glob lists must be served by stat (and, for non-links, readFile): the index never
/// advertises a path the methods refuse. Linux can make every awkward entry; the FIFO must also be
/// left out, or a read of it would hang. A backslash is an ordinary name byte here, so such names
/// are listed and served as they are.
#[cfg(unix)]
#[test]
fn the_index_lists_only_what_the_methods_serve() {
    let outside = Tree::new();
    outside.file("secret.txt", "TOKEN_OUTSIDE_42\n");
    let tree = Tree::new();
    tree.file("plain.txt", "p\n").file("back\\slash.txt", "b\n").file("a.txt:stream", "s\n").file("dot.", "d\n");
    tree.file("NUL", "n\n").file("dir\\x/inner.txt", "i\n");
    tree.symlink("loop", "loop").symlink("dangling", "nowhere").symlink("inside", "plain.txt");
    tree.symlink("out_link", outside.root().join("secret.txt")).symlink("abs_in", tree.root().join("plain.txt"));
    let fifo = tree.root().join("fifo");
    let made = std::process::Command::new("mkfifo").arg(&fifo).status().unwrap();
    assert!(made.success());
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(false);
    let listed = sc.ok("workspace/glob", json!({"include": ["**"]}))["paths"].clone();
    assert_eq!(listed, json!(["back\\slash.txt", "dangling", "dir\\x/inner.txt", "inside", "loop", "plain.txt"]));
    for path in listed.as_array().unwrap() {
        let stat = sc.ok("workspace/stat", json!({ "path": path }));
        assert!(stat["type"] == "file" || stat["type"] == "symlink", "{stat}");
    }
    assert_eq!(sc.ok("workspace/readFile", json!({"path": "back\\slash.txt"}))["content"], "b\n");
    assert_eq!(sc.ok("workspace/readFile", json!({"path": "dir\\x/inner.txt"}))["content"], "i\n");
    let root = sc.ok("workspace/listDir", json!({"path": ""}))["entries"].clone();
    let names: Vec<&str> = root.as_array().unwrap().iter().map(|e| e["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["back\\slash.txt", "dangling", "dir\\x", "inside", "loop", "plain.txt"]);
    // The FIFO is not part of the view, and asking for it neither hangs nor calls it a file.
    assert_eq!(sc.err("workspace/stat", json!({"path": "fifo"})), "NOT_FOUND");
    assert_eq!(sc.err("workspace/readFile", json!({"path": "fifo"})), "NOT_FOUND");
    assert_eq!(sc.err("workspace/stat", json!({"path": "abs_in"})), "OUTSIDE_WORKSPACE");

    sc.shutdown();

    // The same holds for entries that appear while watching (created before the file waited on).
    let mut sc = Sidecar::start(tree.root(), &[]);
    sc.wait_ready(true);
    let made = std::process::Command::new("mkfifo").arg(tree.root().join("late_fifo")).status().unwrap();
    assert!(made.success());
    tree.file("late\\name.txt", "l\n").file("late.txt", "l\n");
    sc.wait_event("workspace/didChange", 0, |d| d.to_string().contains("\"late.txt\""));
    let listed = sc.ok("workspace/glob", json!({"include": ["**"]}))["paths"].clone();
    let want = [
        "back\\slash.txt",
        "dangling",
        "dir\\x/inner.txt",
        "inside",
        "late.txt",
        "late\\name.txt",
        "loop",
        "plain.txt",
    ];
    assert_eq!(listed, json!(want));
    sc.shutdown();
}
