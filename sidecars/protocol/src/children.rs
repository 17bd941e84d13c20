//! The children rule of the protocol: a sidecar takes down every process it started before it
//! exits, whether it exits for `$/shutdown` or because stdin ended (main is gone, perhaps killed
//! with SIGKILL). [`Server::serve_stdio`](crate::Server::serve_stdio) applies it on its own; this
//! module also offers what each OS has for the cases a clean exit does not cover:
//!
//! - **Linux**: at exit every descendant found through `/proc` parent links, and every member of
//!   the sidecar's process group, gets SIGKILL. That includes grandchildren that called
//!   `setsid()`, as long as their parent lives. [`contain`] makes a spawned child receive SIGKILL
//!   when the sidecar dies however it dies (`PR_SET_PDEATHSIG`), and [`adopt_orphans`] makes
//!   the sidecar a child subreaper, so a double-forked daemon is reparented to it rather than to
//!   init and is found at exit.
//! - **Windows**: `serve_stdio` puts the sidecar in a job object with
//!   `JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE` before it reads its first request. Every process started
//!   afterwards is born in the job (no spawn-then-assign race), and the system kills them all when
//!   the sidecar's last handle to the job closes, i.e. when the sidecar exits for any reason.
//! - **Other Unix (macOS)**: there is no parent-death signal or subreaper. At exit a sidecar that
//!   leads its process group (main starts it that way) sends SIGTERM to the group; processes
//!   that left the group cannot be found.

use std::process::Command;

/// Prepares containment when serving starts (Windows: joins a kill-on-close job object).
pub(crate) fn on_start() {
    #[cfg(windows)]
    if let Err(e) = windows::join_kill_on_close_job() {
        eprintln!("skaffa-protocol: child processes will not be contained: {e}");
    }
}

/// Applies the children rule: called right before the sidecar process exits.
pub(crate) fn kill_all() {
    #[cfg(target_os = "linux")]
    linux::kill_descendants();
    #[cfg(all(unix, not(target_os = "linux")))]
    // SAFETY: plain syscalls on this process's own ids; SIGTERM is ignored here only because the
    // process exits right after.
    unsafe {
        if libc::getpgrp() == libc::getpid() {
            libc::signal(libc::SIGTERM, libc::SIG_IGN);
            libc::kill(0, libc::SIGTERM);
        }
    }
    // Windows: the job object kills everything when this process's handle to it closes.
}

/// Makes the process `command` will start die with this sidecar, even if the sidecar is killed
/// without a chance to clean up. On Linux the child gets `PR_SET_PDEATHSIG` = SIGKILL (it fires
/// when the *thread* that spawned it ends, so spawn from a thread that lives as long as the
/// sidecar, as the worker pool's threads do); on Windows the job object already covers it; on
/// other systems this does nothing. Returns `command` for chaining.
pub fn contain(command: &mut Command) -> &mut Command {
    #[cfg(target_os = "linux")]
    linux::set_parent_death_signal(command);
    command
}

/// Linux: sends SIGKILL to every descendant of this process (found through `/proc` parent links)
/// and to every other member of its process group, and returns how many it signalled. A process
/// may fork while it is being killed, so a caller that must leave nothing behind repeats this
/// until a pass finds none (the reaper does).
#[cfg(target_os = "linux")]
pub fn kill_descendants() -> usize {
    linux::kill_descendants()
}

/// Windows: puts this process in a new job object that kills every process in it when its last
/// handle closes, i.e. when this process ends, however it ends. Processes started afterwards are
/// born in the job. `serve_stdio` calls it itself; the reaper calls it before starting a sidecar.
#[cfg(windows)]
pub fn join_kill_on_close_job() -> std::io::Result<()> {
    windows::join_kill_on_close_job()
}

