//! Storage of the index: an immutable base (`fst::Map` from path to entry id plus metadata arrays
//! indexed by that id, plus a front-coded copy of the keys for full scans) and the [`Overlay`]
//! type for later changes on top of it. The base costs about 16 bytes of metadata per file plus
//! the FST's and the front coding's compressed path bytes (about 18 MB each at 1M files), with no
//! per-file `String`. The keys and the metadata arrays sit behind `Arc`s, so the bases that
//! complete the first scan's (its metadata filled in, then its FST built) share what they do not
//! change instead of copying it. `store` publishes bases and overlays; `snapshot` reads them.

use std::collections::BTreeMap;
use std::sync::Arc;

use fst::{IntoStreamer, Map, MapBuilder, Streamer};

use super::frontcode::FrontCoded;
use super::types::FileMeta;
use crate::error::{Error, Result};

/// Pending changes on top of a base: `Some(meta)` adds or replaces a file, `None` removes it.
pub(crate) type Overlay = BTreeMap<Box<str>, Option<FileMeta>>;

/// An immutable FST of paths with metadata arrays beside it; entry id = rank of the path. The
/// first scan publishes a base without the FST (`map: None`, lookups then search the front-coded
/// keys) so the index is ready sooner; the FST is built in the background and swapped in.
/// Each per-file array is either one value per entry or empty, which reads as zeros: the first
/// scan's base holds no sizes and mtimes until `meta` fills them in.
pub(crate) struct Base {
    pub(crate) map: Option<Map<Vec<u8>>>,
    sizes: Arc<Vec<u64>>,
    mtimes: Arc<Vec<i64>>,
    /// One bit per entry, set for symlinks.
    symlinks: Arc<Vec<u64>>,
    /// The same keys front-coded, for scans over every path (see `frontcode`).
    pub(crate) keys: Arc<FrontCoded>,
    /// True for the first scan's base until its sizes and mtimes are filled in (they read 0).
    pub(crate) meta_pending: bool,
}

impl Base {
    /// A base without any file.
    pub(crate) fn empty() -> Base {
        BaseBuilder::new(0).finish().expect("an empty FST always builds")
    }

    /// Number of files in the base.
    pub(crate) fn len(&self) -> usize {
        self.keys.len()
    }

    /// Metadata of entry `id` (a value stored in the FST).
    pub(crate) fn meta(&self, id: u64) -> FileMeta {
        let i = id as usize;
        FileMeta {
            size: self.sizes.get(i).copied().unwrap_or(0),
            mtime_ms: self.mtimes.get(i).copied().unwrap_or(0),
            symlink: self.symlinks[i / 64] & (1 << (i % 64)) != 0,
        }
    }

    /// The FST of these keys, built now (one pass over the front-coded keys).
    pub(crate) fn build_map(&self) -> Result<Map<Vec<u8>>> {
        let mut builder = MapBuilder::memory();
        let mut keys = self.keys.iter();
        while let Some((key, id)) = keys.next_ref() {
            builder.insert(key, id).map_err(|e| Error::Fst(e.to_string()))?;
        }
        let mut bytes = builder.into_inner().map_err(|e| Error::Fst(e.to_string()))?;
        bytes.shrink_to_fit();
        Map::new(bytes).map_err(|e| Error::Fst(e.to_string()))
    }

    /// The same keys and symlink flags with `sizes` and `mtimes` (one per entry, in key order) as
    /// their metadata. Without an FST: `meta::fill` completes the first scan's base, which has none
    /// yet (lookups are right without it, only slower).
    pub(crate) fn with_meta(&self, sizes: Vec<u64>, mtimes: Vec<i64>) -> Base {
        assert!(sizes.len() == self.len() && mtimes.len() == self.len(), "one size and one mtime per entry");
        Base {
            map: None,
            sizes: Arc::new(sizes),
            mtimes: Arc::new(mtimes),
            symlinks: self.symlinks.clone(),
            keys: self.keys.clone(),
            meta_pending: false,
        }
    }

