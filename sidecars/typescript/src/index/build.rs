//! Filling and changing the index: the first build (walk, parse on every core, resolve), a
//! batch of changes from the feed, and a resync against a fresh walk. All three analyse a file
//! the same way ([`Index::analyse`]) and resolve through the same [`Resolver`], which is rebuilt
//! when a config file (tsconfig/jsconfig/package.json/pnpm-workspace.yaml) is among the changes.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use super::layout::Layout;
use super::{Change, ChangeKind, FileEntry, Index, Update};
use crate::error::Result;
use crate::parse::{self, MAX_FILE_BYTES};
use crate::resolve::{self, Conditions, Resolver};
use crate::summary::{Diagnostic, Position, Range};

fn analysed(rel: &str) -> bool {
    parse::source_type(rel).is_some()
}

impl Index {
    /// The first build: walks, parses every TS/JS file on every core (each published as soon as
    /// it is parsed), resolves, then marks the index ready. Returns the number of files analysed.
    pub fn build(&self) -> Result<usize> {
        let _writer = self.inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        let known = self.walk()?;
        let todo: Vec<String> = known.keys().filter(|p| analysed(p)).cloned().collect();
        self.rebuild_resolver(&known.keys().cloned().collect());
        self.inner.state.write().unwrap_or_else(|e| e.into_inner()).known = known;
        let next = AtomicUsize::new(0);
        let threads = std::thread::available_parallelism().map_or(2, |n| n.get()).min(todo.len().max(1));
        std::thread::scope(|s| {
            for _ in 0..threads {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(rel) = todo.get(i) else { break };
                    if let Some(hold) = &self.inner.hold {
                        hold.wait(i);
                    }
                    let entry = self.analyse(rel, None);
                    self.inner.state.write().unwrap_or_else(|e| e.into_inner()).put(rel, entry);
                });
            }
        });
        self.inner.state.write().unwrap_or_else(|e| e.into_inner()).generation += 1;
        *self.inner.ready.lock().unwrap_or_else(|e| e.into_inner()) = true;
        self.inner.ready_cv.notify_all();
        Ok(todo.len())
    }

    fn rebuild_resolver(&self, files: &BTreeSet<String>) {
        let read = |rel: &str| self.read(rel).ok().and_then(|b| String::from_utf8(b).ok());
        let resolver = Resolver::new(&self.inner.root, files, &read);
        *self.inner.resolver.write().unwrap_or_else(|e| e.into_inner()) = resolver;
    }

    /// Reads, parses and resolves `rel`. A file that no longer parses keeps `previous`'s
    /// summary (marked stale) so its outline is never erased by a half-typed edit.
    fn analyse(&self, rel: &str, previous: Option<&FileEntry>) -> FileEntry {
        let start = Range { start: Position { line: 0, character: 0 }, end: Position { line: 0, character: 0 } };
        let failed = |message: String| FileEntry {
            summary: Some(previous.and_then(|p| p.summary.clone()).unwrap_or_default()),
            diagnostics: vec![Diagnostic { message, range: start }],
            stale: true,
            recovered: previous.is_none_or(|p| p.recovered),
            targets: previous.map(|p| p.targets.clone()).unwrap_or_default(),
        };
        let bytes = match self.read(rel) {
            Ok(b) if b.len() as u64 > MAX_FILE_BYTES => return FileEntry::default(),
            Ok(b) => b,
            Err(e) => return failed(e.to_string()),
        };
        let Ok(text) = String::from_utf8(bytes) else { return failed("the file is not valid UTF-8".to_owned()) };
        // A parser bug on one pathological file must not take the index (or the build) down:
        // the file is answered as failed and every other file still counts.
        let parsed = match std::panic::catch_unwind(|| parse::parse(rel, &text)) {
            Ok(parsed) => parsed,
            Err(_) => return failed("the parser panicked on this file".to_owned()),
        };
        let clean = parsed.diagnostics.is_empty() && !parsed.panicked;
        if !clean {
            if let Some(prev) = previous.filter(|p| p.summary.is_some() && !p.recovered) {
                return FileEntry { diagnostics: parsed.diagnostics, stale: true, ..prev.clone() };
            }
        }
        let targets = self.resolve_all(rel, &parsed.summary.imports);
        FileEntry {
            summary: Some(Arc::new(parsed.summary)),
            diagnostics: parsed.diagnostics,
            stale: !clean,
            recovered: !clean,
            targets,
        }
    }

    fn resolve_all(&self, rel: &str, imports: &[crate::summary::Import]) -> Vec<resolve::Target> {
        let resolver = self.inner.resolver.read().unwrap_or_else(|e| e.into_inner());
        imports.iter().map(|i| resolver.resolve(rel, &i.specifier, Conditions::of(rel, i.kind))).collect()
    }

    /// Applies one batch of changes (the feed's `didChange`): re-reads and re-parses the TS/JS
    /// files in it, rebuilds the resolver and re-resolves every file when a config file changed,
    /// re-resolves the imports that created or deleted files can change when files came or went
    /// (see [`Layout`]), and returns the update to announce.
    pub fn apply(&self, changes: &[Change]) -> Update {
        let _writer = self.inner.writer.lock().unwrap_or_else(|e| e.into_inner());
        let mut touched = BTreeSet::new();
        // The paths that entered or left the workspace.
        let mut layout = Vec::new();
        let mut config = false;
        for c in changes {
            let Ok(rel) = skaffa_workspace::paths::normalize(&c.path) else { continue };
            let meta = match c.kind {
                ChangeKind::Deleted => None,
                _ => self.meta(&rel),
            };
            config |= resolve::is_config(&rel);
            let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
            match meta {
                None => {
                    if state.known.contains_key(&rel) {
                        layout.push(rel.clone());
                    }
                    if state.files.contains_key(&rel) {
                        touched.insert(rel.clone());
                    }
                    state.remove(&rel);
                }
                Some(meta) => {
                    if state.known.insert(rel.clone(), meta).is_none() {
                        layout.push(rel.clone());
                    }
                    if analysed(&rel) {
                        let previous = state.files.get(&rel).cloned();
                        drop(state);
                        let entry = self.analyse(&rel, previous.as_ref());
                        self.inner.state.write().unwrap_or_else(|e| e.into_inner()).put(&rel, entry);
                        touched.insert(rel);
                    }
                }
            }
        }
        if config {
            let files = self.state().known.keys().cloned().collect();
            self.rebuild_resolver(&files);
            touched.extend(self.re_resolve());
        } else if !layout.is_empty() {
            self.inner.resolver.read().unwrap_or_else(|e| e.into_inner()).clear_cache();
            touched.extend(self.re_resolve_layout(&Layout::new(layout.iter().map(String::as_str))));
        }
        let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        state.generation += 1;
        Update { generation: state.generation, paths: touched.into_iter().collect() }
    }

    /// Resolves every analysed file's imports again; returns the files whose targets changed.
    fn re_resolve(&self) -> Vec<String> {
        let files: Vec<(String, FileEntry)> = self
            .state()
            .files
            .iter()
            .filter(|(_, e)| e.summary.is_some())
            .map(|(p, e)| (p.clone(), e.clone()))
            .collect();
        let mut changed = Vec::new();
        for (path, mut entry) in files {
            let imports = &entry.summary.as_ref().map(|s| s.imports.clone()).unwrap_or_default();
            let targets = self.resolve_all(&path, imports);
            if targets != entry.targets {
                entry.targets = targets;
                self.inner.state.write().unwrap_or_else(|e| e.into_inner()).put(&path, entry);
                changed.push(path);
            }
        }
        changed
    }

    /// Re-resolves the imports that files entering or leaving the workspace can change (see
    /// [`Layout`]); returns the files whose targets changed.
    fn re_resolve_layout(&self, layout: &Layout) -> Vec<String> {
        let resolver = self.inner.resolver.read().unwrap_or_else(|e| e.into_inner());
        let mut updates: Vec<(String, FileEntry)> = Vec::new();
        {
            let state = self.state();
            // Bare specifiers by (config folder, specifier, conditions): one resolution answers for all.
            let mut bare: HashMap<(Option<&str>, &str, Conditions), Option<resolve::Target>> = HashMap::new();
            for (path, entry) in &state.files {
                let Some(summary) = &entry.summary else { continue };
                let config = resolver.config_dir(path);
                let mut targets: Option<Vec<resolve::Target>> = None;
                for (i, import) in summary.imports.iter().enumerate() {
                    let spec = import.specifier.as_str();
                    let conditions = Conditions::of(path, import.kind);
                    let old = entry.targets.get(i);
                    let new = if spec.starts_with('.') {
                        layout.touches_relative(path, spec).then(|| resolver.resolve(path, spec, conditions))
                    } else if spec.starts_with('/') || spec.starts_with('#') {
                        // Absolute paths and package `imports` depend on the importer's place.
                        Some(resolver.resolve(path, spec, conditions))
                    } else {
                        let answer = bare.entry((config, spec, conditions)).or_insert_with(|| {
                            let now = resolver.resolve(path, spec, conditions);
                            (Some(&now) != old).then_some(now)
                        });
                        answer.clone()
                    };
                    if let Some(new) = new.filter(|n| Some(n) != old) {
                        targets.get_or_insert_with(|| entry.targets.clone())[i] = new;
                    }
                }
                if let Some(targets) = targets {
                    updates.push((path.clone(), FileEntry { targets, ..entry.clone() }));
                }
            }
        }
        drop(resolver);
        let mut state = self.inner.state.write().unwrap_or_else(|e| e.into_inner());
        updates
            .into_iter()
            .map(|(path, entry)| {
                state.put(&path, entry);
                path
            })
            .collect()
    }

    /// Walks the root again and applies the difference from what the index holds (by size and
    /// mtime) as one batch. Returns the number of changed paths and the update.
    pub fn resync(&self) -> Result<(usize, Update)> {
        let now = self.walk()?;
        let changes = diff(&self.state().known, &now);
        Ok((changes.len(), self.apply(&changes)))
    }
}

/// The changes that turn `old` into `new`.
fn diff(old: &BTreeMap<String, (u64, i64)>, new: &BTreeMap<String, (u64, i64)>) -> Vec<Change> {
    let mut out = Vec::new();
    for (path, meta) in new {
        match old.get(path) {
            None => out.push(Change { path: path.clone(), kind: ChangeKind::Created }),
            Some(m) if m != meta => out.push(Change { path: path.clone(), kind: ChangeKind::Changed }),
            Some(_) => {}
        }
    }
    out.extend(
        old.keys().filter(|p| !new.contains_key(*p)).map(|p| Change { path: p.clone(), kind: ChangeKind::Deleted }),
    );
    out
}
