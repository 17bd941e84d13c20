//! Read side of the index: a [`Snapshot`] is the FST base plus the overlay at one generation,
//! never mutated after it is published. Lookups consult the overlay first (it holds the newer
//! truth), ordered walks merge the FST stream with the overlay, and directory listings are derived
//! from the file paths by skipping over each child folder's key range instead of visiting it.
//! A snapshot can also diff itself against a freshly scanned base, which is how full rescans
//! report what changed.

use std::sync::Arc;

use super::base::{Base, BaseBuilder, Overlay};
use super::types::{Change, ChangeKind, EntryType, FileMeta};

/// A consistent, immutable view of the index (FST + overlay at one generation).
pub struct Snapshot {
    generation: u64,
    pub(crate) base: Arc<Base>,
    pub(crate) overlay: Arc<Overlay>,
    len: usize,
}

impl Snapshot {
    /// Assembles a snapshot; `len` is the number of visible files.
    pub(crate) fn new(generation: u64, base: Arc<Base>, overlay: Arc<Overlay>, len: usize) -> Snapshot {
        Snapshot { generation, base, overlay, len }
    }

    /// A snapshot holding just `paths` (any order; duplicates count once) with empty metadata,
    /// so the finder can be measured on generated path lists without a file tree on disk.
    #[doc(hidden)]
    pub fn from_paths(paths: impl IntoIterator<Item = String>) -> crate::Result<Snapshot> {
        let mut paths: Vec<String> = paths.into_iter().collect();
        paths.sort_unstable();
        paths.dedup();
        let mut builder = BaseBuilder::new(paths.len());
        let meta = FileMeta { size: 0, mtime_ms: 0, symlink: false };
        for p in &paths {
            builder.push(p.as_bytes(), meta)?;
        }
        Ok(Snapshot::new(0, Arc::new(builder.finish()?), Arc::new(Overlay::new()), paths.len()))
    }

    /// The generation this view was taken at.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True when no file is indexed.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Metadata of the file at `rel`, if indexed.
    pub fn get(&self, rel: &str) -> Option<FileMeta> {
        match self.overlay.get(rel) {
            Some(v) => *v,
            None => self.base.get(rel.as_bytes()),
        }
    }

    /// All files in byte-sorted path order (FST and overlay merged; removed ones hidden).
    pub fn for_each(&self, f: &mut dyn FnMut(&str, FileMeta)) {
        // The front-coded keys walk far faster than an FST stream; the overlay merges in as in
        // `for_each_in`.
        let mut pending = self.overlay.iter().peekable();
        self.base.keys.for_each(&mut |key, id| {
            while let Some((k, v)) = pending.next_if(|(k, _)| k.as_bytes() < key) {
                if let Some(meta) = v {
                    f(k, *meta);
                }
            }
            let meta = match pending.next_if(|(k, _)| k.as_bytes() == key) {
                Some((_, v)) => *v,
                None => Some(self.base.meta(id)),
            };
            if let Some(meta) = meta {
                f(std::str::from_utf8(key).expect("index keys are UTF-8"), meta);
            }
        });
        for (k, v) in pending {
            if let Some(meta) = v {
                f(k, *meta);
            }
        }
    }

    /// Visits files with `lo <= path < hi` in order until `f` returns false.
    pub(crate) fn for_each_in(&self, lo: &[u8], hi: Option<&[u8]>, f: &mut dyn FnMut(&str, FileMeta) -> bool) {
        let lo_s = String::from_utf8_lossy(lo);
        let mut pending = self
            .overlay
            .range::<str, _>((std::ops::Bound::Included(&*lo_s), std::ops::Bound::Unbounded))
            .take_while(|(k, _)| hi.is_none_or(|hi| k.as_bytes() < hi))
            .peekable();
        let mut stopped = false;
        self.base.for_each_in(lo, hi, &mut |key, id| {
            while let Some((k, v)) = pending.next_if(|(k, _)| k.as_bytes() < key) {
                if let Some(meta) = v {
                    if !f(k, *meta) {
                        stopped = true;
                        return false;
                    }
                }
            }
            let meta = match pending.next_if(|(k, _)| k.as_bytes() == key) {
                Some((_, v)) => *v,
                None => Some(self.base.meta(id)),
            };
            if let Some(meta) = meta {
                // Keys are always valid UTF-8: only `&str` paths are ever inserted.
                let key = std::str::from_utf8(key).expect("index keys are UTF-8");
                if !f(key, meta) {
                    stopped = true;
                    return false;
                }
            }
            true
        });
        if stopped {
            return;
        }
        for (k, v) in pending {
            if let Some(meta) = v {
                if !f(k, *meta) {
                    return;
                }
            }
        }
    }

