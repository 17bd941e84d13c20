//! A snapshot's bytes, mapped rather than read where that is safe, so a warm start at a million
//! files neither copies 60 MB nor faults in 60 MB of fresh memory before it can answer.

use std::io;
use std::ops::Deref;
use std::path::Path;

/// The whole file, mapped (Unix) or read (elsewhere).
pub enum Bytes {
    /// Mapped read-only (see [`open`] for why that is safe).
    #[cfg(unix)]
    Mapped(memmap2::Mmap),
    /// Read into memory.
    Read(Vec<u8>),
}

impl Deref for Bytes {
    type Target = [u8];

    fn deref(&self) -> &[u8] {
        match self {
            #[cfg(unix)]
            Bytes::Mapped(map) => map,
            Bytes::Read(bytes) => bytes,
        }
    }
}

/// The bytes of the snapshot at `path`.
///
/// On Unix the file is mapped. A mapping shows later writes to the file, and one cut short would
/// fault; neither happens to a snapshot: every writer (this sidecar, under the cache folder's
/// lock) replaces it by renaming a whole new file over it, which leaves the mapped one as it
/// was (git maps its index on the same grounds). On Windows a mapped file cannot be renamed over
/// while it is mapped, so there it is read.
pub fn open(path: &Path) -> io::Result<Bytes> {
    #[cfg(unix)]
    {
        let file = std::fs::File::open(path)?;
        if file.metadata()?.len() == 0 {
            // Nothing to map (a zero-length mapping is an error); the caller rejects it as truncated.
            return Ok(Bytes::Read(Vec::new()));
        }
        // SAFETY: see above: the file is never written in place or truncated while it is ours.
        let map = unsafe { memmap2::Mmap::map(&file)? };
        Ok(Bytes::Mapped(map))
    }
    #[cfg(not(unix))]
    {
        std::fs::read(path).map(Bytes::Read)
    }
}