    /// The same base with `map` (built by [`Base::build_map`]) as its FST; nothing is copied.
    pub(crate) fn with_map(&self, map: Map<Vec<u8>>) -> Base {
        Base {
            map: Some(map),
            sizes: self.sizes.clone(),
            mtimes: self.mtimes.clone(),
            symlinks: self.symlinks.clone(),
            keys: self.keys.clone(),
            meta_pending: self.meta_pending,
        }
    }

    /// Metadata of `key`, if the base holds it.
    pub(crate) fn get(&self, key: &[u8]) -> Option<FileMeta> {
        match &self.map {
            Some(map) => map.get(key),
            None => self.keys.get(key),
        }
        .map(|id| self.meta(id))
    }

    /// Calls `f(key, id)` for the keys with `lo <= key < hi` in order until it returns false.
    pub(crate) fn for_each_in(&self, lo: &[u8], hi: Option<&[u8]>, f: &mut dyn FnMut(&[u8], u64) -> bool) {
        let Some(map) = &self.map else {
            return self.keys.for_each_from(lo, &mut |k, id| hi.is_none_or(|hi| k < hi) && f(k, id));
        };
        let mut range = map.range().ge(lo);
        if let Some(hi) = hi {
            range = range.lt(hi);
        }
        let mut stream = range.into_stream();
        while let Some((key, id)) = stream.next() {
            if !f(key, id) {
                return;
            }
        }
    }
}

impl Base {
    /// The same keys and symlink flags (shared, not copied), without an FST, sizes or mtimes.
    pub(crate) fn paths(&self) -> Base {
        let (sizes, mtimes) = (Arc::new(Vec::new()), Arc::new(Vec::new()));
        Base { map: None, sizes, mtimes, symlinks: self.symlinks.clone(), keys: self.keys.clone(), meta_pending: true }
    }

    /// The same base with keys of its own: keys that lie in a warm start's snapshot are copied
    /// (see [`FrontCoded::owned`]), so the index does not keep the snapshot once caught up.
    pub(crate) fn with_own_keys(self) -> Base {
        Base { keys: FrontCoded::owned(&self.keys), ..self }
    }

    /// A base without an FST, sizes or mtimes from its parts: `keys` (finished) and one symlink
    /// bit per entry (64 per word). The warm start publishes the snapshot's files so: until the
    /// catch-up's base replaces it, nothing reads their sizes or mtimes (no method answers from
    /// them, the applier holds its changes back until then, and a base without an FST is never
    /// merged), so copying 16 MB of them out at a million files would only delay the first answer.
    pub(crate) fn from_parts(keys: FrontCoded, symlinks: Vec<u64>) -> Base {
        assert!(symlinks.len() == keys.len().div_ceil(64), "one symlink bit per entry");
        let (sizes, mtimes, symlinks, keys) =
            (Arc::new(Vec::new()), Arc::new(Vec::new()), Arc::new(symlinks), Arc::new(keys));
        Base { map: None, sizes, mtimes, symlinks, keys, meta_pending: true }
    }
}

/// Builds a [`Base`] from paths given in strictly increasing byte order.
pub(crate) struct BaseBuilder {
    /// `None` when the FST is left for later (see [`Base`]).
    builder: Option<MapBuilder<Vec<u8>>>,
    /// False when sizes and mtimes are left for later (the arrays then stay empty).
    keep_meta: bool,
    sizes: Vec<u64>,
    mtimes: Vec<i64>,
    symlinks: Vec<u64>,
    keys: FrontCoded,
}

impl BaseBuilder {
    /// Starts a builder; `expected` sizes the metadata arrays.
    pub(crate) fn new(expected: usize) -> BaseBuilder {
        BaseBuilder::with_fst(expected, true)
    }

