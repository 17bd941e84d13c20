//! `workspace/readFile`: confined, size-limited reads as UTF-8 text or base64, with a content
//! hash. The size is checked on the open handle before reading, and the read itself is capped,
//! so a file that grows in between cannot push past the limit. Hashes (xxh3-128) are cached by
//! (size, mtime) so main can cheaply tell whether content it holds is still current.

use std::io::Read;

use base64::Engine;
use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::{mtime_ms, Service};
use crate::error::{Error, Result};
use crate::paths;

/// How the content is returned.
#[derive(Deserialize, Serialize, Clone, Copy, Default, PartialEq, Eq, Debug)]
#[serde(rename_all = "lowercase")]
pub enum Encoding {
    /// Text; the file must be valid UTF-8.
    #[default]
    Utf8,
    /// Any bytes, base64 (standard alphabet, padded).
    Base64,
}

/// See `schema/readFile.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct Params {
    path: String,
    #[serde(default)]
    encoding: Encoding,
    max_bytes: Option<u64>,
}

/// See `schema/readFile.result.json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ReadResult {
    path: String,
    content: String,
    encoding: Encoding,
    size: u64,
    mtime_ms: i64,
    hash: String,
}

/// A remembered hash, valid while the file keeps this size and mtime.
pub(super) struct CachedHash {
    size: u64,
    mtime_ms: i64,
    hash: String,
}

/// Bound on remembered hashes; past it the cache starts over rather than growing without end.
const HASH_CACHE_LIMIT: usize = 100_000;

pub(super) fn run(svc: &Service, _cx: &Context, p: Params) -> Result<ReadResult> {
    let rel = paths::normalize(&p.path)?;
    // Links inside the root are followed (beneath it); the canonical path names the real file.
    let real_rel = svc.root.canonical(&rel)?;
    // A path the scan leaves out is not part of the workspace view, also when reached via a link.
    if svc.index.is_excluded(&rel, false) || svc.index.is_excluded(&real_rel, false) {
        return Err(Error::NotFound { path: rel });
    }
    let file = svc.root.open_file(&real_rel).map_err(|e| match e {
        // Name the path the caller asked for, not where the link led.
        Error::NotAFile { .. } => Error::NotAFile { path: rel.clone() },
        Error::NotFound { .. } => Error::NotFound { path: rel.clone() },
        e => e,
    })?;
    let meta = file.metadata().map_err(|e| Error::io(&rel, e))?;
    let limit = p.max_bytes.unwrap_or(svc.max_file_size).min(svc.max_file_size);
    if meta.len() > limit {
        return Err(Error::TooLarge { path: rel.clone(), size: meta.len(), limit });
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    (&file).take(limit + 1).read_to_end(&mut bytes).map_err(|e| Error::io(&rel, e))?;
    let size = bytes.len() as u64;
    if size > limit {
        return Err(Error::TooLarge { path: rel.clone(), size, limit });
    }
    let mtime = mtime_ms(meta.modified());
    let hash = svc.content_hash(&real_rel, size, mtime, &bytes);
    let content = match p.encoding {
        Encoding::Utf8 => String::from_utf8(bytes).map_err(|_| Error::InvalidEncoding { path: rel.clone() })?,
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(&bytes),
    };
    Ok(ReadResult { path: rel, content, encoding: p.encoding, size, mtime_ms: mtime, hash })
}

impl Service {
    /// The xxh3-128 hash of `bytes` (the content of `rel` at this size and mtime), hex-encoded.
    fn content_hash(&self, rel: &str, size: u64, mtime_ms: i64, bytes: &[u8]) -> String {
        let mut cache = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.get(rel).filter(|c| c.size == size && c.mtime_ms == mtime_ms) {
            return hit.hash.clone();
        }
        // Hash outside the lock: big files must not stall other readers.
        drop(cache);
        let hash = format!("{:032x}", xxhash_rust::xxh3::xxh3_128(bytes));
        cache = self.hashes.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= HASH_CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(rel.to_owned(), CachedHash { size, mtime_ms, hash: hash.clone() });
        hash
    }
}
