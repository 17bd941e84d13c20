//! The index snapshot's file format, version 3. One file per root in the cache folder:
//!
//! ```text
//! magic "SKWSNAP\0" · format version (u32 LE)
//! header, in varints: sidecar version, root path, root device, root inode, options hash,
//!                     snapshot time (ns since the epoch), file count, folder count,
//!                     global excludes print
//! files, sorted by path, in blocks of 1024 (see `blocks`)
//! folders, sorted by path (the root is ""): shared-prefix length, suffix length, suffix bytes,
//!                     folder print, rules print (u64 LE each; see `index::folders`)
//! trailer: xxh3-64 of every byte before it (u64 LE)
//! ```
//!
//! Integers in the header are LEB128 varints (signed ones zigzagged); a million files take about
//! 70 MB. [`read_blocks`] checks the whole checksum, then every path, before it hands out a single
//! entry: a truncated or corrupt file yields nothing, never part of an index.
//! [`write`] is atomic: a temporary file beside the snapshot, fsync, rename over it, fsync of the
//! folder; a crash at any point leaves either the old snapshot or the new one, whole.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::sync::Arc;

use xxhash_rust::xxh3::{xxh3_64, Xxh3};

use super::blocks::{self, put, Block, BlockWriter, Keys};
use super::mapped::{self, Bytes};
use super::parse::parse;
use crate::hashes::FileKey;
use crate::index::{Folders, Print};

const MAGIC: &[u8; 8] = b"SKWSNAP\0";
/// Bumped whenever the layout changes; a snapshot of another version is never read.
pub const FORMAT_VERSION: u32 = 3;

/// What a snapshot says about the index as a whole; it must match the running sidecar's.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Header {
    /// The sidecar's version (`CARGO_PKG_VERSION`) that wrote it.
    pub version: String,
    /// The canonical root, as text.
    pub root: String,
    /// The root folder's device and inode (0 where the platform has none).
    pub root_device: u64,
    /// See `root_device`.
    pub root_inode: u64,
    /// A hash of the options that decide which files are indexed (`--exclude`, `--no-ignore`).
    pub options: u64,
    /// When the entries were read from disk (the start of that pass), in ns since the epoch: the
    /// racy rule measures every entry's times against it.
    pub written_ns: i64,
    /// Number of entries.
    pub files: u64,
    /// Number of folder records (0: the snapshot has none, and a warm start walks the tree).
    pub folders: u64,
    /// The print of git's global excludes when the folders were recorded.
    pub global: u64,
}

/// One file of a snapshot.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry<'a> {
    /// Workspace-relative path with `/`.
    pub path: &'a str,
    /// Identity and times when the snapshot was taken.
    pub key: FileKey,
    /// True for a symbolic link (listed as itself).
    pub symlink: bool,
    /// The content hash and when its computation started, if one was known.
    pub hash: Option<(u128, i64)>,
}

/// Why a snapshot was not used; the `Display` text is the one stderr line and status reason.
#[derive(Debug, PartialEq, Eq)]
pub enum Reject {
    /// There is no snapshot yet.
    Missing,
    /// It could not be read.
    Unreadable(String),
    /// It ends early or its checksum does not match.
    Corrupt(String),
    /// It is whole but describes something else: another format, sidecar version, root or options.
    Foreign(String),
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Reject::Missing => write!(f, "no snapshot yet"),
            Reject::Unreadable(why) => write!(f, "snapshot unreadable: {why}"),
            Reject::Corrupt(why) => write!(f, "snapshot corrupt: {why}"),
            Reject::Foreign(why) => write!(f, "snapshot not for this index: {why}"),
        }
    }
}

