//! The per-file `grep_searcher::Sink`: turns each matching line into one [`Found`] per match
//! occurrence, with the column counted in UTF-16 code units because that is what a JavaScript
//! string indexes. A line longer than [`MAX_TEXT`] bytes (minified code) is not copied whole into
//! every occurrence; each gets an excerpt around its match and the excerpt's offset instead, so
//! one long line cannot blow a response up to hundreds of megabytes. The sink stops the file
//! early on cancellation or once it alone holds more than the result cap, and remembers whether
//! the searcher saw binary data so the caller can drop the file. The searcher strips a UTF-8
//! byte order mark before matching, but `workspace/readFile` returns the file as it is, BOM
//! included, so on line 1 of such a file columns count the BOM and `text` keeps it: a column
//! always indexes the line as main holds it.

use std::cell::Cell;

use grep_matcher::Matcher;
use grep_regex::RegexMatcher;
use grep_searcher::{Searcher, Sink, SinkMatch};
use skaffa_protocol::CancelToken;

/// Lines longer than this many bytes are reported as excerpts.
pub(super) const MAX_TEXT: usize = 1000;

/// How much of the line an excerpt keeps before the match, in bytes.
const EXCERPT_LEAD: usize = 100;

/// One match occurrence in file number `file` of the search's file list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Found {
    pub file: usize,
    pub line: u64,
    pub column: u64,
    pub text: String,
    /// For an excerpt: where `text` starts in the line, in UTF-16 code units.
    pub text_offset: Option<u64>,
}

/// Collects the matches of one file.
pub(super) struct FileSink<'a> {
    pub matcher: &'a RegexMatcher,
    pub cancel: &'a CancelToken,
    pub file: usize,
    /// Stop after this many matches in this file (more cannot make it into the answer).
    pub cap: usize,
    pub found: Vec<Found>,
    pub binary: bool,
    /// Set (before the first match) when the file starts with a UTF-8 byte order mark.
    pub bom: &'a Cell<bool>,
}

impl Sink for FileSink<'_> {
    type Error = std::io::Error;

    fn matched(&mut self, _searcher: &Searcher, mat: &SinkMatch<'_>) -> Result<bool, Self::Error> {
        if self.cancel.is_cancelled() {
            return Ok(false);
        }
        let line = trim_line_end(mat.bytes());
        let number = mat.line_number().unwrap_or(0);
        // The BOM the searcher took away is one UTF-16 unit at the start of line 1.
        let bom = number == 1 && self.bom.get();
        let lead = u64::from(bom);
        let whole = (line.len() <= MAX_TEXT).then(|| {
            let text = String::from_utf8_lossy(line);
            if bom {
                format!("\u{feff}{text}")
            } else {
                text.into_owned()
            }
        });
        let (file, cap, found) = (self.file, self.cap, &mut self.found);
        // Occurrences come in order, so UTF-16 offsets are counted incrementally: a long line
        // with many matches is scanned once, not once per match.
        let mut counted = (0usize, 0u64);
        let mut units_at = |byte: usize| {
            counted.1 += utf16_len(&line[counted.0..byte]);
            counted.0 = byte;
            counted.1
        };
        // The matcher only reports one line per call; every occurrence on it is its own result.
        let _ = self.matcher.find_iter(line, |m| {
            let column = lead + units_at(m.start()) + 1;
            let (text, text_offset) = match &whole {
                Some(text) => (text.clone(), None),
                None => {
                    let start = char_start(line, m.start().saturating_sub(EXCERPT_LEAD));
                    let end = char_start(line, (start + MAX_TEXT).min(line.len()));
                    let offset = column - 1 - utf16_len(&line[start..m.start()]);
                    (String::from_utf8_lossy(&line[start..end]).into_owned(), Some(offset))
                }
            };
            found.push(Found { file, line: number, column, text, text_offset });
            found.len() < cap
        });
        Ok(self.found.len() < self.cap)
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
