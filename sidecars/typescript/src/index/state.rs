//! The index's data: which files exist, what each analysed file holds, and the reverse edges.
//! Kept behind one lock in [`super::Index`]; every change to a file's resolved imports goes
//! through [`State::put`] or [`State::remove`], which keep the reverse edges in step.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use super::names::Names;
use crate::resolve::Target;
use crate::summary::{Diagnostic, Summary};

/// What the index holds for one TS/JS file.
#[derive(Clone, Debug, Default)]
pub struct FileEntry {
    /// The last good summary (`None` for a file over the size limit, which is not parsed).
    pub summary: Option<Arc<Summary>>,
    /// The latest parse's errors.
    pub diagnostics: Vec<Diagnostic>,
    /// The latest parse failed, so `summary` is an older (or a recovered) one.
    pub stale: bool,
    /// `summary` came from the parser's error recovery, not from a clean parse.
    pub recovered: bool,
    /// Where each of `summary.imports` leads, in the same order.
    pub targets: Vec<Target>,
}

/// Everything the index knows, at one moment.
#[derive(Default)]
pub struct State {
    /// Every workspace file with size and mtime in ms, as the walker or the feed reported it.
    pub known: BTreeMap<String, (u64, i64)>,
    /// The analysed (TS/JS) files.
    pub files: BTreeMap<String, FileEntry>,
    /// Target → (importer, import index) for every resolved import.
    pub reverse: HashMap<String, BTreeSet<(String, u32)>>,
    /// This sidecar's update counter (see `typescript/didUpdate`).
    pub generation: u64,
    /// Resolved import edges in the graph.
    pub edges: u64,
    /// Every file's symbol name masks (the symbols query's prefilter), kept in step by `put`.
    pub names: Names,
}

impl State {
    /// Puts `entry` for `path`, replacing its reverse edges by the entry's.
    pub fn put(&mut self, path: &str, entry: FileEntry) {
        self.unlink(path);
        match &entry.summary {
            Some(summary) => self.names.put(path, summary),
            None => self.names.remove(path),
        }
        for (i, t) in entry.targets.iter().enumerate() {
            if let Some(to) = &t.resolved {
                self.reverse.entry(to.clone()).or_default().insert((path.to_owned(), i as u32));
                self.edges += 1;
            }
        }
        self.files.insert(path.to_owned(), entry);
    }

    /// Forgets `path` as a file and as an importer (edges into it stay until importers re-resolve).
    pub fn remove(&mut self, path: &str) {
        self.unlink(path);
        self.names.remove(path);
        self.files.remove(path);
        self.known.remove(path);
    }

    fn unlink(&mut self, path: &str) {
        let Some(old) = self.files.get(path) else { return };
        for t in &old.targets {
            if let Some(to) = &t.resolved {
                if let Some(set) = self.reverse.get_mut(to) {
                    let before = set.len();
                    set.retain(|(from, _)| from != path);
                    self.edges -= (before - set.len()) as u64;
                    if set.is_empty() {
                        self.reverse.remove(to);
                    }
                }
            }
        }
    }

    /// Files importing `path` directly, as (importer, import index).
    pub fn importers_of(&self, path: &str) -> impl Iterator<Item = &(String, u32)> {
        self.reverse.get(path).into_iter().flatten()
    }
}
