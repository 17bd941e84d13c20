//! `typescript/components`: React components across the workspace (or in one file), optionally
//! matching a query, ranked like `typescript/symbols`.

use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::rank::Query;
use super::Service;
use crate::error::Result;
use crate::summary::{Prop, Range};

/// See `schema/components.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    query: Option<String>,
    path: Option<String>,
    limit: Option<usize>,
}

/// One component (see `schema/components.result.json`).
#[derive(Serialize)]
pub struct Item {
    name: String,
    path: String,
    range: Range,
    exported: bool,
    props: Vec<Prop>,
}

/// See `schema/components.result.json`.
#[derive(Serialize)]
pub struct Components {
    components: Vec<Item>,
}

const DEFAULT_LIMIT: usize = 100;

/// Answers `typescript/components`.
pub fn run(service: &Service, cx: &Context, p: Params) -> Result<Components> {
    service.ready(cx)?;
    let state = service.index.state();
    let only = match &p.path {
        Some(path) => Some(service.index.entry(&state, path)?.0),
        None => None,
    };
    let q = Query::new(p.query.as_deref().unwrap_or(""));
    let mut found = Vec::new();
    for (path, entry) in &state.files {
        if only.as_ref().is_some_and(|o| o != path) {
            continue;
        }
        for c in entry.summary.iter().flat_map(|s| &s.components) {
            if let Some(tier) = q.tier(&c.name) {
                let item = Item {
                    name: c.name.clone(),
                    path: path.clone(),
                    range: c.range,
                    exported: c.exported,
                    props: c.props.clone(),
                };
                found.push(((tier, !c.exported, c.name.len()), item));
            }
        }
    }
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.path.cmp(&b.1.path)));
    found.truncate(p.limit.unwrap_or(DEFAULT_LIMIT));
    Ok(Components { components: found.into_iter().map(|(_, i)| i).collect() })
}
