//! `workspace/search`: content search over the indexed files with ripgrep's own libraries
//! (`grep-regex` builds the matcher, `grep-searcher` runs it line by line with binary detection).
//! The file list comes from the index snapshot (so ignore rules match everything else), filtered
//! by the request's globs; `parallel` spreads it over worker threads and keeps the answer
//! deterministic: the first `maxResults` matches in (path, line, column) order.

mod parallel;
mod sink;

use std::num::NonZeroUsize;

use grep_regex::RegexMatcherBuilder;
use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::glob::glob_set;
use super::Service;
use crate::error::{Error, Result};

/// Matches returned when the caller gives no `maxResults`.
const DEFAULT_MAX_RESULTS: usize = 10_000;

/// See `schema/search.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Params {
    query: String,
    #[serde(default)]
    is_regex: bool,
    #[serde(default)]
    case_sensitive: bool,
    #[serde(default)]
    whole_word: bool,
    #[serde(default)]
    include: Vec<String>,
    #[serde(default)]
    exclude: Vec<String>,
    max_results: Option<NonZeroUsize>,
}

/// One match: 1-based line, 1-based column in UTF-16 code units, and the line's text (or, for a
/// very long line, an excerpt around the match starting at `text_offset`).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SearchMatch {
    path: String,
    line: u64,
    column: u64,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text_offset: Option<u64>,
}

/// See `schema/search.result.json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    matches: Vec<SearchMatch>,
    truncated: bool,
    files_searched: u64,
}

pub(super) fn run(svc: &Service, cx: &Context, p: Params) -> Result<SearchResult> {
    if p.query.is_empty() {
        return Err(Error::InvalidParams { message: "`query` must not be empty".into() });
    }
    let matcher = RegexMatcherBuilder::new()
        .case_insensitive(!p.case_sensitive)
        .word(p.whole_word)
        .fixed_strings(!p.is_regex)
        // Promising the matcher never spans lines lets the searcher use its fast line mode.
        .line_terminator(Some(b'\n'))
        .build(&p.query)
        .map_err(|e| Error::InvalidParams { message: format!("bad query: {e}") })?;
    let include = (!p.include.is_empty()).then(|| glob_set(&p.include)).transpose()?;
    let exclude = glob_set(&p.exclude)?;
    let max = p.max_results.map_or(DEFAULT_MAX_RESULTS, NonZeroUsize::get);

    let snapshot = svc.snapshot(cx)?;
    let mut files = Vec::new();
    snapshot.for_each(&mut |path, meta| {
        // Links are listed as themselves and never followed, as `rg` does by default.
        let wanted = !meta.symlink && include.as_ref().is_none_or(|set| set.is_match(path)) && !exclude.is_match(path);
        if wanted {
            files.push(path.to_owned());
        }
    });
    let token = cx.cancel_token();
    let outcome = parallel::search(&svc.root, &files, &matcher, max, &token);
    if token.is_cancelled() {
        return Err(Error::Cancelled);
    }
    let matches = outcome
        .found
        .into_iter()
        .map(|f| SearchMatch {
            path: files[f.file].clone(),
            line: f.line,
            column: f.column,
            text: f.text,
            text_offset: f.text_offset,
        })
        .collect();
    Ok(SearchResult { matches, truncated: outcome.truncated, files_searched: outcome.files_searched })
}
