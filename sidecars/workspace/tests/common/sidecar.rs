//! A running `skaffa-workspace` process driven over NDJSON stdio, as main drives it. Output lines
//! are read on a thread into a channel; responses are matched by id while events are kept in
//! order so tests can wait for the one they expect (with a deadline, never a sleep).

use std::cell::Cell;
use std::ffi::OsStr;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crossbeam_channel::{unbounded, Receiver, RecvTimeoutError};
use serde_json::{json, Value};

use super::DEADLINE;

thread_local! {
    /// Whether the sidecars this thread (one test) starts are denied root's power to read past
    /// permissions (see [`confine`]).
    static CONFINED: Cell<bool> = const { Cell::new(false) };
}

/// From now on, every sidecar this test (its thread) starts reads the tree as its permissions
/// allow, even as root (CI runs as root, whose `CAP_DAC_OVERRIDE` and `CAP_DAC_READ_SEARCH` open any
/// folder): on Linux, the child drops both from its bounding set before it runs the binary, so
/// the binary never holds them. Returns false where that is not possible (root elsewhere than
/// on Linux), so a test of unreadable entries can say it did not run rather than pass.
pub fn confine() -> bool {
    CONFINED.set(true);
    #[cfg(unix)]
    {
        // SAFETY: geteuid has no preconditions and cannot fail.
        let root = unsafe { libc::geteuid() } == 0;
        !root || cfg!(target_os = "linux")
    }
    #[cfg(not(unix))]
    false
}

