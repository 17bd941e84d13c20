//! Process helpers for the reaper's test, per OS: is a pid alive, start a process outside the
//! sidecar's session or console group, kill hard, and the Unix-only signal scenario.

use std::process::{Child, Command};

/// True while `pid` runs (a zombie does not count: it runs nothing).
#[cfg(target_os = "linux")]
pub fn alive(pid: u32) -> bool {
    match std::fs::read_to_string(format!("/proc/{pid}/stat")) {
        Ok(stat) => stat.rsplit(')').next().is_some_and(|rest| !rest.trim_start().starts_with('Z')),
        Err(_) => false,
    }
}

/// True while `pid` exists.
#[cfg(all(unix, not(target_os = "linux")))]
pub fn alive(pid: u32) -> bool {
    // SAFETY: signal 0 only checks that the process exists.
    unsafe { libc::kill(pid as libc::pid_t, 0) == 0 }
}

/// True while `pid` runs.
#[cfg(windows)]
pub fn alive(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::{CloseHandle, STILL_ACTIVE};
    use windows_sys::Win32::System::Threading::{GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION};
    // SAFETY: documented calls; the handle is closed once.
    unsafe {
        let h = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if h.is_null() {
            return false;
        }
        let mut code = 0u32;
        let ok = GetExitCodeProcess(h, &mut code) != 0;
        CloseHandle(h);
        ok && code == STILL_ACTIVE as u32
    }
}

/// Makes `cmd` start a process that leaves the sidecar's session (Unix `setsid()`), or on
/// Windows a detached process in a new process group: what a daemonising child does.
pub fn detach(cmd: &mut Command) -> &mut Command {
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        // SAFETY: setsid is async-signal-safe.
        unsafe {
            cmd.pre_exec(|| if libc::setsid() < 0 { Err(std::io::Error::last_os_error()) } else { Ok(()) });
        }
    }
    #[cfg(windows)]
    {
        use std::os::windows::process::CommandExt;
        use windows_sys::Win32::System::Threading::{CREATE_NEW_PROCESS_GROUP, DETACHED_PROCESS};
        cmd.creation_flags(DETACHED_PROCESS | CREATE_NEW_PROCESS_GROUP);
    }
    cmd
}

/// SIGKILL on Unix, TerminateProcess on Windows: no chance to clean up.
pub fn kill_hard(child: &mut Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Cleans up after the control scenario, which leaves processes behind on purpose.
pub fn kill_all(pids: &[u32]) {
    for &pid in pids {
        #[cfg(unix)]
        // SAFETY: kill(2) on pids this test started; ESRCH for those already gone.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGKILL);
        }
        #[cfg(windows)]
        {
            use windows_sys::Win32::Foundation::CloseHandle;
            use windows_sys::Win32::System::Threading::{OpenProcess, TerminateProcess, PROCESS_TERMINATE};
            // SAFETY: documented calls; the handle is closed once.
            unsafe {
                let h = OpenProcess(PROCESS_TERMINATE, 0, pid);
                if !h.is_null() {
                    TerminateProcess(h, 1);
                    CloseHandle(h);
                }
            }
        }
    }
}

/// SIGTERM to the reaper reaches the sidecar, the reaper dies of the same signal (so main's
/// crash report names it), and the tree goes with it.
#[cfg(unix)]
pub fn unix_scenarios(check: &mut impl FnMut(&str, bool, String), bound: std::time::Duration) {
    use std::os::unix::process::ExitStatusExt;
    use std::process::Stdio;
    let mut reaper =
        super::reaper_for(std::process::id()).args(["--sidecar", "hang"]).stdout(Stdio::piped()).spawn().unwrap();
    let tree = super::pids(&super::first_line(&mut reaper));
    // SAFETY: kill(2) on our own child.
    unsafe { libc::kill(reaper.id() as libc::pid_t, libc::SIGTERM) };
    let status = reaper.wait().unwrap();
    check(
        "SIGTERM is forwarded and the reaper dies of it",
        status.signal() == Some(libc::SIGTERM),
        format!("got {status:?}"),
    );
    let left = super::gone_within(&tree, bound);
    check("after a forwarded SIGTERM the tree is gone", left.is_empty(), format!("survivors {left:?}"));
}
