//! `workspace/status`: answers at once, even while the first scan runs, so main can show
//! progress and tell "indexing" from "ready" without waiting. It runs on the protocol's reading
//! thread (an inline method), so it must stay non-blocking: no `Service::snapshot` (which waits
//! for the scan), no I/O.

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::Result;
use crate::index::{Skipped, WatchLimit};
use crate::persist::CacheReport;

/// `{}`: status takes no params.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

/// See `schema/status.result.json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatusResult {
    root: String,
    state: &'static str,
    metadata: &'static str,
    files: usize,
    generation: u64,
    watching: bool,
    skipped: Skipped,
    #[serde(skip_serializing_if = "Option::is_none")]
    watch_limit: Option<WatchLimit>,
    cache: CacheReport,
}

pub(super) fn run(svc: &Service, _cx: &Context, _p: Params) -> Result<StatusResult> {
    let index = &svc.index;
    let snapshot = index.snapshot();
    Ok(StatusResult {
        root: wire_root(index.root()),
        state: if index.is_ready() { "ready" } else { "indexing" },
        metadata: if index.is_complete() { "complete" } else { "pending" },
        files: snapshot.len(),
        generation: snapshot.generation(),
        watching: index.is_watching(),
        skipped: index.skipped(),
        watch_limit: index.watch_limit(),
        cache: svc.cache.get(),
    })
}

/// The root as the wire shows paths: with `/` on every platform (`C:/work/app` on Windows, where
/// `\\` is the separator; elsewhere a backslash is part of a name and stays).
fn wire_root(root: &std::path::Path) -> String {
    let text = root.to_string_lossy();
    if cfg!(windows) {
        text.replace('\\', "/")
    } else {
        text.into_owned()
    }
}
