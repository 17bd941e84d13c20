//! Folder records, what lets a warm start skip the walk (see `catchup`). Creating, deleting or
//! renaming an entry changes its folder's mtime and ctime, so a folder whose key (device, inode,
//! size, mtime, ctime) is what it was when it was read still lists the same names (git's
//! untracked cache rests on the same fact). A walk that will be snapshotted records, for every
//! folder, a [`Print`] taken just before the folder is read: a hash of its key, and a hash of
//! the keys of its ignore files (`.ignore`, `.gitignore`, and the `info/exclude` of its `.git`).
//! A print is only worth trusting when the folder's times are older than the
//! walk by two ticks (the racy rule of `hashes`); otherwise it is [`UNSETTLED`] and the folder is
//! read again at the next start. The records are taken once per first scan and never updated:
//! a folder changed later no longer matches its print, so the next start reads it again.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use xxhash_rust::xxh3::Xxh3;

use super::frontcode::FrontCoded;
use super::scan::relative;
use super::warm::key_at;
use crate::hashes::{now_ns, FileKey, RACY_TICK_NS};

/// A print that matches nothing: the folder (or its ignore files) changed within two ticks of
/// being read, or could not be read at all.
pub const UNSETTLED: u64 = 0;

/// What a folder looked like when a walk read it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Print {
    /// Hash of the folder's own key.
    pub folder: u64,
    /// Hash of the keys of the ignore files that govern the folder's subtree from it.
    pub rules: u64,
}

/// Every folder one walk read, sorted by workspace-relative path (`""` is the root), and the
/// print of git's global excludes file when it began.
#[derive(Default)]
pub struct Folders {
    paths: FrontCoded,
    prints: Vec<Print>,
    /// See [`global_print`].
    pub global: u64,
}

impl Folders {
    /// Builds the records from `(path, print)` pairs in strictly increasing path order; `None`
    /// when they are not.
    pub fn from_sorted(global: u64, items: impl IntoIterator<Item = (String, Print)>) -> Option<Folders> {
        let mut out = Folders { global, ..Folders::default() };
        for (path, print) in items {
            if out.paths.last().is_some_and(|last| last >= path.as_bytes()) {
                return None;
            }
            out.paths.push(path.as_bytes());
            out.prints.push(print);
        }
        out.paths.finish();
        out.prints.shrink_to_fit();
        Some(out)
    }

    /// Number of folders.
    pub fn len(&self) -> usize {
        self.prints.len()
    }

    /// True when no folder was recorded.
    pub fn is_empty(&self) -> bool {
        self.prints.is_empty()
    }

    /// Calls `f(path, print)` for every folder in order.
    pub fn for_each(&self, f: &mut dyn FnMut(&str, Print)) {
        self.paths.for_each(&mut |path, i| {
            f(std::str::from_utf8(path).expect("folder records are UTF-8"), self.prints[i as usize])
        });
    }
}

/// The prints of the folders one walk reads, taken by its threads before each read.
pub(crate) struct FolderLog {
    root: PathBuf,
    no_ignore: bool,
    /// A print whose times are not older than this is [`UNSETTLED`].
    settled_ns: i64,
    /// The global excludes' print when the walk began.
    global: u64,
    found: Mutex<Vec<(String, Print)>>,
}

impl FolderLog {
    /// A log for a walk of `root` starting now.
    pub(crate) fn new(root: &Path, no_ignore: bool) -> FolderLog {
        let settled_ns = now_ns().saturating_sub(2 * RACY_TICK_NS);
        let global = global_print(no_ignore, Some(settled_ns));
        FolderLog { root: root.to_path_buf(), no_ignore, settled_ns, global, found: Mutex::new(Vec::new()) }
    }

    /// Records the folder at `abs` (absolute); call it before the folder is read, so a change
    /// that the read might miss shows in the print. Non-UTF-8 paths are not recorded (a walk that
    /// meets them is not used for records, see `catchup`).
    pub(crate) fn record(&self, abs: &Path) {
        let Some(rel) = relative(&self.root, abs) else { return };
        let print = print(abs, self.no_ignore, Some(self.settled_ns));
        self.found.lock().unwrap_or_else(|e| e.into_inner()).push((rel, print));
    }

    /// The records made so far, sorted (and the log emptied).
    pub(crate) fn take_sorted(&self) -> Vec<(String, Print)> {
        let mut found = std::mem::take(&mut *self.found.lock().unwrap_or_else(|e| e.into_inner()));
        found.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        found.dedup_by(|a, b| a.0 == b.0);
        found
    }

    /// The records of a whole walk.
    pub(crate) fn take_folders(&self) -> Folders {
        Folders::from_sorted(self.global, self.take_sorted()).expect("sorted and deduplicated")
    }
}

/// How a print reads the keys it hashes: by path ([`ByPath`], as the walks record folders), or
/// through a handle on the folder (the warm start's check of every folder, see `Stat::look`),
/// which spares the kernel a lookup of every component of the folder's path for each key.
pub(crate) trait Look {
    /// The key of the folder itself (a link is not followed).
    fn folder(&mut self) -> Option<FileKey>;
    /// The key of what `rel` (below the folder, `/`-separated) is, links followed.
    fn followed(&mut self, rel: &str) -> Option<FileKey>;
    /// Whether `name` in the folder, links followed, is a plain file (`None`: nothing there).
    fn is_file(&mut self, name: &str) -> Option<bool>;
    /// Whether there is anything named `name` in the folder (a link counts as itself).
    fn exists(&mut self, name: &str) -> bool;
}

