//! Spreads one search over worker threads and hands its lines back **in file-list order** as
//! soon as they are certain to be part of the answer. Files are taken in list order from an
//! atomic cursor, so the files started are always a prefix of the list, and every file taken is
//! reported back (searched, skipped or cut short). The calling thread collects those reports and
//! releases a file's lines once every file before it has reported: what it releases is then
//! exactly the start of a sequential search's answer, so streaming it early never has to be
//! taken back. Once more than `max` matches are known no new file is started; the first `max`
//! matches in (file, line, column) order are therefore the same however the threads raced.
//! A slow file holds back the files after it (never longer than it takes to search it), which
//! is the price of chunks that arrive already sorted.

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use grep_regex::RegexMatcher;
use grep_searcher::{BinaryDetection, SearcherBuilder};

use super::sink::{FileSink, FoundLine, Stop};
use crate::paths;

/// How long the collector waits for a worker's report before giving `deliver` a chance to send
/// what it buffered, so a slow trickle of lines still reaches main promptly.
pub(super) const TICK: Duration = Duration::from_millis(20);

/// How a search ended.
pub(super) struct Outcome {
    /// True when more than `max` matches exist (the answer holds the first `max`).
    pub over: bool,
    /// Files opened and searched to the end (binary ones included, unreadable ones not).
    pub files_searched: u64,
    /// `deliver` asked to stop (main is gone or cancelled): the answer is incomplete.
    pub aborted: bool,
}

/// What a worker reports for each file it took from the list.
struct Report {
    file: usize,
    lines: Vec<FoundLine>,
    /// Whether the file was searched to its end (or to the match cap).
    searched: bool,
}

/// Searches `files` (relative to `root`, opened beneath it) with `matcher`; see the module docs.
/// `deliver` gets each batch of lines in order with the file's index, at most `max` matches in
/// all, and an empty batch every [`TICK`] without news; it returns `false` to stop the search.
pub(super) fn search(
    root: &paths::Root,
    files: &[String],
    matcher: &RegexMatcher,
    max: usize,
    stop: &Stop<'_>,
    deliver: &mut dyn FnMut(Vec<(usize, FoundLine)>) -> bool,
) -> Outcome {
    let next = AtomicUsize::new(0);
    let total = AtomicUsize::new(0);
    let enough = AtomicBool::new(false);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(files.len().max(1));
    let (tx, rx) = crossbeam_channel::unbounded::<Report>();
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, total, enough) = (&next, &total, &enough);
            // Each worker owns a matcher clone, so threads never contend on its scratch space.
            let matcher = matcher.clone();
            scope.spawn(move || {
                let mut searcher =
                    SearcherBuilder::new().line_number(true).binary_detection(BinaryDetection::quit(0)).build();
                while !enough.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= files.len() {
                        break;
                    }
                    if stop.now() {
                        // Reported unsearched, so the collector's prefix stays whole.
                        let _ = tx.send(Report { file: i, lines: Vec::new(), searched: false });
                        break;
                    }
                    let report = search_file(root, &files[i], &matcher, &mut searcher, max + 1, stop);
                    let report = Report { file: i, ..report };
                    let n: usize = report.lines.iter().map(|l| l.ranges.len()).sum();
                    if n > 0 && total.fetch_add(n, Ordering::Relaxed) + n > max {
                        enough.store(true, Ordering::Relaxed);
                    }
                    if tx.send(report).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        collect(&rx, max, stop, deliver)
    })
}

/// Searches one file; `file` in the answer is filled in by the caller.
fn search_file(
    root: &paths::Root,
    rel: &str,
    matcher: &RegexMatcher,
    searcher: &mut grep_searcher::Searcher,
    cap: usize,
    stop: &Stop<'_>,
) -> Report {
    // Opened beneath the root handle: a file swapped for a link that leaves the root since the
    // scan is refused, and a FIFO or folder is skipped, not read.
    let Ok(file) = root.open_file(rel) else {
        return Report { file: 0, lines: Vec::new(), searched: false };
    };
    let (bom, cut) = (Cell::new(false), Cell::new(false));
    let mut sink = FileSink { matcher, stop, cap, matches: 0, found: Vec::new(), binary: false, bom: &bom, cut: &cut };
    let reader = Peek { file: &file, head: [0; 3], seen: 0, bom: &bom, cut: &cut, stop };
    let finished = searcher.search_reader(matcher, reader, &mut sink).is_ok();
    // A file the deadline or a cancel cut short keeps the lines it found, but is not "searched".
    let searched = finished && !cut.get();
    let lines = if sink.binary { Vec::new() } else { sink.found };
    Report { file: 0, lines, searched }
}

/// Puts the workers' reports back in list order and delivers each file's lines once all files
/// before it are in, keeping the first `max` matches.
fn collect(
    rx: &crossbeam_channel::Receiver<Report>,
    max: usize,
    stop: &Stop<'_>,
    deliver: &mut dyn FnMut(Vec<(usize, FoundLine)>) -> bool,
) -> Outcome {
    let mut waiting: HashMap<usize, Report> = HashMap::new();
    let (mut next, mut kept) = (0usize, 0usize);
    let mut outcome = Outcome { over: false, files_searched: 0, aborted: false };
    loop {
        let report = match rx.recv_timeout(TICK) {
            Ok(report) => Some(report),
            Err(crossbeam_channel::RecvTimeoutError::Timeout) => None,
            Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
        };
        let mut ready = Vec::new();
        if let Some(report) = report {
            waiting.insert(report.file, report);
            while let Some(report) = waiting.remove(&next) {
                next += 1;
                outcome.files_searched += u64::from(report.searched);
                for mut line in report.lines {
                    if kept == max {
                        outcome.over = true;
                        break;
                    }
                    if line.ranges.len() > max - kept {
                        line.ranges.truncate(max - kept);
                        outcome.over = true;
                    }
                    kept += line.ranges.len();
                    ready.push((report.file, line));
                }
            }
        }
        if !outcome.aborted && !deliver(ready) {
            // Keep draining so the workers, now told to stop, are never blocked on the channel.
            outcome.aborted = true;
            stop.abort.store(true, Ordering::Relaxed);
        }
    }
    outcome
}

/// Reads a file for the searcher, noting whether its first bytes are a UTF-8 byte order mark
/// (which the searcher strips before it reports anything, see `sink`) and failing the read once
/// the search must stop: the searcher reads about 64 KiB at a time, so even a slow regex on a
/// large file without matches notices its deadline or a cancel within one buffer. Peeking in the
/// stream the searcher reads anyway costs no extra system call.
struct Peek<'a> {
    file: &'a File,
    head: [u8; 3],
    seen: usize,
    bom: &'a Cell<bool>,
    cut: &'a Cell<bool>,
    stop: &'a Stop<'a>,
}

impl Read for Peek<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.stop.now() {
            self.cut.set(true);
            // Not `Interrupted`, which readers retry: this ends the file's search.
            return Err(std::io::Error::other("the search was stopped"));
        }
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
