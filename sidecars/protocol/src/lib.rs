//! The Skaffa sidecar protocol for Rust sidecars: the wire types ([`Message`] and its parts) and
//! a small [`Server`] that answers the built-ins and dispatches typed requests to a worker pool
//! (or, for quick methods that never block, answers them on the reading thread:
//! [`Server::inline_method`]). It serves over any pair of byte streams ([`Server::serve`]);
//! [`Server::serve_stdio`] is that over stdin and stdout, then exits the process. Methods registered with [`Server::stream_method`] may send
//! partial answers ([`Context::partial`], [`Context::batcher`]) when a request asks to stream.
//! The wire contract itself (newline-delimited JSON requests,
//! responses and events; `PARSE_ERROR` / `INVALID_REQUEST` rules; exit on stdin EOF) is in the
//! project's protocol document; this crate is its reference implementation.
//!
//! Writing a sidecar:
//!
//! ```no_run
//! use serde::{Deserialize, Serialize};
//! use skaffa_protocol::{Context, IoOptions, ResponseError, Server};
//!
//! #[derive(Deserialize)]
//! #[serde(deny_unknown_fields)]
//! struct EchoParams { text: String }
//!
//! #[derive(Serialize)]
//! struct EchoResult { text: String }
//!
//! fn main() {
//!     let mut server = Server::new("echo", env!("CARGO_PKG_VERSION"));
//!     server.method("echo/say", |cx: &Context, p: EchoParams| {
//!         if cx.is_cancelled() {
//!             return Err(ResponseError::new("CANCELLED", "stopped"));
//!         }
//!         Ok(EchoResult { text: p.text })
//!     });
//!     // Answers `$/ping`, `$/cancel`, `$/shutdown`, `$/describe`; exits 0 on shutdown or stdin EOF.
//!     server.serve_stdio(IoOptions::default(), |events| {
//!         let _ = events.send("echo/ready", &serde_json::json!({}));
//!     });
//! }
//! ```

#![deny(missing_docs)]

mod bound;
pub mod children;
mod context;
mod dispatch;
mod error;
mod framing;
mod input;
mod msg;
mod outbox;
mod parse;
mod pool;
pub mod schema_check;
mod server;

pub use bound::{Bound, StateHandler};
pub use context::{Batcher, CancelToken, Context};
pub use dispatch::Exit;
pub use error::{Error, Result};
pub use input::{IoOptions, DEFAULT_MAX_LINE_BYTES};
pub use msg::{codes, Event, Message, Partial, Request, Response, ResponseError};
pub use outbox::EventSender;
pub use server::Server;
