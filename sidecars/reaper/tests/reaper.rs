//! The reaper over real processes. A sidecar that breaks the children rule starts a plain child,
//! a child that left its session (`setsid()` on Unix, a detached process on Windows) and an
//! orphan (its parent exited at once); none of them may outlive the sidecar's exit, nor main's
//! death by SIGKILL/TerminateProcess. A control run without the reaper shows that the same
//! sidecar does leave processes behind, so the checks can fail.
//!
//! This test binary has no libtest harness: it is also main, the sidecar and its children,
//! chosen by its first argument, so the test needs no other executable.

// Leaving children unwaited for is the rule-breaking sidecar's whole point.
#![allow(clippy::zombie_processes)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

#[path = "support/procs.rs"]
mod procs;
use procs::{alive, detach, kill_hard};

const REAPER: &str = env!("CARGO_BIN_EXE_skaffa-reaper");

fn me() -> Command {
    Command::new(std::env::current_exe().unwrap())
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        Some("--sidecar") => sidecar(&args[1]),
        Some("--main") => fake_main(args.get(1).map(String::as_str) == Some("--direct")),
        Some("--orphaner") => {
            let child = detach(me().arg("--sleep"))
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            println!("{}", child.id());
        }
        Some("--sleep") => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
        _ => scenarios(),
    }
}

/// The rule-breaking sidecar: prints the pids of what it started, then `exit7`s without taking
/// them down, `hang`s (ignoring stdin), or `echo`es one stdin line to stdout.
fn sidecar(mode: &str) {
    if mode == "echo" {
        let mut line = String::new();
        std::io::stdin().read_line(&mut line).unwrap();
        print!("echo: {line}");
        return;
    }
    let plain = me().arg("--sleep").stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap();
    let detached = detach(me().arg("--sleep")).stdin(Stdio::null()).stdout(Stdio::null()).spawn().unwrap();
    // One line, not `output()`: on Windows the orphan inherits the orphaner's pipe handles (every
    // inheritable handle goes), so the pipe would not reach its end while the orphan runs.
    let mut orphaner = me().arg("--orphaner").stdin(Stdio::null()).stdout(Stdio::piped()).spawn().unwrap();
    let orphan = first_line(&mut orphaner);
    orphaner.wait().unwrap();
    println!("{} {} {} {}", std::process::id(), plain.id(), detached.id(), orphan.trim());
    std::io::stdout().flush().unwrap();
    match mode {
        "exit7" => std::process::exit(7),
        _ => loop {
            std::thread::sleep(Duration::from_secs(1));
        },
    }
}

/// Stands in for Electron's main: starts a hanging sidecar, under the reaper unless `direct`,
/// passes its line of pids on, and waits to be killed.
fn fake_main(direct: bool) {
    let mut cmd = if direct { me() } else { reaper_for(std::process::id()) };
    let mut child = cmd.args(["--sidecar", "hang"]).stdout(Stdio::piped()).spawn().unwrap();
    let line = first_line(&mut child);
    println!("{} {}", child.id(), line.trim());
    std::io::stdout().flush().unwrap();
    loop {
        std::thread::sleep(Duration::from_secs(1));
    }
}

fn reaper_for(parent: u32) -> Command {
    let mut cmd = Command::new(REAPER);
    cmd.args(["--parent", &parent.to_string(), "--"]).arg(std::env::current_exe().unwrap());
    cmd
}

fn pids(line: &str) -> Vec<u32> {
    line.split_whitespace().map(|p| p.parse().unwrap()).collect()
}

fn first_line(child: &mut Child) -> String {
    let mut line = String::new();
    BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut line).unwrap();
    line
}

/// Waits until none of `pids` runs; returns the survivors at the deadline.
fn gone_within(pids: &[u32], deadline: Duration) -> Vec<u32> {
    let start = Instant::now();
    loop {
        let left: Vec<u32> = pids.iter().copied().filter(|&p| alive(p)).collect();
        if left.is_empty() || start.elapsed() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn scenarios() {
    // The bound is 1 s; wine (the Windows build's tests here) starts and stops processes
    // far more slowly than Windows does, so it gets more.
    let bound = if cfg!(windows) { Duration::from_secs(10) } else { Duration::from_secs(1) };
    let mut failures = Vec::new();
    let mut check = |name: &str, ok: bool, detail: String| {
        println!(
            "{} {name}{}",
            if ok { "ok  " } else { "FAIL" },
            if ok { String::new() } else { format!(": {detail}") }
        );
        if !ok {
            failures.push(name.to_string());
        }
    };

    // The sidecar exits and leaves three processes: the reaper takes them and passes the code on.
    let mut reaper =
        reaper_for(std::process::id()).args(["--sidecar", "exit7"]).stdout(Stdio::piped()).spawn().unwrap();
    let tree = pids(&first_line(&mut reaper));
    let code = reaper.wait().unwrap().code();
    let left = gone_within(&tree, bound);
    check("a sidecar's exit takes its whole tree down", left.is_empty(), format!("survivors {left:?}"));
    check("the sidecar's exit code is the reaper's", code == Some(7), format!("got {code:?}"));

    // Main dies without a word: everything under it goes, setsid()/detached ones included.
    let mut main = me().args(["--main"]).stdout(Stdio::piped()).spawn().unwrap();
    let tree = pids(&first_line(&mut main));
    kill_hard(&mut main);
    let left = gone_within(&tree, bound);
    check(
        "main's death takes the reaper and the whole tree down",
        left.is_empty(),
        format!("survivors {left:?} of {tree:?}"),
    );

    // Control: without the reaper the same main leaves processes behind (so the check above can fail).
    let mut main = me().args(["--main", "--direct"]).stdout(Stdio::piped()).spawn().unwrap();
    let tree = pids(&first_line(&mut main));
    kill_hard(&mut main);
    let left = gone_within(&tree[1..], Duration::from_millis(300));
    check("control: without the reaper a process survives main", !left.is_empty(), "nothing survived".into());
    procs::kill_all(&tree);

    // The protocol's pipes pass straight through the reaper.
    let mut reaper = reaper_for(std::process::id())
        .args(["--sidecar", "echo"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    reaper.stdin.as_mut().unwrap().write_all(b"ping\n").unwrap();
    let line = first_line(&mut reaper);
    check("stdin and stdout are the sidecar's", line == "echo: ping\n", format!("got {line:?}"));
    check("it exits with the sidecar", reaper.wait().unwrap().success(), String::new());

    #[cfg(unix)]
    procs::unix_scenarios(&mut check, bound);

    if !failures.is_empty() {
        eprintln!("reaper: {} failed: {}", failures.len(), failures.join(", "));
        std::process::exit(1);
    }
}
