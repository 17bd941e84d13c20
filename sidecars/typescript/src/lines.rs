//! Byte offsets to LSP positions. The parser reports UTF-8 byte offsets; clients count lines from
//! 0 and characters in UTF-16 code units (LSP's default), so a line table is built once per parse
//! and each offset is converted by counting the UTF-16 units between its line's start and itself.

use crate::summary::{Position, Range};

/// Line starts of one text, for converting offsets while that text is alive.
pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<u32>,
}

impl<'t> Lines<'t> {
    /// Indexes the line starts of `text` (`\n`, `\r\n` and a lone `\r` end a line, as in LSP).
    pub fn new(text: &'t str) -> Lines<'t> {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\n' => starts.push(i as u32 + 1),
                b'\r' if bytes.get(i + 1) != Some(&b'\n') => starts.push(i as u32 + 1),
                _ => {}
            }
            i += 1;
        }
        Lines { text, starts }
    }

    /// The position of byte `offset` (clamped to the text; an offset inside a character counts
    /// from that character's start).
    pub fn position(&self, offset: u32) -> Position {
        let offset = offset.min(self.text.len() as u32);
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line] as usize;
        let mut end = offset as usize;
        while !self.text.is_char_boundary(end) {
            end -= 1;
        }
        let character = self.text[start..end].encode_utf16().count() as u32;
        Position { line: line as u32, character }
    }

    /// The range of bytes `start..end`.
    pub fn range(&self, start: u32, end: u32) -> Range {
        Range { start: self.position(start), end: self.position(end) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units_from_each_line_start() {
        // "é" is 2 bytes and 1 unit; "😀" is 4 bytes and 2 units; lines end with \n, \r\n, \r.
        let text = "aé😀b\nx\r\ny\rz";
        let lines = Lines::new(text);
        let b = text.find('b').unwrap() as u32;
        assert_eq!(lines.position(b), Position { line: 0, character: 4 });
        assert_eq!(lines.position(text.find('y').unwrap() as u32), Position { line: 2, character: 0 });
        assert_eq!(lines.position(text.find('z').unwrap() as u32), Position { line: 3, character: 0 });
        assert_eq!(lines.position(999), Position { line: 3, character: 1 });
    }
}
