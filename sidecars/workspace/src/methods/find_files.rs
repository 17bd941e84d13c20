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
    pub(super) files_so_far: u64,
    /// Answered from the cache's snapshot before the warm start's catch-up confirmed it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub(super) unverified: bool,
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
    let index = svc.index();
    let early = !p.wait_for_index && !index.is_ready();
    if early && !index.wait_started(&cancelled) {
        return Err(Error::Cancelled);
    }
    let (found, indexing) = if early && index.is_unverified() {
        // A warm start: the snapshot's files are the index until the catch-up replaces them.
        let snapshot = index.snapshot();
        let indexing = Indexing { files_so_far: snapshot.len() as u64, unverified: true };
        let _busy = index.answering();
        (index.finder().find(&snapshot, &p.query, limit, &cancelled), Some(indexing))
    } else {
        // `None` once the index is ready, so the snapshot below waits only when asked to.
        match index.found_so_far().filter(|_| early) {
            Some(so_far) => {
                let indexing = Indexing { files_so_far: so_far.files(), unverified: false };
                (so_far.fuzzy(&p.query, limit, &cancelled), Some(indexing))
            }
            None => (index.finder().find(&svc.snapshot(cx)?, &p.query, limit, &cancelled), None),
        }
    };
    if cx.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let matches =
        found.into_iter().map(|m: FuzzyMatch| Match { path: m.path, score: m.score, positions: m.positions }).collect();
    Ok(FindFilesResult { matches, indexing })
}
