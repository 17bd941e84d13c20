//! The Linux watcher: one inotify instance whose watches are placed by the walks themselves, on
//! exactly the folders the index covers (an ignored folder such as `node_modules`, or `.git`, is
//! never walked and so never watched). Each folder's watch is added *before* the walker reads its
//! entries (from `ignore`'s entry filter, which runs before the folder is queued for reading), so
//! a file created before the watch is in the listing and one created after it is reported: no
//! window in which a change can be missed. A folder that appears later is walked by the applier
//! (see `changes`), which places its watches the same way. Each walk is numbered, and when it
//! ends the watches under its folder that it did not place are dropped (folders that became
//! ignored, or left while their events were lost), so the table never outgrows the index. A
//! reader thread turns raw inotify events into the event shape the notify path delivers, so
//! `changes` serves both, through a bounded channel (see [`read_loop`]). When the
//! kernel refuses a watch (`fs.inotify.max_user_watches`, or no instance at all), the refusal is
//! recorded in [`super::limit::Limit`] and the applier falls back to periodic full rescans.

use std::collections::{BTreeMap, HashMap};
use std::ffi::OsStr;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use inotify::{EventMask, Inotify, WatchDescriptor, WatchMask};
use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, Flag, MetadataKind, ModifyKind, RemoveKind};
use notify::event::{EventKind, RenameMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent};

use super::limit::Limit;
use super::scan::WalkHook;
use super::tree_key::TreeKey;

/// Only what can change the index: entries appearing, vanishing or being renamed, content
/// written, metadata (mtime) set. No open/close-nowrite events, which every read (ours included)
/// would pour into the queue. Links are never followed, only folders are watched, and events of
/// files already unlinked but still open are not wanted.
fn mask() -> WatchMask {
    WatchMask::CREATE
        | WatchMask::DELETE
        | WatchMask::MOVED_FROM
        | WatchMask::MOVED_TO
        | WatchMask::MODIFY
        | WatchMask::CLOSE_WRITE
        | WatchMask::ATTRIB
        | WatchMask::ONLYDIR
        | WatchMask::DONT_FOLLOW
        | WatchMask::EXCL_UNLINK
}

/// Tests only: something to do to a folder just before its watch is added.
#[cfg(test)]
pub(crate) type Race = Box<dyn Fn(&Path) + Send + Sync>;

/// Which watch stands for which folder, both ways.
#[derive(Default)]
struct Table {
    by_wd: HashMap<i32, PathBuf>,
    /// Sorted by path components, so a folder's descendants follow it contiguously; with the
    /// number of the latest walk that placed (or refreshed) the watch.
    by_path: BTreeMap<TreeKey, (WatchDescriptor, u64)>,
    /// The number of the latest walk begun (see [`WalkHook::walk_begins`]).
    walk: u64,
}

/// The inotify instance's watches, shared by the walks (which add them) and the reader thread
/// (which drops those of folders that left).
pub(crate) struct Watches {
    /// `None` when the kernel refused an instance (`fs.inotify.max_user_instances`).
    handle: Option<inotify::Watches>,
    /// Held while a watch is added and recorded, so the reader never sees a half-made entry.
    table: Mutex<Table>,
    /// At most this many watches (`--max-watches`, and the tests' way to run out without root).
    budget: Option<usize>,
    limit: Arc<Limit>,
    /// Tests only: runs just before a folder's watch is added (a change racing the watch).
    #[cfg(test)]
    pub(crate) before_add: Mutex<Option<Race>>,
}

