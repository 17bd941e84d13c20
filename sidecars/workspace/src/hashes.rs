//! Content hashes (xxh3-128, 32 lowercase hex digits) and the cache that keeps them. A hash is
//! remembered with the identity and times of the file it was computed from, a [`FileKey`]
//! (device, inode, size, mtime, ctime), and with the time it was computed. It lives in its own
//! array, filled only for files whose hash someone asked for (or whose bytes `readFile` read), so
//! an index of a million files pays nothing for hashes nobody wants, and one whose every file was
//! hashed pays about 100 bytes a file (250 with a map keyed by the paths themselves, measured at
//! a million entries). A small table finds a path's entry by a 64-bit hash of the path, not the
//! path: two paths whose hashes collide only take each other's place, never answer for each
//! other, because an entry answers only for a file with its key, device and inode included (hard
//! links, which share one, share their content too). Every entry is plain data, so a snapshot
//! persists and reloads it as is.
//!
//! **The racy rule** (git's racy-timestamp rule): a cached hash is answered only when the file's
//! current key, read from the open handle at the time of asking, equals the key stored with it,
//! *and* the stored mtime and ctime are both older than the time the hash was computed minus two
//! timestamp ticks ([`RACY_TICK_NS`]). A file written within the same tick as it was hashed
//! could change again without its times moving; such an entry is "racy" and is hashed again,
//! which also renews its computation time, so it becomes trusted once its times are old enough.
//! ctime cannot be set by a user, so an edit of the same size with the old mtime restored still
//! changes the key.

use std::collections::HashMap;
use std::io::Read;
use std::sync::Mutex;
use std::time::{SystemTime, UNIX_EPOCH};

/// One timestamp tick, for the racy rule: 2 s, the mtime resolution of FAT, the coarsest file
/// system a workspace is likely to live on (ext4, APFS and NTFS are far finer). Larger than
/// needed on those, at the cost of hashing again files changed in the last few seconds.
pub const RACY_TICK_NS: i64 = 2_000_000_000;

/// Remembered hashes at most; past it the cache starts over rather than growing without end.
const LIMIT: usize = 4_000_000;

/// Bytes read per call while hashing: large enough that the syscalls do not show.
const CHUNK: usize = 256 * 1024;

/// What must be unchanged for a cached hash to still describe a file. Times are nanoseconds
/// since the Unix epoch. On Windows, device and inode are the volume serial number and the file
/// index, and ctime is the NTFS change time (all from the open handle).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct FileKey {
    pub device: u64,
    pub inode: u64,
    pub size: u64,
    pub mtime_ns: i64,
    pub ctime_ns: i64,
}

/// A hash with what it was computed from: see the module's racy rule.
#[derive(Clone, Copy, Debug)]
pub struct Cached {
    pub key: FileKey,
    pub hash: u128,
    /// When the computation started, in nanoseconds since the Unix epoch.
    pub computed_ns: i64,
}

impl Cached {
    /// Whether this entry may answer for a file whose key is now `current`.
    pub fn trusted_for(&self, current: &FileKey) -> bool {
        let settled = self.computed_ns.saturating_sub(2 * RACY_TICK_NS);
        self.key == *current && self.key.mtime_ns < settled && self.key.ctime_ns < settled
    }
}

/// The hash cache: workspace-relative path → [`Cached`] (see the module comment).
#[derive(Default)]
pub struct HashCache {
    entries: Mutex<Entries>,
    /// Counts every `remember`, so the snapshot writer can tell whether anything new was learned.
    revision: std::sync::atomic::AtomicU64,
}

impl HashCache {
    /// The hash of the open regular `file` at `rel` (its canonical workspace path): the cached one
    /// when the racy rule trusts it, else read and hashed now (outside the lock) and remembered.
    pub fn hash_file(&self, rel: &str, file: &std::fs::File) -> std::io::Result<u128> {
        // Taken before the key, so a write racing with the read always counts as racy.
        let started = now_ns();
        let key = file_key(file)?;
        if let Some(hash) = self.lookup(rel, &key) {
            return Ok(hash);
        }
        let hash = hash_reader(file)?;
        self.remember(rel, Cached { key, hash, computed_ns: started });
        Ok(hash)
    }

    /// The trusted cached hash of `rel` for a file whose key is now `current`, if there is one.
    pub fn lookup(&self, rel: &str, current: &FileKey) -> Option<u128> {
        self.get(rel).filter(|c| c.trusted_for(current)).map(|c| c.hash)
    }

    /// The entry for `rel` as stored, trusted or not (the snapshot keeps it with its key, and the
    /// racy rule judges it again when it is asked for). It may be another path's whose hash
    /// collides with `rel`'s, which its key tells apart (see the module comment).
    pub fn get(&self, rel: &str) -> Option<Cached> {
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).get(rel)
    }

    /// How many entries were stored so far.
    pub fn revision(&self) -> u64 {
        self.revision.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Stores `entry` for `rel`, replacing what was there.
    pub fn remember(&self, rel: &str, entry: Cached) {
        self.revision.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.entries.lock().unwrap_or_else(|e| e.into_inner()).insert(rel, entry);
    }
}

