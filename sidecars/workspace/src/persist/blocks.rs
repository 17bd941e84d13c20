//! The entries of a snapshot, in blocks of [`BLOCK`] files laid out so that loading a million of
//! them is mostly copying (a warm start answers from them before anything else): each block's
//! paths are front-coded exactly as the index keeps them in memory (`index::frontcode`, one
//! restart per block), and its file keys are fixed-width little-endian words.
//!
//! ```text
//! block: file count (varint; BLOCK but in the last block), path bytes (varint length, then per
//!        path: shared-prefix length, suffix length, suffix; the first path whole), per file 40
//!        bytes (device, inode, size, mtime ns, ctime ns as u64 LE), symlink bits (u64 LE words,
//!        one bit per file), hash count (varint), per hash: file in block (u16 LE), hash (16
//!        bytes LE), computed at (i64 LE)
//! ```
//!
//! A block is parsed for its bounds first (cheap), then every path is decoded once to check it is
//! UTF-8 and sorts strictly after the one before it, on all cores, before any of it is used.

use std::cmp::Ordering;
use std::sync::Arc;

use super::format::Entry;
use super::mapped::Bytes;
use super::parse::Reader;
use crate::hashes::FileKey;

/// Files per block: the index's restart interval, so a block's path bytes are one restart's.
pub const BLOCK: usize = crate::index::RESTART;
const KEY_BYTES: usize = 40;
const HASH_BYTES: usize = 2 + 16 + 8;

/// One block of a snapshot, borrowed from the file's bytes.
pub struct Block<'a> {
    /// Number of files in it.
    pub count: usize,
    /// The files' paths, front-coded as `index::frontcode` stores them (the first one whole).
    pub paths: &'a [u8],
    /// Where `paths` begins in the file.
    pub paths_at: usize,
    /// Where `keys` begins in the file.
    keys_at: usize,
    keys: &'a [u8],
    bits: &'a [u8],
    hashes: &'a [u8],
}

impl Block<'_> {
    /// The key of file `i` of the block.
    pub fn key(&self, i: usize) -> FileKey {
        decode_key(self.keys, i * KEY_BYTES)
    }

    /// The symlink bits, one per file, as 64-bit words.
    pub fn symlink_words(&self) -> impl ExactSizeIterator<Item = u64> + '_ {
        self.bits.chunks_exact(8).map(|w| u64::from_le_bytes(w.try_into().expect("8 bytes")))
    }

    /// Whether file `i` is a symlink.
    pub fn symlink(&self, i: usize) -> bool {
        self.bits[i / 8] & (1 << (i % 8)) != 0
    }

    /// `(file in block, hash, computed at)` of the files whose hash was known, in order.
    pub fn hashes(&self) -> impl Iterator<Item = (usize, u128, i64)> + '_ {
        self.hashes.chunks_exact(HASH_BYTES).map(|h| {
            let i = u16::from_le_bytes(h[..2].try_into().expect("2 bytes")) as usize;
            let hash = u128::from_le_bytes(h[2..18].try_into().expect("16 bytes"));
            (i, hash, i64::from_le_bytes(h[18..].try_into().expect("8 bytes")))
        })
    }

    /// Calls `f` with every entry of the block in order (checked by [`validate`] first).
    pub fn for_each(&self, f: &mut dyn FnMut(Entry<'_>) -> Result<(), String>) -> Result<(), String> {
        let mut hashes = self.hashes().peekable();
        let (mut at, mut path) = (0, Vec::new());
        for i in 0..self.count {
            next_path(self.paths, &mut at, &mut path).ok_or("bad path")?;
            let hash = hashes.next_if(|(h, _, _)| *h == i).map(|(_, h, c)| (h, c));
            let path = std::str::from_utf8(&path).map_err(|e| e.to_string())?;
            f(Entry { path, key: self.key(i), symlink: self.symlink(i), hash })?;
        }
        Ok(())
    }
}

/// Reads the bounds of the next block of `count` files.
pub(super) fn parse<'a>(r: &mut Reader<'a>, count: usize) -> Option<Block<'a>> {
    if r.varint()? != count as u64 {
        return None;
    }
    let len = usize::try_from(r.varint()?).ok()?;
    let paths_at = r.at();
    let paths = r.take(len)?;
    let keys_at = r.at();
    let keys = r.take(count * KEY_BYTES)?;
    let bits = r.take(count.div_ceil(64) * 8)?;
    let len = usize::try_from(r.varint()?).ok()?.checked_mul(HASH_BYTES)?;
    let hashes = r.take(len)?;
    Some(Block { count, paths, paths_at, keys_at, keys, bits, hashes })
}

