//! `workspace/hashes`: the content hash of many files at once, on all cores, each answered in
//! the order asked with either its hash or its own error, so one bad path never fails the call.
//! Paths resolve as `readFile`'s do (links inside the root followed, excluded paths `NOT_FOUND`),
//! and hashes come from the cache under its racy rule (see `crate::hashes`); unlike `readFile`
//! there is no size limit, since the bytes are hashed as they are read and never held. Streamed
//! (`"stream": true`), the entries go out in chunks `{"hashes": [...]}`, in request order, as soon
//! as every entry before them is done; the chunks' entries followed by the final result's are
//! exactly the unstreamed answer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use crossbeam_channel::RecvTimeoutError;
use serde::{Deserialize, Serialize};
use skaffa_protocol::Context;

use super::Service;
use crate::error::{Error, Result};

/// See `schema/hashes.params.json`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Params {
    paths: Vec<String>,
}

/// One path's answer: see `schema/hashes.result.json`.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
#[serde(untagged)]
pub enum HashEntry {
    Hash { path: String, hash: String },
    Error { path: String, error: EntryError },
}

/// Why one path has no hash: the code and message the same path would fail `readFile` with.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct EntryError {
    code: &'static str,
    message: String,
}

/// See `schema/hashes.result.json`.
#[derive(Serialize)]
pub struct HashesResult {
    hashes: Vec<HashEntry>,
}

/// See `schema/hashes.partial.json`.
#[derive(Serialize)]
struct HashesChunk {
    hashes: Vec<HashEntry>,
}

/// A streamed answer sends a chunk once this many entries are ready (or the oldest of them waited
/// [`CHUNK_DELAY`]), so a long list is neither cut into thousands of messages nor sent as one
/// huge one; its final result holds fewer than this many.
const CHUNK_ENTRIES: usize = 1_000;

/// The longest a finished entry waits in a streamed answer before it is sent.
const CHUNK_DELAY: Duration = Duration::from_millis(25);

pub(super) fn run(svc: &Service, cx: &Context, p: Params) -> Result<HashesResult> {
    let token = cx.cancel_token();
    // The protocol kit's batching: chunks of entries as they are released, the rest in the result.
    let mut batch = cx.batcher(CHUNK_ENTRIES, CHUNK_DELAY, |hashes| HashesChunk { hashes });
    let finished = hash_in_order(svc, &p.paths, &token, &mut |released| {
        // Nothing new for a while: what waits goes out now rather than with the next entry.
        let sent =
            if released.is_empty() { batch.flush() } else { released.into_iter().try_for_each(|e| batch.push(e)) };
        // An error means the request was cancelled (its final answer is already sent) or main is gone.
        sent.is_ok()
    });
    if !finished || token.is_cancelled() {
        token.cancel();
        return Err(Error::Cancelled);
    }
    Ok(HashesResult { hashes: batch.finish() })
}

/// Answers every path of `paths` on all cores, handing the entries to `deliver` in request order
/// as soon as every entry before them is done, and an empty batch after each [`CHUNK_DELAY`] with
/// nothing new (while a big file holds the next entry back). Returns whether every entry was
/// delivered (false once `deliver` or `token` stopped it).
fn hash_in_order(
    svc: &Service,
    paths: &[String],
    token: &skaffa_protocol::CancelToken,
    deliver: &mut dyn FnMut(Vec<HashEntry>) -> bool,
) -> bool {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(paths.len()).max(1);
    let next = AtomicUsize::new(0);
    let (tx, rx) = crossbeam_channel::unbounded::<(usize, HashEntry)>();
    let mut done: Vec<Option<HashEntry>> = vec![None; paths.len()];
    let mut released = 0;
    std::thread::scope(|s| {
        for _ in 0..threads {
            let (tx, next) = (tx.clone(), &next);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= paths.len() || token.is_cancelled() || tx.send((i, entry(svc, &paths[i]))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        while released < paths.len() {
            let idle = match rx.recv_timeout(CHUNK_DELAY) {
                Ok((i, found)) => {
                    done[i] = Some(found);
                    false
                }
                Err(RecvTimeoutError::Timeout) => true,
                Err(RecvTimeoutError::Disconnected) => return false,
            };
            let mut batch = Vec::new();
            while let Some(entry) = done.get_mut(released).and_then(Option::take) {
                batch.push(entry);
                released += 1;
            }
            if (idle || !batch.is_empty()) && !deliver(batch) {
                // Workers stop at their next path.
                token.cancel();
                return false;
            }
        }
        true
    })
}

/// The answer for one requested path, named as it was asked.
fn entry(svc: &Service, path: &str) -> HashEntry {
    match svc.hash_of(path) {
        Ok(hash) => HashEntry::Hash { path: path.to_owned(), hash },
        Err(e) => {
            HashEntry::Error { path: path.to_owned(), error: EntryError { code: e.code(), message: e.to_string() } }
        }
    }
}

impl Service {
    /// The content hash of the file `path` names, resolved as `readFile` resolves it.
    pub(super) fn hash_of(&self, path: &str) -> Result<String> {
        let (rel, real_rel, file) = self.open_readable(path)?;
        let hash = self.hashes.hash_file(&real_rel, &file).map_err(|e| Error::io(&rel, e))?;
        Ok(crate::hashes::hex(hash))
    }
}
