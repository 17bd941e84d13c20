//! Replays the ranking benchmark's queries in process, for work on the scorer without the
//! protocol or a file tree: reads the JSON lines that `SKAFFA_RANKING_DUMP=<file>` makes the
//! bench write (each query, its target and every scorer's rank of it) and the plain path lists
//! (`zcat bench/corpus/ranking/<repo>.paths.gz > <dir>/<repo>.txt`), ranks each query again with
//! this build's matcher, and prints per query type the top-1 / top-5 / MRR@20 of this build next
//! to every scorer's in the dump, then every query this build ranks below the best peer's rank.
//!
//! `cargo run -p skaffa-workspace --example ranking_replay -- <dump.jsonl> <dir>`

use std::collections::BTreeMap;

use skaffa_workspace::index::Snapshot;

const DEPTH: usize = 20;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dump, dir) = match args.as_slice() {
        [d, p] => (d, p),
        _ => panic!("usage: ranking_replay <dump.jsonl> <dir with <repo>.txt>"),
    };
    let text = std::fs::read_to_string(dump).expect("the dump");
    let mut snaps: BTreeMap<String, Snapshot> = BTreeMap::new();
    // Per (type, scorer): (n, top1, top5, rr); "this build" is the one run here.
    let mut tally: BTreeMap<(String, String), [f64; 4]> = BTreeMap::new();
    let mut worse = Vec::new();
    for line in text.lines() {
        let q: serde_json::Value = serde_json::from_str(line).expect("a JSON line");
        let repo = q["repo"].as_str().expect("repo").to_string();
        let snap = snaps.entry(repo.clone()).or_insert_with(|| {
            let list = std::fs::read_to_string(format!("{dir}/{repo}.txt")).expect("a path list");
            Snapshot::from_paths(list.lines().map(String::from)).expect("a snapshot")
        });
        let (query, target, kind) =
            (q["query"].as_str().unwrap(), q["target"].as_str().unwrap(), q["type"].as_str().unwrap());
        let answer = snap.fuzzy(query, DEPTH, &|| false);
        let mine = answer.iter().position(|m| m.path == target).map_or(0, |i| i + 1);
        let best = q["ranks"]
            .as_object()
            .unwrap()
            .iter()
            .filter(|(k, _)| k.as_str() != "project")
            .map(|(_, v)| v.as_u64().unwrap() as usize)
            .map(|r| if r == 0 { usize::MAX } else { r })
            .min()
            .unwrap_or(usize::MAX);
        let mut ranks: Vec<(String, usize)> =
            q["ranks"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap() as usize)).collect();
        ranks.push(("this build".into(), mine));
        for (scorer, r) in ranks {
            let t = tally.entry((kind.to_string(), scorer)).or_default();
            t[0] += 1.0;
            t[1] += f64::from(u8::from(r == 1));
            t[2] += f64::from(u8::from((1..=5).contains(&r)));
            t[3] += if r >= 1 { 1.0 / r as f64 } else { 0.0 };
        }
        if (if mine == 0 { usize::MAX } else { mine }) > best {
            let top: Vec<&str> = answer.iter().take(3).map(|m| m.path.as_str()).collect();
            worse.push(format!("{kind} {repo} {query:?} -> {target}: ours {mine}, best peer {best}; ours: {top:?}"));
        }
    }
    for ((kind, scorer), t) in &tally {
        let n = t[0];
        println!(
            "{kind:>12} {scorer:>28}: top-1 {:5.1}%  top-5 {:5.1}%  MRR {:.3}  ({n} queries)",
            100.0 * t[1] / n,
            100.0 * t[2] / n,
            t[3] / n
        );
    }
    for w in worse {
        println!("  {w}");
    }
}
