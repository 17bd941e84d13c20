//! `workspace/stat`: the type, size and mtime of one entry, from `lstat` so a symlink is reported
//! as itself (as the index lists it) rather than as whatever it points to; that includes a link
//! that dangles or loops, as long as it does not point outside the root.

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
    let (r, meta) = svc.lstat_visible(&p.path)?;
    let kind = if meta.is_symlink() {
        EntryType::Symlink
    } else if meta.is_dir() {
        EntryType::Dir
    } else {
        EntryType::File
    };
    let mtime = mtime_ms(meta.modified().map(|t| t.into_std()));
    Ok(StatResult { path: r, kind, size: meta.len(), mtime_ms: mtime })
}
