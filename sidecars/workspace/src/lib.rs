//! The workspace sidecar as a library: the file index (`index`), content hashes (`hashes`), path
//! confinement (`paths`), the command line (`args`), the snapshot in the cache folder that lets
//! a restart start warm (`persist`) and the request handlers (`methods`) that serve the index
//! over the Skaffa protocol. `main.rs` only parses arguments and starts the
//! server, so tests can drive the same code in memory.

pub mod args;
pub mod error;
pub mod hashes;
pub mod index;
pub mod methods;
pub mod paths;
pub mod persist;
#[cfg(test)]
mod test_rng;

pub use error::{Error, Result};
