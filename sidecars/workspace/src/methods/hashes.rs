//! `workspace/hashes`: the content hash of many files at once, on all cores, each answered in
//! the order asked with either its hash or its own error, so one bad path never fails the call.
//! Paths resolve as `readFile`'s do (links inside the root followed, excluded paths `NOT_FOUND`),
//! and hashes come from the cache under its racy rule (see `crate::hashes`); unlike `readFile`
//! there is no size limit, since the bytes are hashed as they are read and never held. Streamed
//! (`"stream": true`), the entries go out in chunks `{"hashes": [...]}`, in request order, as soon
//! as every entry before them is done; the chunks' entries followed by the final result's are
//! exactly the unstreamed answer.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

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
struct HashesChunk<'a> {
    hashes: &'a [HashEntry],
}

/// A streamed answer sends its first entries at once, then at most this many per chunk (or
/// [`CHUNK_DELAY`] worth), so a long list is not cut into thousands of messages.
const CHUNK_ENTRIES: usize = 1_000;

/// The longest a finished entry waits in a streamed answer before it is sent.
const CHUNK_DELAY: Duration = Duration::from_millis(25);

pub(super) fn run(svc: &Service, cx: &Context, p: Params) -> Result<HashesResult> {
    let token = cx.cancel_token();
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get()).min(p.paths.len()).max(1);
    let next = AtomicUsize::new(0);
    let (tx, rx) = crossbeam_channel::unbounded::<(usize, HashEntry)>();
    let mut done: Vec<Option<HashEntry>> = vec![None; p.paths.len()];
    // Entries finished and in order but not sent yet: the next chunk's, or the whole answer.
    let mut ready: Vec<HashEntry> = Vec::new();
    let (mut released, mut sent_any, mut last_sent) = (0, false, Instant::now());
    std::thread::scope(|s| -> Result<()> {
        for _ in 0..threads {
            let (tx, next, token, paths) = (tx.clone(), &next, &token, &p.paths);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= paths.len() || token.is_cancelled() {
                    return;
                }
                if tx.send((i, entry(svc, &paths[i]))).is_err() {
                    return;
                }
            });
        }
        drop(tx);
        loop {
            // Waking at least every CHUNK_DELAY sends what waits even while a big file holds the
            // next entry back.
            match rx.recv_timeout(CHUNK_DELAY) {
                Ok((i, found)) => done[i] = Some(found),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            while let Some(entry) = done.get_mut(released).and_then(Option::take) {
                ready.push(entry);
                released += 1;
            }
            let due = !sent_any || ready.len() >= CHUNK_ENTRIES || last_sent.elapsed() >= CHUNK_DELAY;
            if cx.streaming() && !ready.is_empty() && due && released < done.len() {
                if cx.partial(&HashesChunk { hashes: &ready }).is_err() {
                    // Cancelled (the final answer is already sent) or main is gone: stop.
                    token.cancel();
                    return Err(Error::Cancelled);
                }
                ready.clear();
                (sent_any, last_sent) = (true, Instant::now());
            }
        }
        Ok(())
    })?;
    if token.is_cancelled() || released < done.len() {
        return Err(Error::Cancelled);
    }
    Ok(HashesResult { hashes: ready })
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
