//! Module resolution as TypeScript's `bundler` mode and bundlers do it, on `oxc_resolver`:
//! relative paths with extension substitution (`./a.js` → `a.ts`), index files, the nearest
//! `tsconfig.json` or `jsconfig.json` (`extends`, `paths`, `baseUrl`, `references`), package.json
//! `exports`/`imports` with TypeScript's conditions for the request ([`Conditions`]), and the
//! workspace's own packages by name (npm/yarn `workspaces`, `pnpm-workspace.yaml`) without any
//! `node_modules`: a package's own name resolves from inside its folder (Node's self-reference,
//! which honours its `exports`), else as its folder. A target outside the root or inside a
//! `node_modules` folder, a Node built-in and an unresolved bare specifier are `external`.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use oxc_resolver::{
    ResolveError, ResolveOptions, Resolver as Oxc, TsconfigDiscovery, TsconfigOptions, TsconfigReferences,
};
use serde::Serialize;

use crate::summary::ImportKind;

mod packages;

/// The package.json conditions a request matches, as TypeScript picks them: ESM requests take
/// `types`, `import`, `default`; CommonJS requests (`require()`, `import x = require()`, and every
/// static import of a `.cts`/`.cjs` file, which TypeScript treats as CommonJS) take `types`,
/// `require`, `default`. With one set for both, whichever key a package lists first would win.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Conditions {
    /// An ES module request.
    Import,
    /// A CommonJS request.
    Require,
}

impl Conditions {
    /// The conditions of a request of kind `kind` made by the workspace file `importer`.
    pub fn of(importer: &str, kind: ImportKind) -> Conditions {
        match kind {
            ImportKind::Require | ImportKind::ImportEquals => Conditions::Require,
            // `import()` loads an ES module from CommonJS files too.
            ImportKind::Dynamic => Conditions::Import,
            _ if importer.ends_with(".cts") || importer.ends_with(".cjs") => Conditions::Require,
            _ => Conditions::Import,
        }
    }

    fn names(self) -> [&'static str; 3] {
        match self {
            Conditions::Import => ["types", "import", "default"],
            Conditions::Require => ["types", "require", "default"],
        }
    }
}

/// Where one import leads.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Target {
    /// The workspace path it resolves to, if it resolves to one.
    pub resolved: Option<String>,
    /// Whether it leads outside the workspace (a package, a built-in).
    pub external: bool,
}

/// Names whose change alters resolution, wherever they are.
pub const CONFIG_FILES: [&str; 4] = ["tsconfig.json", "jsconfig.json", "package.json", "pnpm-workspace.yaml"];

/// Whether `rel` is a file whose edit must re-resolve imports.
pub fn is_config(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    CONFIG_FILES.contains(&name) || (name.starts_with("tsconfig") && name.ends_with(".json"))
}

/// The resolver of one workspace, built from its file list.
pub struct Resolver {
    root: PathBuf,
    /// The resolvers outside any config, for ESM and for CommonJS requests.
    base: [Oxc; 2],
    /// Folders holding a `tsconfig.json` or `jsconfig.json` (workspace-relative), with the file.
    configs: HashMap<String, &'static str>,
    by_config: Mutex<HashMap<(String, Conditions), Arc<Oxc>>>,
    /// Workspace package names to their folders (workspace-relative).
    packages: HashMap<String, String>,
}

fn options(conditions: Conditions) -> ResolveOptions {
    let strs = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    ResolveOptions {
        // What TypeScript tries for a specifier without an extension: `.mts`/`.cts`/`.mjs`/`.cjs`
        // files are reached only by naming their extension (`./a.cjs` → `a.cts`, below), and
        // `.json` ones only by naming it.
        extensions: strs(&[".ts", ".tsx", ".d.ts", ".js", ".jsx"]),
        extension_alias: vec![
            (".js".into(), strs(&[".ts", ".tsx", ".d.ts", ".js", ".jsx"])),
            (".jsx".into(), strs(&[".tsx", ".jsx"])),
            (".mjs".into(), strs(&[".mts", ".d.mts", ".mjs"])),
            (".cjs".into(), strs(&[".cts", ".d.cts", ".cjs"])),
        ],
        condition_names: strs(&conditions.names()),
        main_fields: strs(&["types", "typings", "module", "main"]),
        builtin_modules: true,
        ..ResolveOptions::default()
    }
}

impl Resolver {
    /// A resolver for the workspace at `root` whose files are `files` (workspace-relative);
    /// `read` reads a workspace file (confined), for the package manifests.
    pub fn new(root: &Path, files: &BTreeSet<String>, read: &dyn Fn(&str) -> Option<String>) -> Resolver {
        let mut configs = HashMap::new();
        for f in files {
            let (dir, name) = f.rsplit_once('/').unwrap_or(("", f));
            match name {
                "tsconfig.json" => {
                    configs.insert(dir.to_owned(), "tsconfig.json");
                }
                "jsconfig.json" => {
                    configs.entry(dir.to_owned()).or_insert("jsconfig.json");
                }
                _ => {}
            }
        }
        let packages = packages::find(files, read);
        let base = [Oxc::new(options(Conditions::Import)), Oxc::new(options(Conditions::Require))];
        Resolver { root: root.to_path_buf(), base, configs, by_config: Mutex::default(), packages }
    }

