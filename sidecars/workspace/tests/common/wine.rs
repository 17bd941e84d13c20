//! What the harness needs to know about wine, the Windows runner of the Windows test build: whether
//! this is wine, and how many threads a process has left. Wine 8.0 can hang in its own ending of a
//! process that has called `ExitProcess` (docs/testing.md): every other thread is gone, the one
//! that called it waits forever inside wine. A live sidecar always has more threads than that (its
//! answering pool, its watcher), which `robustness.rs` checks.

/// Whether `pid` is a process under wine with one thread left (see the module comment). Always
/// false outside wine.
pub fn hung_in_exit(pid: u32) -> bool {
    under_wine() && threads_of(pid) == Some(1)
}

/// Whether this test runs under wine: its ntdll exports `wine_get_version`, which Windows' does
/// not.
#[cfg(windows)]
pub fn under_wine() -> bool {
    use windows_sys::Win32::System::LibraryLoader::{GetModuleHandleA, GetProcAddress};
    // SAFETY: both names are NUL-terminated; ntdll is mapped into every Windows process and stays.
    unsafe {
        let ntdll = GetModuleHandleA(c"ntdll.dll".as_ptr().cast());
        !ntdll.is_null() && GetProcAddress(ntdll, c"wine_get_version".as_ptr().cast()).is_some()
    }
}

/// Not Windows, so not wine.
#[cfg(not(windows))]
pub fn under_wine() -> bool {
    false
}

/// How many threads the process `pid` has, from a snapshot of every thread of the system; `None`
/// when no snapshot can be taken.
#[cfg(windows)]
pub fn threads_of(pid: u32) -> Option<usize> {
    use std::mem::{size_of, zeroed};
    use windows_sys::Win32::Foundation::{CloseHandle, INVALID_HANDLE_VALUE};
    use windows_sys::Win32::System::Diagnostics::ToolHelp::{
        CreateToolhelp32Snapshot, Thread32First, Thread32Next, TH32CS_SNAPTHREAD, THREADENTRY32,
    };
    // SAFETY: documented ToolHelp calls; `entry` is a zeroed THREADENTRY32 with its size set, and
    // the snapshot handle is closed once walked.
    unsafe {
        let snapshot = CreateToolhelp32Snapshot(TH32CS_SNAPTHREAD, 0);
        if snapshot == INVALID_HANDLE_VALUE {
            return None;
        }
        let mut entry: THREADENTRY32 = zeroed();
        entry.dwSize = size_of::<THREADENTRY32>() as u32;
        let mut threads = 0;
        let mut more = Thread32First(snapshot, &mut entry);
        while more != 0 {
            threads += usize::from(entry.th32OwnerProcessID == pid);
            more = Thread32Next(snapshot, &mut entry);
        }
        CloseHandle(snapshot);
        Some(threads)
    }
}

/// Not Windows: not counted.
#[cfg(not(windows))]
pub fn threads_of(_pid: u32) -> Option<usize> {
    None
}