    /// The first visible file with `lo <= path < hi`.
    fn first_in(&self, lo: &[u8], hi: Option<&[u8]>) -> Option<(String, FileMeta)> {
        let mut found = None;
        self.for_each_in(lo, hi, &mut |k, m| {
            found = Some((k.to_owned(), m));
            false
        });
        found
    }

    /// Entries of one directory (`""` = root) derived from the file paths, sorted by name.
    /// `None` when no indexed file lies under `rel_dir` (and it is not the root).
    pub fn list_dir(&self, rel_dir: &str) -> Option<Vec<(String, EntryType)>> {
        let rel_dir = rel_dir.trim_end_matches('/');
        let prefix = if rel_dir.is_empty() { String::new() } else { format!("{rel_dir}/") };
        let end = prefix_end(prefix.as_bytes());
        let mut out = Vec::new();
        let mut lo = prefix.clone().into_bytes();
        while let Some((path, meta)) = self.first_in(&lo, end.as_deref()) {
            let rest = &path[prefix.len()..];
            match rest.split_once('/') {
                Some((child, _)) => {
                    out.push((child.to_owned(), EntryType::Dir));
                    // Jump past every key of this child folder: '0' is the byte after '/'.
                    lo = format!("{prefix}{child}0").into_bytes();
                }
                None => {
                    let kind = if meta.symlink { EntryType::Symlink } else { EntryType::File };
                    out.push((rest.to_owned(), kind));
                    lo = path.into_bytes();
                    lo.push(0);
                }
            }
        }
        if out.is_empty() && !prefix.is_empty() {
            return None;
        }
        // Byte order of full keys puts "a.txt" before "a/x"; names alone must sort as names.
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Some(out)
    }

    /// Net changes from this snapshot to a freshly scanned `new` base, walking both in order.
    pub(crate) fn diff_against(&self, new: &Base) -> Vec<Change> {
        let mut changes = Vec::new();
        let mut fresh = new.keys.iter();
        let mut next = fresh.next_ref().map(|(k, id)| (k.to_vec(), id));
        self.for_each(&mut |path, meta| {
            while let Some((k, id)) = next.take() {
                if k.as_slice() < path.as_bytes() {
                    changes.push(Change { path: String::from_utf8_lossy(&k).into_owned(), kind: ChangeKind::Created });
                    next = fresh.next_ref().map(|(k, id)| (k.to_vec(), id));
                    continue;
                }
                if k.as_slice() == path.as_bytes() {
                    if new.meta(id) != meta {
                        changes.push(Change { path: path.to_owned(), kind: ChangeKind::Changed });
                    }
                    next = fresh.next_ref().map(|(k, id)| (k.to_vec(), id));
                } else {
                    changes.push(Change { path: path.to_owned(), kind: ChangeKind::Deleted });
                    next = Some((k, id));
                }
                return;
            }
            changes.push(Change { path: path.to_owned(), kind: ChangeKind::Deleted });
        });
        while let Some((k, _)) = next {
            changes.push(Change { path: String::from_utf8_lossy(&k).into_owned(), kind: ChangeKind::Created });
            next = fresh.next_ref().map(|(k, id)| (k.to_vec(), id));
        }
        changes
    }
}

/// The smallest key greater than every key starting with `prefix` (`None` for "no bound").
pub(crate) fn prefix_end(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}