    /// The resolver outside any config for `conditions`.
    fn base(&self, conditions: Conditions) -> &Oxc {
        &self.base[conditions as usize]
    }

    /// The resolver for `conditions` for files under the config in folder `dir`.
    fn for_config(&self, dir: &str, file: &str, conditions: Conditions) -> Arc<Oxc> {
        let mut map = self.by_config.lock().unwrap_or_else(|e| e.into_inner());
        map.entry((dir.to_owned(), conditions))
            .or_insert_with(|| {
                let config_file = self.root.join(dir).join(file);
                let tsconfig = TsconfigOptions { config_file, references: TsconfigReferences::Auto };
                let opts =
                    ResolveOptions { tsconfig: Some(TsconfigDiscovery::Manual(tsconfig)), ..options(conditions) };
                // A cache of its own: oxc_resolver memoises the tsconfig found for a file on the
                // cache entry of that file, so resolvers sharing one cache would take whichever
                // config (or none) resolved the file first.
                Arc::new(Oxc::new(opts))
            })
            .clone()
    }

    /// The resolver that applies to `importer`: its nearest config's, or the plain one.
    fn for_file(&self, importer: &str, conditions: Conditions) -> Option<Arc<Oxc>> {
        let dir = self.config_dir(importer)?;
        Some(self.for_config(dir, self.configs[dir], conditions))
    }

    /// The folder of the config (tsconfig/jsconfig) that applies to `importer`, if any: a bare
    /// specifier resolves alike for every file under the same config, so a batch that creates or
    /// deletes files re-resolves it once per config instead of once per importer.
    pub fn config_dir(&self, importer: &str) -> Option<&str> {
        let mut dir = importer.rsplit_once('/').map_or("", |(d, _)| d);
        loop {
            if let Some((key, _)) = self.configs.get_key_value(dir) {
                return Some(key);
            }
            if dir.is_empty() {
                return None;
            }
            dir = dir.rsplit_once('/').map_or("", |(d, _)| d);
        }
    }

    /// Forgets every cached file-system answer (after files were created or deleted).
    pub fn clear_cache(&self) {
        self.base.iter().for_each(|b| b.clear_cache());
        self.by_config.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Resolves `specifier` as imported by the workspace file `importer` with `conditions`.
    pub fn resolve(&self, importer: &str, specifier: &str, conditions: Conditions) -> Target {
        let bare = !(specifier.starts_with('.') || specifier.starts_with('/'));
        if bare {
            if let Some(target) = self.workspace_package(specifier, conditions) {
                return target;
            }
        }
        let found = match self.for_file(importer, conditions) {
            Some(resolver) => resolver.resolve_file(self.root.join(importer), specifier),
            None => self.base(conditions).resolve_file(self.root.join(importer), specifier),
        };
        match found {
            Ok(r) => self.target(r.path()),
            Err(ResolveError::Builtin { .. }) => Target { resolved: None, external: true },
            Err(_) => Target { resolved: None, external: bare },
        }
    }

    /// `@scope/pkg` or `@scope/pkg/sub` naming a workspace package.
    fn workspace_package(&self, specifier: &str, conditions: Conditions) -> Option<Target> {
        let segments = if specifier.starts_with('@') { 2 } else { 1 };
        let mut parts = specifier.splitn(segments + 1, '/');
        let name: Vec<&str> = parts.by_ref().take(segments).collect();
        let name = name.join("/");
        let sub = parts.next();
        let dir = self.packages.get(&name)?;
        let abs = self.root.join(dir);
        // Self-reference honours the package's `exports`; without them it is its folder.
        let base = self.base(conditions);
        let found = base.resolve(&abs, specifier).or_else(|_| {
            let local = sub.map_or(".".to_owned(), |s| format!("./{s}"));
            base.resolve(&abs, &local)
        });
        Some(match found {
            Ok(r) => self.target(r.path()),
            Err(_) => Target { resolved: None, external: false },
        })
    }

    fn target(&self, path: &Path) -> Target {
        let Ok(rel) = path.strip_prefix(&self.root) else {
            return Target { resolved: None, external: true };
        };
        let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
        match parts {
            Some(parts) if !parts.contains(&"node_modules") => {
                Target { resolved: Some(parts.join("/")), external: false }
            }
            _ => Target { resolved: None, external: true },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The resolution fixture's files, as the walker would list them.
    fn fixture() -> (PathBuf, BTreeSet<String>) {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeSet<String>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    walk(root, &path, out);
                } else {
                    out.insert(path.strip_prefix(root).unwrap().to_str().unwrap().replace('\\', "/"));
                }
            }
        }
        let root =
            dunce::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/resolution")).unwrap();
        let mut files = BTreeSet::new();
        walk(&root, &root, &mut files);
        (root, files)
    }