impl Watches {
    /// Adds (or refreshes: the kernel hands back the same descriptor) the watch on folder `dir`.
    /// Called before `dir` is read. A folder that vanished meanwhile needs none (its parent's
    /// event reports it); a refusal by the kernel or the budget is recorded in the limit.
    pub(crate) fn add(&self, dir: &Path) {
        #[cfg(test)]
        if let Some(race) = &*self.before_add.lock().unwrap_or_else(|e| e.into_inner()) {
            race(dir);
        }
        let Some(handle) = &self.handle else { return };
        let key = TreeKey::of(dir);
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(budget) = self.budget {
            if table.by_path.len() >= budget && !table.by_path.contains_key(&key) {
                self.limit.refuse(&format!("at most {budget} watches allowed (--max-watches)"));
                return;
            }
        }
        match handle.clone().add(dir, mask()) {
            Ok(wd) => {
                let id = wd.get_watch_descriptor_id();
                if let Some(old) = table.by_wd.insert(id, dir.to_path_buf()) {
                    if old != dir {
                        table.by_path.remove(&TreeKey::of(&old));
                    }
                }
                let walk = table.walk;
                if let Some((old, _)) = table.by_path.insert(key, (wd, walk)) {
                    // A different folder (inode) now has this name: the old one's watch, if the
                    // kernel has not dropped it, would report its events under this name.
                    if old.get_watch_descriptor_id() != id {
                        table.by_wd.remove(&old.get_watch_descriptor_id());
                        let _ = handle.clone().remove(old);
                    }
                }
            }
            Err(e) if e.raw_os_error() == Some(libc::ENOSPC) => self
                .limit
                .refuse(&format!("the system's inotify watch limit is reached (fs.inotify.max_user_watches): {e}")),
            // Gone, or replaced by a file, since the walker saw it; not a folder to watch.
            Err(e) if matches!(e.raw_os_error(), Some(libc::ENOENT | libc::ENOTDIR)) => {}
            // Unreadable (EACCES and the like): the walk cannot list it either and counts the error.
            Err(_) => {}
        }
    }

    /// Drops the watches of `dir` and every folder below it (it was moved away or deleted): the
    /// folders they name are no longer there, and wherever the tree went, a walk of its new place
    /// (if inside the root) watches it anew under its new name.
    pub(crate) fn forget_under(&self, dir: &Path) {
        self.forget_stale(dir, u64::MAX);
    }

    /// Drops the watches of `dir` and the folders below it that no walk numbered `before` or
    /// later has placed.
    fn forget_stale(&self, dir: &Path, before: u64) {
        let dir = TreeKey::of(dir);
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        let gone: Vec<TreeKey> = table
            .by_path
            .range(dir.clone()..)
            .take_while(|(p, _)| p.within(&dir))
            .filter(|(_, (_, walk))| *walk < before)
            .map(|(p, _)| p.clone())
            .collect();
        for path in gone {
            if let Some((wd, _)) = table.by_path.remove(&path) {
                table.by_wd.remove(&wd.get_watch_descriptor_id());
                if let Some(handle) = &self.handle {
                    // The kernel may have dropped it already (the folder was deleted).
                    let _ = handle.clone().remove(wd);
                }
            }
        }
    }

    /// The kernel dropped watch `id` (its folder was deleted or unmounted).
    fn dropped(&self, id: i32) {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(path) = table.by_wd.remove(&id) {
            let key = TreeKey::of(&path);
            if table.by_path.get(&key).is_some_and(|(wd, _)| wd.get_watch_descriptor_id() == id) {
                table.by_path.remove(&key);
            }
        }
    }

    fn path_of(&self, id: i32) -> Option<PathBuf> {
        self.table.lock().unwrap_or_else(|e| e.into_inner()).by_wd.get(&id).cloned()
    }

    /// The folders watched now, sorted (for tests).
    #[cfg(test)]
    pub(crate) fn watched(&self) -> Vec<PathBuf> {
        self.table.lock().unwrap_or_else(|e| e.into_inner()).by_path.keys().map(TreeKey::path).collect()
    }
}

impl WalkHook for Watches {
    fn before_read(&self, dir: &Path) {
        self.add(dir);
    }

    fn walk_begins(&self) -> u64 {
        let mut table = self.table.lock().unwrap_or_else(|e| e.into_inner());
        table.walk += 1;
        table.walk
    }

    /// Every folder under `under` that the index covers was watched (again) by this walk or a
    /// later one; any other watch there is stale: a folder that became ignored (its files left
    /// the index with the rescan), or one that left while its events were lost (an overflow),
    /// whose watch would still report events under its old name.
    fn walked(&self, under: &Path, mark: u64) {
        self.forget_stale(under, mark);
    }
}

