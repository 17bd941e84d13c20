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

use serde::de::DeserializeOwned;
use serde::Serialize;
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
    add(server, &service, "typescript/status", status::run);
    add(server, &service, "typescript/outline", outline::run);
    add_streaming(server, &service, "typescript/symbols", symbols::run);
    add(server, &service, "typescript/imports", imports::run_imports);
    add(server, &service, "typescript/importers", imports::run_importers);
    add(server, &service, "typescript/exports", exports::run);
    add(server, &service, "typescript/components", components::run);
    add(server, &service, "typescript/didChange", feed::did_change);
    add(server, &service, "typescript/resync", feed::resync);
}

/// Adapts a plain handler function to the protocol's closure shape.
fn add<P, R>(server: &mut Server, service: &Arc<Service>, name: &str, f: fn(&Service, &Context, P) -> Result<R>)
where
    P: DeserializeOwned + 'static,
    R: Serialize + 'static,
{
    let service = service.clone();
    server.method(name, move |cx: &Context, params: P| f(&service, cx, params));
}

/// Like [`add`], for a handler that may stream its answer (see [`Server::stream_method`]).
fn add_streaming<P, R>(
    server: &mut Server,
    service: &Arc<Service>,
    name: &str,
    f: fn(&Service, &Context, P) -> Result<R>,
) where
    P: DeserializeOwned + 'static,
    R: Serialize + 'static,
{
    let service = service.clone();
    server.stream_method(name, move |cx: &Context, params: P| f(&service, cx, params));
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
