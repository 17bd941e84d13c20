//! `typescript/status`: counts only, never waits for the first build.

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::Result;

/// No params.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {}

/// See `schema/status.result.json`.
#[derive(Serialize)]
pub struct Status {
    state: &'static str,
    files: u64,
    parsed: u64,
    failed: u64,
    skipped: u64,
    symbols: u64,
    edges: u64,
    generation: u64,
}

/// Answers `typescript/status`.
pub fn run(service: &Service, _cx: &Context, _: Params) -> Result<Status> {
    let ready = service.index.is_ready();
    let state = service.index.state();
    let mut s = Status {
        state: if ready { "ready" } else { "indexing" },
        files: state.files.len() as u64,
        parsed: 0,
        failed: 0,
        skipped: 0,
        symbols: state.names.symbols() as u64,
        edges: state.edges,
        generation: state.generation,
    };
    for e in state.files.values() {
        match &e.summary {
            None => s.skipped += 1,
            Some(_) => s.parsed += 1,
        }
        s.failed += u64::from(!e.diagnostics.is_empty());
    }
    Ok(s)
}
