//! Spreads one search over worker threads. Files are handed out in list order from an atomic
//! cursor, so the files searched are always a prefix of the list; once more than `max` matches
//! are known no new file is started. Sorting what that prefix produced and keeping the first
//! `max` therefore gives the same answer as a sequential search, however the threads raced.

use std::cell::Cell;
use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};

use grep_regex::RegexMatcher;
use grep_searcher::{BinaryDetection, SearcherBuilder};
use skaffa_protocol::CancelToken;

use super::sink::{FileSink, Found};
use crate::paths;

/// What a search produced.
pub(super) struct Outcome {
    /// At most `max` matches, sorted by (file, line, column).
    pub found: Vec<Found>,
    /// True when more than `max` matches exist.
    pub truncated: bool,
    /// Files opened and searched (binary ones included, unreadable ones not).
    pub files_searched: u64,
}

/// Searches `files` (relative to `root`, opened beneath it) with `matcher`; see the module docs.
pub(super) fn search(
    root: &paths::Root,
    files: &[String],
    matcher: &RegexMatcher,
    max: usize,
    cancel: &CancelToken,
) -> Outcome {
    let next = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let enough = AtomicBool::new(false);
    let searched = AtomicU64::new(0);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    let (tx, rx) = crossbeam_channel::unbounded::<Vec<Found>>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, total, enough, searched) = (&next, &total, &enough, &searched);
            // Each worker owns a matcher clone, so threads never contend on its scratch space.
            let matcher = matcher.clone();
            scope.spawn(move || {
                let mut searcher =
                    SearcherBuilder::new().line_number(true).binary_detection(BinaryDetection::quit(0)).build();
                while !cancel.is_cancelled() && !enough.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(rel) = files.get(i) else { break };
                    // Opened beneath the root handle: a file swapped for a link that leaves the
                    // root since the scan is refused, and a FIFO or folder is skipped, not read.
                    let Ok(file) = root.open_file(rel) else { continue };
                    let bom = Cell::new(false);
                    let mut sink = FileSink {
                        matcher: &matcher,
                        cancel,
                        file: i,
                        cap: max + 1,
                        found: Vec::new(),
                        binary: false,
                        bom: &bom,
                    };
                    let reader = BomPeek { file: &file, head: [0; 3], seen: 0, bom: &bom };
                    if searcher.search_reader(&matcher, reader, &mut sink).is_err() {
                        continue;
                    }
                    searched.fetch_add(1, Ordering::Relaxed);
                    if sink.binary || sink.found.is_empty() {
                        continue;
                    }
                    if total.fetch_add(sink.found.len(), Ordering::Relaxed) + sink.found.len() > max {
                        enough.store(true, Ordering::Relaxed);
                    }
                    let _ = tx.send(sink.found);
                }
            });
        }
    });
    drop(tx);
    let mut found: Vec<Found> = rx.try_iter().flatten().collect();
    found.sort_unstable_by_key(|f| (f.file, f.line, f.column));
    let truncated = found.len() > max;
    found.truncate(max);
    Outcome { found, truncated, files_searched: searched.load(Ordering::Relaxed) }
}

/// Reads a file for the searcher and notes whether its first bytes are a UTF-8 byte order mark,
/// which the searcher strips before it reports anything (see `sink`). Peeking in the stream the
/// searcher reads anyway costs no extra system call.
struct BomPeek<'a> {
    file: &'a File,
    head: [u8; 3],
    seen: usize,
    bom: &'a Cell<bool>,
}

impl Read for BomPeek<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.file.read(buf)?;
        if self.seen < 3 {
            let take = n.min(3 - self.seen);
            self.head[self.seen..self.seen + take].copy_from_slice(&buf[..take]);
            self.seen += take;
            self.bom.set(self.seen == 3 && self.head == [0xEF, 0xBB, 0xBF]);
        }
        Ok(n)
    }
}