/// Drops the capabilities that let root read past permissions, in the child before `exec`.
#[cfg(target_os = "linux")]
fn drop_read_override(cmd: &mut Command) {
    use std::os::unix::process::CommandExt;
    const CAP_DAC_OVERRIDE: libc::c_ulong = 1;
    const CAP_DAC_READ_SEARCH: libc::c_ulong = 2;
    // SAFETY: the closure runs between fork and exec and only calls prctl, which is
    // async-signal-safe and allocates nothing.
    unsafe {
        cmd.pre_exec(|| {
            for cap in [CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH] {
                if libc::prctl(libc::PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
            }
            Ok(())
        });
    }
}

/// One sidecar process.
pub struct Sidecar {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: Receiver<Value>,
    /// Responses that arrived while waiting for another id.
    responses: Vec<Value>,
    /// Every event received so far, in order.
    pub events: Vec<Value>,
    /// Partial answers of streamed requests not yet claimed, in arrival order.
    partials: Vec<Value>,
    /// Ids whose final response has arrived, and partial answers that came after it (a bug).
    answered: std::collections::HashSet<String>,
    late: Vec<Value>,
    next_id: u64,
    /// Everything read from stderr so far, and a signal for each line added.
    stderr: Arc<(Mutex<String>, Condvar)>,
}

impl Sidecar {
    /// Starts the binary on `root` with extra command-line arguments. git's global and system
    /// configuration are hidden from it (the user's `core.excludesFile` must not change what a
    /// test sees); [`Sidecar::start_with_env`] supplies a test's own.
    pub fn start(root: &Path, extra: &[&str]) -> Sidecar {
        Sidecar::start_with_env(root, extra, &[])
    }

    /// Like [`Sidecar::start`], with `env` set on top of the hermetic git environment.
    pub fn start_with_env(root: &Path, extra: &[&str], env: &[(&str, &OsStr)]) -> Sidecar {
        let nowhere = std::env::temp_dir().join("skaffa-test-no-such-home");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_skaffa-workspace"));
        cmd.env("HOME", &nowhere)
            .env("XDG_CONFIG_HOME", &nowhere)
            .env("GIT_CONFIG_GLOBAL", nowhere.join("gitconfig"))
            .env("GIT_CONFIG_SYSTEM", nowhere.join("gitconfig"));
        for (key, value) in env {
            cmd.env(key, value);
        }
        #[cfg(target_os = "linux")]
        if CONFINED.get() {
            drop_read_override(&mut cmd);
        }
        let mut child = cmd
            .arg("--root")
            .arg(root)
            .args(extra)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawning skaffa-workspace");
        let (tx, lines) = unbounded();
        let stdout = child.stdout.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let value = serde_json::from_str(&line).unwrap_or_else(|_| json!({ "NOT_PROTOCOL": line }));
                if tx.send(value).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new((Mutex::new(String::new()), Condvar::new()));
        let sink = stderr.clone();
        let err_pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(err_pipe).lines().map_while(Result::ok) {
                let mut s = sink.0.lock().unwrap();
                s.push_str(&line);
                s.push('\n');
                sink.1.notify_all();
            }
        });
        let stdin = child.stdin.take();
        Sidecar {
            child,
            stdin,
            lines,
            responses: Vec::new(),
            events: Vec::new(),
            partials: Vec::new(),
            answered: Default::default(),
            late: Vec::new(),
            next_id: 0,
            stderr,
        }
    }

    /// Everything the process wrote to stderr so far (what the reader thread has taken in: a
    /// line written just now may not be there yet, see [`Sidecar::wait_stderr`]).
    pub fn stderr(&self) -> String {
        self.stderr.0.lock().unwrap().clone()
    }

    /// Waits (with the deadline) until stderr holds `text`, and returns all of it. The sidecar
    /// writes its line before the answer a test waits for, but the pipe is read on another
    /// thread, which may not have taken it in yet (under wine it often has not).
    pub fn wait_stderr(&self, text: &str) -> String {
        let until = Instant::now() + DEADLINE;
        let (lock, signal) = &*self.stderr;
        let mut s = lock.lock().unwrap();
        while !s.contains(text) {
            let left = until.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "stderr never said {text:?}; it holds:\n{s}");
            s = signal.wait_timeout(s, left).unwrap().0;
        }
        s.clone()
    }

    /// The process id (for /proc inspection).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Writes raw bytes to the sidecar's stdin.
    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin is open");
        stdin.write_all(bytes).unwrap();
        stdin.flush().unwrap();
    }

    /// Sends a request and returns its id.
    pub fn request(&mut self, method: &str, params: Value) -> String {
        self.send_request(method, params, false)
    }

    /// Sends a request with `"stream": true` and returns its id.
    pub fn request_streamed(&mut self, method: &str, params: Value) -> String {
        self.send_request(method, params, true)
    }

    fn send_request(&mut self, method: &str, params: Value, stream: bool) -> String {
        self.next_id += 1;
        let id = format!("t{}", self.next_id);
        let mut msg = json!({ "id": id, "method": method, "params": params });
        if stream {
            msg["stream"] = json!(true);
        }
        let mut line = serde_json::to_vec(&msg).unwrap();
        line.push(b'\n');
        self.send_raw(&line);
        id
    }

    /// Receives the next message within `timeout`, filing events and responses.
    fn pump(&mut self, timeout: Duration) -> bool {
        match self.lines.recv_timeout(timeout) {
            Ok(v) => {
                assert!(v.get("NOT_PROTOCOL").is_none(), "sidecar wrote a non-protocol line: {v}");
                if v.get("event").is_some() {
                    self.events.push(v);
                } else if v.get("partial").is_some() {
                    if v["id"].as_str().is_some_and(|id| self.answered.contains(id)) {
                        self.late.push(v);
                    } else {
                        self.partials.push(v);
                    }
                } else {
                    if let Some(id) = v["id"].as_str() {
                        self.answered.insert(id.to_owned());
                    }
                    self.responses.push(v);
                }
                true
            }
            Err(RecvTimeoutError::Timeout) => false,
            Err(RecvTimeoutError::Disconnected) => panic!("sidecar stdout closed; stderr:\n{}", self.stderr()),
        }
    }

    /// Waits for the response whose id is `id` (a JSON value, so `null` works too).
    pub fn response_for(&mut self, id: &Value) -> Value {
        let until = Instant::now() + DEADLINE;
        loop {
            if let Some(i) = self.responses.iter().position(|r| &r["id"] == id) {
                return self.responses.remove(i);
            }
            let left = until.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no response for {id} before the deadline; stderr:\n{}", self.stderr());
            self.pump(left);
        }
    }

    /// Waits for the next partial answer of request `id` (`None` once its final response came
    /// first); the final response stays unclaimed for [`Sidecar::response_for`].
    pub fn next_partial(&mut self, id: &str) -> Option<Value> {
        let until = Instant::now() + DEADLINE;
        loop {
            if let Some(i) = self.partials.iter().position(|p| p["id"] == id) {
                return Some(self.partials.remove(i)["partial"].clone());
            }
            if self.responses.iter().any(|r| r["id"] == id) {
                return None;
            }
            let left = until.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "nothing for {id} before the deadline; stderr:\n{}", self.stderr());
            self.pump(left);
        }
    }

    /// How many partial answers of `id` arrived after its final response (the protocol says none).
    pub fn late_partials(&self, id: &str) -> usize {
        self.late.iter().filter(|p| p["id"] == id).count()
    }

    /// Drops the partial answers of `id` received so far (all before its final response).
    pub fn drop_partials(&mut self, id: &str) -> usize {
        let before = self.partials.len();
        self.partials.retain(|p| p["id"] != id);
        before - self.partials.len()
    }

    /// Sends a streamed request and waits for its end: every chunk in order, then the final
    /// response.
    pub fn call_streamed(&mut self, method: &str, params: Value) -> (Vec<Value>, Value) {
        let id = self.request_streamed(method, params);
        let mut chunks = Vec::new();
        while let Some(chunk) = self.next_partial(&id) {
            chunks.push(chunk);
        }
        let last = self.response_for(&json!(id));
        (chunks, last)
    }

    /// Responses received but never claimed by `response_for` (a late answer would land here).
    pub fn unclaimed_responses(&self) -> &[Value] {
        &self.responses
    }

    /// Sends a request and waits for its full response.
    pub fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.request(method, params);
        self.response_for(&json!(id))
    }

    /// Calls and asserts success; returns the result.
    pub fn ok(&mut self, method: &str, params: Value) -> Value {
        let r = self.call(method, params.clone());
        assert_eq!(r["ok"], true, "{method} {params} failed: {r}");
        r["result"].clone()
    }

    /// Calls and asserts failure; returns the error code.
    pub fn err(&mut self, method: &str, params: Value) -> String {
        let r = self.call(method, params.clone());
        assert_eq!(r["ok"], false, "{method} {params} should fail: {r}");
        assert!(r["error"]["message"].is_string(), "errors carry a message: {r}");
        r["error"]["code"].as_str().unwrap().to_owned()
    }

    /// Waits for an event named `name` whose data satisfies `pred`, looking at events from
    /// position `from` on. Returns the data and the position after it.
    pub fn wait_event(&mut self, name: &str, from: usize, mut pred: impl FnMut(&Value) -> bool) -> (Value, usize) {
        let until = Instant::now() + DEADLINE;
        let mut seen = from;
        loop {
            while seen < self.events.len() {
                let e = &self.events[seen];
                seen += 1;
                if e["event"] == name && pred(&e["data"]) {
                    return (e["data"].clone(), seen);
                }
            }
            let left = until.saturating_duration_since(Instant::now());
            assert!(!left.is_zero(), "no matching {name} event before the deadline; got {:?}", &self.events[from..]);
            self.pump(left);
        }
    }

    /// Polls `workspace/status` until the first scan is done (and, if asked, watching has started).
    pub fn wait_ready(&mut self, watching: bool) -> Value {
        let until = Instant::now() + DEADLINE;
        loop {
            let status = self.ok("workspace/status", json!({}));
            if status["state"] == "ready" && (!watching || status["watching"] == true) {
                return status;
            }
            assert!(Instant::now() < until, "sidecar never became ready: {status}");
            // Nothing to wait on but the scan thread: pause briefly between polls.
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Closes stdin (the orphan rule) and waits for the process to end.
    pub fn close_stdin_and_wait(&mut self) -> Exit {
        drop(self.stdin.take());
        self.wait_exit()
    }

    /// Waits (with the deadline) for the process to exit by itself. Under wine a process that is
    /// still there at the deadline with only one thread left is one whose `ExitProcess` ended
    /// every other thread and then hung in wine itself ([`Exit::WineHung`]): it is ended here.
    pub fn wait_exit(&mut self) -> Exit {
        let until = Instant::now() + DEADLINE;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Exit::Status(status);
            }
            if Instant::now() >= until && super::wine::hung_in_exit(self.child.id()) {
                eprintln!("the sidecar reached ExitProcess and wine hung there (docs/testing.md): ending it");
                let _ = self.child.kill();
                let _ = self.child.wait();
                return Exit::WineHung;
            }
            assert!(Instant::now() < until, "sidecar did not exit; stderr:\n{}", self.stderr());
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Sends `$/shutdown`, checks its `{}` answer and the exit status 0.
    pub fn shutdown(mut self) {
        assert_eq!(self.ok("$/shutdown", json!({})), json!({}));
        let exit = self.wait_exit();
        assert!(exit.success(), "{exit:?}; stderr:\n{}", self.stderr());
    }
}

/// How a sidecar process ended.
#[derive(Debug)]
pub enum Exit {
    /// It exited by itself, with this status.
    Status(ExitStatus),
    /// Under wine only: it called `ExitProcess`, which ended every other thread, and wine 8.0 then
    /// hung in its own ending of the process (docs/testing.md). The exit status was never set.
    WineHung,
}

impl Exit {
    /// Exited with status 0, or under wine reached `ExitProcess`. Its status is then unknown; the
    /// sidecar's exits once it serves are status 0 after `$/shutdown` or the end of stdin, and 1
    /// only after a failed first scan, which says why on stderr.
    pub fn success(&self) -> bool {
        match self {
            Exit::Status(status) => status.success(),
            Exit::WineHung => true,
        }
    }
}

impl Drop for Sidecar {
    fn drop(&mut self) {
        // A failed assertion must not leave a process behind.
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}
