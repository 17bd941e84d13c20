//! Completing the first scan's base. The scan publishes every path (with its symlink flag, which
//! the folder listing gives) without an `lstat` per file and without the FST, so quick open,
//! glob and search can start; then this pass builds the FST on one thread while the others
//! `lstat` every file, and the store swaps in the same keys with both. No method answers from the index's sizes or
//! mtimes (`stat` and `readFile` ask the disk), but the watcher diffs against them, so it waits
//! until this pass is done (`Index::wait_complete`) and `workspace/status` says which phase it is in.

use std::path::Path;

use super::store::Base;
use super::{scan, FileMeta};
use crate::error::Result;

/// `base` with its FST and every entry's metadata read from disk under `root`. A file that
/// vanished since the scan keeps zeros: its folder's watch reports the deletion, applied after
/// this pass.
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
    let map = std::thread::scope(|s| {
        let map = s.spawn(|| base.build_map());
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
        map.join().unwrap_or_else(|e| std::panic::resume_unwind(e))
    })?;
    base.with_meta(map, &metas)
}
