//! `workspace/findFiles`: fuzzy file-name search, delegated to the index's FST-backed matcher;
//! this layer only applies the default limit and shapes the answer.

use std::num::NonZeroUsize;

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::{Error, Result};

/// Results returned when the caller gives no `limit`.
const DEFAULT_LIMIT: usize = 50;

/// See `schema/findFiles.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    query: String,
    limit: Option<NonZeroUsize>,
}

/// One match, best first; `positions` are UTF-16 indices into `path` for highlighting.
#[derive(Serialize)]
pub struct Match {
    path: String,
    score: i64,
    positions: Vec<u32>,
}

/// See `schema/findFiles.result.json`.
#[derive(Serialize)]
pub struct FindFilesResult {
    matches: Vec<Match>,
}

pub(super) fn run(svc: &Service, cx: &Context, p: Params) -> Result<FindFilesResult> {
    let limit = p.limit.map_or(DEFAULT_LIMIT, NonZeroUsize::get);
    let snapshot = svc.snapshot(cx)?;
    let found = snapshot.fuzzy(&p.query, limit, &|| cx.is_cancelled());
    if cx.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let matches = found.into_iter().map(|m| Match { path: m.path, score: m.score, positions: m.positions }).collect();
    Ok(FindFilesResult { matches })
}
