//! Measures fuzzy find in process, without a file tree or the protocol: a generated,
//! monorepo-shaped list of paths (the shape of the benchmark's generated corpus, from a fixed
//! seed) is put into a snapshot, then the benchmark's fixed queries are timed fresh (no cache)
//! and as they are typed, every one-letter extension after its prefix (answered from the
//! prefix's survivors). Prints p50 / p99 per size. Not a test: timings depend on the machine.
//!
//! `cargo run --release -p skaffa-workspace --example fuzzy_timing -- [sizes...] [--rounds N] [--each]`
//! (`--each` also prints every query's fresh p50 and the five slowest extensions; `--query Q` times
//! only `Q`, fresh, in a loop of `--rounds`, for a profiler)
//! (default sizes 117000 and 1000000, 5 rounds). `--paths FILE` times a real list instead (one
//! relative path per line, such as `rg --files -uu` prints in the bench's corpus).

use std::sync::Arc;
use std::time::Instant;

use skaffa_workspace::index::{Finder, Snapshot};

/// The benchmark's fuzzy queries (bench/measure/fuzzy.ts), so the figures are comparable.
const QUERIES: &[&str] = &[
    "index",
    "readme",
    "pkgjson",
    "tsconfig",
    "button",
    "utils",
    "editormain",
    "compiler",
    "iconsmat",
    "routertsx",
    "handlerts",
    "cdkcore",
    "datefns",
    "servicets",
    "testts",
    "mapjs",
    "lodashget",
    "dts",
    "xqzv",
    "src/core/index",
];

const WORDS: &str = "core util service auth button modal table grid chart parser lexer token stream buffer cache \
    store query router handler client server socket worker queue event logger config schema model view layout theme \
    icon image upload download search index filter sort page list item form input select editor panel sidebar header \
    footer menu dialog toast user account billing payment invoice order cart product";
const EXTS: &[&str] = &[
    ".ts", ".ts", ".ts", ".tsx", ".tsx", ".js", ".js", ".json", ".css", ".scss", ".md", ".svg", ".png", ".rs", ".go",
    ".py", ".yml", ".snap", ".d.ts", ".test.ts", ".test.ts",
];

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n as u64) as usize
    }
}

/// `n` distinct paths: packages/<scope>/<pkg>/ and apps/<app>/ roots with src/ trees up to five
/// folders deep, 4-40 files per folder, named `<word>-<word><i><ext>`.
fn generate(n: usize) -> Vec<String> {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut rng = Rng(42);
    let mut out = Vec::with_capacity(n);
    let mut root = 0;
    while out.len() < n {
        let top = match root % 5 {
            0 => format!("apps/{}-{root}", words[rng.below(words.len())]),
            _ => format!("packages/@{}/{}-{root}", words[rng.below(words.len())], words[rng.below(words.len())]),
        };
        root += 1;
        let mut stack = vec![(format!("{top}/src"), 0)];
        let mut budget = 200 + rng.below(2000);
        while let Some((dir, depth)) = stack.pop() {
            let here = 4 + rng.below(36);
            for i in 0..here.min(budget) {
                let (a, b) = (words[rng.below(words.len())], words[rng.below(words.len())]);
                out.push(format!("{dir}/{a}-{b}{i}{}", EXTS[rng.below(EXTS.len())]));
            }
            budget = budget.saturating_sub(here);
            if budget == 0 || out.len() >= n {
                break;
            }
            if depth < 5 {
                for _ in 0..1 + rng.below(4) {
                    stack.push((format!("{dir}/{}", words[rng.below(words.len())]), depth + 1));
                }
            }
        }
    }
    out.truncate(n);
    out
}

fn pct(xs: &mut [f64], q: f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[((xs.len() - 1) as f64 * q).round() as usize]
}

fn ms(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64() * 1e3
}

/// The median of `rounds` fresh searches for `q` (no cache).
fn fresh_p50(snap: &Snapshot, q: &str, rounds: usize) -> f64 {
    let mut xs: Vec<f64> = (0..rounds).map(|_| ms(|| drop(snap.fuzzy(q, 50, &|| false)))).collect();
    pct(&mut xs, 0.5)
}

fn main() {
    let mut sizes = Vec::new();
    let mut rounds = 5;
    let mut each = false;
    let mut only = None;
    let mut lists: Vec<(String, Vec<String>)> = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--each" => each = true,
            "--query" => only = Some(args.next().expect("--query Q")),
            "--paths" => {
                let file = args.next().expect("--paths FILE");
                let text = std::fs::read_to_string(&file).expect("a readable list of paths");
                lists.push((file, text.lines().filter(|l| !l.is_empty()).map(str::to_owned).collect()));
            }
            "--rounds" => rounds = args.next().and_then(|r| r.parse().ok()).expect("--rounds N"),
            n => sizes.push(n.parse::<usize>().expect("a size")),
        }
    }
    if sizes.is_empty() && lists.is_empty() {
        sizes = vec![117_000, 1_000_000];
    }
    lists.extend(sizes.into_iter().map(|n| (n.to_string(), generate(n))));
    for (n, paths) in lists {
        let snap = Arc::new(Snapshot::from_paths(paths).expect("the paths build a snapshot"));
        let finder = Finder::default();
        if let Some(q) = &only {
            println!("{n} paths: {q:?} fresh p50 {:.2} ms", fresh_p50(&snap, q, rounds));
            continue;
        }
        let mut slow: Vec<(f64, String)> = Vec::new();
        let (mut fresh, mut typed_fresh, mut ext) = (Vec::new(), Vec::new(), Vec::new());
        for q in QUERIES {
            snap.fuzzy(q, 50, &|| false); // warm-up
        }
        if each {
            for q in QUERIES {
                println!("  {q:>16}: fresh p50 {:.2} ms", fresh_p50(&snap, q, rounds));
            }
        }
        for _ in 0..rounds {
            for q in QUERIES {
                fresh.push(ms(|| drop(snap.fuzzy(q, 50, &|| false))));
                let chars: Vec<char> = q.chars().collect();
                for k in 1..chars.len() {
                    let (prefix, next): (String, String) = (chars[..k].iter().collect(), chars[..=k].iter().collect());
                    typed_fresh.push(ms(|| drop(snap.fuzzy(&next, 50, &|| false))));
                    finder.find(&snap, &prefix, 50, &|| false);
                    let t = ms(|| drop(finder.find(&snap, &next, 50, &|| false)));
                    ext.push(t);
                    slow.push((t, format!("{prefix} -> {next}")));
                }
            }
        }
        println!(
            "{n} paths: fresh query p50 {:.2} / p99 {:.2} ms ({} timings); one-letter extension from the cache p50 \
             {:.2} / p99 {:.2} ms, the same prefixes fresh p50 {:.2} / p99 {:.2} ms ({} timings each)",
            pct(&mut fresh, 0.5),
            pct(&mut fresh, 0.99),
            fresh.len(),
            pct(&mut ext, 0.5),
            pct(&mut ext, 0.99),
            pct(&mut typed_fresh, 0.5),
            pct(&mut typed_fresh, 0.99),
            ext.len(),
        );
        if each {
            slow.sort_by(|a, b| b.0.total_cmp(&a.0));
            slow.iter().take(5).for_each(|(t, s)| println!("  slowest extension {s}: {t:.2} ms"));
        }
    }
}
