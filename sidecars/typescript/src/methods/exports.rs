//! `typescript/exports`: a file's exported names and its `export * from` stars with where each
//! star leads.

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::Result;
use crate::summary::Export;

/// See `schema/exports.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    path: String,
}

/// One `export * from` (see `schema/exports.result.json`).
#[derive(Serialize)]
pub struct Star {
    specifier: String,
    resolved: Option<String>,
}

/// See `schema/exports.result.json`.
#[derive(Serialize)]
pub struct Exports {
    path: String,
    exports: Vec<Export>,
    stars: Vec<Star>,
}

/// Answers `typescript/exports`.
pub fn run(service: &Service, cx: &Context, p: Params) -> Result<Exports> {
    service.ready(cx)?;
    let state = service.index.state();
    let (path, entry) = service.index.entry(&state, &p.path)?;
    let Some(summary) = entry.summary.as_deref() else { return Ok(Exports { path, exports: vec![], stars: vec![] }) };
    let stars = summary
        .stars
        .iter()
        .map(|(specifier, range)| {
            let at = summary.imports.iter().position(|i| i.range == *range);
            let resolved = at.and_then(|i| entry.targets.get(i)).and_then(|t| t.resolved.clone());
            Star { specifier: specifier.clone(), resolved }
        })
        .collect();
    Ok(Exports { path, exports: summary.exports.clone(), stars })
}
