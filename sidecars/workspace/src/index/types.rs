//! The index's plain data: how it is built ([`IndexOptions`]), what it keeps per file
//! ([`FileMeta`]), what it reports ([`ChangeBatch`], [`Skipped`], [`FuzzyMatch`], [`EntryType`]),
//! and how many threads it may use. Every other index module builds on these and none of them
//! depends back on another index module, so they sit in a leaf of their own.

use std::path::PathBuf;

/// How the index is built: which folder, which extra excludes, and whether ignore files count.
#[derive(Clone, Debug)]
pub struct IndexOptions {
    /// Already canonicalized absolute root of the workspace.
    pub root: PathBuf,
    /// Extra gitignore-style globs relative to the root (from `--exclude`).
    pub excludes: Vec<String>,
    /// `--no-ignore`: do not honour `.gitignore`/`.ignore` (`.git/` is still skipped).
    pub no_ignore: bool,
}

/// Metadata kept per indexed file. A symlink is indexed as itself and never followed, so its
/// size and mtime are those of the link.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FileMeta {
    /// Size in bytes (of the link itself for a symlink).
    pub size: u64,
    /// Modification time in milliseconds since the Unix epoch.
    pub mtime_ms: i64,
    /// True when the entry is a symbolic link.
    pub symlink: bool,
}

/// The kind of a directory entry as reported by `list_dir` and `workspace/stat`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EntryType {
    /// A regular (or other non-directory, non-link) file.
    File,
    /// A directory that contains at least one indexed file.
    Dir,
    /// A symbolic link, listed as itself.
    Symlink,
}

/// What happened to one path in a [`ChangeBatch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChangeKind {
    /// The path entered the index.
    Created,
    /// The path stayed in the index but its content or metadata changed.
    Changed,
    /// The path left the index.
    Deleted,
}

/// One changed path, workspace-relative with `/` separators.
#[derive(Clone, Debug, serde::Serialize)]
pub struct Change {
    /// Workspace-relative path.
    pub path: String,
    /// What happened to it.
    #[serde(rename = "type")]
    pub kind: ChangeKind,
}

/// Every change applied to the index at one generation; the payload of `workspace/didChange`.
#[derive(Clone, Debug, serde::Serialize)]
pub struct ChangeBatch {
    /// The index generation after this batch was applied.
    pub generation: u64,
    /// The changes, sorted by path.
    pub changes: Vec<Change>,
    /// True when the batch came from a rescan (OS overflow, ignore-file change, catch-up).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub rescan: bool,
}

/// Paths the index had to leave out, as reported by `workspace/status`.
#[derive(Clone, Copy, Debug, Default, serde::Serialize)]
pub struct Skipped {
    /// Files whose paths are not valid UTF-8 (they can never be put into JSON), as they are now:
    /// a fresh scan would count the same.
    #[serde(rename = "nonUtf8")]
    pub non_utf8: u64,
    /// Entries the walker could not read (permission denied, vanished, ...).
    pub errors: u64,
}

/// One result of [`Snapshot::fuzzy`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FuzzyMatch {
    /// Workspace-relative path.
    pub path: String,
    /// Higher is better; only comparable between results of the same query.
    pub score: i64,
    /// UTF-16 code unit indices of the matched characters in `path`, ascending.
    pub positions: Vec<u32>,
}

/// How many threads the machine gives this process, asked once: the answer comes from cgroup
/// files on Linux, which is too slow to read again on every fuzzy query.
pub(crate) fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
}
