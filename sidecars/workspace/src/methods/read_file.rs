//! `workspace/readFile`: confined, size-limited reads as UTF-8 text or base64, with a content
//! hash. The size is checked on the open handle before reading, and the read itself is capped,
//! so a file that grows in between cannot push past the limit. The content hash (xxh3-128) comes
//! for free from the bytes read and lands in the hash cache (see `crate::hashes`), so a later
//! `hashes` or `stat` with `hash` of the unchanged file need not read it again.

use std::io::Read;

use base64::Engine;
use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::{mtime_ms, Service};
use crate::error::{Error, Result};
use crate::hashes::{self, Cached};

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

pub(super) fn run(svc: &Service, _cx: &Context, p: Params) -> Result<ReadResult> {
    let (rel, real_rel, file) = svc.open_readable(&p.path)?;
    // Taken before the key and the read, so a write racing with the read counts as racy.
    let started = hashes::now_ns();
    let key = hashes::file_key(&file).map_err(|e| Error::io(&rel, e))?;
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
    // Always the hash of the bytes answered (hashing them costs little beside reading them).
    let hash = xxhash_rust::xxh3::xxh3_128(&bytes);
    // Bytes of another length than the key's were written during the read: not its content.
    if size == key.size {
        svc.hashes.remember(&real_rel, Cached { key, hash, computed_ns: started });
    }
    let hash = hashes::hex(hash);
    let content = match p.encoding {
        Encoding::Utf8 => String::from_utf8(bytes).map_err(|_| Error::InvalidEncoding { path: rel.clone() })?,
        Encoding::Base64 => base64::engine::general_purpose::STANDARD.encode(&bytes),
    };
    Ok(ReadResult { path: rel, content, encoding: p.encoding, size, mtime_ms: mtime, hash })
}