/// [`Look`] by path: the folder at `.0`.
pub(crate) struct ByPath<P>(pub P);

impl<P: AsRef<Path>> Look for ByPath<P> {
    fn folder(&mut self) -> Option<FileKey> {
        key_at(self.0.as_ref(), false)
    }

    fn followed(&mut self, rel: &str) -> Option<FileKey> {
        key_at(&self.0.as_ref().join(rel), true)
    }

    fn is_file(&mut self, name: &str) -> Option<bool> {
        std::fs::metadata(self.0.as_ref().join(name)).ok().map(|md| md.is_file())
    }

    fn exists(&mut self, name: &str) -> bool {
        std::fs::symlink_metadata(self.0.as_ref().join(name)).is_ok()
    }
}

/// The print of the folder at `abs` now. With `settled_ns`, a part whose times are not older
/// than it is [`UNSETTLED`] (a record); without, the print is only compared with a record.
pub(crate) fn print(abs: &Path, no_ignore: bool, settled_ns: Option<i64>) -> Print {
    print_with(&mut ByPath(abs), abs, no_ignore, settled_ns)
}

/// [`print`], reading the folder at `abs` through `look`.
pub(crate) fn print_with(look: &mut dyn Look, abs: &Path, no_ignore: bool, settled_ns: Option<i64>) -> Print {
    let unsettled = |key: &FileKey| settled_ns.is_some_and(|s| key.mtime_ns >= s || key.ctime_ns >= s);
    let folder = match look.folder() {
        Some(key) if !unsettled(&key) => finish(hash_key(Xxh3::new(), Some(&key))),
        _ => UNSETTLED,
    };
    // Without ignore files nothing they say counts: one constant, and no stats.
    let rules = if no_ignore { 1 } else { rules_print(look, abs, &unsettled) };
    Print { folder, rules }
}

/// Hash of the keys of the ignore files of `dir` (read through `look`; absent ones count as
/// absent), each of what a link there points to, as `ignore` reads them.
fn rules_print(look: &mut dyn Look, dir: &Path, unsettled: &dyn Fn(&FileKey) -> bool) -> u64 {
    let mut h = Xxh3::new();
    let mut settled = true;
    let mut add = |h: Xxh3, key: Option<FileKey>| {
        settled &= !key.as_ref().is_some_and(unsettled);
        hash_key(h, key.as_ref())
    };
    h = add(h, look.followed(".ignore"));
    h = add(h, look.followed(".gitignore"));
    // Whether `.git` is there and what it is, not its key: a `.git` folder's times move with
    // nearly every git command, which changes no rule.
    match look.is_file(".git") {
        // A linked worktree or submodule: its exclude file lives in the git folder it names.
        Some(true) => {
            h.update(b"file");
            h = add(h, look.followed(".git"));
            if let Some(common) = super::rules::worktree_common_dir(&dir.join(".git")) {
                h = add(h, key_at(&common.join("info/exclude"), true));
            }
        }
        Some(false) => {
            h.update(b"folder");
            h = add(h, look.followed(".git/info/exclude"));
        }
        None => h.update(b"none"),
    }
    if settled {
        finish(h)
    } else {
        UNSETTLED
    }
}

/// The print of git's global excludes file (`core.excludesFile`, found as `ignore` finds it):
/// the keys of the git config files that may name it and of the file itself, [`UNSETTLED`]
/// when one changed after `settled_ns`. A start whose print differs cannot trust any folder's
/// rules, so it walks the whole tree.
pub(crate) fn global_print(no_ignore: bool, settled_ns: Option<i64>) -> u64 {
    if no_ignore {
        return 1;
    }
    #[allow(deprecated)] // Deprecated only for Windows' old behaviour, fixed since Rust 1.85.
    let Some(home) = std::env::home_dir() else {
        return 1;
    };
    let xdg = std::env::var_os("XDG_CONFIG_HOME").map_or_else(|| home.join(".config"), PathBuf::from);
    let configs = [xdg.join("git/config"), home.join(".gitconfig")];
    let mut files: Vec<PathBuf> = configs.to_vec();
    files.push(xdg.join("git/ignore"));
    for config in &configs {
        if let Some(named) = std::fs::read_to_string(config).ok().as_deref().and_then(excludes_file) {
            files.push(named.strip_prefix("~/").map_or_else(|| PathBuf::from(named), |rest| home.join(rest)));
        }
    }
    let mut settled = true;
    let h = files.iter().fold(Xxh3::new(), |h, f| {
        let key = key_at(f, true);
        settled &= !key.as_ref().is_some_and(|k| settled_ns.is_some_and(|s| k.mtime_ns >= s || k.ctime_ns >= s));
        hash_key(h, key.as_ref())
    });
    if settled {
        finish(h)
    } else {
        UNSETTLED
    }
}

/// The value of an `excludesFile` line in git config text, if there is one.
fn excludes_file(config: &str) -> Option<&str> {
    config.lines().find_map(|line| {
        let (name, value) = line.split_once('=')?;
        name.trim().eq_ignore_ascii_case("excludesfile").then(|| value.trim().trim_matches('"').trim())
    })
}

fn hash_key(mut h: Xxh3, key: Option<&FileKey>) -> Xxh3 {
    match key {
        Some(k) => {
            h.update(&[1]);
            for v in [k.device, k.inode, k.size, k.mtime_ns as u64, k.ctime_ns as u64] {
                h.update(&v.to_le_bytes());
            }
        }
        None => h.update(&[0]),
    }
    h
}

/// The digest, never [`UNSETTLED`].
fn finish(h: Xxh3) -> u64 {
    h.digest().max(1)
}
