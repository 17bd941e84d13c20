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

/// Most changes one `workspace/didChange` event carries, about 1 MB of JSON: a batch of a
/// million changes (a branch switch, a `touch -R`, files changed while no sidecar ran) would be
/// one line of some 60 MB, past what the protocol lets a line be, and the sidecar would be
/// killed for it.
pub const CHANGES_PER_EVENT: usize = 10_000;

impl ChangeBatch {
    /// The batch as events of at most [`CHANGES_PER_EVENT`] changes each, in order, every one
    /// with the batch's generation and rescan mark (an empty batch is one empty event).
    pub fn into_events(self) -> impl Iterator<Item = ChangeBatch> {
        let ChangeBatch { generation, mut changes, rescan } = self;
        let mut first = true;
        std::iter::from_fn(move || {
            if changes.is_empty() && !std::mem::take(&mut first) {
                return None;
            }
            first = false;
            let rest = changes.split_off(changes.len().min(CHANGES_PER_EVENT));
            Some(ChangeBatch { generation, changes: std::mem::replace(&mut changes, rest), rescan })
        })
    }
}

/// Paths the index had to leave out, as reported by `workspace/status`.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Skipped {
    /// Files whose paths are not valid UTF-8 (they can never be put into JSON), as they are now:
    /// a fresh scan would count the same.
    #[serde(rename = "nonUtf8")]
    pub non_utf8: u64,
    /// Files whose paths hold a name that every method refuses because Windows reads it as
    /// something else (`NUL`, `con.ts`, `a:b.txt`, a trailing dot or space), as they are now.
    pub unportable: u64,
    /// The first [`UNPORTABLE_SAMPLE`] of those paths in sorted order, workspace-relative, so
    /// an app can name them.
    #[serde(rename = "unportableSample")]
    pub unportable_sample: Vec<String>,
    /// Entries the walker could not read (permission denied, vanished, ...).
    pub errors: u64,
}

/// How many unportable paths [`Skipped`] names.
pub const UNPORTABLE_SAMPLE: usize = 10;

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_large_batch_goes_out_as_events_of_at_most_the_limit_in_order() {
        let change = |i: usize| Change { path: format!("f{i:07}"), kind: ChangeKind::Changed };
        for n in [0, 1, CHANGES_PER_EVENT, CHANGES_PER_EVENT + 1, 3 * CHANGES_PER_EVENT + 7] {
            let batch = ChangeBatch { generation: 9, changes: (0..n).map(change).collect(), rescan: true };
            let events: Vec<ChangeBatch> = batch.into_events().collect();
            assert_eq!(events.len(), n.div_ceil(CHANGES_PER_EVENT).max(1), "{n} changes");
            assert!(events.iter().all(|e| e.generation == 9 && e.rescan && e.changes.len() <= CHANGES_PER_EVENT));
            let paths: Vec<String> = events.into_iter().flat_map(|e| e.changes).map(|c| c.path).collect();
            assert_eq!(paths, (0..n).map(|i| change(i).path).collect::<Vec<_>>(), "{n} changes, in order");
        }
    }
}
