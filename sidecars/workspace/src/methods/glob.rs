//! `workspace/glob`: index paths matching any `include` glob and no `exclude` glob, in byte
//! order, up to `limit`. Globs use `globset` with `*` confined to one path segment and `**`
//! spanning any number, the convention editors use. During a warm start it answers from the
//! cache's snapshot at once, marked `indexing.unverified`, unless asked to wait.

use std::num::NonZeroUsize;

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::find_files::Indexing;
use super::Service;
use crate::error::{Error, Result};

/// See `schema/glob.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    limit: Option<NonZeroUsize>,
    #[serde(default, rename = "waitForIndex")]
    wait_for_index: bool,
}

/// See `schema/glob.result.json`.
#[derive(Serialize)]
pub struct GlobResult {
    paths: Vec<String>,
    truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    indexing: Option<Indexing>,
}

/// Compiles `globs` into one set; a bad glob answers `INVALID_PARAMS` naming it.
pub(super) fn glob_set(globs: &[String]) -> Result<GlobSet> {
    let mut set = GlobSetBuilder::new();
    for g in globs {
        let glob = GlobBuilder::new(g)
            .literal_separator(true)
            .build()
            .map_err(|e| Error::InvalidParams { message: format!("bad glob {g:?}: {e}") })?;
        set.add(glob);
    }
    set.build().map_err(|e| Error::InvalidParams { message: e.to_string() })
}

pub(super) fn run(svc: &Service, cx: &Context, p: Params) -> Result<GlobResult> {
    if p.include.is_empty() {
        return Err(Error::InvalidParams { message: "`include` needs at least one glob".into() });
    }
    let include = glob_set(&p.include)?;
    let exclude = glob_set(&p.exclude)?;
    let limit = p.limit.map_or(usize::MAX, NonZeroUsize::get);
    // During a warm start's catch-up the snapshot's files answer at once, marked as unverified;
    // during a first cold scan glob waits, as it always did (a partial glob would be a wrong one).
    let index = svc.index();
    let early = !p.wait_for_index && !index.is_ready();
    if early && !index.wait_started(&|| cx.is_cancelled()) {
        return Err(Error::Cancelled);
    }
    let (snapshot, indexing, busy) = if early && index.is_unverified() {
        let snapshot = index.snapshot();
        let indexing = Indexing { files_so_far: snapshot.len() as u64, unverified: true };
        (snapshot, Some(indexing), Some(index.answering()))
    } else {
        (svc.snapshot(cx)?, None, None)
    };
    let mut paths = Vec::new();
    let mut truncated = false;
    snapshot.for_each(&mut |path, _meta| {
        // `for_each` cannot stop early, so after the limit or a cancel each call returns at once.
        if truncated || cx.is_cancelled() || !include.is_match(path) || exclude.is_match(path) {
            return;
        }
        if paths.len() == limit {
            truncated = true;
        } else {
            paths.push(path.to_owned());
        }
    });
    drop(busy);
    if cx.is_cancelled() {
        return Err(Error::Cancelled);
    }
    Ok(GlobResult { paths, truncated, indexing })
}