    #[test]
    fn each_config_keeps_its_own_answers_whatever_resolves_first() {
        let (root, files) = fixture();
        let read = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
        // Every order of first use: each config's files must still see their own `paths`.
        for order in [["src/main.ts", "apps/web/src/page.ts"], ["apps/web/src/page.ts", "src/main.ts"]] {
            let resolver = Resolver::new(&root, &files, &read);
            for importer in order {
                resolver.resolve(importer, "@acme/ui", Conditions::Import);
                resolver.resolve(importer, "./missing", Conditions::Import);
            }
            assert_eq!(
                resolver.resolve("src/main.ts", "@lib/math", Conditions::Import).resolved.as_deref(),
                Some("src/lib/math.ts")
            );
            assert_eq!(
                resolver.resolve("apps/web/src/page.ts", "@app/widget", Conditions::Import).resolved.as_deref(),
                Some("apps/web/src/widget.ts")
            );
        }
    }

    #[test]
    fn commonjs_esm_and_json_files_need_their_extension_named() {
        let dir = tempfile::tempdir().unwrap();
        let root = dunce::canonicalize(dir.path()).unwrap();
        let names = ["a.ts", "b.cts", "c.mts", "d.json"];
        for f in names {
            std::fs::write(root.join(f), "{}\n").unwrap();
        }
        let files: BTreeSet<String> = names.iter().map(|s| (*s).to_owned()).collect();
        let resolver = Resolver::new(&root, &files, &|_| None);
        // As in TypeScript: no extension never finds `.cts`/`.mts`/`.json`; `.cjs`/`.mjs` stand for the first two.
        assert_eq!(resolver.resolve("a.ts", "./b", Conditions::Import).resolved, None);
        assert_eq!(resolver.resolve("a.ts", "./c", Conditions::Import).resolved, None);
        assert_eq!(resolver.resolve("a.ts", "./b.cjs", Conditions::Import).resolved.as_deref(), Some("b.cts"));
        assert_eq!(resolver.resolve("a.ts", "./c.mjs", Conditions::Import).resolved.as_deref(), Some("c.mts"));
        assert_eq!(resolver.resolve("a.ts", "./d", Conditions::Import).resolved, None);
        assert_eq!(resolver.resolve("a.ts", "./d.json", Conditions::Import).resolved.as_deref(), Some("d.json"));
    }

    #[test]
    fn commonjs_requests_take_the_require_condition_and_esm_ones_the_import_condition() {
        let dir = tempfile::tempdir().unwrap();
        let root = dunce::canonicalize(dir.path()).unwrap();
        // `require` listed before `import` and the other way round, so neither order decides.
        let files = [
            (
                "package.json",
                r##"{ "workspaces": ["libs/*"], "imports": { "#x": { "require": "./x-cjs.ts", "import": "./x-esm.ts" } } }"##,
            ),
            (
                "libs/c/package.json",
                r#"{ "name": "c", "exports": { ".": { "import": "./esm.ts", "require": "./cjs.ts" } } }"#,
            ),
            ("a.ts", ""),
            ("b.cts", ""),
            ("x-cjs.ts", ""),
            ("x-esm.ts", ""),
            ("libs/c/esm.ts", ""),
            ("libs/c/cjs.ts", ""),
        ];
        for (f, text) in files {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), text).unwrap();
        }
        let names: BTreeSet<String> = files.iter().map(|(f, _)| (*f).to_owned()).collect();
        let read = |rel: &str| std::fs::read_to_string(root.join(rel)).ok();
        let resolver = Resolver::new(&root, &names, &read);
        let at = |importer: &str, spec: &str, kind: ImportKind| {
            resolver.resolve(importer, spec, Conditions::of(importer, kind)).resolved
        };
        for (spec, esm, cjs) in [("c", "libs/c/esm.ts", "libs/c/cjs.ts"), ("#x", "x-esm.ts", "x-cjs.ts")] {
            assert_eq!(at("a.ts", spec, ImportKind::Import).as_deref(), Some(esm), "{spec}");
            assert_eq!(at("a.ts", spec, ImportKind::Dynamic).as_deref(), Some(esm), "{spec}");
            assert_eq!(at("a.ts", spec, ImportKind::Require).as_deref(), Some(cjs), "{spec}");
            assert_eq!(at("a.ts", spec, ImportKind::ImportEquals).as_deref(), Some(cjs), "{spec}");
            // A `.cts` file is CommonJS: its static imports require, its `import()` still imports.
            assert_eq!(at("b.cts", spec, ImportKind::Import).as_deref(), Some(cjs), "{spec}");
            assert_eq!(at("b.cts", spec, ImportKind::ExportFrom).as_deref(), Some(cjs), "{spec}");
            assert_eq!(at("b.cts", spec, ImportKind::Dynamic).as_deref(), Some(esm), "{spec}");
        }
    }
}
