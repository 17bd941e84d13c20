//! What every integration test of the TypeScript sidecar shares: a copy of a fixture tree in a
//! temporary folder (tests edit their copy, never `tests/fixtures/`), the real binary driven over
//! stdio as main drives it, and the check of every answer against `schema/*.json`.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

/// Longest any single answer may take before the test fails instead of hanging (a bound, not a
/// timing goal: answers here take milliseconds).
const PATIENCE: Duration = Duration::from_secs(60);

/// Copies `tests/fixtures/<name>` into a new temporary folder.
pub fn fixture(name: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures").join(name), dir.path());
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// Writes `content` to `rel` under `root`, creating folders.
pub fn write(root: &Path, rel: &str, content: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, content).unwrap();
}

/// Fails unless `value` passes `schema/<name>.json`.
pub fn assert_schema(name: &str, value: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema").join(format!("{name}.json"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{name} rejects {value}: {errors:?}");
}

/// The sidecar binary over a root, with its output read on a thread into a channel.
pub struct Sidecar {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Value>,
    /// Every message read that was not yet claimed (events, partials, other responses).
    pub seen: Vec<Value>,
    next_id: u64,
}

impl Sidecar {
    /// Starts `skaffa-typescript --root <root>` with extra environment variables.
    pub fn start(root: &Path, env: &[(&str, &str)]) -> Sidecar {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skaffa-typescript"));
        cmd.arg("--root").arg(root).stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::inherit());
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in stdout.lines().map_while(Result::ok) {
                let value = serde_json::from_str::<Value>(&line).expect("stdout carries only JSON lines");
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stdin = child.stdin.take();
        Sidecar { child, stdin, lines, seen: Vec::new(), next_id: 0 }
    }

    /// Sends one request line and returns its id.
    pub fn send(&mut self, method: &str, params: Value, stream: bool) -> String {
        self.next_id += 1;
        let id = format!("r{}", self.next_id);
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if stream {
            msg["stream"] = json!(true);
        }
        writeln!(self.stdin.as_mut().unwrap(), "{msg}").unwrap();
        id
    }

    /// Reads messages until one satisfies `want`, keeping the others in `seen`.
    pub fn wait_for(&mut self, want: impl Fn(&Value) -> bool) -> Value {
        if let Some(at) = self.seen.iter().position(&want) {
            return self.seen.remove(at);
        }
        loop {
            let msg = self.lines.recv_timeout(PATIENCE).expect("the sidecar answered in time");
            if want(&msg) {
                return msg;
            }
            self.seen.push(msg);
        }
    }

    /// The full response to a request.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.send(method, params, false);
        self.wait_for(|m| m["id"] == id.as_str() && m.get("partial").is_none())
    }

    /// The result of a request that must succeed, checked against `schema/<method>.result.json`.
    pub fn ok(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert_eq!(response["ok"], true, "{method} failed: {response}");
        let result = response["result"].clone();
        assert_schema(&format!("{}.result", method.trim_start_matches("typescript/")), &result);
        result
    }

    /// The error code of a request that must fail.
    pub fn err(&mut self, method: &str, params: Value) -> String {
        let response = self.call(method, params);
        assert_eq!(response["ok"], false, "{method} should have failed: {response}");
        response["error"]["code"].as_str().unwrap().to_owned()
    }

    /// Waits for the next `event` message (removing it from what was seen).
    pub fn event(&mut self, event: &str) -> Value {
        let msg = self.wait_for(|m| m["event"] == event);
        msg["data"].clone()
    }

    /// Closes stdin (the orphan rule ends the process) and returns whether it exited cleanly.
    pub fn close(mut self) -> bool {
        drop(self.stdin.take());
        self.child.wait().unwrap().success()
    }
}

impl Drop for Sidecar {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The path of `rel` under the fixture copy, for edits.
pub fn at(root: &tempfile::TempDir, rel: &str) -> PathBuf {
    root.path().join(rel)
}

/// `(specifier, resolved, external)` of each import of `path`.
pub fn resolved(sc: &mut Sidecar, path: &str) -> Vec<(String, Value, bool)> {
    let imports = sc.ok("typescript/imports", json!({ "path": path }));
    imports["imports"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["specifier"].as_str().unwrap().to_owned(), i["resolved"].clone(), i["external"].as_bool().unwrap()))
        .collect()
}

/// Waits for the first build: every method but status and symbols waits for it, so one outline
/// call returns only once the index is ready.
pub fn ready(sc: &mut Sidecar, any_ts_file: &str) {
    sc.ok("typescript/outline", json!({ "path": any_ts_file }));
    assert_eq!(sc.ok("typescript/status", json!({}))["state"], "ready");
}
