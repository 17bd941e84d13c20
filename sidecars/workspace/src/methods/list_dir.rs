//! `workspace/listDir`: the children of one folder as the index sees them (ignored entries left
//! out, symlinks listed as themselves), sorted by name. A folder that exists but holds no indexed
//! file lists as empty, except one the index could not read (`PERMISSION_DENIED`); a symlink to
//! a folder is not a folder here, because the view never follows links.

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::{Error, Result};
use crate::index::EntryType;

/// See `schema/listDir.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    path: String,
}

/// One child of the folder.
#[derive(Serialize)]
pub struct Entry {
    name: String,
    #[serde(rename = "type")]
    kind: EntryType,
}

/// See `schema/listDir.result.json`.
#[derive(Serialize)]
pub struct ListDirResult {
    entries: Vec<Entry>,
}

pub(super) fn run(svc: &Service, cx: &Context, p: Params) -> Result<ListDirResult> {
    let (r, meta) = svc.lstat_visible(&p.path)?;
    if !meta.is_dir() {
        return Err(Error::NotADirectory { path: r });
    }
    // A folder the index could not read would list as empty, which it is not.
    if svc.index().unreadable(&r) {
        return Err(Error::io(r, std::io::Error::from(std::io::ErrorKind::PermissionDenied)));
    }
    let snapshot = svc.snapshot(cx)?;
    let mut entries: Vec<Entry> =
        snapshot.list_dir(&r).unwrap_or_default().into_iter().map(|(name, kind)| Entry { name, kind }).collect();
    entries.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ListDirResult { entries })
}
