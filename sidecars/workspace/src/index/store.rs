//! The writer side of the index: [`Store`] holds the current [`Snapshot`] and serializes every
//! change to it. Writers publish a new snapshot per batch (a base from `base` plus a small sorted
//! overlay of later changes); once the overlay grows past a threshold a background thread streams
//! base and overlay into a fresh FST and swaps it in, so a change never pays for a rebuild on the
//! request path.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use super::base::{merge, Base, Overlay};
use super::snapshot::Snapshot;
use super::types::FileMeta;
use crate::error::Result;

/// The writer side: holds the current snapshot and serializes updates and merges.
pub(crate) struct Store {
    current: RwLock<Arc<Snapshot>>,
    /// Taken by every writer so batches and merge swaps never interleave.
    write: Mutex<()>,
    merging: Arc<AtomicBool>,
}

impl Store {
    /// An empty store at generation 0.
    pub(crate) fn new() -> Store {
        let snap = Snapshot::new(0, Arc::new(Base::empty()), Arc::new(Overlay::new()), 0);
        Store { current: RwLock::new(Arc::new(snap)), write: Mutex::new(()), merging: Arc::default() }
    }

    /// The current snapshot.
    pub(crate) fn snapshot(&self) -> Arc<Snapshot> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn publish(&self, snap: Snapshot) {
        let old = std::mem::replace(&mut *self.current.write().unwrap_or_else(|e| e.into_inner()), Arc::new(snap));
        // Freeing the old snapshot (possibly a whole base after a rescan) happens here, after the
        // lock is released, so readers such as the inline `workspace/status` never wait on it.
        drop(old);
    }

    /// Replaces everything with a freshly scanned base and bumps the generation; returns it.
    pub(crate) fn replace_base(&self, base: Base) -> Arc<Base> {
        let _w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let generation = self.snapshot().generation() + 1;
        let len = base.len();
        let base = Arc::new(base);
        self.publish(Snapshot::new(generation, base.clone(), Arc::new(Overlay::new()), len));
        base
    }

    /// Installs `filled` (= `source` with its metadata or its FST filled in) in place of
    /// `source`, at the same generation: nothing a reader sees changes but sizes and mtimes.
    /// Returns the installed base, or `None` when `source` was replaced meanwhile (by a rescan
    /// or a merge, whose base is complete).
    pub(crate) fn fill(&self, source: &Arc<Base>, filled: Base) -> Option<Arc<Base>> {
        let _w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let cur = self.snapshot();
        if !Arc::ptr_eq(&cur.base, source) {
            return None;
        }
        let filled = Arc::new(filled);
        self.publish(Snapshot::new(cur.generation(), filled.clone(), cur.overlay.clone(), cur.len()));
        Some(filled)
    }

    /// Installs a freshly scanned `base` in place of everything, after `diff` compared it with the
    /// snapshot it replaces (under the write lock, so nothing slips in between). The generation
    /// is bumped only when `diff` reports a change. Returns the generation and `diff`'s output.
    pub(crate) fn replace_with<T>(&self, base: Base, diff: impl FnOnce(&Snapshot, &Base) -> (bool, T)) -> (u64, T) {
        let _w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let cur = self.snapshot();
        let (changed, out) = diff(&cur, &base);
        let generation = cur.generation() + u64::from(changed);
        let len = base.len();
        self.publish(Snapshot::new(generation, Arc::new(base), Arc::new(Overlay::new()), len));
        (generation, out)
    }

    /// Applies `changes` (path → new meta or `None` for removal) as one generation, calling
    /// `decide` under the write lock with the snapshot they apply to so callers can diff against
    /// exactly the state they change. Returns the new generation and `decide`'s output, or `None`
    /// when `decide` produced no change (the generation then stays).
    pub(crate) fn apply<T>(
        self: &Arc<Self>,
        decide: impl FnOnce(&Snapshot) -> (Vec<(String, Option<FileMeta>)>, T),
    ) -> Option<(u64, T)> {
        let _w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let cur = self.snapshot();
        let (updates, out) = decide(&cur);
        if updates.is_empty() {
            return None;
        }
        let mut overlay = Overlay::clone(&cur.overlay);
        let mut len = cur.len();
        for (path, meta) in updates {
            // Presence is judged on the overlay being built, so a path given twice counts once.
            let present = match overlay.get(path.as_str()) {
                Some(v) => v.is_some(),
                None => cur.base.get(path.as_bytes()).is_some(),
            };
            match (present, meta.is_some()) {
                (false, true) => len += 1,
                (true, false) => len -= 1,
                _ => {}
            }
            // Removing a path the base never had needs no tombstone.
            if meta.is_none() && cur.base.get(path.as_bytes()).is_none() {
                overlay.remove(path.as_str());
            } else {
                overlay.insert(path.into_boxed_str(), meta);
            }
        }
        let generation = cur.generation() + 1;
        let threshold = (cur.base.len() / 64).max(2048);
        let overlay = Arc::new(overlay);
        let base = cur.base.clone();
        self.publish(Snapshot::new(generation, base.clone(), overlay.clone(), len));
        // The first scan's base is merged only once complete (its FST is in, and so are its sizes
        // and mtimes, which a merge would otherwise carry over as zeros).
        if overlay.len() > threshold && base.map.is_some() && !self.merging.swap(true, Ordering::SeqCst) {
            let store = Arc::clone(self);
            std::thread::spawn(move || {
                if let Ok(merged) = merge(&base, &overlay) {
                    store.swap_merged(merged, &overlay, &base);
                }
                store.merging.store(false, Ordering::SeqCst);
            });
        }
        Some((generation, out))
    }

    /// Installs `merged` (= `source` + `folded`) and keeps only overlay entries newer than it.
    /// Does nothing when a rescan replaced `source` meanwhile, since `merged` is then stale.
    fn swap_merged(&self, merged: Base, folded: &Overlay, source: &Arc<Base>) {
        let _w = self.write.lock().unwrap_or_else(|e| e.into_inner());
        let cur = self.snapshot();
        if !Arc::ptr_eq(&cur.base, source) {
            return;
        }
        let mut rest: Overlay =
            cur.overlay.iter().filter(|(k, v)| folded.get(&**k) != Some(*v)).map(|(k, v)| (k.clone(), *v)).collect();
        // A file added in `folded` and removed since left no tombstone (the old base never had
        // it), but the merged base has it now, so it needs one.
        for (k, v) in folded {
            if v.is_some() && !cur.overlay.contains_key(k) {
                rest.insert(k.clone(), None);
            }
        }
        self.publish(Snapshot::new(cur.generation(), Arc::new(merged), Arc::new(rest), cur.len()));
    }

    /// Merges the current overlay synchronously; returns whether it did. A base that is not
    /// complete yet (a first scan's or a warm start's, before its FST is in) is left alone, as
    /// the background merge leaves it: its sizes and mtimes may still be missing, and a merge
    /// would carry them over as zeros. The background merge folds that overlay later, once the
    /// complete base is in and the overlay has outgrown its threshold.
    pub(crate) fn merge_now(&self) -> Result<bool> {
        let cur = self.snapshot();
        if cur.base.map.is_none() {
            return Ok(false);
        }
        let merged = merge(&cur.base, &cur.overlay)?;
        self.swap_merged(merged, &cur.overlay, &cur.base);
        Ok(true)
    }
}

#[cfg(test)]
#[path = "store_tests.rs"]
mod tests;
