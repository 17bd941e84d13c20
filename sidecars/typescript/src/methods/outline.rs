//! `typescript/outline`: one file's symbol tree (LSP DocumentSymbol shape), its parser
//! diagnostics, and whether the tree is older than the text (`stale`).

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::Result;
use crate::summary::{Diagnostic, Symbol};

/// See `schema/outline.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    path: String,
}

/// See `schema/outline.result.json`.
#[derive(Serialize)]
pub struct Outline {
    path: String,
    symbols: Vec<Symbol>,
    diagnostics: Vec<Diagnostic>,
    stale: bool,
}

/// Answers `typescript/outline`.
pub fn run(service: &Service, cx: &Context, p: Params) -> Result<Outline> {
    service.ready(cx)?;
    let state = service.index.state();
    let (path, entry) = service.index.entry(&state, &p.path)?;
    let symbols = entry.summary.as_ref().map(|s| s.symbols.clone()).unwrap_or_default();
    Ok(Outline { path, symbols, diagnostics: entry.diagnostics.clone(), stale: entry.stale })
}
