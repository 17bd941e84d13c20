//! What the warm start tests share: a sidecar with a cache folder, the listing it ends with, the
//! listing a cold scan ends with, and the offline changes it reported.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::{json, Value};
use skaffa_workspace::hashes::FileKey;
use skaffa_workspace::index::{Folders, Print};
use skaffa_workspace::persist::format::{self, Entry, Header};

use super::sidecar::Sidecar;

pub fn cached(root: &Path, cache: &Path) -> Sidecar {
    Sidecar::start(root, &["--cache-dir", cache.to_str().unwrap()])
}

/// Every indexed path, as glob lists them once the index is ready (and verified).
pub fn listing(s: &mut Sidecar) -> BTreeSet<String> {
    let r = s.ok("workspace/glob", json!({ "include": ["**"], "waitForIndex": true }));
    assert!(r.get("indexing").is_none(), "a waited-for glob is verified: {r}");
    r["paths"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_owned()).collect()
}

/// The index a cold scan of `root` builds (no cache), for comparison.
pub fn cold_listing(root: &Path) -> BTreeSet<String> {
    cold(root).0
}

/// [`cold_listing`], and what that scan reports as `status.skipped`.
pub fn cold(root: &Path) -> (BTreeSet<String>, Value) {
    let mut s = Sidecar::start(root, &[]);
    let status = s.wait_ready(false);
    (listing(&mut s), status["skipped"].clone())
}

/// Runs a sidecar with the cache until ready and shuts it down, which writes the snapshot.
pub fn run_once(root: &Path, cache: &Path) -> Value {
    let mut s = cached(root, cache);
    let status = s.wait_ready(true);
    s.shutdown();
    status
}

/// `(type, path)` of every change reported as `workspace/didChange` so far.
pub fn changes(s: &Sidecar) -> BTreeSet<(String, String)> {
    let events = s.events.iter().filter(|e| e["event"] == "workspace/didChange");
    events
        .flat_map(|e| e["data"]["changes"].as_array().unwrap().clone())
        .map(|c| (c["type"].as_str().unwrap().to_owned(), c["path"].as_str().unwrap().to_owned()))
        .collect()
}

pub fn set(items: &[(&str, &str)]) -> BTreeSet<(String, String)> {
    items.iter().map(|(t, p)| (t.to_string(), p.to_string())).collect()
}

/// Rewrites `path` with `content` of the same size and puts its old mtime back: only ctime (and
/// the content) can tell the file changed.
pub fn edit_keeping_size_and_mtime(path: &Path, content: &str) {
    let mtime = std::fs::metadata(path).unwrap().modified().unwrap();
    std::fs::write(path, content).unwrap();
    std::fs::File::options().write(true).open(path).unwrap().set_modified(mtime).unwrap();
}

/// Waits until every time already on the tree is older than the racy rule's two ticks (2 s
/// each, `hashes::RACY_TICK_NS`), so a scan started afterwards records settled folder prints.
/// Not a wait for luck: before this the sidecar must not trust a folder's times, after it it
/// must, and a test of the quick catch-up needs folders it can trust.
pub fn settle() {
    std::thread::sleep(std::time::Duration::from_millis(4_200));
}

/// The `cache.catchUp` object of a warm status.
pub fn catch_up(status: &Value) -> &Value {
    let how = &status["cache"]["catchUp"];
    assert!(how.is_object(), "a warm start reports how it caught up: {status}");
    how
}

/// One snapshot entry as plain data: path, key, symlink flag, hash with the time it was computed.
pub type Owned = (String, FileKey, bool, Option<(u128, i64)>);

/// The snapshot at `path` as the format reads it: header, entries and folder records.
pub fn read_snapshot(path: &Path) -> (Header, Vec<Owned>, Vec<(String, Print)>) {
    let (mut entries, mut folders) = (Vec::new(), Vec::new());
    let header = format::read(
        path,
        |_| Ok(()),
        |p, print| folders.push((p.to_owned(), print)),
        |e| {
            entries.push((e.path.to_owned(), e.key, e.symlink, e.hash));
            Ok(())
        },
    )
    .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    (header, entries, folders)
}

/// Writes the snapshot at `path` again, whole and with a valid checksum, after `change` edited its
/// header: a snapshot as another sidecar (another version, another root) would have written it.
pub fn rewrite_header(path: &Path, change: impl FnOnce(&mut Header)) {
    let (mut header, entries, folders) = read_snapshot(path);
    change(&mut header);
    let records = Folders::from_sorted(header.global, folders);
    let entries =
        entries.iter().map(|(p, key, symlink, hash)| Ok(Entry { path: p, key: *key, symlink: *symlink, hash: *hash }));
    format::write(path, &header, entries, records.as_ref()).unwrap();
}