/// The file keys of a whole snapshot, read where they lie in its bytes (a million of them are
/// 40 MB: copied out, they would cost as much again, and the catch-up reads each once).
pub struct Keys {
    bytes: Arc<Bytes>,
    /// Where each block's keys begin.
    starts: Vec<usize>,
}

impl Keys {
    /// The keys of `blocks`, all parsed from `bytes`.
    pub(super) fn new(bytes: Arc<Bytes>, starts: Vec<usize>) -> Keys {
        Keys { bytes, starts }
    }

    /// The key of file `i` (in snapshot order).
    pub fn get(&self, i: usize) -> FileKey {
        decode_key(&self.bytes, self.starts[i / BLOCK] + (i % BLOCK) * KEY_BYTES)
    }
}

/// The key written at `at` in `bytes` (five u64 LE words).
fn decode_key(bytes: &[u8], at: usize) -> FileKey {
    let w = |k: usize| u64::from_le_bytes(bytes[at + k * 8..][..8].try_into().expect("8 bytes"));
    FileKey { device: w(0), inode: w(1), size: w(2), mtime_ns: w(3) as i64, ctime_ns: w(4) as i64 }
}

/// Where each of `blocks` keeps its keys, for [`Keys::new`].
pub(super) fn key_starts(blocks: &[Block<'_>]) -> Vec<usize> {
    blocks.iter().map(|b| b.keys_at).collect()
}

/// Checks every path of every block (UTF-8, non-empty, strictly increasing across blocks too)
/// and that the hashes name files of their block in order, on all cores.
pub(super) fn validate(blocks: &[Block<'_>]) -> bool {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let per = blocks.len().div_ceil(threads).max(1);
    let ends: Vec<Option<(Vec<u8>, Vec<u8>)>> = std::thread::scope(|s| {
        let parts: Vec<_> = blocks.chunks(per).map(|part| s.spawn(move || check_run(part))).collect();
        parts.into_iter().map(|h| h.join().unwrap_or(None)).collect()
    });
    let mut last: Option<Vec<u8>> = None;
    for part in ends {
        let Some((first, end)) = part else { return false };
        if last.is_some_and(|l| l >= first) {
            return false;
        }
        last = Some(end);
    }
    true
}

/// [`validate`] for consecutive blocks; their first and last paths, `None` when one is bad.
///
/// Each path is checked only where it differs from the one before, which was checked whole: it
/// shares that one's first `shared` bytes, so it sorts after it when its suffix sorts after the
/// rest of the one before; it is UTF-8 when its bytes from the last character boundary at or
/// before `shared` are; and it is normal when its components from the last `/` before `shared`
/// are. So a million paths cost about their suffixes, not their whole lengths.
fn check_run(blocks: &[Block<'_>]) -> Option<(Vec<u8>, Vec<u8>)> {
    let (mut path, mut first) = (Vec::new(), None);
    for block in blocks {
        let mut at = 0;
        for i in 0..block.count {
            let (shared, suffix) = next_suffix(block.paths, &mut at)?;
            // The first path of a block is whole (and the first of a run sorts after nothing).
            if (i == 0 && shared != 0) || shared > path.len() {
                return None;
            }
            if !path.is_empty() && suffix.cmp(&path[shared..]) != Ordering::Greater {
                return None;
            }
            // The last character boundary and the last component start the two paths share.
            let boundary = |k: usize| k == path.len() || !is_continuation(path[k]);
            let utf8_from = match suffix.is_ascii() {
                // The usual case, with nothing to decode. (Had the shared bytes ended inside a
                // character, the byte after them would be a continuation byte, 0x80 or more, and
                // an ASCII suffix would sort before it: the order check has refused that.)
                true => None,
                false => Some((0..=shared).rev().find(|&k| boundary(k))?),
            };
            let part_start = path[..shared].iter().rposition(|b| *b == b'/').map_or(0, |k| k + 1);
            path.truncate(shared);
            path.extend_from_slice(suffix);
            if !normal(&path[part_start..]) || utf8_from.is_some_and(|k| std::str::from_utf8(&path[k..]).is_err()) {
                return None;
            }
            first.get_or_insert_with(|| path.clone());
        }
        let mut order = block.hashes().map(|(i, _, _)| i);
        let mut before = None;
        if at != block.paths.len() || !order.all(|i| i < block.count && before.replace(i).is_none_or(|b| b < i)) {
            return None;
        }
    }
    Some((first?, path))
}

/// Whether `b` continues a UTF-8 character (is not the first byte of one).
fn is_continuation(b: u8) -> bool {
    b & 0xC0 == 0x80
}

/// Whether `path` is a workspace-relative path as the index writes them: not empty, no leading or
/// trailing `/`, no empty, `.` or `..` component (and on Windows no `\\` or `:`), so that joined
/// to the root it can only name something below it.
pub(super) fn normal(path: &[u8]) -> bool {
    !path.is_empty()
        && path.split(|b| *b == b'/').all(|c| !c.is_empty() && c != b"." && c != b"..")
        && !(cfg!(windows) && path.iter().any(|b| *b == b'\\' || *b == b':'))
}

/// Decodes the next front-coded path at `at` into `path` (which holds the previous one);
/// returns the shared length, `None` when it does not fit.
fn next_path(bytes: &[u8], at: &mut usize, path: &mut Vec<u8>) -> Option<usize> {
    let (shared, suffix) = next_suffix(bytes, at)?;
    if shared > path.len() {
        return None;
    }
    path.truncate(shared);
    path.extend_from_slice(suffix);
    Some(shared)
}

/// The next front-coded path at `at`: its shared-prefix length and its suffix.
fn next_suffix<'a>(bytes: &'a [u8], at: &mut usize) -> Option<(usize, &'a [u8])> {
    let shared = varint(bytes, at)?;
    let n = varint(bytes, at)?;
    let end = at.checked_add(n).filter(|&e| e <= bytes.len())?;
    let suffix = &bytes[*at..end];
    *at = end;
    Some((shared, suffix))
}

fn varint(bytes: &[u8], at: &mut usize) -> Option<usize> {
    let mut v = 0usize;
    for shift in (0..64).step_by(7) {
        let b = *bytes.get(*at)?;
        *at += 1;
        v |= usize::from(b & 0x7f).checked_shl(shift)?;
        if b & 0x80 == 0 {
            return Some(v);
        }
    }
    None
}

/// Collects the entries of one block and encodes it.
#[derive(Default)]
pub(super) struct BlockWriter {
    count: usize,
    paths: Vec<u8>,
    prev: Vec<u8>,
    keys: Vec<u8>,
    bits: Vec<u8>,
    hashes: Vec<u8>,
}

impl BlockWriter {
    /// Adds the next entry; true when the block is then full.
    pub(super) fn push(&mut self, e: &Entry<'_>) -> bool {
        let path = e.path.as_bytes();
        let shared = if self.count == 0 { 0 } else { self.prev.iter().zip(path).take_while(|(a, b)| a == b).count() };
        put(&mut self.paths, shared as u64);
        put(&mut self.paths, (path.len() - shared) as u64);
        self.paths.extend_from_slice(&path[shared..]);
        self.prev.clear();
        self.prev.extend_from_slice(path);
        let k = e.key;
        for v in [k.device, k.inode, k.size, k.mtime_ns as u64, k.ctime_ns as u64] {
            self.keys.extend_from_slice(&v.to_le_bytes());
        }
        if self.count.is_multiple_of(64) {
            self.bits.extend_from_slice(&[0; 8]);
        }
        if e.symlink {
            self.bits[self.count / 8] |= 1 << (self.count % 8);
        }
        if let Some((hash, computed)) = e.hash {
            self.hashes.extend_from_slice(&(self.count as u16).to_le_bytes());
            self.hashes.extend_from_slice(&hash.to_le_bytes());
            self.hashes.extend_from_slice(&computed.to_le_bytes());
        }
        self.count += 1;
        self.count == BLOCK
    }

    /// Number of entries waiting.
    pub(super) fn len(&self) -> usize {
        self.count
    }

    /// Appends the block to `out` and starts the next one.
    pub(super) fn finish_into(&mut self, out: &mut Vec<u8>) {
        put(out, self.count as u64);
        put(out, self.paths.len() as u64);
        out.extend_from_slice(&self.paths);
        out.extend_from_slice(&self.keys);
        out.extend_from_slice(&self.bits);
        put(out, (self.hashes.len() / HASH_BYTES) as u64);
        out.extend_from_slice(&self.hashes);
        // The buffers are kept for the next block (the first path of a block is whole anyway).
        self.count = 0;
        self.paths.clear();
        self.keys.clear();
        self.bits.clear();
        self.hashes.clear();
    }
}

/// An unsigned LEB128 varint, as `index::frontcode` writes its lengths.
pub(super) fn put(buf: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        buf.push((v as u8) | 0x80);
        v >>= 7;
    }
    buf.push(v as u8);
}

#[cfg(test)]
#[path = "blocks_tests.rs"]
mod tests;
