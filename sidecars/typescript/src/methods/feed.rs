//! The feed: `typescript/didChange` takes exactly the workspace sidecar's `workspace/didChange`
//! payload (main forwards it unchanged) and `typescript/resync` re-walks the root when main has
//! lost track (a restart of either sidecar, a `rescan: true` batch, a generation gap). Both apply
//! their changes through the index and announce them as `typescript/didUpdate`.

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::Result;
use crate::index::{Change, Update};

/// See `schema/didChange.params.json` (the shape of `workspace/didChange`'s payload).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DidChangeParams {
    /// The workspace index generation after the batch (not used: order comes from main).
    #[allow(dead_code)]
    generation: u64,
    changes: Vec<Change>,
    /// Set when the batch came from a rescan; its changes are still the whole difference.
    #[serde(default)]
    #[allow(dead_code)]
    rescan: bool,
}

/// See `schema/didChange.result.json`.
#[derive(Serialize)]
pub struct Applied {
    applied: usize,
}

fn announce(cx: &Context, update: &Update) {
    let _ = cx.events().send("typescript/didUpdate", update);
}

/// Answers `typescript/didChange`.
pub fn did_change(service: &Service, cx: &Context, p: DidChangeParams) -> Result<Applied> {
    service.ready(cx)?;
    let update = service.index.apply(&p.changes);
    announce(cx, &update);
    Ok(Applied { applied: p.changes.len() })
}

/// No params.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResyncParams {}

/// See `schema/resync.result.json`.
#[derive(Serialize)]
pub struct Resynced {
    changed: usize,
}

/// Answers `typescript/resync`.
pub fn resync(service: &Service, cx: &Context, _: ResyncParams) -> Result<Resynced> {
    service.ready(cx)?;
    let (changed, update) = service.index.resync()?;
    announce(cx, &update);
    Ok(Resynced { changed })
}
