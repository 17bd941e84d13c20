//! The workspace's own packages: the folders that the root `package.json` `workspaces` globs
//! (an array, or yarn's `{ "packages": [...] }`) or `pnpm-workspace.yaml`'s `packages:` list
//! name, each with a `package.json` whose `name` is the package's name. Matching uses globset
//! on the folders of the `package.json` files the walker found, so no extra walk is needed.

use std::collections::{BTreeSet, HashMap};

use globset::{Glob, GlobSetBuilder};
use serde_json::Value;

/// The `packages:` entries of a pnpm-workspace.yaml: a plain YAML list of (quoted) strings,
/// which is all that file holds for this purpose.
fn pnpm_globs(yaml: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut inside = false;
    for line in yaml.lines() {
        let trimmed = line.trim();
        if !line.starts_with(' ') && !line.starts_with('-') && !trimmed.is_empty() {
            inside = trimmed.starts_with("packages:");
            continue;
        }
        if let Some(item) = trimmed.strip_prefix("- ").filter(|_| inside) {
            out.push(item.trim().trim_matches(['"', '\'']).to_owned());
        }
    }
    out
}

fn manifest_globs(manifest: &Value) -> Vec<String> {
    let list = match &manifest["workspaces"] {
        Value::Array(a) => a.clone(),
        Value::Object(o) => o.get("packages").and_then(Value::as_array).cloned().unwrap_or_default(),
        _ => Vec::new(),
    };
    list.iter().filter_map(Value::as_str).map(str::to_owned).collect()
}

/// Package name → workspace-relative folder, for every workspace package in `files`.
pub fn find(files: &BTreeSet<String>, read: &dyn Fn(&str) -> Option<String>) -> HashMap<String, String> {
    let mut globs = read("package.json")
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
        .map(|m| manifest_globs(&m))
        .unwrap_or_default();
    if files.contains("pnpm-workspace.yaml") {
        globs.extend(read("pnpm-workspace.yaml").map(|y| pnpm_globs(&y)).unwrap_or_default());
    }
    let (mut include, mut exclude) = (GlobSetBuilder::new(), GlobSetBuilder::new());
    for g in &globs {
        let (set, pattern) = match g.strip_prefix('!') {
            Some(p) => (&mut exclude, p),
            None => (&mut include, g.as_str()),
        };
        if let Ok(glob) = Glob::new(pattern.trim_start_matches("./").trim_end_matches('/')) {
            set.add(glob);
        }
    }
    let (Ok(include), Ok(exclude)) = (include.build(), exclude.build()) else { return HashMap::new() };
    let mut out = HashMap::new();
    for f in files {
        let Some(dir) = f.strip_suffix("/package.json") else { continue };
        if !include.is_match(dir) || exclude.is_match(dir) || dir.split('/').any(|p| p == "node_modules") {
            continue;
        }
        let name = read(f)
            .and_then(|t| serde_json::from_str::<Value>(&t).ok())
            .and_then(|m| m["name"].as_str().map(str::to_owned));
        if let Some(name) = name {
            out.insert(name, dir.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pnpm_packages_list_is_read_and_other_keys_are_not() {
        let yaml = "packages:\n  - 'packages/*'\n  - \"apps/**\"\n  - '!**/test/**'\ncatalog:\n  - nope\n";
        assert_eq!(pnpm_globs(yaml), ["packages/*", "apps/**", "!**/test/**"]);
    }
}
