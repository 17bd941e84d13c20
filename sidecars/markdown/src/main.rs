//! `skaffa-markdown`: the Markdown sidecar binary, and the shape every small Rust sidecar takes.
//! It registers its methods with typed params on the shared protocol crate's `Server`, maps its
//! own failure (cancellation) to a protocol error, and hands stdio to the server, which answers
//! the built-ins (`$/ping`, `$/cancel`, `$/shutdown`, `$/describe`) and exits on stdin EOF.
//! `markdown/outline` streams: asked to, it sends headings in batches as the parser finds them
//! (`{"headings": [...]}` chunks) and its final result holds the ones not sent yet, so chunks plus
//! result are exactly what an unstreamed call answers.

use std::time::Duration;

use skaffa_markdown::{for_each_heading, render, Cancelled, Outline, OutlineParams, RenderParams};
use skaffa_protocol::{codes, Context, IoOptions, ResponseError, Server};

/// Headings per chunk of a streamed outline.
const OUTLINE_BATCH: usize = 128;
/// Longest a found heading waits before it is sent (checked as headings are found).
const OUTLINE_DELAY: Duration = Duration::from_millis(20);

fn cancelled(_: Cancelled) -> ResponseError {
    ResponseError::new(codes::CANCELLED, "the request was cancelled")
}

fn main() {
    let mut server = Server::new("markdown", env!("CARGO_PKG_VERSION"));
    server.stream_method("markdown/outline", |cx: &Context, p: OutlineParams| -> Result<Outline, ResponseError> {
        let mut batch = cx.batcher(OUTLINE_BATCH, OUTLINE_DELAY, |headings| Outline { headings });
        let mut failed = None;
        let cancel = || cx.is_cancelled();
        for_each_heading(&p.text, &cancel, |h| match batch.push(h) {
            Ok(()) => true,
            Err(e) => {
                failed = Some(e);
                false
            }
        })
        .map_err(cancelled)?;
        match failed {
            Some(e) => Err(e),
            None => Ok(Outline { headings: batch.finish() }),
        }
    });
    server.method("markdown/render", |cx: &Context, p: RenderParams| {
        render(&p.text, p.allow_html, &|| cx.is_cancelled()).map_err(cancelled)
    });
    server.serve_stdio(IoOptions::default(), |_events| {});
}
