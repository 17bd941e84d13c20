//! The reaper on macOS (and the BSDs): one kqueue waits for main's exit and the sidecar's
//! (`EVFILT_PROC`/`NOTE_EXIT`) and for the signals to forward (`EVFILT_SIGNAL`). These systems
//! have no subreaper and no parent-death signal, so what is reachable is the process group the
//! reaper leads (main starts it as a group leader): a descendant that left the group with
//! `setsid()` or `setpgid()` escapes, and docs/containment.md says so.

use std::io;
use std::process::{Command, ExitCode};

/// Signals passed on to the sidecar: what main (or a terminal) sends to ask for a stop.
const FORWARDED: [libc::c_int; 3] = [libc::SIGTERM, libc::SIGINT, libc::SIGHUP];

/// Starts the sidecar and supervises it until it exits or main goes; returns the exit status to
/// give main.
pub fn run(parent: u32, mut sidecar: Command) -> io::Result<ExitCode> {
    // SAFETY: kqueue() has no arguments; the descriptor is closed when the process exits.
    let kq = unsafe { libc::kqueue() };
    if kq < 0 {
        return Err(io::Error::last_os_error());
    }
    lead_a_group();
    for sig in FORWARDED {
        // kqueue records a signal even when it is ignored; ignoring it keeps the reaper alive.
        // SAFETY: setting a signal's disposition to SIG_IGN.
        unsafe { libc::signal(sig, libc::SIG_IGN) };
        watch(kq, sig as usize, libc::EVFILT_SIGNAL, 0, libc::EV_ADD)?;
    }
    restore_default_signals(&mut sidecar);
    if watch(kq, parent as usize, libc::EVFILT_PROC, libc::NOTE_EXIT, libc::EV_ADD | libc::EV_ONESHOT).is_err() {
        eprintln!("skaffa-reaper: main (pid {parent}) is already gone; not starting the sidecar");
        return Ok(ExitCode::FAILURE);
    }
    let mut child = sidecar.spawn()?;
    let sidecar_pid = child.id();
    // A sidecar that exited before this registration is caught by try_wait below.
    let _ = watch(kq, sidecar_pid as usize, libc::EVFILT_PROC, libc::NOTE_EXIT, libc::EV_ADD | libc::EV_ONESHOT);
    loop {
        if let Some(status) = child.try_wait()? {
            signal_group(libc::SIGTERM);
            return Ok(exit_like(status));
        }
        // SAFETY: an all-zero kevent is a valid out-value.
        let mut event: libc::kevent = unsafe { std::mem::zeroed() };
        // SAFETY: valid kqueue descriptor and out-pointer; no timeout.
        let n = unsafe { libc::kevent(kq, std::ptr::null(), 0, &mut event, 1, std::ptr::null()) };
        if n <= 0 {
            continue;
        }
        if event.filter == libc::EVFILT_PROC && event.ident == parent as usize {
            // Main is gone: the whole group goes, the reaper with it.
            signal_group(libc::SIGKILL);
            return Ok(ExitCode::FAILURE);
        }
        if event.filter == libc::EVFILT_SIGNAL {
            // SAFETY: kill(2) on the sidecar's pid, which stays ours until we wait for it.
            unsafe { libc::kill(sidecar_pid as libc::pid_t, event.ident as libc::c_int) };
        }
    }
}

/// The group is all the reaper can reach here, so it must lead one of its own: main starts it
/// detached (a session leader already); if not, it moves to a new group rather than signal main's.
fn lead_a_group() {
    // SAFETY: plain syscalls on this process's own ids.
    unsafe {
        if libc::getpgrp() != libc::getpid() {
            libc::setpgid(0, 0);
        }
    }
}

/// Ignored signals stay ignored across exec, and std only resets SIGPIPE: without this the
/// sidecar would ignore the very SIGTERM the reaper forwards to it.
fn restore_default_signals(sidecar: &mut Command) {
    use std::os::unix::process::CommandExt;
    // SAFETY: the closure runs between fork and exec and calls only sigaction, which is
    // async-signal-safe.
    unsafe {
        sidecar.pre_exec(|| {
            for sig in FORWARDED {
                let mut action: libc::sigaction = std::mem::zeroed();
                action.sa_sigaction = libc::SIG_DFL;
                libc::sigaction(sig, &action, std::ptr::null_mut());
            }
            Ok(())
        });
    }
}

fn watch(kq: libc::c_int, ident: usize, filter: i16, fflags: u32, flags: u16) -> io::Result<()> {
    // SAFETY: an all-zero kevent is valid; the fields set below describe one registration.
    let mut change: libc::kevent = unsafe { std::mem::zeroed() };
    change.ident = ident;
    change.filter = filter;
    change.flags = flags;
    change.fflags = fflags;
    // SAFETY: one change in, no events out.
    let r = unsafe { libc::kevent(kq, &change, 1, std::ptr::null_mut(), 0, std::ptr::null()) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// Signals every process of the reaper's group but, for SIGTERM, the reaper itself.
fn signal_group(sig: libc::c_int) {
    // SAFETY: SIGTERM is already ignored here (see `run`); kill(0, …) reaches our own group,
    // which `lead_a_group` made sure is not main's.
    unsafe {
        if libc::getpgrp() == libc::getpid() {
            libc::kill(0, sig);
        }
    }
}

fn exit_like(status: std::process::ExitStatus) -> ExitCode {
    use std::os::unix::process::ExitStatusExt;
    if let Some(sig) = status.signal() {
        // SAFETY: restores the default action and raises the sidecar's fatal signal on ourselves.
        unsafe {
            libc::signal(sig, libc::SIG_DFL);
            libc::raise(sig);
        }
        return ExitCode::from(128u8.wrapping_add(sig as u8));
    }
    ExitCode::from(status.code().unwrap_or(1) as u8)
}