    /// A builder that builds the FST only if `fst` (otherwise the base has none yet).
    pub(crate) fn with_fst(expected: usize, fst: bool) -> BaseBuilder {
        BaseBuilder {
            builder: fst.then(MapBuilder::memory),
            keep_meta: true,
            sizes: Vec::with_capacity(expected),
            mtimes: Vec::with_capacity(expected),
            symlinks: Vec::with_capacity(expected.div_ceil(64)),
            keys: FrontCoded::default(),
        }
    }

    /// A builder for the first scan's base: paths and symlink flags only, no FST, and no sizes or
    /// mtimes (`meta::fill` reads them afterwards), so the arrays cost nothing until then.
    pub(crate) fn paths_only() -> BaseBuilder {
        BaseBuilder { keep_meta: false, ..BaseBuilder::with_fst(0, false) }
    }

    /// Appends one file; keys must arrive in strictly increasing order.
    pub(crate) fn push(&mut self, key: &[u8], meta: FileMeta) -> Result<()> {
        let id = self.keys.len();
        if let Some(builder) = &mut self.builder {
            builder.insert(key, id as u64).map_err(|e| Error::Fst(e.to_string()))?;
        } else if self.keys.last().is_some_and(|last| last >= key) {
            // The FST builder would refuse this; without it the order is checked here.
            return Err(Error::Fst(format!("key out of order: {}", String::from_utf8_lossy(key))));
        }
        self.keys.push(key);
        if self.keep_meta {
            self.sizes.push(meta.size);
            self.mtimes.push(meta.mtime_ms);
        }
        if id.is_multiple_of(64) {
            self.symlinks.push(0);
        }
        if meta.symlink {
            self.symlinks[id / 64] |= 1 << (id % 64);
        }
        Ok(())
    }

    /// Finishes the FST and trims the arrays so no growth slack stays resident.
    pub(crate) fn finish(mut self) -> Result<Base> {
        let map = match self.builder {
            Some(builder) => {
                let mut bytes = builder.into_inner().map_err(|e| Error::Fst(e.to_string()))?;
                bytes.shrink_to_fit();
                Some(Map::new(bytes).map_err(|e| Error::Fst(e.to_string()))?)
            }
            None => None,
        };
        self.sizes.shrink_to_fit();
        self.mtimes.shrink_to_fit();
        self.symlinks.shrink_to_fit();
        self.keys.finish();
        let meta_pending = map.is_none();
        Ok(Base {
            map,
            sizes: Arc::new(self.sizes),
            mtimes: Arc::new(self.mtimes),
            symlinks: Arc::new(self.symlinks),
            keys: Arc::new(self.keys),
            meta_pending,
        })
    }
}

/// Streams `base` with `overlay` applied into a new base.
pub(crate) fn merge(base: &Base, overlay: &Overlay) -> Result<Base> {
    let mut out = BaseBuilder::new(base.len() + overlay.len());
    let mut stream = base.keys.iter();
    let mut pending = overlay.iter().peekable();
    while let Some((key, id)) = stream.next_ref() {
        while let Some((k, v)) = pending.next_if(|(k, _)| k.as_bytes() < key) {
            if let Some(meta) = v {
                out.push(k.as_bytes(), *meta)?;
            }
        }
        match pending.next_if(|(k, _)| k.as_bytes() == key) {
            Some((_, Some(meta))) => out.push(key, *meta)?,
            Some((_, None)) => {}
            None => out.push(key, base.meta(id))?,
        }
    }
    for (k, v) in pending {
        if let Some(meta) = v {
            out.push(k.as_bytes(), *meta)?;
        }
    }
    out.finish()
}

/// Every key of a base in order, for tests.
#[cfg(test)]
pub(crate) fn keys(base: &Base) -> Vec<String> {
    let mut out = Vec::new();
    let mut s = base.keys.iter();
    while let Some((k, _)) = s.next_ref() {
        out.push(String::from_utf8(k.to_vec()).unwrap());
    }
    out
}
