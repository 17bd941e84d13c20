//! `typescript/symbols`: workspace symbols matching a query, ranked by [`rank`](super::rank) and
//! then top-level before members, exported before not, shorter names first. While the first
//! build runs it answers from the files parsed so far with `indexing: true`; a streaming request
//! gets those as a first chunk (`indexing: true`), then, once the build is done, the matches in
//! files that were not yet parsed as its final result. Chunk plus result is the full answer
//! (each part ranked within itself).

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::rank::{Query, Tier};
use super::Service;
use crate::error::{Error, Result};
use crate::index::{names, State};
use crate::summary::{Range, Symbol, SymbolKind};

/// See `schema/symbols.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    query: String,
    limit: Option<usize>,
    kinds: Option<Vec<SymbolKind>>,
}

/// One match (see `schema/symbols.result.json`).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Match {
    name: String,
    kind: SymbolKind,
    path: String,
    range: Range,
    #[serde(skip_serializing_if = "Option::is_none")]
    container_name: Option<String>,
    exported: bool,
}

/// See `schema/symbols.result.json` (and `symbols.partial.json` for a chunk).
#[derive(Serialize)]
pub struct Symbols {
    symbols: Vec<Match>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    indexing: bool,
}

const DEFAULT_LIMIT: usize = 100;

/// A match found by [`visit`], borrowed from the index until it is among the kept ones.
struct Candidate<'s> {
    key: (Tier, bool, bool, usize),
    path: &'s str,
    symbol: &'s Symbol,
    container: Option<&'s Symbol>,
}

/// What a search looks for: the query, its character mask and the wanted kinds.
struct Wanted<'q> {
    query: &'q Query,
    mask: u64,
    kinds: &'q Option<Vec<SymbolKind>>,
}

/// Pushes the matches among `symbols` and their children; `masks` walks the file's masks in the
/// same pre-order, so a name lacking a query character is skipped before any string comparison.
fn visit<'s>(
    w: &Wanted,
    path: &'s str,
    container: Option<&'s Symbol>,
    symbols: &'s [Symbol],
    masks: &mut std::slice::Iter<'_, u64>,
    out: &mut Vec<Candidate<'s>>,
) {
    for s in symbols {
        // A file without masks lets every name through to the full comparison.
        let mask = masks.next().copied().unwrap_or(u64::MAX);
        let wanted = names::may_match(mask, w.mask) && w.kinds.as_ref().is_none_or(|k| k.contains(&s.kind));
        if let Some(tier) = wanted.then(|| w.query.tier(&s.name)).flatten() {
            let key = (tier, container.is_some(), !s.exported, s.name.len());
            out.push(Candidate { key, path, symbol: s, container });
        }
        visit(w, path, Some(s), &s.children, masks, out);
    }
}

/// The best `limit` matches among the files `include` accepts. The name masks pick the files
/// with a candidate; only those files' outlines are walked.
fn search(state: &State, p: &Params, include: &dyn Fn(&str) -> bool) -> Vec<Match> {
    let query = Query::new(&p.query);
    let w = Wanted { query: &query, mask: query.mask(), kinds: &p.kinds };
    let mut found = Vec::new();
    for (path, summary, masks) in state.names.candidates(w.mask).filter(|(p, _, _)| include(p)) {
        visit(&w, path, None, &summary.symbols, &mut masks.iter(), &mut found);
    }
    let order = |a: &Candidate, b: &Candidate| a.key.cmp(&b.key).then_with(|| a.path.cmp(b.path));
    let limit = p.limit.unwrap_or(DEFAULT_LIMIT);
    // Only the kept ones need sorting: a broad query can match most of the workspace.
    if found.len() > limit {
        found.select_nth_unstable_by(limit, order);
        found.truncate(limit);
    }
    found.sort_by(order);
    found
        .into_iter()
        .map(|c| Match {
            name: c.symbol.name.clone(),
            kind: c.symbol.kind,
            path: c.path.to_owned(),
            range: c.symbol.range,
            container_name: c.container.map(|s| s.name.clone()),
            exported: c.symbol.exported,
        })
        .collect()
}

/// Answers `typescript/symbols`.
pub fn run(service: &Service, cx: &Context, p: Params) -> Result<Symbols> {
    if service.index.is_ready() {
        return Ok(Symbols { symbols: search(&service.index.state(), &p, &|_| true), indexing: false });
    }
    // The files parsed so far, read under the same lock as the first search: the rest come after.
    let (first, seen) = {
        let state = service.index.state();
        (search(&state, &p, &|_| true), state.files.keys().cloned().collect::<HashSet<String>>())
    };
    if !cx.streaming() {
        return Ok(Symbols { symbols: first, indexing: true });
    }
    // A chunk fails only once the request was cancelled or main is gone: nobody reads on then.
    cx.partial(&Symbols { symbols: first, indexing: true }).map_err(|_| Error::Cancelled)?;
    service.ready(cx)?;
    let rest = search(&service.index.state(), &p, &|path| !seen.contains(path));
    Ok(Symbols { symbols: rest, indexing: false })
}
