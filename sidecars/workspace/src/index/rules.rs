//! "Would a fresh scan include this path?" without walking: the same rules the walker applies,
//! evaluated for one path. Like `ignore`, every ancestor folder is checked (an ignored folder
//! hides everything below it), `--exclude` overrides come first, then `.ignore` files, then
//! `.gitignore` files, then the `info/exclude` of each folder holding a `.git`, then git's global
//! excludes file (`core.excludesFile`, read once), and within each kind a deeper file beats a
//! shallower one. Parsed ignore files are cached per folder and dropped when the watcher sees
//! them change.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use ignore::gitignore::{Gitignore, GitignoreBuilder};
use ignore::overrides::Override;
use ignore::Match;

use super::types::IndexOptions;

/// Upper bound on cached folders, so a long session touching many folders stays small.
const CACHE_LIMIT: usize = 65_536;

/// Parsed ignore files of one folder; `None` in the cache means the folder has none of them.
struct DirRules {
    ignore: Gitignore,
    git: Gitignore,
    /// `.git/info/exclude` (or the worktree's common git folder's), when the folder holds a `.git`.
    exclude: Gitignore,
}

/// The exclusion rules of one index.
pub(crate) struct Rules {
    root: PathBuf,
    no_ignore: bool,
    overrides: Override,
    /// git's global excludes file, rooted at the workspace root as the walker's is.
    global: Gitignore,
    cache: Mutex<HashMap<String, Option<Arc<DirRules>>>>,
}

impl Rules {
    /// Rules for `opts`. A bad `--exclude` glob is reported by the scan; here it matches nothing.
    pub(crate) fn new(opts: &IndexOptions) -> Rules {
        Rules {
            root: opts.root.clone(),
            no_ignore: opts.no_ignore,
            overrides: super::scan::build_overrides(opts).unwrap_or_else(|_| Override::empty()),
            // An unreadable or partly broken file applies what it can, as in the walker.
            global: match opts.no_ignore {
                true => Gitignore::empty(),
                false => GitignoreBuilder::new(&opts.root).build_global().0,
            },
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
        // Each kind outranks the next, deepest first within a kind, as in `ignore`'s walker.
        let kinds: [fn(&DirRules) -> &Gitignore; 3] = [|r| &r.ignore, |r| &r.git, |r| &r.exclude];
        for kind in kinds {
            for rules in &ancestors {
                match kind(rules).matched(&abs, is_dir) {
                    Match::Ignore(_) => return true,
                    Match::Whitelist(_) => return false,
                    Match::None => {}
                }
            }
        }
        self.global.matched(&abs, is_dir).is_ignore()
    }

    /// The parsed ignore files of folder `rel_dir` (`""` = root), from the cache or the disk.
    fn dir_rules(&self, rel_dir: &str) -> Option<Arc<DirRules>> {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(hit) = cache.get(rel_dir) {
            return hit.clone();
        }
        let dir = self.root.join(rel_dir);
        let (ignore, git, exclude) = (load(&dir, &dir, ".ignore"), load(&dir, &dir, ".gitignore"), load_exclude(&dir));
        let rules = match (ignore, git, exclude) {
            (Some(ignore), Some(git), Some(exclude))
                if !ignore.is_empty() || !git.is_empty() || !exclude.is_empty() =>
            {
                Some(Arc::new(DirRules { ignore, git, exclude }))
            }
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

/// Parses `file_dir/name` with patterns relative to `dir` (an empty matcher when the file does
/// not exist or cannot be read).
fn load(dir: &Path, file_dir: &Path, name: &str) -> Option<Gitignore> {
    let mut b = GitignoreBuilder::new(dir);
    let file = file_dir.join(name);
    if file.is_file() {
        // A partly broken ignore file still applies its good lines, as in the walker.
        let _ = b.add(file);
    }
    b.build().ok()
}

/// The `info/exclude` of the git folder of `dir`, found as `ignore` finds it: `dir/.git/` itself,
/// or for a `.git` file (a linked worktree or submodule) the folder its `gitdir:` line names, or
/// that folder's `commondir` when it has one.
fn load_exclude(dir: &Path) -> Option<Gitignore> {
    let dot_git = dir.join(".git");
    let git_dir = match std::fs::metadata(&dot_git) {
        Ok(md) if md.is_file() => match worktree_common_dir(&dot_git) {
            Some(common) => common,
            None => return GitignoreBuilder::new(dir).build().ok(),
        },
        _ => dot_git,
    };
    load(dir, &git_dir, "info/exclude")
}

/// The common git folder a `.git` file points to (`gitdir: X`, then `X/commondir`), if any.
pub(crate) fn worktree_common_dir(dot_git: &Path) -> Option<PathBuf> {
    let text = std::fs::read_to_string(dot_git).ok()?;
    let real = PathBuf::from(text.lines().next()?.strip_prefix("gitdir: ")?);
    let common = std::fs::read_to_string(real.join("commondir")).ok()?;
    let common = common.lines().next()?;
    Some(if common.starts_with('.') { real.join(common) } else { PathBuf::from(common) })
}

/// The folder holding `rel` (`""` for the root's entries).
pub(crate) fn parent_of(rel: &str) -> &str {
    rel.rfind('/').map_or("", |i| &rel[..i])
}

/// Every folder strictly above `rel`, deepest first, ending with the root `""` (none for the root
/// itself): the folders whose ignore files govern `rel`.
pub(crate) fn ancestors(rel: &str) -> impl Iterator<Item = &str> {
    let mut cur = (!rel.is_empty()).then_some(rel);
    std::iter::from_fn(move || {
        let parent = parent_of(cur?);
        cur = (!parent.is_empty()).then_some(parent);
        Some(parent)
    })
}
