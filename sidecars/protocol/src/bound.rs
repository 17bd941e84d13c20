//! Handlers that share one state object. A sidecar's methods are plain functions taking its
//! service (`fn(&Service, &Context, Params) -> Result<R, E>`); [`Server::bind`] adapts them to the
//! server's closure shape once, so every sidecar does not restate the same three adapters.

use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::context::Context;
use crate::msg::ResponseError;
use crate::server::Server;

/// A handler over shared state `S`, as the sidecars write them.
pub type StateHandler<S, P, R, E> = fn(&S, &Context, P) -> std::result::Result<R, E>;

/// Registers handlers on a [`Server`], each called with the same shared state; see [`Server::bind`].
pub struct Bound<'a, S> {
    server: &'a mut Server,
    state: Arc<S>,
}

impl Server {
    /// Binds `state` so that handlers taking `&S` can be registered with [`Bound::method`] and its
    /// siblings, which behave exactly like [`Server::method`], [`Server::stream_method`] and
    /// [`Server::inline_method`].
    pub fn bind<S: Send + Sync + 'static>(&mut self, state: Arc<S>) -> Bound<'_, S> {
        Bound { server: self, state }
    }
}

impl<S: Send + Sync + 'static> Bound<'_, S> {
    /// `f` as the closure the server takes, holding its own reference to the state.
    fn adapt<P, R, E>(
        &self,
        f: StateHandler<S, P, R, E>,
    ) -> impl Fn(&Context, P) -> std::result::Result<R, E> + Send + Sync + 'static
    where
        P: 'static,
        R: 'static,
        E: 'static,
    {
        let state = self.state.clone();
        move |cx: &Context, params: P| f(&state, cx, params)
    }

    /// [`Server::method`] for a handler over the bound state.
    pub fn method<P, R, E>(&mut self, name: &str, f: StateHandler<S, P, R, E>) -> &mut Self
    where
        P: DeserializeOwned + 'static,
        R: Serialize + 'static,
        E: Into<ResponseError> + 'static,
    {
        let handler = self.adapt(f);
        self.server.method(name, handler);
        self
    }

    /// [`Server::stream_method`] for a handler over the bound state.
    pub fn stream_method<P, R, E>(&mut self, name: &str, f: StateHandler<S, P, R, E>) -> &mut Self
    where
        P: DeserializeOwned + 'static,
        R: Serialize + 'static,
        E: Into<ResponseError> + 'static,
    {
        let handler = self.adapt(f);
        self.server.stream_method(name, handler);
        self
    }

    /// [`Server::inline_method`] for a handler over the bound state.
    pub fn inline_method<P, R, E>(&mut self, name: &str, f: StateHandler<S, P, R, E>) -> &mut Self
    where
        P: DeserializeOwned + 'static,
        R: Serialize + 'static,
        E: Into<ResponseError> + 'static,
    {
        let handler = self.adapt(f);
        self.server.inline_method(name, handler);
        self
    }
}
