//! git's own ignore sources, end to end: `.git/info/exclude` (of the root and of a nested
//! repository, each governing its own folder) and the global `core.excludesFile` are honoured by
//! the scan, by the live watcher's checks and by the methods, as a fresh scan would. The global
//! configuration comes from a temporary `GIT_CONFIG_GLOBAL`, `HOME` and `XDG_CONFIG_HOME`, so
//! the user's own git configuration is never read.

// Fixtures create files; the read-only lint (clippy.toml) is meant for the sidecar, not for tests.
#![allow(clippy::disallowed_methods)]

mod common;

use std::path::Path;

use common::sidecar::Sidecar;
use common::tree::Tree;
use serde_json::{json, Value};

fn all_paths(sc: &mut Sidecar) -> Value {
    sc.ok("workspace/glob", json!({"include": ["**"]}))["paths"].clone()
}

/// A workspace that is a git repository, with a nested repository inside it.
fn repo() -> Tree {
    let t = Tree::new();
    t.file(".gitignore", "*.log\n")
        .file(".git/HEAD", "ref: refs/heads/main\n")
        .file(".git/info/exclude", "# local only\nprivate.txt\n/scratch/\n")
        .file("keep.txt", "k")
        .file("private.txt", "p")
        .file("scratch/notes.txt", "n")
        .file("src/scratch/kept.txt", "anchored /scratch/ is the root's only")
        .file("build.tmp", "global")
        .file("src/deep.tmp", "global, at any depth")
        .file("a.log", "outer .gitignore")
        .file("vendor/lib/.git/HEAD", "ref: refs/heads/main\n")
        .file("vendor/lib/.git/info/exclude", "lib-only.txt\n")
        .file("vendor/lib/lib-only.txt", "excluded inside the nested repository")
        .file("vendor/lib/code.rs", "indexed: the nested repository's files are part of the workspace")
        .file("vendor/lib/b.log", "the outer .gitignore still applies")
        .file("lib-only.txt", "the nested exclude does not reach out of its folder");
    t
}

/// A temporary git "global" configuration whose `core.excludesFile` ignores `*.tmp`.
fn global_config(dir: &Path) -> std::path::PathBuf {
    std::fs::write(dir.join("global-ignore"), "*.tmp\n").unwrap();
    let config = dir.join("gitconfig");
    std::fs::write(&config, format!("[core]\n\texcludesFile = {}\n", dir.join("global-ignore").display())).unwrap();
    config
}

const EXPECTED: [&str; 5] = [".gitignore", "keep.txt", "lib-only.txt", "src/scratch/kept.txt", "vendor/lib/code.rs"];

#[test]
fn info_exclude_and_the_global_excludes_file_are_honoured() {
    let tree = repo();
    let home = tempfile::tempdir().unwrap();
    let config = global_config(home.path());
    let env = [
        ("HOME", home.path().as_os_str()),
        ("XDG_CONFIG_HOME", home.path().as_os_str()),
        ("GIT_CONFIG_GLOBAL", config.as_os_str()),
    ];
    let mut sc = Sidecar::start_with_env(tree.root(), &[], &env);
    sc.wait_ready(true);
    assert_eq!(all_paths(&mut sc), json!(EXPECTED));
    assert_eq!(sc.err("workspace/readFile", json!({"path": "private.txt"})), "NOT_FOUND");
    assert_eq!(sc.err("workspace/readFile", json!({"path": "src/deep.tmp"})), "NOT_FOUND");
    assert_eq!(sc.err("workspace/stat", json!({"path": "vendor/lib/lib-only.txt"})), "NOT_FOUND");

    // The live watcher applies the same rules: new excluded files stay silent.
    let at = sc.events.len();
    tree.file("new.tmp", "g")
        .file("scratch/more.txt", "x")
        .file("vendor/lib/lib-only.txt", "again")
        .file("seen.txt", "s");
    let (_, end) = sc.wait_event("workspace/didChange", at, |d| d.to_string().contains("seen.txt"));
    let reported: Vec<String> = sc.events[at..end].iter().map(|e| e.to_string()).collect();
    assert!(reported.iter().all(|e| !e.contains(".tmp") && !e.contains("scratch/more")), "{reported:?}");

    // Editing `.git/info/exclude` rescans what it governs, as editing a `.gitignore` does.
    let at = sc.events.len();
    tree.file(".git/info/exclude", "private.txt\n/scratch/\nkeep.txt\n");
    sc.wait_event("workspace/didChange", at, |d| {
        d["rescan"] == true
            && d["changes"].as_array().unwrap().iter().any(|c| c["path"] == "keep.txt" && c["type"] == "deleted")
    });
    let live = all_paths(&mut sc);
    sc.shutdown();
    let mut fresh = Sidecar::start_with_env(tree.root(), &[], &env);
    fresh.wait_ready(false);
    assert_eq!(all_paths(&mut fresh), live, "the live index must match a fresh scan");
    assert_eq!(live, json!([".gitignore", "lib-only.txt", "seen.txt", "src/scratch/kept.txt", "vendor/lib/code.rs"]));
    fresh.shutdown();
}

#[test]
fn the_default_global_excludes_file_and_no_ignore() {
    let tree = repo();
    // Without a core.excludesFile, git reads $XDG_CONFIG_HOME/git/ignore.
    let xdg = tempfile::tempdir().unwrap();
    std::fs::create_dir(xdg.path().join("git")).unwrap();
    std::fs::write(xdg.path().join("git/ignore"), "*.tmp\n").unwrap();
    let env = [("XDG_CONFIG_HOME", xdg.path().as_os_str())];
    let mut sc = Sidecar::start_with_env(tree.root(), &[], &env);
    sc.wait_ready(false);
    assert_eq!(all_paths(&mut sc), json!(EXPECTED));
    sc.shutdown();
    // --no-ignore sets every ignore source aside (`.git/` itself stays out).
    let mut all = Sidecar::start_with_env(tree.root(), &["--no-ignore"], &env);
    all.wait_ready(false);
    let paths = all_paths(&mut all);
    for p in ["private.txt", "scratch/notes.txt", "build.tmp", "a.log", "vendor/lib/lib-only.txt"] {
        assert!(paths.as_array().unwrap().contains(&json!(p)), "{p} missing from {paths}");
    }
    assert!(!paths.to_string().contains(".git/"), "{paths}");
    all.shutdown();
}
