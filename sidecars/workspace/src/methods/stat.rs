//! `workspace/stat`: the type, size and mtime of one entry, from `lstat` so a symlink is reported
//! as itself (as the index lists it) rather than as whatever it points to.

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::{mtime_ms, Service};
use crate::error::{Error, Result};
use crate::index::EntryType;
use crate::paths;

/// See `schema/stat.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    path: String,
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
}

pub(super) fn run(svc: &Service, _cx: &Context, p: Params) -> Result<StatResult> {
    let r = paths::resolve(svc.index.root(), &p.path)?;
    let meta = std::fs::symlink_metadata(&r.lexical).map_err(|e| match e {
        e if paths::is_missing(&e) => Error::NotFound { path: r.rel.clone() },
        e => Error::io(&r.lexical, e),
    })?;
    let kind = if meta.file_type().is_symlink() {
        EntryType::Symlink
    } else if meta.is_dir() {
        EntryType::Dir
    } else {
        EntryType::File
    };
    if svc.index.is_excluded(&r.rel, kind == EntryType::Dir) {
        return Err(Error::NotFound { path: r.rel });
    }
    Ok(StatResult { path: r.rel, kind, size: meta.len(), mtime_ms: mtime_ms(&meta) })
}
