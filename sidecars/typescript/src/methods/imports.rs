//! `typescript/imports` (a file's module requests with where each leads) and
//! `typescript/importers` (the reverse edges into a file, optionally transitively).

use std::collections::{BTreeSet, VecDeque};

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;
use skaffa_workspace::paths;

use super::Service;
use crate::error::{Error, Result};
use crate::summary::{ImportKind, Range};

/// See `schema/imports.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportsParams {
    path: String,
}

/// One import (see `schema/imports.result.json`).
#[derive(Serialize)]
pub struct ImportItem {
    specifier: String,
    kind: ImportKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    names: Option<Vec<String>>,
    resolved: Option<String>,
    external: bool,
    range: Range,
}

/// See `schema/imports.result.json`.
#[derive(Serialize)]
pub struct Imports {
    path: String,
    imports: Vec<ImportItem>,
}

/// Answers `typescript/imports`.
pub fn run_imports(service: &Service, cx: &Context, p: ImportsParams) -> Result<Imports> {
    service.ready(cx)?;
    let state = service.index.state();
    let (path, entry) = service.index.entry(&state, &p.path)?;
    let summary = entry.summary.as_deref().map(|s| s.imports.as_slice()).unwrap_or_default();
    let imports = summary
        .iter()
        .zip(&entry.targets)
        .map(|(i, t)| ImportItem {
            specifier: i.specifier.clone(),
            kind: i.kind,
            names: i.names.clone(),
            resolved: t.resolved.clone(),
            external: t.external,
            range: i.range,
        })
        .collect();
    Ok(Imports { path, imports })
}

/// See `schema/importers.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportersParams {
    path: String,
    #[serde(default)]
    transitive: bool,
}

/// One edge into the file (see `schema/importers.result.json`).
#[derive(Serialize)]
pub struct Importer {
    path: String,
    specifier: String,
    kind: ImportKind,
    /// For a transitive answer: the file this edge imports, when it is not the requested one.
    #[serde(skip_serializing_if = "Option::is_none")]
    via: Option<String>,
}

/// See `schema/importers.result.json`.
#[derive(Serialize)]
pub struct Importers {
    path: String,
    importers: Vec<Importer>,
}

/// Answers `typescript/importers`: any workspace file may be imported (styles, JSON), so the
/// path only has to be known, not analysed.
pub fn run_importers(service: &Service, cx: &Context, p: ImportersParams) -> Result<Importers> {
    service.ready(cx)?;
    let state = service.index.state();
    let path = paths::normalize(&p.path)?;
    if !state.known.contains_key(&path) && !state.files.contains_key(&path) {
        return Err(Error::NotFound { path });
    }
    let mut importers = Vec::new();
    let mut seen = BTreeSet::from([path.clone()]);
    let mut queue = VecDeque::from([path.clone()]);
    while let Some(target) = queue.pop_front() {
        for (from, i) in state.importers_of(&target) {
            let Some(import) =
                state.files.get(from).and_then(|e| e.summary.as_ref()).and_then(|s| s.imports.get(*i as usize))
            else {
                continue;
            };
            let via = (target != path).then(|| target.clone());
            importers.push(Importer {
                path: from.clone(),
                specifier: import.specifier.clone(),
                kind: import.kind,
                via,
            });
            if p.transitive && seen.insert(from.clone()) {
                queue.push_back(from.clone());
            }
        }
        if cx.is_cancelled() {
            return Err(Error::Cancelled);
        }
    }
    Ok(Importers { path, importers })
}