/// Writes `header` and `entries` (sorted by path, `header.files` of them) to `path` atomically.
/// An entry that is an `Err` aborts the write and leaves whatever was at `path` as it was.
pub fn write<'a>(
    path: &Path,
    header: &Header,
    entries: impl Iterator<Item = io::Result<Entry<'a>>>,
    folders: Option<&Folders>,
) -> io::Result<()> {
    write_with(path, header, |sink| entries.into_iter().try_for_each(|e| sink(e?)), folders)
}

/// [`write`] for a producer that pushes its entries into `sink` (as `Snapshot::for_each` does);
/// an error from `fill` aborts the write the same way.
pub fn write_with(
    path: &Path,
    header: &Header,
    fill: impl FnOnce(&mut dyn FnMut(Entry<'_>) -> io::Result<()>) -> io::Result<()>,
    folders: Option<&Folders>,
) -> io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let written = write_file(&tmp, header, fill, folders);
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    std::fs::rename(&tmp, path)?;
    sync_folder(path)
}

fn write_file(
    tmp: &Path,
    header: &Header,
    fill: impl FnOnce(&mut dyn FnMut(Entry<'_>) -> io::Result<()>) -> io::Result<()>,
    folders: Option<&Folders>,
) -> io::Result<()> {
    let file = File::create(tmp)?;
    let mut out = Summed { inner: BufWriter::with_capacity(1 << 20, file), sum: Xxh3::new() };
    out.write_all(MAGIC)?;
    out.write_all(&FORMAT_VERSION.to_le_bytes())?;
    let mut buf = Vec::with_capacity(256);
    put_bytes(&mut buf, header.version.as_bytes());
    put_bytes(&mut buf, header.root.as_bytes());
    let fields = [header.root_device, header.root_inode, header.options, zigzag(header.written_ns), header.files];
    for v in fields.into_iter().chain([header.folders, header.global]) {
        put(&mut buf, v);
    }
    out.write_all(&buf)?;
    let (mut block, mut count) = (BlockWriter::default(), 0u64);
    fill(&mut |e: Entry<'_>| {
        count += 1;
        if block.push(&e) {
            buf.clear();
            block.finish_into(&mut buf);
            out.write_all(&buf)?;
        }
        Ok(())
    })?;
    if block.len() > 0 {
        buf.clear();
        block.finish_into(&mut buf);
        out.write_all(&buf)?;
    }
    if count != header.files {
        return Err(io::Error::other(format!("{count} entries for a header of {}", header.files)));
    }
    if folders.map_or(0, |f| f.len() as u64) != header.folders {
        return Err(io::Error::other(format!("folder records for a header of {}", header.folders)));
    }
    let mut previous = String::new();
    let mut written = Ok(());
    folders.into_iter().for_each(|f| {
        f.for_each(&mut |path, print| {
            buf.clear();
            let shared = shared_prefix(&previous, path);
            put(&mut buf, shared as u64);
            put_bytes(&mut buf, &path.as_bytes()[shared..]);
            buf.extend_from_slice(&print.folder.to_le_bytes());
            buf.extend_from_slice(&print.rules.to_le_bytes());
            if written.is_ok() {
                written = out.write_all(&buf);
            }
            previous.clear();
            previous.push_str(path);
        })
    });
    written?;
    let sum = out.sum.digest();
    out.inner.write_all(&sum.to_le_bytes())?;
    let file = out.inner.into_inner().map_err(|e| e.into_error())?;
    file.sync_all()
}

/// Makes the rename durable: on Unix the folder's entry is fsynced too. Windows has no handle on
/// a folder for that; its rename (MoveFileEx with replace) is journaled by NTFS.
fn sync_folder(path: &Path) -> io::Result<()> {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        File::open(dir)?.sync_all()?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// A writer that hashes what passes through it, for the trailer.
struct Summed<W: Write> {
    inner: W,
    sum: Xxh3,
}

impl<W: Write> Write for Summed<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.sum.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Reads the snapshot at `path` entry by entry: [`read_blocks`], with `each` called for every
/// file in order.
pub fn read(
    path: &Path,
    accept: impl FnOnce(&Header) -> Result<(), String>,
    mut each_folder: impl FnMut(&str, Print),
    mut each: impl FnMut(Entry<'_>) -> Result<(), String>,
) -> Result<Header, Reject> {
    let take_folders =
        |records: Vec<(String, Print)>| records.into_iter().for_each(|(path, print)| each_folder(&path, print));
    read_blocks(path, accept, take_folders, |_, all| all.iter().try_for_each(|block| block.for_each(&mut each)))
        .map(|(header, _)| header)
}

/// Reads the snapshot at `path`: checks magic, version and checksum over the whole file, lets
/// `accept` judge the header, checks every block (see `blocks`), then calls `take_folders` with
/// the folder records, in order, and `take_blocks` with the file's bytes and every block of
/// files in them (all at once, so the caller can size what it builds, or keep the bytes and read
/// the blocks where they lie), and returns the header and the files' keys. Nothing reaches them
/// unless the file is whole and `accept` returned `Ok`. `take_blocks` may refuse one, which
/// makes the snapshot corrupt (the caller then drops what it built).
pub fn read_blocks(
    path: &Path,
    accept: impl FnOnce(&Header) -> Result<(), String>,
    take_folders: impl FnOnce(Vec<(String, Print)>),
    take_blocks: impl FnOnce(&Arc<Bytes>, &[Block<'_>]) -> Result<(), String>,
) -> Result<(Header, Keys), Reject> {
    let bytes = match mapped::open(path) {
        Ok(bytes) => Arc::new(bytes),
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(Reject::Missing),
        Err(e) => return Err(Reject::Unreadable(e.to_string())),
    };
    if bytes.len() < MAGIC.len() + 4 + 8 || &bytes[..MAGIC.len()] != MAGIC {
        return Err(Reject::Corrupt("not a workspace snapshot (or truncated)".into()));
    }
    let version = u32::from_le_bytes(bytes[8..12].try_into().expect("4 bytes"));
    if version != FORMAT_VERSION {
        return Err(Reject::Foreign(format!("format {version}, this sidecar reads {FORMAT_VERSION}")));
    }
    let (body, trailer) = bytes.split_at(bytes.len() - 8);
    let sum = u64::from_le_bytes(trailer.try_into().expect("8 bytes"));
    // The checksum runs beside the parse, which only reads (bounds-checked) and judges nothing:
    // its verdicts are given in the order a sequential read would give them, checksum first.
    let (whole, (header, rest)) = std::thread::scope(|s| {
        let whole = s.spawn(|| xxh3_64(body) == sum);
        let parsed = parse(body);
        (whole.join().unwrap_or(false), parsed)
    });
    if !whole {
        return Err(Reject::Corrupt("checksum mismatch (truncated or damaged)".into()));
    }
    let header = header.ok_or_else(|| Reject::Corrupt("bad header".into()))?;
    accept(&header).map_err(Reject::Foreign)?;
    let (parsed, folders) = rest?;
    take_folders(folders);
    take_blocks(&bytes, &parsed).map_err(Reject::Corrupt)?;
    let starts = blocks::key_starts(&parsed);
    drop(parsed);
    Ok((header, Keys::new(bytes, starts)))
}

fn put_bytes(buf: &mut Vec<u8>, bytes: &[u8]) {
    put(buf, bytes.len() as u64);
    buf.extend_from_slice(bytes);
}

fn zigzag(v: i64) -> u64 {
    ((v << 1) ^ (v >> 63)) as u64
}

/// Bytes `a` and `b` share at the start, backed off to a character boundary of `b`.
fn shared_prefix(a: &str, b: &str) -> usize {
    let mut n = a.bytes().zip(b.bytes()).take_while(|(x, y)| x == y).count();
    while !b.is_char_boundary(n) {
        n -= 1;
    }
    n
}

#[cfg(test)]
#[path = "format_tests.rs"]
mod tests;
