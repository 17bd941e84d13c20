//! `workspace/findFiles`: fuzzy file-name search, delegated to the index's FST-backed matcher;
//! this layer only applies the default limit and shapes the answer. While the first scan runs it
//! answers at once from the files found so far (`index::SoFar`, ranked exactly as the full index
//! ranks) and says so with `indexing`, unless the request asks to wait for the whole index.

use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::{Error, Result};
use crate::index::FuzzyMatch;

/// Results returned when the caller gives no `limit`.
const DEFAULT_LIMIT: usize = 50;

/// See `schema/findFiles.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Params {
    query: String,
    limit: Option<NonZeroUsize>,
    #[serde(default)]
    wait_for_index: bool,
}

/// One match, best first; `positions` are UTF-16 indices into `path` for highlighting.
#[derive(Serialize)]
pub struct Match {
    path: String,
    score: i64,
    positions: Vec<u32>,
}

/// Present on an answer given while the first scan runs; see `schema/findFiles.result.json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Indexing {
    files_so_far: u64,
}

/// See `schema/findFiles.result.json`.
#[derive(Serialize)]
pub struct FindFilesResult {
    matches: Vec<Match>,
    #[serde(skip_serializing_if = "Option::is_none")]
    indexing: Option<Indexing>,
}

pub(super) fn run(svc: &Service, cx: &Context, p: Params) -> Result<FindFilesResult> {
    let limit = p.limit.map_or(DEFAULT_LIMIT, NonZeroUsize::get);
    let cancelled = || cx.is_cancelled();
    // `None` once the index is ready, so the snapshot below waits only when asked to.
    let so_far = if p.wait_for_index || svc.index().is_ready() { None } else { svc.index().found_so_far() };
    let (found, indexing) = match so_far {
        Some(so_far) => (so_far.fuzzy(&p.query, limit, &cancelled), Some(Indexing { files_so_far: so_far.files() })),
        None => (svc.index().finder().find(&svc.snapshot(cx)?, &p.query, limit, &cancelled), None),
    };
    if cx.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let matches =
        found.into_iter().map(|m: FuzzyMatch| Match { path: m.path, score: m.score, positions: m.positions }).collect();
    Ok(FindFilesResult { matches, indexing })
}
