//! The reaper on Windows. It joins a job object with kill-on-close before it starts the sidecar,
//! so the sidecar and everything it starts are born in the job (no start-then-assign race), then
//! waits on two handles: main's process and the sidecar's. When main's signals (main died, even
//! by TerminateProcess) or the sidecar's does, the reaper exits; its handle to the job is the
//! last one, so the system kills every process left in the job.

use std::io;
use std::os::windows::io::AsRawHandle;
use std::process::{Command, ExitCode};

use windows_sys::Win32::Foundation::{CloseHandle, WAIT_OBJECT_0};
use windows_sys::Win32::System::Threading::{OpenProcess, WaitForMultipleObjects, INFINITE, PROCESS_SYNCHRONIZE};

/// Starts the sidecar and supervises it until it exits or main goes; returns the exit status to
/// give main.
pub fn run(parent: u32, mut sidecar: Command) -> io::Result<ExitCode> {
    skaffa_protocol::children::join_kill_on_close_job()?;
    // SAFETY: OpenProcess with a plain access right; a null handle means main is gone (or not
    // ours to watch), checked below.
    let main = unsafe { OpenProcess(PROCESS_SYNCHRONIZE, 0, parent) };
    if main.is_null() {
        eprintln!("skaffa-reaper: main (pid {parent}) is already gone; not starting the sidecar");
        return Ok(ExitCode::FAILURE);
    }
    let mut child = sidecar.spawn()?;
    let handles = [child.as_raw_handle() as _, main];
    // SAFETY: two valid handles that stay open during the wait.
    let which = unsafe { WaitForMultipleObjects(handles.len() as u32, handles.as_ptr(), 0, INFINITE) };
    // SAFETY: `main` came from OpenProcess and is closed once.
    unsafe { CloseHandle(main) };
    if which == WAIT_OBJECT_0 {
        let status = child.wait()?;
        // The job closes when this process exits and takes what the sidecar left behind. Windows
        // exit codes are 32 bits (an NTSTATUS after a crash): pass them on whole.
        std::process::exit(status.code().unwrap_or(1));
    }
    // Main is gone (or the wait failed): exiting closes the job, which kills the sidecar's tree.
    Ok(ExitCode::FAILURE)
}
