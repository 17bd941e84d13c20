//! The TypeScript sidecar's request handlers. [`Service`] holds the index; [`register`] puts
//! every `typescript/*` method on a protocol [`Server`]. Each method lives in a small module with
//! params and result types that mirror `schema/<method>.{params,result}.json` field for field.

mod components;
mod exports;
mod feed;
mod imports;
mod outline;
mod rank;
#[cfg(test)]
mod schema_examples;
mod status;
mod symbols;

use std::sync::Arc;

use skaffa_protocol::{Context, ResponseError, Server};

use crate::error::{Error, Result};
use crate::index::Index;

/// Everything the handlers share. One per process, behind an `Arc`.
pub struct Service {
    index: Index,
}

impl Service {
    /// A service answering from `index`.
    pub fn new(index: Index) -> Service {
        Service { index }
    }

    /// Waits (cancellably) for the first build.
    fn ready(&self, cx: &Context) -> Result<()> {
        if self.index.wait_ready(&|| cx.is_cancelled()) {
            Ok(())
        } else {
            Err(Error::Cancelled)
        }
    }
}

/// Registers every `typescript/*` method of `service` on `server`.
pub fn register(server: &mut Server, service: Arc<Service>) {
    server
        .bind(service)
        .method("typescript/status", status::run)
        .method("typescript/outline", outline::run)
        .stream_method("typescript/symbols", symbols::run)
        .method("typescript/imports", imports::run_imports)
        .method("typescript/importers", imports::run_importers)
        .method("typescript/exports", exports::run)
        .method("typescript/components", components::run)
        .method("typescript/didChange", feed::did_change)
        .method("typescript/resync", feed::resync);
}

impl From<Error> for ResponseError {
    fn from(e: Error) -> ResponseError {
        let data = match &e {
            Error::NotFound { path } | Error::OutsideWorkspace { path } => Some(serde_json::json!({ "path": path })),
            Error::NotAnalyzed { path, reason } => Some(serde_json::json!({ "path": path, "reason": reason })),
            _ => None,
        };
        let err = ResponseError::new(e.code(), e.to_string());
        match data {
            Some(d) => err.with_data(d),
            None => err,
        }
    }
}
