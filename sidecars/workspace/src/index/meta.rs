//! Filling in sizes and mtimes after the first scan. The scan publishes every path (with its
//! symlink flag, which the folder listing gives) without an `lstat` per file, so quick open,
//! glob and search can start; then this pass `lstat`s every file on all cores and the store
//! swaps in the same keys with their metadata. No method answers from the index's sizes or
//! mtimes (`stat` and `readFile` ask the disk), but the watcher diffs against them, so it waits
//! until this pass is done (`Index::wait_complete`) and `workspace/status` says which phase it is in.

use std::path::Path;

use super::store::Base;
use super::{scan, FileMeta};
use crate::error::Result;

/// `base` with every entry's metadata read from disk under `root`. A file that vanished since
/// the scan keeps zeros: its folder's watch reports the deletion, applied after this pass.
pub(crate) fn fill(base: &Base, root: &Path, threads: usize) -> Result<Base> {
    let mut bytes = Vec::new();
    let mut ends = Vec::with_capacity(base.len());
    let mut metas = Vec::with_capacity(base.len());
    base.keys.for_each(&mut |key, id| {
        bytes.extend_from_slice(key);
        ends.push(bytes.len());
        metas.push(base.meta(id));
    });
    let per = metas.len().div_ceil(threads.max(1)).max(1);
    std::thread::scope(|s| {
        for (c, part) in metas.chunks_mut(per).enumerate() {
            let (bytes, ends) = (&bytes, &ends);
            s.spawn(move || {
                for (j, meta) in part.iter_mut().enumerate() {
                    let i = c * per + j;
                    let start = if i == 0 { 0 } else { ends[i - 1] };
                    let rel = std::str::from_utf8(&bytes[start..ends[i]]).expect("index keys are UTF-8");
                    if let Ok(md) = std::fs::symlink_metadata(root.join(rel)) {
                        *meta = FileMeta { symlink: meta.symlink, ..scan::file_meta(&md) };
                    }
                }
            });
        }
    });
    base.with_meta(&metas)
}
