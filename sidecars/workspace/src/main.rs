//! `skaffa-workspace`: the workspace sidecar binary. It canonicalizes the root (exit code 2 with a
//! message on stderr when that fails), starts serving at once so `workspace/status` answers while
//! the first scan runs on a background thread (reporting `workspace/indexProgress`); the watcher
//! starts before that scan and forwards every applied change batch as `workspace/didChange`.
//! Only protocol lines go to stdout; everything else is logged to stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::json;
use skaffa_protocol::{EventSender, IoOptions, Server};
use skaffa_workspace::args::Args;
use skaffa_workspace::index::{Index, IndexOptions};
use skaffa_workspace::methods::{self, Service};

fn main() -> ExitCode {
    let args = match Args::from_env() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("skaffa-workspace: {e}");
            return ExitCode::from(2);
        }
    };
    let root = match canonical_root(&args.root) {
        Ok(root) => root,
        Err(message) => {
            eprintln!("skaffa-workspace: {message}");
            return ExitCode::from(2);
        }
    };
    let index = Index::new(IndexOptions { root, excludes: args.excludes, no_ignore: args.no_ignore });
    // Tests that drive the binary may hold the first scan part-way (see `index::hold`).
    index.hold_scan_from_env();
    if let Some(max) = args.max_watches {
        index.limit_watches(max);
    }
    let mut server = Server::new("workspace", env!("CARGO_PKG_VERSION"));
    let service = match Service::new(index.clone(), args.max_file_size) {
        Ok(service) => service,
        Err(e) => {
            eprintln!("skaffa-workspace: --root {}: {e}", args.root.display());
            return ExitCode::from(2);
        }
    };
    methods::register(&mut server, Arc::new(service));
    server.serve_stdio(IoOptions::default(), move |events| start_indexing(index, events))
}

/// The root as an absolute path with every link resolved, which index paths are relative to. On
/// Windows `dunce` drops the `\\?\` prefix where it is not needed, so the root reads as users
/// write it (`C:\work\app`) and matches the paths the watcher reports.
fn canonical_root(root: &PathBuf) -> Result<PathBuf, String> {
    let canonical = dunce::canonicalize(root).map_err(|e| format!("--root {}: {e}", root.display()))?;
    if !canonical.is_dir() {
        return Err(format!("--root {}: not a directory", root.display()));
    }
    Ok(canonical)
}

/// Starts the watcher, then runs the first scan on a background thread. Watching first means a
/// change made while the scan runs is never lost: the index holds such events back until the
/// scan is done and then applies them, instead of needing a second full walk to catch up.
fn start_indexing(index: Index, events: EventSender) {
    let spawned = std::thread::Builder::new().name("skaffa-scan".into()).spawn(move || {
        let forward = events.clone();
        let on_change = Box::new(move |batch| {
            let _ = forward.send("workspace/didChange", &batch);
        });
        if let Err(e) = index.start_watching(on_change) {
            // Reads and searches still work on the scanned index; status reports `watching: false`.
            eprintln!("skaffa-workspace: watching {} failed, changes will not be seen: {e}", index.root().display());
        }
        let progress = |files: u64| {
            let _ = events.send("workspace/indexProgress", &json!({ "files": files }));
        };
        if let Err(e) = index.scan(&progress) {
            // Without an index no request that needs one could ever be answered; exiting lets
            // the supervisor report the failure instead of main waiting on timeouts.
            eprintln!("skaffa-workspace: initial scan of {} failed: {e}", index.root().display());
            std::process::exit(1);
        }
    });
    if let Err(e) = spawned {
        eprintln!("skaffa-workspace: cannot start the indexing thread: {e}");
        std::process::exit(1);
    }
}
