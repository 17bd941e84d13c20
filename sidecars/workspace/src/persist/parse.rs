//! Reading a snapshot's body (see `format` for the layout): a bounds-checked cursor, and the parse
//! of the header, the blocks' bounds and the folder records, with every path checked.

use super::blocks::{self, Block, BLOCK};
use super::format::{Header, Reject};
use crate::index::Print;

/// Everything after the header of a snapshot, parsed and checked.
pub(super) type Body<'a> = Result<(Vec<Block<'a>>, Vec<(String, Print)>), Reject>;

/// Parses a snapshot's `body` (all but the checksum): its header, if it has one, and what follows.
pub(super) fn parse(body: &[u8]) -> (Option<Header>, Body<'_>) {
    let mut r = Reader { bytes: body, at: 12 };
    let Some(header) = r.header() else { return (None, Err(Reject::Corrupt("bad header".into()))) };
    let rest = parse_rest(&mut r, &header);
    (Some(header), rest)
}

/// The blocks and folder records after the header, every path checked (see `blocks::validate`).
fn parse_rest<'a>(r: &mut Reader<'a>, header: &Header) -> Body<'a> {
    // Every file takes at least 40 bytes, so a larger count is damage (checked before allocating).
    let files = usize::try_from(header.files)
        .ok()
        .filter(|n| n.saturating_mul(40) <= r.bytes.len())
        .ok_or_else(|| Reject::Corrupt("file count".into()))?;
    let mut parsed = Vec::with_capacity(files.div_ceil(BLOCK));
    for b in 0..files.div_ceil(BLOCK) {
        let count = BLOCK.min(files - b * BLOCK);
        parsed.push(blocks::parse(r, count).ok_or_else(|| Reject::Corrupt("bad block".into()))?);
    }
    // The folder records are decoded while the files' paths are checked.
    let (folders, valid) = std::thread::scope(|s| {
        let valid = s.spawn(|| blocks::validate(&parsed));
        (folder_records(r, header.folders), valid.join().unwrap_or(false))
    });
    let folders = folders?;
    if r.at != r.bytes.len() {
        return Err(Reject::Corrupt("bytes after the last entry".into()));
    }
    if !valid {
        return Err(Reject::Corrupt("bad path".into()));
    }
    Ok((parsed, folders))
}

/// The `count` folder records at `r`.
fn folder_records(r: &mut Reader<'_>, count: u64) -> Result<Vec<(String, Print)>, Reject> {
    let (mut folder, mut folders) = (String::new(), Vec::new());
    for i in 0..count {
        let print = r.folder(&mut folder, i == 0).ok_or_else(|| Reject::Corrupt("bad folder record".into()))?;
        folders.push((folder.clone(), print));
    }
    Ok(folders)
}

/// A cursor over a checksummed body; every read is bounds-checked (`None` past the end).
pub(super) struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    pub(super) fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.at.checked_add(n).filter(|&e| e <= self.bytes.len())?;
        let s = &self.bytes[self.at..end];
        self.at = end;
        Some(s)
    }

    /// Where the next read begins.
    pub(super) fn at(&self) -> usize {
        self.at
    }

    pub(super) fn varint(&mut self) -> Option<u64> {
        let mut v = 0u64;
        for shift in (0..64).step_by(7) {
            let b = *self.take(1)?.first()?;
            v |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Some(v);
            }
        }
        None
    }

    fn text(&mut self) -> Option<&'a str> {
        let n = usize::try_from(self.varint()?).ok()?;
        std::str::from_utf8(self.take(n)?).ok()
    }

    fn header(&mut self) -> Option<Header> {
        let version = self.text()?.to_owned();
        let root = self.text()?.to_owned();
        let (root_device, root_inode, options) = (self.varint()?, self.varint()?, self.varint()?);
        let written_ns = unzigzag(self.varint()?);
        let files = self.varint()?;
        let (folders, global) = (self.varint()?, self.varint()?);
        Some(Header { version, root, root_device, root_inode, options, written_ns, files, folders, global })
    }

    /// Replaces `path` (the previous path) by the next front-coded one, if `fits(new, after)`,
    /// where `after` says whether the new one sorts after the previous one.
    fn next_path(&mut self, path: &mut String, fits: impl Fn(&str, bool) -> bool) -> Option<()> {
        let shared = usize::try_from(self.varint()?).ok()?;
        let suffix = self.text()?;
        if shared > path.len() || !path.is_char_boundary(shared) {
            return None;
        }
        // Both share `shared` bytes, so the rest decides the order.
        let after = suffix.as_bytes() > &path.as_bytes()[shared..];
        path.truncate(shared);
        path.push_str(suffix);
        fits(path, after).then_some(())
    }

    /// The next folder record; `path` holds the previous one's path (none before the `first`)
    /// and is updated to this one's, which must sort after it (the root, `""`, sorts first).
    fn folder(&mut self, path: &mut String, first: bool) -> Option<Print> {
        // The root is "" and comes first; every other folder is a normal relative path, after the last.
        let normal = |path: &str| blocks::normal(path.as_bytes());
        self.next_path(
            path,
            |path, after| if first { path.is_empty() || normal(path) } else { normal(path) && after },
        )?;
        let mut word = || Some(u64::from_le_bytes(self.take(8)?.try_into().ok()?));
        Some(Print { folder: word()?, rules: word()? })
    }
}

fn unzigzag(v: u64) -> i64 {
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}
