//! The children rule over real processes (Linux): a sidecar served by `serve_stdio` starts a child
//! and a grandchild that called `setsid()`, and neither outlives the sidecar, whether its stdin
//! closes (main is gone), a double-forked grandchild was adopted through `adopt_orphans`, or the
//! sidecar itself is SIGKILLed (`contain` gives its children a parent-death signal).
//!
//! This test binary has no libtest harness: it is also the sidecar, the child and the grandchild,
//! chosen by its first argument, so the test needs no other executable.

#[cfg(target_os = "linux")]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--sidecar") => linux::sidecar(args.iter().any(|a| a == "--adopt")),
        Some("--intermediate") => linux::intermediate(args.iter().any(|a| a == "--orphan")),
        Some("--sleep") => loop {
            std::thread::sleep(std::time::Duration::from_secs(1));
        },
        _ => linux::run_scenarios(),
    }
}

#[cfg(not(target_os = "linux"))]
fn main() {
    println!("children: skipped (the scenarios read /proc)");
}

#[cfg(target_os = "linux")]
mod linux {
    use std::io::{BufRead, BufReader, Write};
    use std::process::{Child, Command, Stdio};
    use std::time::{Duration, Instant};

    const DEADLINE: Duration = Duration::from_secs(10);

    pub fn sidecar(adopt: bool) {
        use serde::Deserialize;
        use skaffa_protocol::{children, Context, IoOptions, ResponseError, Server};

        #[derive(Deserialize)]
        struct SpawnParams {
            orphan: bool,
        }
        if adopt {
            assert!(children::adopt_orphans());
        }
        let mut server = Server::new("tree", "0.0.0-test");
        server.method("tree/spawn", |_: &Context, p: SpawnParams| -> Result<serde_json::Value, ResponseError> {
            let internal = |e: std::io::Error| ResponseError::new("INTERNAL", e.to_string());
            let mut cmd = Command::new(std::env::current_exe().map_err(internal)?);
            cmd.arg("--intermediate").stdout(Stdio::piped()).stdin(Stdio::null());
            if p.orphan {
                cmd.arg("--orphan");
            }
            let mut child = children::contain(&mut cmd).spawn().map_err(internal)?;
            let mut line = String::new();
            BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).map_err(internal)?;
            if p.orphan {
                child.wait().map_err(internal)?;
            }
            Ok(serde_json::json!({ "child": child.id(), "grandchild": line.trim().parse::<u32>().unwrap() }))
        });
        server.serve_stdio(IoOptions::default(), |_| {});
    }

    // In the orphan case not waiting is the point: this process exits and its child is orphaned.
    #[allow(clippy::zombie_processes)]
    pub fn intermediate(orphan: bool) {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.arg("--sleep").stdin(Stdio::null()).stdout(Stdio::null());
        // SAFETY: setsid is async-signal-safe; it makes the grandchild leave the sidecar's group and session.
        unsafe {
            cmd.pre_exec(|| if libc::setsid() < 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) });
        }
        let mut grandchild = skaffa_protocol::children::contain(&mut cmd).spawn().unwrap();
        println!("{}", grandchild.id());
        std::io::stdout().flush().unwrap();
        if !orphan {
            // Waits forever: the grandchild only ends when the test's scenario kills it.
            let _ = grandchild.wait();
        }
    }

    /// `(state, ppid)` of a process, or `None` once it is gone.
    fn state(pid: u32) -> Option<(char, u32)> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        let mut fields = stat[stat.rfind(')')? + 2..].split(' ');
        let s = fields.next()?.chars().next()?;
        Some((s, fields.next()?.parse().ok()?))
    }

    /// Alive means running code: a zombie has exited and waits only to be reaped.
    fn alive(pid: u32) -> bool {
        matches!(state(pid), Some((s, _)) if s != 'Z')
    }

    struct Tree {
        sidecar: Child,
        child: u32,
        grandchild: u32,
    }

    /// Starts the sidecar in its own process group, as main does, and has it spawn its tree.
    fn start(adopt: bool, orphan: bool) -> Tree {
        use std::os::unix::process::CommandExt;
        let mut cmd = Command::new(std::env::current_exe().unwrap());
        cmd.arg("--sidecar").stdin(Stdio::piped()).stdout(Stdio::piped()).process_group(0);
        if adopt {
            cmd.arg("--adopt");
        }
        let mut sidecar = cmd.spawn().unwrap();
        let request = format!("{{\"id\":\"1\",\"method\":\"tree/spawn\",\"params\":{{\"orphan\":{orphan}}}}}\n");
        sidecar.stdin.as_mut().unwrap().write_all(request.as_bytes()).unwrap();
        let mut line = String::new();
        BufReader::new(sidecar.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let answer: serde_json::Value = serde_json::from_str(&line).unwrap();
        let pid = |k: &str| answer["result"][k].as_u64().unwrap_or_else(|| panic!("no {k} in {line}")) as u32;
        Tree { child: pid("child"), grandchild: pid("grandchild"), sidecar }
    }

    /// Waits until none of `pids` is alive; returns those still alive at the deadline (killed then).
    fn survivors(pids: &[u32]) -> Vec<u32> {
        let end = Instant::now() + DEADLINE;
        while Instant::now() < end && pids.iter().any(|&p| alive(p)) {
            std::thread::sleep(Duration::from_millis(20));
        }
        let left: Vec<u32> = pids.iter().copied().filter(|&p| alive(p)).collect();
        for &p in &left {
            // SAFETY: kill(2) on a pid this test started.
            unsafe { libc::kill(p as libc::pid_t, libc::SIGKILL) };
        }
        left
    }

    fn stdin_eof_takes_the_tree_down() -> Result<(), String> {
        let mut t = start(false, false);
        if !alive(t.child) || !alive(t.grandchild) {
            return Err("the tree did not start".into());
        }
        drop(t.sidecar.stdin.take());
        let status = t.sidecar.wait().map_err(|e| e.to_string())?;
        let left = survivors(&[t.child, t.grandchild]);
        if !status.success() || !left.is_empty() {
            return Err(format!("sidecar exit {status}; still running: {left:?}"));
        }
        Ok(())
    }

    fn adopted_orphan_is_killed_at_eof() -> Result<(), String> {
        let mut t = start(true, true);
        let parent = state(t.grandchild).map(|(_, ppid)| ppid);
        if parent != Some(t.sidecar.id()) {
            return Err(format!("the double-forked grandchild was not adopted (parent {parent:?})"));
        }
        drop(t.sidecar.stdin.take());
        t.sidecar.wait().map_err(|e| e.to_string())?;
        let left = survivors(&[t.grandchild]);
        if !left.is_empty() {
            return Err(format!("still running: {left:?}"));
        }
        Ok(())
    }

    fn sigkilled_sidecar_takes_contained_children_along() -> Result<(), String> {
        let mut t = start(false, false);
        // SIGKILL to the sidecar alone (not its group): only the parent-death signal can help.
        t.sidecar.kill().map_err(|e| e.to_string())?;
        t.sidecar.wait().map_err(|e| e.to_string())?;
        let left = survivors(&[t.child, t.grandchild]);
        if !left.is_empty() {
            return Err(format!("still running: {left:?}"));
        }
        Ok(())
    }

    pub fn run_scenarios() {
        type Scenario = fn() -> Result<(), String>;
        let scenarios: [(&str, Scenario); 3] = [
            ("stdin EOF takes the child and the setsid() grandchild down", stdin_eof_takes_the_tree_down),
            ("an adopted double-forked grandchild is killed at EOF", adopted_orphan_is_killed_at_eof),
            (
                "a SIGKILLed sidecar takes its contained children along",
                sigkilled_sidecar_takes_contained_children_along,
            ),
        ];
        let mut failed = 0;
        for (name, scenario) in scenarios {
            match scenario() {
                Ok(()) => println!("test {name} ... ok"),
                Err(e) => {
                    failed += 1;
                    println!("test {name} ... FAILED: {e}");
                }
            }
        }
        if failed > 0 {
            std::process::exit(1);
        }
    }
}
