//! "Would a fresh scan include this path?" without walking: the same rules the walker applies,
//! evaluated for one path. Like `ignore`, every ancestor folder is checked (an ignored folder
//! hides everything below it), `--exclude` overrides come first, `.ignore` files take precedence
//! over `.gitignore` files, and a deeper file beats a shallower one. Parsed ignore files are
//! cached per folder and dropped when the watcher sees them change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::Override;
use ignore::Match;

use super::IndexOptions;

/// Upper bound on cached folders, so a long session touching many folders stays small.
const CACHE_LIMIT: usize = 65_536;

/// Parsed ignore files of one folder; `None` in the cache means the folder has neither file.
struct DirRules {
    ignore: Gitignore,
    git: Gitignore,
}

/// The exclusion rules of one index.
pub(crate) struct Rules {
    root: PathBuf,
    no_ignore: bool,
    overrides: Override,
    cache: Mutex<HashMap<String, Option<Arc<DirRules>>>>,
}

impl Rules {
    /// Rules for `opts`. A bad `--exclude` glob is reported by the scan; here it matches nothing.
    pub(crate) fn new(opts: &IndexOptions) -> Rules {
        Rules {
            root: opts.root.clone(),
            no_ignore: opts.no_ignore,
            overrides: super::scan::build_overrides(opts).unwrap_or_else(|_| Override::empty()),
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// True when a fresh scan would leave out `rel` (or any folder above it).
    pub(crate) fn is_excluded(&self, rel: &str, is_dir: bool) -> bool {
        let parts: Vec<&str> = rel.split('/').filter(|p| !p.is_empty()).collect();
        if parts.contains(&".git") {
            return true;
        }
        let mut end = 0;
        for (k, part) in parts.iter().enumerate() {
            end += if k == 0 { part.len() } else { part.len() + 1 };
            let prefix = &rel.trim_start_matches('/')[..end];
            let dir = k + 1 < parts.len() || is_dir;
            if self.excluded_here(prefix, dir) {
                return true;
            }
        }
        false
    }

    /// Checks one path against the overrides and the ignore files of all its ancestors.
    fn excluded_here(&self, rel: &str, is_dir: bool) -> bool {
        let abs = self.root.join(rel);
        match self.overrides.matched(&abs, is_dir) {
            Match::Ignore(_) => return true,
            Match::Whitelist(_) => return false,
            Match::None => {}
        }
        if self.no_ignore {
            return false;
        }
        let ancestors: Vec<Arc<DirRules>> = ancestors(rel).filter_map(|d| self.dir_rules(d)).collect();
        // All `.ignore` files outrank all `.gitignore` files, deepest first within each kind.
        for use_git in [false, true] {
            for rules in &ancestors {
                let gi = if use_git { &rules.git } else { &rules.ignore };
                match gi.matched(&abs, is_dir) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        false
    }

    /// The parsed ignore files of folder `rel_dir` (`""` = root), from the cache or the disk.
    fn dir_rules(&self, rel_dir: &str) -> Option<Arc<DirRules>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.get(rel_dir) {
            return hit.clone();
        }
        let dir = self.root.join(rel_dir);
        let loaded = load(&dir, ".ignore").zip(load(&dir, ".gitignore"));
        let rules = match loaded {
            Some((ignore, git)) if !ignore.is_empty() || !git.is_empty() => Some(Arc::new(DirRules { ignore, git })),
            _ => None,
        };
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(rel_dir.to_owned(), rules.clone());
        rules
    }

    /// Forgets every cached ignore file, before a full rescan.
    pub(crate) fn invalidate_all(&self) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Forgets the cached ignore files of `rel_dir` and every folder below it, after the folder
    /// was created, moved or replaced (its ignore files came with it, without events of their own).
    pub(crate) fn invalidate_under(&self, rel_dir: &str) {
        let prefix = format!("{rel_dir}/");
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        cache.retain(|k, _| k != rel_dir && !k.starts_with(&prefix));
    }

    /// Forgets the cached ignore files of `rel_dir` after one of them changed.
    pub(crate) fn invalidate(&self, rel_dir: &str) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).remove(rel_dir);
    }
}

/// Parses `dir/name` (an empty matcher when the file does not exist or cannot be read).
fn load(dir: &Path, name: &str) -> Option<Gitignore> {
    let mut b = GitignoreBuilder::new(dir);
    let file = dir.join(name);
    if file.is_file() {
        // A partly broken ignore file still applies its good lines, as in the walker.
        let _ = b.add(file);
    }
    b.build().ok()
}

/// The folders whose ignore files govern `rel`, deepest first, ending with the root `""`.
fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    let mut cur = Some(rel);
    std::iter::from_fn(move || {
        let path = cur?;
        let parent = path.rfind('/').map_or("", |i| &path[..i]);
        cur = if parent.is_empty() { None } else { Some(parent) };
        Some(parent)
    })
}
