//! `workspace/stat`: the type, size and mtime of one entry, from `lstat` so a symlink is reported
//! as itself (as the index lists it) rather than as whatever it points to; that includes a link
//! that dangles or loops, as long as it does not point outside the root. With `"hash": true` a
//! regular file's answer also carries its content hash, computed (or taken from the cache under
//! its racy rule) as `workspace/hashes` does; a folder or link gets none.

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::{mtime_ms, Service};
use crate::error::Result;
use crate::index::EntryType;

/// See `schema/stat.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    path: String,
    #[serde(default)]
    hash: bool,
}

/// See `schema/stat.result.json`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct StatResult {
    path: String,
    #[serde(rename = "type")]
    kind: EntryType,
    size: u64,
    mtime_ms: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    hash: Option<String>,
}

pub(super) fn run(svc: &Service, _cx: &Context, p: Params) -> Result<StatResult> {
    let (r, meta) = svc.lstat_visible(&p.path)?;
    let kind = if meta.is_symlink() {
        EntryType::Symlink
    } else if meta.is_dir() {
        EntryType::Dir
    } else {
        EntryType::File
    };
    let mtime = mtime_ms(meta.modified().map(|t| t.into_std()));
    let hash = if p.hash && kind == EntryType::File { Some(svc.hash_of(&r)?) } else { None };
    Ok(StatResult { path: r, kind, size: meta.len(), mtime_ms: mtime, hash })
}
