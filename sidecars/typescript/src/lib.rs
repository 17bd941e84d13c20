//! The TypeScript/JavaScript analysis sidecar as a library: per-file summaries from oxc
//! (`parse`, `summary`, `lines`), module resolution (`resolve`), the live index and its import
//! graph (`index`), and the request handlers (`methods`). `main.rs` only parses arguments and
//! starts the server, so tests drive the same code in memory.

#![deny(missing_docs)]

pub mod args;
pub mod error;
pub mod index;
pub mod lines;
pub mod methods;
pub mod parse;
pub mod resolve;
pub mod summary;

pub use error::{Error, Result};