/// Linux: makes this process a child subreaper (`PR_SET_CHILD_SUBREAPER`), so that descendants
/// orphaned by their parent's exit are reparented to it instead of to init, and the children
/// rule still reaches them at exit. Call it once, early. The price: adopted orphans that exit
/// stay zombies until the sidecar exits, because reaping them here could take the exit status
/// of a `Child` the sidecar itself waits for. Elsewhere this returns `false` and does nothing.
pub fn adopt_orphans() -> bool {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with integer arguments only changes this process's own attributes.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    }
    #[cfg(not(target_os = "linux"))]
    false
}

#[cfg(target_os = "linux")]
mod linux {
    use std::collections::{HashMap, HashSet};
    use std::os::unix::process::CommandExt;
    use std::process::Command;

    /// `(ppid, pgrp)` of a live (not zombie) process, from `/proc/<pid>/stat`.
    fn parent_and_group(pid: u32) -> Option<(u32, u32)> {
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // The command name is in parentheses and may contain anything, so split after the last one.
        let mut fields = stat.get(stat.rfind(')')? + 2..)?.split(' ');
        if fields.next()? == "Z" {
            return None;
        }
        Some((fields.next()?.parse().ok()?, fields.next()?.parse().ok()?))
    }

    pub(super) fn kill_descendants() -> usize {
        let me = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else { return 0 };
        let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut victims = HashSet::new();
        for pid in entries.filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok()) {
            if let Some((ppid, pgrp)) = parent_and_group(pid) {
                children.entry(ppid).or_default().push(pid);
                if pgrp == me {
                    victims.insert(pid);
                }
            }
        }
        // Descendants of this process and of its group's members (one may have been orphaned).
        let mut queue: Vec<u32> = victims.iter().copied().chain([me]).collect();
        let mut seen: HashSet<u32> = queue.iter().copied().collect();
        while let Some(parent) = queue.pop() {
            for &child in children.get(&parent).into_iter().flatten() {
                if seen.insert(child) {
                    victims.insert(child);
                    queue.push(child);
                }
            }
        }
        victims.remove(&me);
        for &pid in &victims {
            // SAFETY: kill(2) with a pid we just read; a process that exited meanwhile gives ESRCH.
            unsafe { libc::kill(pid as libc::pid_t, libc::SIGKILL) };
        }
        victims.len()
    }

    pub(super) fn set_parent_death_signal(command: &mut Command) {
        // SAFETY: getpid() before fork; the closure runs between fork and exec and calls only
        // async-signal-safe functions (prctl, getppid).
        let parent = unsafe { libc::getpid() };
        unsafe {
            command.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL, 0, 0, 0) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                // The parent may have died between fork and prctl: then no signal would come.
                if libc::getppid() != parent {
                    return Err(std::io::Error::other("the sidecar exited while starting the child"));
                }
                Ok(())
            });
        }
    }
}

#[cfg(windows)]
mod windows {
    use std::mem::{size_of, zeroed};
    use std::ptr::null;

    use windows_sys::Win32::System::JobObjects::{
        AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation, SetInformationJobObject,
        JOBOBJECT_EXTENDED_LIMIT_INFORMATION, JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
    };
    use windows_sys::Win32::System::Threading::GetCurrentProcess;

    /// Creates an anonymous job that kills its processes when its last handle closes, and puts
    /// this process in it. The handle is never closed: it closes when the process ends.
    pub(super) fn join_kill_on_close_job() -> std::io::Result<()> {
        // SAFETY: documented Win32 calls with valid arguments; `info` outlives the call that reads it.
        unsafe {
            let job = CreateJobObjectW(null(), null());
            if job.is_null() {
                return Err(std::io::Error::last_os_error());
            }
            let mut info: JOBOBJECT_EXTENDED_LIMIT_INFORMATION = zeroed();
            info.BasicLimitInformation.LimitFlags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
            let set = SetInformationJobObject(
                job,
                JobObjectExtendedLimitInformation,
                &info as *const _ as *const core::ffi::c_void,
                size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
            );
            if set == 0 || AssignProcessToJobObject(job, GetCurrentProcess()) == 0 {
                return Err(std::io::Error::last_os_error());
            }
        }
        Ok(())
    }
}