/// The entries back to back, and where each path's lies.
#[derive(Default)]
struct Entries {
    /// A 64-bit hash of the path → its entry's index in `all`.
    slot: HashMap<u64, u32>,
    all: Vec<Cached>,
}

impl Entries {
    fn get(&self, rel: &str) -> Option<Cached> {
        self.slot.get(&path_hash(rel)).map(|&i| self.all[i as usize])
    }

    fn insert(&mut self, rel: &str, entry: Cached) {
        let key = path_hash(rel);
        if let Some(&i) = self.slot.get(&key) {
            self.all[i as usize] = entry;
            return;
        }
        if self.all.len() >= LIMIT {
            *self = Entries::default();
        }
        self.slot.insert(key, self.all.len() as u32);
        self.all.push(entry);
    }
}

/// The hash that stands for a path in the cache's table.
fn path_hash(rel: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(rel.as_bytes())
}

/// The wire form of a hash: 32 lowercase hex digits.
pub fn hex(hash: u128) -> String {
    format!("{hash:032x}")
}

/// The xxh3-128 of everything `reader` yields, read in large chunks (the same value as the
/// one-shot hash of the whole content).
pub fn hash_reader(mut reader: impl Read) -> std::io::Result<u128> {
    let mut hasher = xxhash_rust::xxh3::Xxh3::new();
    let mut buf = vec![0u8; CHUNK];
    loop {
        match reader.read(&mut buf) {
            Ok(0) => return Ok(hasher.digest128()),
            Ok(n) => hasher.update(&buf[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
}

/// The current time in nanoseconds since the Unix epoch.
pub fn now_ns() -> i64 {
    match SystemTime::now().duration_since(UNIX_EPOCH) {
        Ok(d) => d.as_nanos() as i64,
        Err(before) => -(before.duration().as_nanos() as i64),
    }
}

/// The key of an open file, from `fstat`.
#[cfg(unix)]
pub fn file_key(file: &std::fs::File) -> std::io::Result<FileKey> {
    Ok(FileKey::from_metadata(&file.metadata()?))
}

#[cfg(unix)]
impl FileKey {
    /// The key in `md` (from `fstat` or `lstat`): device, inode, size, and times in ns.
    pub fn from_metadata(md: &std::fs::Metadata) -> FileKey {
        use std::os::unix::fs::MetadataExt;
        FileKey {
            device: md.dev(),
            inode: md.ino(),
            size: md.size(),
            mtime_ns: md.mtime().saturating_mul(1_000_000_000).saturating_add(md.mtime_nsec()),
            ctime_ns: md.ctime().saturating_mul(1_000_000_000).saturating_add(md.ctime_nsec()),
        }
    }
}

/// The key of an open file: `GetFileInformationByHandle` gives the volume serial number, file
/// index and size, `GetFileInformationByHandleEx(FileBasicInfo)` the change time (which, unlike
/// the creation time std offers, moves on every write). Two calls on a handle already open.
#[cfg(windows)]
pub fn file_key(file: &std::fs::File) -> std::io::Result<FileKey> {
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{
        FileBasicInfo, GetFileInformationByHandle, GetFileInformationByHandleEx, BY_HANDLE_FILE_INFORMATION,
        FILE_BASIC_INFO,
    };
    // 100 ns ticks since 1601 → ns since 1970.
    let ns = |ticks: i64| ticks.saturating_sub(116_444_736_000_000_000).saturating_mul(100);
    let handle = file.as_raw_handle();
    // SAFETY: both structs are plain old data the calls fill; the handle is open for their duration.
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    if unsafe { GetFileInformationByHandle(handle, &mut info) } == 0 {
        return Err(std::io::Error::last_os_error());
    }
    let mut basic: FILE_BASIC_INFO = unsafe { std::mem::zeroed() };
    let size = std::mem::size_of::<FILE_BASIC_INFO>() as u32;
    if unsafe { GetFileInformationByHandleEx(handle, FileBasicInfo, (&mut basic as *mut FILE_BASIC_INFO).cast(), size) }
        == 0
    {
        return Err(std::io::Error::last_os_error());
    }
    Ok(FileKey {
        device: u64::from(info.dwVolumeSerialNumber),
        inode: (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow),
        size: (u64::from(info.nFileSizeHigh) << 32) | u64::from(info.nFileSizeLow),
        mtime_ns: ns(basic.LastWriteTime),
        ctime_ns: ns(basic.ChangeTime),
    })
}

/// Elsewhere only what std offers: size and mtime, with the creation time standing in for ctime.
#[cfg(not(any(unix, windows)))]
pub fn file_key(file: &std::fs::File) -> std::io::Result<FileKey> {
    let md = file.metadata()?;
    let ns = |t: std::io::Result<SystemTime>| {
        t.ok().and_then(|t| t.duration_since(UNIX_EPOCH).ok()).map_or(i64::MAX, |d| d.as_nanos() as i64)
    };
    Ok(FileKey { device: 0, inode: 0, size: md.len(), mtime_ns: ns(md.modified()), ctime_ns: ns(md.created()) })
}

#[cfg(test)]
#[path = "hashes_tests.rs"]
mod tests;
