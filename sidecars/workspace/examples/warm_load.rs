//! Times loading a warm-start snapshot in process (`WarmFiles::load`: map, checksum, parse,
//! check every path, hand the blocks to the index where they lie), the part of a warm start's
//! first answer before the first query runs. Not a test: timings depend on the machine.
//!
//! `cargo run --release -p skaffa-workspace --example warm_load -- SNAPSHOT [--rounds N]`
//! (SNAPSHOT: an `index.snapshot` a sidecar run with `--cache-dir` left behind).

use std::time::Instant;

use skaffa_workspace::index::WarmFiles;

fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().expect("usage: warm_load SNAPSHOT [--rounds N]");
    let rounds = match (args.next().as_deref(), args.next()) {
        (Some("--rounds"), Some(n)) => n.parse().expect("--rounds takes a number"),
        _ => 20,
    };
    let mut ms = Vec::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let warm = WarmFiles::load(path.as_ref(), |_| Ok(())).expect("a readable snapshot");
        ms.push(t.elapsed().as_secs_f64() * 1e3);
        drop(warm);
    }
    ms.sort_by(f64::total_cmp);
    println!(
        "load: min {:.1} ms, p50 {:.1} ms, max {:.1} ms ({rounds} rounds)",
        ms[0],
        ms[ms.len() / 2],
        ms[ms.len() - 1]
    );
}
