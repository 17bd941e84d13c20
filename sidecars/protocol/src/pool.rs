//! A fixed pool of worker threads running handlers, so the dispatcher thread stays free to answer
//! built-ins (`$/ping`, `$/cancel`, ...) while handlers work. Jobs queue in an unbounded channel;
//! dropping the pool lets idle workers exit, while busy ones finish their current job first.

use std::thread;

use crossbeam_channel::{unbounded, Sender};

/// A unit of work for the pool.
pub(crate) type Job = Box<dyn FnOnce() + Send + 'static>;

/// The worker pool; see the module docs.
pub(crate) struct Pool {
    tx: Sender<Job>,
}

impl Pool {
    /// Starts `size` workers (at least one).
    pub(crate) fn new(size: usize) -> Pool {
        let (tx, rx) = unbounded::<Job>();
        for i in 0..size.max(1) {
            let rx = rx.clone();
            thread::Builder::new()
                .name(format!("skaffa-worker-{i}"))
                .spawn(move || {
                    for job in rx.iter() {
                        job();
                    }
                })
                .expect("spawning a worker thread");
        }
        Pool { tx }
    }

    /// Queues a job; it runs as soon as a worker is free.
    pub(crate) fn spawn(&self, job: Job) {
        // The workers only stop when this sender is dropped, so sending cannot fail here.
        let _ = self.tx.send(job);
    }
}

/// The default pool size: enough that one long search does not starve short requests even on a
/// two-core machine, and no more than the cores when there are many.
pub(crate) fn default_size() -> usize {
    thread::available_parallelism().map(|n| n.get()).unwrap_or(1).max(4)
}
