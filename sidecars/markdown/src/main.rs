//! `skaffa-markdown`: the Markdown sidecar binary, and the shape every small Rust sidecar takes.
//! It registers its methods with typed params on the shared protocol crate's `Server`, maps its
//! own failure (cancellation) to a protocol error, and hands stdio to the server, which answers
//! the built-ins (`$/ping`, `$/cancel`, `$/shutdown`, `$/describe`) and exits on stdin EOF.

use skaffa_markdown::{outline, render, Cancelled, OutlineParams, RenderParams};
use skaffa_protocol::{codes, Context, IoOptions, ResponseError, Server};

fn cancelled(_: Cancelled) -> ResponseError {
    ResponseError::new(codes::CANCELLED, "the request was cancelled")
}

fn main() {
    let mut server = Server::new("markdown", env!("CARGO_PKG_VERSION"));
    server.method("markdown/outline", |cx: &Context, p: OutlineParams| {
        outline(&p.text, &|| cx.is_cancelled()).map_err(cancelled)
    });
    server.method("markdown/render", |cx: &Context, p: RenderParams| {
        render(&p.text, p.allow_html, &|| cx.is_cancelled()).map_err(cancelled)
    });
    server.serve_stdio(IoOptions::default(), |_events| {});
}
