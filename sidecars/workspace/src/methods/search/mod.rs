//! `workspace/search`: content search over the indexed files with ripgrep's own libraries
//! (`grep-regex` builds the matcher, `grep-searcher` runs it line by line with binary detection).
//! The file list comes from the index snapshot (so ignore rules match everything else), filtered
//! by the request's globs; `parallel` spreads it over worker threads and hands lines back in
//! (path, line) order as soon as they are certain, so a streamed request (`"stream": true`) gets
//! them as chunks `{"lines": [...]}` while the search runs, and the lines of the chunks followed
//! by those of the final result are exactly the unstreamed answer: the first `maxResults`
//! matches in (path, line, column) order, one entry per matching line. A search stops at its
//! deadline (`deadlineMs`) with what it found and says so.

mod parallel;
mod sink;

use std::num::{NonZeroU64, NonZeroUsize};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use grep_regex::RegexMatcherBuilder;
use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::glob::glob_set;
use super::Service;
use crate::error::{Error, Result};
use sink::{FoundLine, Stop};

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
    deadline_ms: Option<NonZeroU64>,
}

/// How long a search may run (after the first index is ready) when the caller gives no
/// `deadlineMs`: well inside main's request timeout, so a runaway regex answers with what it
/// found instead of main giving up on it.
const DEFAULT_DEADLINE_MS: u64 = 30_000;

/// A streamed search sends its first lines at once, then gathers at most this many lines (or
/// [`CHUNK_DELAY`] worth) per chunk, so a fast search is not cut into thousands of messages.
const CHUNK_LINES: usize = 500;

/// The longest a found line waits in a streamed search before it is sent.
const CHUNK_DELAY: Duration = Duration::from_millis(25);

/// One matching line: its 1-based number, its text (or, for a very long line, an excerpt that
/// starts at UTF-16 offset `text_offset` of the line), and every match on it as UTF-16
/// `[start, end)` offsets in the line.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct SearchLine {
    path: String,
    line: u64,
    text: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    text_offset: Option<u64>,
    ranges: Vec<[u64; 2]>,
}

/// Why a search answered less than everything; see `schema/search.result.json`.
#[derive(Serialize, Debug, Clone, Copy, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub enum TruncatedBy {
    /// More than `maxResults` matches exist.
    MaxResults,
    /// The deadline passed before every file was searched.
    Deadline,
}

/// See `schema/search.result.json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchResult {
    lines: Vec<SearchLine>,
    truncated: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    truncated_by: Option<TruncatedBy>,
    files_searched: u64,
}

/// See `schema/search.partial.json`.
#[derive(Serialize)]
struct SearchChunk<'a> {
    lines: &'a [SearchLine],
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
        // Links are listed as themselves and never followed, as `rg` does by default. An empty
        // set is not asked: matching builds a candidate (basename, extension) for every path,
        // which on a large tree is a good part of the time before the first file is opened.
        let wanted = !meta.symlink
            && include.as_ref().is_none_or(|set| set.is_match(path))
            && (exclude.is_empty() || !exclude.is_match(path));
        if wanted {
            files.push(path.to_owned());
        }
    });
    let token = cx.cancel_token();
    let timeout = Duration::from_millis(p.deadline_ms.map_or(DEFAULT_DEADLINE_MS, NonZeroU64::get));
    let stop = Stop {
        cancel: &token,
        deadline: Instant::now() + timeout,
        timed_out: AtomicBool::new(false),
        abort: AtomicBool::new(false),
    };
    // Lines not sent yet: the next chunk's, or all of them for an unstreamed request.
    let mut lines: Vec<SearchLine> = Vec::new();
    let (mut sent_any, mut last_sent) = (false, Instant::now());
    let mut deliver = |ready: Vec<(usize, FoundLine)>| -> bool {
        lines.extend(ready.into_iter().map(|(file, f)| SearchLine {
            path: files[file].clone(),
            line: f.line,
            text: f.text,
            text_offset: f.text_offset,
            ranges: f.ranges,
        }));
        if !cx.streaming() || lines.is_empty() {
            return true;
        }
        // The first lines go out at once: that is what makes a search feel instant.
        if sent_any && lines.len() < CHUNK_LINES && last_sent.elapsed() < CHUNK_DELAY {
            return true;
        }
        if cx.partial(&SearchChunk { lines: &lines }).is_err() {
            // Cancelled (the final answer is already sent) or main is gone: stop the search.
            return false;
        }
        lines.clear();
        (sent_any, last_sent) = (true, Instant::now());
        true
    };
    let outcome = parallel::search(&svc.root, &files, &matcher, max, &stop, &mut deliver);
    if token.is_cancelled() || outcome.aborted {
        return Err(Error::Cancelled);
    }
    let truncated_by = if stop.timed_out.load(Ordering::Relaxed) {
        Some(TruncatedBy::Deadline)
    } else if outcome.over {
        Some(TruncatedBy::MaxResults)
    } else {
        None
    };
    Ok(SearchResult { lines, truncated: truncated_by.is_some(), truncated_by, files_searched: outcome.files_searched })
}
