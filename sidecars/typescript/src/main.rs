//! `skaffa-typescript`: the TypeScript analysis sidecar binary. It canonicalizes the root (exit
//! code 2 with a message on stderr when that fails), starts serving at once so
//! `typescript/status` and a streaming `typescript/symbols` answer while the first build runs on a
//! background thread, then keeps the index live through the feed methods (`typescript/didChange`,
//! `typescript/resync`). It never watches the file system itself. Only protocol lines go to
//! stdout; everything else is logged to stderr.

use std::process::ExitCode;
use std::sync::Arc;

use skaffa_protocol::{IoOptions, Server};
use skaffa_typescript::args::Args;
use skaffa_typescript::index::Index;
use skaffa_typescript::methods::{self, Service};

fn main() -> ExitCode {
    let args = match Args::from_env() {
        Ok(args) => args,
        Err(e) => {
            eprintln!("skaffa-typescript: {e}");
            return ExitCode::from(2);
        }
    };
    let root = match dunce::canonicalize(&args.root) {
        Ok(root) if root.is_dir() => root,
        Ok(_) => {
            eprintln!("skaffa-typescript: --root {}: not a directory", args.root.display());
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("skaffa-typescript: --root {}: {e}", args.root.display());
            return ExitCode::from(2);
        }
    };
    let index = match Index::new(&root) {
        Ok(index) => index,
        Err(e) => {
            eprintln!("skaffa-typescript: --root {}: {e}", args.root.display());
            return ExitCode::from(2);
        }
    };
    let mut server = Server::new("typescript", env!("CARGO_PKG_VERSION"));
    methods::register(&mut server, Arc::new(Service::new(index.clone())));
    server.serve_stdio(IoOptions::default(), move |_events| {
        let spawned = std::thread::Builder::new().name("skaffa-ts-index".into()).spawn(move || {
            if let Err(e) = index.build() {
                // Without an index no request could ever be answered; exiting lets the
                // supervisor report the failure instead of main waiting on timeouts.
                eprintln!("skaffa-typescript: indexing {} failed: {e}", index.root().display());
                std::process::exit(1);
            }
        });
        if let Err(e) = spawned {
            eprintln!("skaffa-typescript: cannot start the indexing thread: {e}");
            std::process::exit(1);
        }
    })
}
