//! Reading newline-delimited lines with a length limit. A line longer than the limit is skipped
//! up to its newline without being buffered whole, so a runaway or hostile writer costs the
//! sidecar a bounded amount of memory and the next line is read normally.

use std::io::{self, BufRead};

/// One framed line, without its trailing `\n` (and `\r`).
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Line {
    /// A line within the limit; its bytes are in the caller's buffer.
    Complete,
    /// A line over the limit; `len` bytes were discarded.
    TooLong { len: u64 },
}

/// Reads the next line into `buf` (cleared first). Returns `Ok(None)` at end of input.
/// A final line without a trailing newline still counts as a line.
pub(crate) fn read_line(r: &mut impl BufRead, limit: usize, buf: &mut Vec<u8>) -> io::Result<Option<Line>> {
    buf.clear();
    let mut discarded: Option<u64> = None;
    let mut seen_any = false;
    loop {
        let available = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if available.is_empty() {
            return Ok(match (seen_any, discarded) {
                (false, _) => None,
                (true, Some(len)) => Some(Line::TooLong { len }),
                (true, None) => Some(finish(buf)),
            });
        }
        seen_any = true;
        let newline = available.iter().position(|&b| b == b'\n');
        let chunk = &available[..newline.unwrap_or(available.len())];
        match &mut discarded {
            Some(len) => *len += chunk.len() as u64,
            None if buf.len() + chunk.len() > limit => {
                // Switch to discarding: what was buffered so far is released right away.
                discarded = Some((buf.len() + chunk.len()) as u64);
                *buf = Vec::new();
            }
            None => buf.extend_from_slice(chunk),
        }
        let used = chunk.len() + usize::from(newline.is_some());
        r.consume(used);
        if newline.is_some() {
            return Ok(Some(match discarded {
                Some(len) => Line::TooLong { len },
                None => finish(buf),
            }));
        }
    }
}

fn finish(buf: &mut Vec<u8>) -> Line {
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Line::Complete
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_lines_and_skips_long_ones() {
        // A tiny internal buffer makes long lines span many `fill_buf` calls.
        let input = b"ab\r\n0123456789\ncd\nlast".to_vec();
        let mut r = io::BufReader::with_capacity(3, &input[..]);
        let mut buf = Vec::new();
        assert_eq!(read_line(&mut r, 5, &mut buf).unwrap(), Some(Line::Complete));
        assert_eq!(buf, b"ab");
        assert_eq!(read_line(&mut r, 5, &mut buf).unwrap(), Some(Line::TooLong { len: 10 }));
        assert!(buf.capacity() <= 5, "a long line must not be buffered whole");
        assert_eq!(read_line(&mut r, 5, &mut buf).unwrap(), Some(Line::Complete));
        assert_eq!(buf, b"cd");
        assert_eq!(read_line(&mut r, 5, &mut buf).unwrap(), Some(Line::Complete));
        assert_eq!(buf, b"last");
        assert_eq!(read_line(&mut r, 5, &mut buf).unwrap(), None);
    }
}