/// Owns the reader thread; dropping it stops the thread and, with it, the inotify instance.
pub(crate) struct Handle {
    pub(crate) watches: Arc<Watches>,
    stop: Arc<AtomicBool>,
    /// The instance's descriptor, if there is one (the reader thread owns it).
    #[cfg_attr(not(test), allow(dead_code))]
    fd: Option<i32>,
}

impl Handle {
    /// How many watches the kernel holds for this instance, from `/proc/self/fdinfo` (for tests:
    /// the kernel's own count, not this module's table).
    #[cfg(test)]
    pub(crate) fn kernel_watches(&self) -> usize {
        let Some(fd) = self.fd else { return 0 };
        let info = std::fs::read_to_string(format!("/proc/self/fdinfo/{fd}")).expect("fdinfo of the inotify fd");
        info.lines().filter(|l| l.starts_with("inotify wd:")).count()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// Creates the instance (no watch yet: the walks place them) and starts the reader thread, which
/// sends each read's events to `tx`, holding at most `held_cap` while `tx` is full. When the kernel refuses an instance the handle has none,
/// the limit says so and the applier's periodic rescans are all there is.
pub(crate) fn start(
    tx: crossbeam_channel::Sender<DebounceEventResult>,
    limit: Arc<Limit>,
    budget: Option<usize>,
    held_cap: usize,
) -> std::io::Result<Handle> {
    let stop = Arc::new(AtomicBool::new(false));
    let inotify = match Inotify::init() {
        Ok(i) => Some(i),
        Err(e) => {
            limit.refuse(&format!("no inotify instance (fs.inotify.max_user_instances reached?): {e}"));
            None
        }
    };
    let fd = inotify.as_ref().map(|i| i.as_raw_fd());
    let watches = Arc::new(Watches {
        handle: inotify.as_ref().map(Inotify::watches),
        table: Mutex::default(),
        budget,
        limit,
        #[cfg(test)]
        before_add: Mutex::new(None),
    });
    if let Some(inotify) = inotify {
        let (w, s) = (watches.clone(), stop.clone());
        std::thread::Builder::new()
            .name("skaffa-inotify".into())
            .spawn(move || read_loop(inotify, &w, &s, &tx, held_cap))?;
    }
    Ok(Handle { watches, stop, fd })
}

/// The event that asks the applier for a full rescan (as a kernel queue overflow does).
fn rescan_event() -> DebounceEventResult {
    Ok(vec![DebouncedEvent::new(notify::Event::new(EventKind::Other).set_flag(Flag::Rescan), Instant::now())])
}

/// Waits for events (waking every 200 ms to see whether the index is gone) and forwards them.
/// The channel is bounded (the applier may wait seconds for the first scan while an install
/// pours events in). While it is full the reader holds what it reads, up to `held_cap` events,
/// and hands all of it over as one delivery once there is room: a burst of thousands of small
/// reads (the reader keeps up with the writer, so each read is short) then reaches the applier
/// whole instead of being dropped and rescanned (a full rescan at 117k files costs several times
/// the burst). Past `held_cap` the held events are dropped, as the kernel drops them when its
/// queue is full, and a rescan request takes their place, so memory stays bounded and nothing
/// is lost. The table is kept current from every event either way.
fn read_loop(
    mut inotify: Inotify,
    watches: &Watches,
    stop: &AtomicBool,
    tx: &crossbeam_channel::Sender<DebounceEventResult>,
    held_cap: usize,
) {
    let mut buffer = vec![0u8; 64 * 1024];
    let mut queue = Held::default();
    while !stop.load(Ordering::SeqCst) {
        let mut fds = libc::pollfd { fd: inotify.as_raw_fd(), events: libc::POLLIN, revents: 0 };
        // While something waits for room, look for it often.
        let timeout = if queue.is_empty() { 200 } else { 2 };
        // SAFETY: one valid pollfd, owned by this frame, for the duration of the call.
        if unsafe { libc::poll(&mut fds, 1, timeout) } <= 0 {
            if !queue.flush(tx) {
                return;
            }
            continue;
        }
        match inotify.read_events(&mut buffer) {
            Ok(events) => {
                let now = Instant::now();
                let out = events.filter_map(|event| {
                    translate(watches, event.wd.get_watch_descriptor_id(), event.mask, event.name)
                        .map(|e| DebouncedEvent::new(e, now))
                });
                queue.hold(out, held_cap);
            }
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => continue,
            Err(e) => {
                // Events may be lost: the applier rescans everything.
                eprintln!("skaffa-workspace: could not read file events, rescanning: {e}");
                queue.drop_all();
            }
        }
        if !queue.flush(tx) {
            return;
        }
    }
}

/// What the reader has read and the applier not yet taken (see [`read_loop`]).
#[derive(Default)]
struct Held {
    events: Vec<DebouncedEvent>,
    /// Events were dropped and the rescan request that covers them is not sent yet.
    dropped: bool,
}

impl Held {
    fn is_empty(&self) -> bool {
        self.events.is_empty() && !self.dropped
    }

    /// Adds `events`; past `cap` everything held is dropped for a rescan.
    fn hold(&mut self, events: impl Iterator<Item = DebouncedEvent>, cap: usize) {
        if self.dropped {
            // A rescan is due anyway: it finds what these events say.
            events.for_each(drop);
            return;
        }
        self.events.extend(events);
        if self.events.len() > cap {
            self.drop_all();
        }
    }

    fn drop_all(&mut self) {
        self.events = Vec::new();
        self.dropped = true;
    }

    /// Sends the rescan request or the held events if the channel has room; false once the
    /// applier is gone.
    fn flush(&mut self, tx: &crossbeam_channel::Sender<DebounceEventResult>) -> bool {
        use crossbeam_channel::TrySendError;
        let message = match (self.dropped, self.events.is_empty()) {
            (true, _) => rescan_event(),
            (false, true) => return true,
            (false, false) => Ok(std::mem::take(&mut self.events)),
        };
        match tx.try_send(message) {
            Ok(()) => {
                self.dropped = false;
                true
            }
            Err(TrySendError::Full(back)) => {
                if !self.dropped {
                    self.events = back.unwrap_or_default();
                }
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        }
    }
}

/// One raw event in notify's terms, with the table kept current: a folder moved away or deleted
/// loses its watches here, before the event reaches the applier, so the applier's walk of the
/// folder's new place (a rename inside the root) adds them back under the new names.
fn translate(watches: &Watches, wd: i32, mask: EventMask, name: Option<&OsStr>) -> Option<notify::Event> {
    if mask.contains(EventMask::Q_OVERFLOW) {
        // Events were dropped: only a full rescan (which also places any missing watch) can tell.
        return Some(notify::Event::new(EventKind::Other).set_flag(Flag::Rescan));
    }
    if mask.contains(EventMask::IGNORED) {
        watches.dropped(wd);
        return None;
    }
    // Events about the watched folder itself are reported by its parent's watch.
    let path = watches.path_of(wd)?.join(name?);
    let dir = mask.contains(EventMask::ISDIR);
    let kind = if mask.contains(EventMask::CREATE) {
        EventKind::Create(if dir { CreateKind::Folder } else { CreateKind::File })
    } else if mask.contains(EventMask::MOVED_FROM) {
        if dir {
            watches.forget_under(&path);
        }
        EventKind::Modify(ModifyKind::Name(RenameMode::From))
    } else if mask.contains(EventMask::MOVED_TO) {
        EventKind::Modify(ModifyKind::Name(RenameMode::To))
    } else if mask.contains(EventMask::DELETE) {
        if dir {
            watches.forget_under(&path);
        }
        EventKind::Remove(if dir { RemoveKind::Folder } else { RemoveKind::File })
    } else if mask.contains(EventMask::CLOSE_WRITE) {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
    } else if mask.contains(EventMask::MODIFY) {
        EventKind::Modify(ModifyKind::Data(DataChange::Any))
    } else if mask.contains(EventMask::ATTRIB) {
        EventKind::Modify(ModifyKind::Metadata(MetadataKind::Any))
    } else {
        return None;
    };
    Some(notify::Event::new(kind).add_path(path))
}
