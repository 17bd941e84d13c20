//! Which imports a batch that creates or deletes files can change, so the batch re-resolves
//! those instead of every import in the workspace. A relative specifier resolves to its base
//! path (the importer's folder joined with it), that path with an extension added or swapped
//! (`./a.js` → `a.ts`), or an index file in it, so it can only change when a created or deleted
//! file has that base, or the base less its extension, as its own path, its path less its
//! extension, or its folder. A bare specifier answers alike for every importer under the same
//! tsconfig (the config's `paths` and `baseUrl`, the workspace's packages): it is re-resolved
//! once per config, and its importers only when that answer changed. Config file edits still
//! re-resolve everything (the caller's rule).

use std::collections::HashSet;

/// The keys of the created and deleted paths of one batch.
pub struct Layout {
    keys: HashSet<String>,
}

/// `path` less its extension (`.d.ts`, `.d.mts` and `.d.cts` count as one).
fn stem(path: &str) -> &str {
    for double in [".d.ts", ".d.mts", ".d.cts"] {
        if let Some(s) = path.strip_suffix(double) {
            return s;
        }
    }
    let name_at = path.rfind('/').map_or(0, |i| i + 1);
    match path[name_at..].rfind('.') {
        Some(dot) if dot > 0 => &path[..name_at + dot],
        _ => path,
    }
}

/// `specifier` joined to `importer`'s folder, normalized; `None` when it leaves the root.
fn base(importer: &str, specifier: &str) -> Option<String> {
    let mut parts: Vec<&str> = importer.rsplit_once('/').map_or(Vec::new(), |(d, _)| d.split('/').collect());
    for seg in specifier.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            s => parts.push(s),
        }
    }
    Some(parts.join("/"))
}

impl Layout {
    /// The keys of `paths` (workspace-relative): each path, its stem and its folder.
    pub fn new<'a>(paths: impl IntoIterator<Item = &'a str>) -> Layout {
        let mut keys = HashSet::new();
        for p in paths {
            keys.insert(p.to_owned());
            keys.insert(stem(p).to_owned());
            keys.insert(p.rsplit_once('/').map_or("", |(d, _)| d).to_owned());
        }
        Layout { keys }
    }

    /// Whether the relative `specifier` imported by `importer` may resolve differently now.
    pub fn touches_relative(&self, importer: &str, specifier: &str) -> bool {
        // Only a path that stays beneath the root can meet a workspace file.
        base(importer, specifier).is_some_and(|b| self.keys.contains(stem(&b)) || self.keys.contains(&b))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_import_is_touched_only_by_files_it_could_resolve_to() {
        let created = Layout::new(["src/lib/a.ts"]);
        for spec in ["./lib/a", "./lib/a.js", "./lib/a.ts", "../src/lib/a", "./lib/"] {
            assert!(created.touches_relative("src/main.ts", spec), "{spec}");
        }
        // An index file answers for its folder.
        assert!(Layout::new(["src/lib/index.tsx"]).touches_relative("src/main.ts", "./lib"));
        // A dotted name keeps its inner dot.
        assert!(Layout::new(["src/a.service.ts"]).touches_relative("src/main.ts", "./a.service"));
        assert!(Layout::new(["types/x.d.ts"]).touches_relative("main.ts", "./types/x.js"));
        for spec in ["./lib/b", "./other/a", "../../escape", "./lib/a/deeper"] {
            assert!(!created.touches_relative("src/main.ts", spec), "{spec}");
        }
    }

    #[test]
    fn stems_and_bases() {
        assert_eq!(stem("a/b.d.ts"), "a/b");
        assert_eq!(stem("a/b.c.tsx"), "a/b.c");
        assert_eq!(stem("a.b/c"), "a.b/c");
        assert_eq!(stem("a/.hidden"), "a/.hidden");
        assert_eq!(base("a/b/c.ts", "../d/./e").as_deref(), Some("a/d/e"));
        assert_eq!(base("c.ts", "../x"), None);
    }
}
