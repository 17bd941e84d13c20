//! The nucleo-matcher peer of the ranking benchmark. Usage: `skaffa-bench-nucleo <paths-file> <k>`,
//! then one query per line on stdin; for each query it prints one line with the 0-based indices
//! (into the paths file, one path per line) of its best `k` matches, best first. Ranking follows
//! Helix's file picker and the `nucleo` crate's worker: `Config::DEFAULT.match_paths()`, the query
//! parsed as a `Pattern` with smart case and smart normalization, matches sorted by score, then by
//! the shorter path, then by input order.

use std::io::{BufRead, BufWriter, Write};

use nucleo_matcher::pattern::{CaseMatching, Normalization, Pattern};
use nucleo_matcher::{Config, Matcher, Utf32String};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 3 {
        eprintln!("usage: skaffa-bench-nucleo <paths-file> <k>");
        std::process::exit(2);
    }
    let text = std::fs::read_to_string(&args[1]).unwrap_or_else(|e| {
        eprintln!("cannot read {}: {e}", args[1]);
        std::process::exit(2);
    });
    let k: usize = args[2].parse().expect("k is a number");
    let paths: Vec<Utf32String> = text.lines().map(Utf32String::from).collect();
    let lens: Vec<usize> = text.lines().map(|l| l.chars().count()).collect();
    let mut matcher = Matcher::new(Config::DEFAULT.match_paths());
    let stdout = std::io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    for query in std::io::stdin().lock().lines() {
        let query = query.expect("stdin is UTF-8");
        let pattern = Pattern::parse(&query, CaseMatching::Smart, Normalization::Smart);
        let mut hits: Vec<(u32, usize)> = paths
            .iter()
            .enumerate()
            .filter_map(|(i, p)| pattern.score(p.slice(..), &mut matcher).map(|s| (s, i)))
            .collect();
        hits.sort_unstable_by(|a, b| b.0.cmp(&a.0).then(lens[a.1].cmp(&lens[b.1])).then(a.1.cmp(&b.1)));
        let line: Vec<String> = hits.iter().take(k).map(|h| h.1.to_string()).collect();
        writeln!(out, "{}", line.join(" ")).expect("stdout");
        out.flush().expect("stdout");
    }
}
