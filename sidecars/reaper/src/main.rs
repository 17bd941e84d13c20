//! `skaffa-reaper --parent <main pid> -- <command> [args…]`: main launches every local sidecar
//! under this small program so that nothing a sidecar starts outlives it or main, even when the
//! sidecar breaks the protocol's children rule and even when main is SIGKILLed and gets no
//! chance to clean up. It is not a proxy: the sidecar inherits the reaper's stdin, stdout and
//! stderr, so protocol bytes never pass through it. It forwards SIGTERM, SIGINT and SIGHUP to the
//! sidecar, exits with the sidecar's status (a signal death is re-raised), and before exiting
//! takes down every process the sidecar left behind.
//!
//! How each OS is held (see `docs/containment.md` for what each cannot reach):
//! - **Linux** (`linux.rs`): a child subreaper (`PR_SET_CHILD_SUBREAPER`), so processes that
//!   left the sidecar's session with `setsid()` and were orphaned are reparented here, and
//!   `PR_SET_PDEATHSIG`, so main's death is a signal; then every descendant gets SIGKILL.
//! - **Windows** (`windows.rs`): a job object with kill-on-close holds the reaper, the sidecar and
//!   all they start; the reaper waits on main's process handle and the sidecar's, and when either
//!   signals it exits, which closes the job and kills the rest.
//! - **macOS and other BSDs** (`kqueue.rs`): a kqueue `NOTE_EXIT` watch on main and on the
//!   sidecar; then the process group is signalled.

// Like the protocol crate it belongs with: every item says what it is for.
#![deny(missing_docs)]

#[cfg(all(unix, not(target_os = "linux")))]
mod kqueue;
#[cfg(target_os = "linux")]
mod linux;
#[cfg(windows)]
mod windows;

use std::ffi::OsString;
use std::process::{Command, ExitCode};

/// Exit status when the sidecar could not be started (as a shell does for a missing command).
const CANNOT_START: u8 = 127;
/// Exit status for a bad command line.
const USAGE: u8 = 2;

const USAGE_TEXT: &str = "usage: skaffa-reaper --parent <pid> -- <command> [args…]";

/// What the command line asks for.
#[derive(Debug)]
struct Args {
    /// Main's process id: when that process goes, everything goes.
    parent: u32,
    /// The sidecar's command and arguments.
    command: Vec<OsString>,
}

fn parse(mut argv: impl Iterator<Item = OsString>) -> Result<Args, String> {
    let mut parent = None;
    while let Some(arg) = argv.next() {
        match arg.to_str() {
            Some("--parent") => {
                let value = argv.next().ok_or("--parent needs a process id")?;
                let pid = value.to_str().and_then(|v| v.parse::<u32>().ok()).filter(|&p| p > 0);
                parent = Some(pid.ok_or_else(|| format!("--parent: not a process id: {value:?}"))?);
            }
            Some("--") => break,
            _ => return Err(format!("unexpected argument {arg:?}")),
        }
    }
    let command: Vec<OsString> = argv.collect();
    if command.is_empty() {
        return Err("no command after --".into());
    }
    Ok(Args { parent: parent.ok_or("--parent is required")?, command })
}

/// The sidecar's command, with its own death tied to the reaper's where the OS allows it, so a
/// SIGKILLed reaper (main's last resort) does not leave the sidecar running.
fn sidecar_command(command: &[OsString]) -> Command {
    let mut cmd = Command::new(&command[0]);
    cmd.args(&command[1..]);
    skaffa_protocol::children::contain(&mut cmd);
    cmd
}

fn main() -> ExitCode {
    let args = match parse(std::env::args_os().skip(1)) {
        Ok(args) => args,
        Err(why) => {
            eprintln!("skaffa-reaper: {why}\n{USAGE_TEXT}");
            return ExitCode::from(USAGE);
        }
    };
    #[cfg(target_os = "linux")]
    let outcome = linux::run(args.parent, sidecar_command(&args.command));
    #[cfg(all(unix, not(target_os = "linux")))]
    let outcome = kqueue::run(args.parent, sidecar_command(&args.command));
    #[cfg(windows)]
    let outcome = windows::run(args.parent, sidecar_command(&args.command));
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("skaffa-reaper: cannot start {:?}: {e}", args.command[0]);
            ExitCode::from(CANNOT_START)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Result<Args, String> {
        parse(list.iter().map(OsString::from))
    }

    #[test]
    fn the_command_follows_the_double_dash_untouched() {
        let a = args(&["--parent", "42", "--", "node", "--parent", "x"]).unwrap();
        assert_eq!(a.parent, 42);
        assert_eq!(a.command, ["node", "--parent", "x"]);
    }

    #[test]
    fn a_missing_parent_or_command_is_refused() {
        assert!(args(&["--", "node"]).unwrap_err().contains("--parent"));
        assert!(args(&["--parent", "42", "--"]).unwrap_err().contains("no command"));
        assert!(args(&["--parent", "zero", "--", "x"]).unwrap_err().contains("not a process id"));
        assert!(args(&["--parent", "0", "--", "x"]).is_err());
        assert!(args(&["node"]).unwrap_err().contains("unexpected"));
    }
}
