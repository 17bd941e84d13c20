//! `skaffa-workspace`: the workspace sidecar binary. It canonicalizes the root (exit code 2 with a
//! message on stderr when that fails), starts serving at once so `workspace/status` answers while
//! the first scan runs on a background thread (reporting `workspace/indexProgress`); the watcher
//! starts before that scan and forwards every applied change batch as `workspace/didChange`.
//! With `--cache-dir` it starts from the index's last snapshot and saves one on the way out.
//! Only protocol lines go to stdout; everything else is logged to stderr.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use serde_json::json;
use skaffa_protocol::{EventSender, IoOptions, Server};
use skaffa_workspace::args::Args;
use skaffa_workspace::index::{ChangeBatch, Index, IndexOptions};
use skaffa_workspace::methods::{self, Service};
use skaffa_workspace::persist::{self, CacheStatus, Persist};

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
    let options = persist::options_hash(&args.excludes, args.no_ignore);
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
    let cache = Arc::new(CacheStatus::default());
    let service = Arc::new(service.with_cache_status(cache.clone()));
    let reader = service.clone();
    let hash_now = Box::new(move |rel: &str| reader.hash_now(rel));
    let persist =
        Persist::open(args.cache_dir.as_deref(), index.clone(), service.hash_cache(), hash_now, options, cache);
    let persist = Arc::new(persist);
    methods::register(&mut server, service);
    let last = persist.clone();
    server.serve_stdio_then(
        IoOptions::default(),
        move |events| start_indexing(index, persist, events),
        // What changed since the last snapshot is saved for the next start.
        move || last.write_if_changed(),
    )
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

/// Starts the watcher, then runs the first scan on a background thread (from the cache's
/// snapshot when there is one, see `persist`). Watching first means a change made while the scan
/// runs is never lost: the index holds such events back until the scan is done and then applies
/// them, instead of needing a second full walk to catch up.
fn start_indexing(index: Index, persist: Arc<Persist>, events: EventSender) {
    let spawned = std::thread::Builder::new().name("skaffa-scan".into()).spawn(move || {
        let forward = events.clone();
        let on_change = Box::new(move |batch: ChangeBatch| {
            batch.into_events().for_each(|event| {
                let _ = forward.send("workspace/didChange", &event);
            });
        });
        if let Err(e) = index.start_watching(on_change) {
            // Reads and searches still work on the scanned index; status reports `watching: false`.
            eprintln!("skaffa-workspace: watching {} failed, changes will not be seen: {e}", index.root().display());
        }
        let progress = |files: u64| {
            let _ = events.send("workspace/indexProgress", &json!({ "files": files }));
        };
        let offline = |batch: ChangeBatch| {
            batch.into_events().for_each(|event| {
                let _ = events.send("workspace/didChange", &event);
            });
        };
        if let Err(e) = persist.first_scan(&progress, &offline) {
            // Without an index no request that needs one could ever be answered; exiting lets
            // the supervisor report the failure instead of main waiting on timeouts.
            eprintln!("skaffa-workspace: initial scan of {} failed: {e}", index.root().display());
            std::process::exit(1);
        }
        persist.write_periodically();
    });
    if let Err(e) = spawned {
        eprintln!("skaffa-workspace: cannot start the indexing thread: {e}");
        std::process::exit(1);
    }
}
