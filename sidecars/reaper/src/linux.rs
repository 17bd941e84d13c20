//! The reaper on Linux. One thread waits for signals synchronously (`sigwaitinfo`), so every
//! event is handled in one place and in order: main's death (`PR_SET_PDEATHSIG`), the sidecar's
//! exit (SIGCHLD), and signals to forward. Being a child subreaper, the reaper also adopts the
//! sidecar's orphaned descendants (a `setsid()` daemon whose parent exited), so a walk of its own
//! descendants through `/proc` finds everything the sidecar ever started and still runs.

use std::io;
use std::process::{Command, ExitCode};

use skaffa_protocol::children;

/// The signal the kernel sends the reaper when main dies (its parent-death signal).
const PARENT_GONE: libc::c_int = libc::SIGUSR1;
/// Signals passed on to the sidecar: what main (or a terminal) sends to ask for a stop.
const FORWARDED: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP];
/// Passes of the descendant walk before giving up on a process that keeps forking.
const MAX_KILL_PASSES: usize = 100;

/// Starts the sidecar and supervises it until it exits or main goes; returns the exit status to
/// give main.
pub fn run(parent: u32, mut sidecar: Command) -> io::Result<ExitCode> {
    let set = handled_signals();
    // SAFETY: plain syscalls on this process's own attributes, before any other thread exists.
    unsafe {
        // Blocked signals stay pending until sigwaitinfo takes them. The mask survives fork and
        // exec, so `unblock_in_child` clears it again for the sidecar.
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
        libc::prctl(libc::PR_SET_PDEATHSIG, PARENT_GONE, 0, 0, 0);
        // Main may have died before the prctl above: then no signal will ever come.
        if libc::getppid() as u32 != parent {
            eprintln!("skaffa-reaper: main (pid {parent}) is already gone; not starting the sidecar");
            return Ok(ExitCode::FAILURE);
        }
    }
    children::adopt_orphans();
    unblock_in_child(&mut sidecar);
    let child = sidecar.spawn()?;
    let sidecar_pid = child.id() as libc::pid_t;
    release_stdio();
    loop {
        match wait_signal(&set) {
            libc::SIGCHLD => {
                if let Some(status) = reap(sidecar_pid) {
                    take_down_the_rest();
                    return Ok(exit_like(status));
                }
            }
            PARENT_GONE if !parent_alive(parent) => {
                take_down_the_rest();
                return Ok(ExitCode::FAILURE);
            }
            // SAFETY: kill(2) on the sidecar's pid, which stays ours until we reap it.
            sig if FORWARDED.contains(&sig) => unsafe {
                libc::kill(sidecar_pid, sig);
            },
            _ => {}
        }
    }
}

/// Gives the sidecar an empty signal mask: it inherits the reaper's, in which SIGTERM is blocked,
/// and would never die of the SIGTERM the reaper forwards.
fn unblock_in_child(sidecar: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs between fork and exec and calls only sigemptyset and
    // pthread_sigmask, which are async-signal-safe.
    unsafe {
        sidecar.pre_exec(|| {
            let mut empty: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut empty);
            libc::pthread_sigmask(libc::SIG_SETMASK, &empty, std::ptr::null_mut());
            Ok(())
        });
    }
}

fn handled_signals() -> libc::sigset_t {
    // SAFETY: sigemptyset initialises the set before sigaddset reads it.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        for sig in FORWARDED.iter().copied().chain([libc::SIGCHLD, PARENT_GONE]) {
            libc::sigaddset(&mut set, sig);
        }
        set
    }
}

fn wait_signal(set: &libc::sigset_t) -> libc::c_int {
    loop {
        // SAFETY: `set` is initialised; a null siginfo pointer is allowed.
        let sig = unsafe { libc::sigwaitinfo(set, std::ptr::null_mut()) };
        if sig > 0 {
            return sig;
        }
        // EINTR (a signal outside the set, e.g. from a debugger): wait again.
    }
}

/// The reaper keeps no end of the protocol pipes: main sees the sidecar's stdout close when the
/// sidecar (and whatever it shared the pipe with) is gone, never later because of the reaper.
fn release_stdio() {
    // SAFETY: open/dup2/close on descriptors this process owns.
    unsafe {
        let null = libc::open(c"/dev/null".as_ptr(), libc::O_RDWR | libc::O_CLOEXEC);
        if null >= 0 {
            libc::dup2(null, 0);
            libc::dup2(null, 1);
            libc::close(null);
        }
    }
}

/// Reaps every exited child (adopted orphans too); returns the sidecar's status once it exits.
fn reap(sidecar: libc::pid_t) -> Option<libc::c_int> {
    let mut found = None;
    loop {
        let mut status = 0;
        // SAFETY: waitpid with a valid out-pointer.
        let pid = unsafe { libc::waitpid(-1, &mut status, libc::WNOHANG) };
        if pid <= 0 {
            return found;
        }
        if pid == sidecar {
            found = Some(status);
        }
    }
}

fn parent_alive(parent: u32) -> bool {
    // SAFETY: getppid cannot fail. After main dies the reaper is reparented, so its parent changes.
    unsafe { libc::getppid() as u32 == parent }
}

/// The children rule, applied for the sidecar: SIGKILL to every descendant, pass after pass until
/// a pass finds none, then reap them so none lingers as a zombie of ours.
fn take_down_the_rest() {
    for _ in 0..MAX_KILL_PASSES {
        if children::kill_descendants() == 0 {
            break;
        }
        // Give the kernel a moment to deliver before the next walk, and collect the dead.
        std::thread::sleep(std::time::Duration::from_millis(1));
        reap(0);
    }
    reap(0);
}

/// The reaper's own exit mirrors the sidecar's: the same code, or death by the same signal, so
/// main's crash report says what happened to the sidecar.
fn exit_like(status: libc::c_int) -> ExitCode {
    if libc::WIFSIGNALED(status) {
        let sig = libc::WTERMSIG(status);
        // SAFETY: restores the default action and unblocks `sig`, then raises it on ourselves.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            let mut set: libc::sigset_t = std::mem::zeroed();
            libc::sigemptyset(&mut set);
            libc::sigaddset(&mut set, sig);
            libc::pthread_sigmask(libc::SIG_UNBLOCK, &set, std::ptr::null_mut());
            libc::raise(sig);
        }
        // A signal whose default is not to terminate (none we expect): say so by the shell's rule.
        return ExitCode::from(128u8.wrapping_add(sig as u8));
    }
    ExitCode::from(libc::WEXITSTATUS(status) as u8)
}
