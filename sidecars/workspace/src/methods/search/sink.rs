//! The per-file `grep_searcher::Sink`: turns each matching line into one [`FoundLine`] carrying
//! every match on it as a UTF-16 `[start, end)` range of the line, because that is what a
//! JavaScript string indexes and what highlighting needs. The line's text is sent once, however
//! many matches it holds; a line longer than [`MAX_TEXT`] bytes (minified code) is sent as an
//! excerpt that starts a little before its first match, with the excerpt's offset, so one long
//! line cannot blow a response up to megabytes. The sink stops the file early on cancellation,
//! at the deadline, or once it alone holds more matches than the result cap, and remembers
//! whether the searcher saw binary data so the caller can drop the file. The searcher strips a
//! UTF-8 byte order mark before matching, but `workspace/readFile` returns the file as it is, BOM
//! included, so on line 1 of such a file ranges count the BOM and `text` keeps it: a range always
//! indexes the line as main holds it.

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use grep_matcher::Matcher;
use grep_regex::RegexMatcher;
use grep_searcher::{Searcher, Sink, SinkMatch};
use skaffa_protocol::CancelToken;

/// Lines longer than this many bytes are reported as excerpts.
pub(super) const MAX_TEXT: usize = 1000;

/// How much of the line an excerpt keeps before its first match, in bytes.
const EXCERPT_LEAD: usize = 100;

/// One matching line of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct FoundLine {
    /// 1-based line number.
    pub line: u64,
    /// The line without its terminator, or an excerpt of it.
    pub text: String,
    /// For an excerpt: where `text` starts in the line, in UTF-16 code units.
    pub text_offset: Option<u64>,
    /// Every match on the line (up to the cap), as UTF-16 `[start, end)` offsets in the line.
    pub ranges: Vec<[u64; 2]>,
}

/// When to stop one search early: `$/cancel`, the collector giving up (main is gone), or the
/// deadline passing.
pub(super) struct Stop<'a> {
    pub cancel: &'a CancelToken,
    pub deadline: Instant,
    /// Set once the deadline cut work short, so the answer can say so.
    pub timed_out: AtomicBool,
    /// Set by the collector when nobody wants the answer any more.
    pub abort: AtomicBool,
}

impl Stop<'_> {
    /// Whether to stop now; notes a deadline that passed.
    pub fn now(&self) -> bool {
        if self.cancel.is_cancelled() || self.abort.load(Ordering::Relaxed) {
            return true;
        }
        if Instant::now() >= self.deadline {
            self.timed_out.store(true, Ordering::Relaxed);
            return true;
        }
        false
    }
}

/// Collects the matching lines of one file.
pub(super) struct FileSink<'a> {
    pub matcher: &'a RegexMatcher,
    pub stop: &'a Stop<'a>,
    /// Stop after this many matches in this file (more cannot make it into the answer).
    pub cap: usize,
    /// Matches collected so far (the sum of the lines' range counts).
    pub matches: usize,
    pub found: Vec<FoundLine>,
    pub binary: bool,
    /// Set (before the first match) when the file starts with a UTF-8 byte order mark.
    pub bom: &'a Cell<bool>,
    /// Set when a stop (not the cap) ended this file early.
    pub cut: &'a Cell<bool>,
}

impl Sink for FileSink<'_> {
    type Error = std::io::Error;

    fn matched(&mut self, _searcher: &Searcher, mat: &SinkMatch<'_>) -> Result<bool, Self::Error> {
        if self.stop.now() {
            self.cut.set(true);
            return Ok(false);
        }
        let line = trim_line_end(mat.bytes());
        let number = mat.line_number().unwrap_or(0);
        // The BOM the searcher took away is one UTF-16 unit at the start of line 1.
        let bom = number == 1 && self.bom.get();
        let lead = u64::from(bom);
        // Matches come in order, so UTF-16 offsets are counted incrementally: a long line with
        // many matches is scanned once, not once per match.
        let mut counted = (0usize, lead);
        let mut units_at = |byte: usize| {
            counted.1 += utf16_len(&line[counted.0..byte]);
            counted.0 = byte;
            counted.1
        };
        let (mut ranges, mut first_byte) = (Vec::new(), None);
        let (cap, already) = (self.cap, self.matches);
        let _ = self.matcher.find_iter(line, |m| {
            // An empty match (a regex like `x*`) still marks a place; it is kept as `[s, s]`.
            first_byte.get_or_insert(m.start());
            let start = units_at(m.start());
            let end = units_at(m.end());
            ranges.push([start, end]);
            already + ranges.len() < cap
        });
        let Some(first_byte) = first_byte else {
            // The searcher reports a line only when the matcher matched it; a line that matched
            // as a whole but yields no occurrence here cannot happen, but is skipped if it does.
            return Ok(true);
        };
        let (text, text_offset) = if line.len() <= MAX_TEXT {
            let text = String::from_utf8_lossy(line);
            (if bom { format!("\u{feff}{text}") } else { text.into_owned() }, None)
        } else {
            let start = char_start(line, first_byte.saturating_sub(EXCERPT_LEAD));
            let end = char_start(line, (start + MAX_TEXT).min(line.len()));
            (String::from_utf8_lossy(&line[start..end]).into_owned(), Some(lead + utf16_len(&line[..start])))
        };
        self.matches += ranges.len();
        self.found.push(FoundLine { line: number, text, text_offset, ranges });
        Ok(self.matches < self.cap)
    }

    fn binary_data(&mut self, _searcher: &Searcher, _offset: u64) -> Result<bool, Self::Error> {
        self.binary = true;
        Ok(false)
    }
}

/// The nearest UTF-8 character start at or before `at` (continuation bytes are skipped back over).
fn char_start(line: &[u8], mut at: usize) -> usize {
    while at > 0 && at < line.len() && line[at] & 0xC0 == 0x80 {
        at -= 1;
    }
    at
}

fn trim_line_end(line: &[u8]) -> &[u8] {
    let line = line.strip_suffix(b"\n").unwrap_or(line);
    line.strip_suffix(b"\r").unwrap_or(line)
}

/// Length in UTF-16 code units of `bytes` read as UTF-8 (invalid sequences count as U+FFFD).
pub(super) fn utf16_len(bytes: &[u8]) -> u64 {
    if bytes.is_ascii() {
        return bytes.len() as u64;
    }
    String::from_utf8_lossy(bytes).encode_utf16().count() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_utf16_units() {
        assert_eq!(utf16_len(b"abc"), 3);
        assert_eq!(utf16_len("é".as_bytes()), 1);
        assert_eq!(utf16_len("😀x".as_bytes()), 3);
        assert_eq!(utf16_len(b"\xffa"), 2);
    }

    #[test]
    fn excerpts_start_on_character_boundaries() {
        let line = "aé😀b".as_bytes();
        assert_eq!(char_start(line, 2), 1);
        assert_eq!(char_start(line, 5), 3);
        assert_eq!(char_start(line, 7), 7);
        assert_eq!(char_start(line, line.len()), line.len());
    }

    #[test]
    fn trims_line_terminators() {
        assert_eq!(trim_line_end(b"a\r\n"), b"a");
        assert_eq!(trim_line_end(b"a\n"), b"a");
        assert_eq!(trim_line_end(b"a"), b"a");
    }
}
