//! A prefilter for workspace symbols: each symbol name's set of (lower-cased) characters as a
//! 64-bit mask, in the outline's pre-order, every file's masks side by side in one vector
//! ([`Names`]), so a query scans about 8 bytes per symbol in order and touches only the files
//! that have a candidate: walking every file's summary instead costs a few cache misses per file,
//! which at 30k files took tens of milliseconds a query. Every tier a query can match in
//! (exact, prefix, substring, subsequence, case-insensitive) needs each of the query's
//! characters somewhere in the name, so a name whose mask lacks one of the query's bits cannot
//! match and is skipped with one AND instead of a string comparison. Only a superset is kept: two
//! characters may share a bit (every non-alphanumeric ASCII other than `_` and `$`, every
//! non-ASCII character), which lets more names through, never fewer.

use std::collections::HashMap;
use std::sync::Arc;

use crate::summary::{Summary, Symbol};

/// Every analysed file's masks in one vector, with where each file's run is.
#[derive(Default)]
pub struct Names {
    masks: Vec<u64>,
    spans: Vec<Span>,
    /// Path → its live span in `spans`.
    live: HashMap<String, usize>,
    /// Slots in spans of files replaced or removed since the last compaction.
    dead: usize,
}

struct Span {
    path: String,
    /// The file's summary, so a query reaches a candidate's outline without a path lookup.
    summary: Arc<Summary>,
    start: usize,
    len: usize,
    alive: bool,
}

impl Names {
    /// Replaces `path`'s masks by those of `summary`'s symbols.
    pub fn put(&mut self, path: &str, summary: &Arc<Summary>) {
        self.remove(path);
        let start = self.masks.len();
        walk(&summary.symbols, &mut self.masks);
        let span =
            Span { path: path.to_owned(), summary: summary.clone(), start, len: self.masks.len() - start, alive: true };
        self.live.insert(path.to_owned(), self.spans.len());
        self.spans.push(span);
    }

    /// Forgets `path`'s masks (their slots are reclaimed once dead ones outnumber live ones).
    pub fn remove(&mut self, path: &str) {
        let Some(i) = self.live.remove(path) else { return };
        self.spans[i].alive = false;
        self.dead += self.spans[i].len;
        if self.dead > self.masks.len() / 2 {
            self.compact();
        }
    }

    fn compact(&mut self) {
        let (old_masks, old_spans) = (std::mem::take(&mut self.masks), std::mem::take(&mut self.spans));
        self.live.clear();
        for span in old_spans.into_iter().filter(|s| s.alive) {
            let start = self.masks.len();
            self.masks.extend_from_slice(&old_masks[span.start..span.start + span.len]);
            self.live.insert(span.path.clone(), self.spans.len());
            self.spans.push(Span { start, ..span });
        }
        self.dead = 0;
    }

    /// Symbols of all live files.
    pub fn symbols(&self) -> usize {
        self.masks.len() - self.dead
    }

    /// Every live file with at least one name that may match `query` (a mask), with its summary
    /// and its masks in pre-order (for [`may_match`] on each symbol while walking its outline).
    pub fn candidates(&self, query: u64) -> impl Iterator<Item = (&str, &Summary, &[u64])> {
        self.spans.iter().filter(|s| s.alive).filter_map(move |s| {
            let masks = &self.masks[s.start..s.start + s.len];
            masks.iter().any(|&m| may_match(m, query)).then_some((s.path.as_str(), &*s.summary, masks))
        })
    }
}

fn walk(symbols: &[Symbol], out: &mut Vec<u64>) {
    for s in symbols {
        out.push(mask(&s.name));
        walk(&s.children, out);
    }
}

/// The bit of one lower-cased character.
fn bit(c: char) -> u64 {
    let n = match c {
        'a'..='z' => c as u32 - 'a' as u32,
        '0'..='9' => 26 + (c as u32 - '0' as u32),
        '_' => 36,
        '$' => 37,
        c if c.is_ascii() => 38,
        _ => 39,
    };
    1 << n
}

/// The character set of `name` after lower-casing (as [`crate::methods`]' ranking compares).
pub fn mask(name: &str) -> u64 {
    if name.is_ascii() {
        return name.bytes().fold(0, |m, b| m | bit(b.to_ascii_lowercase() as char));
    }
    name.chars().flat_map(char::to_lowercase).fold(0, |m, c| m | bit(c))
}

/// Whether a name with mask `name` can match a query with mask `query`.
pub fn may_match(name: u64, query: u64) -> bool {
    name & query == query
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_passes_exactly_when_it_has_every_query_character() {
        let q = mask("btn");
        assert!(may_match(mask("Button"), q));
        assert!(may_match(mask("BUTTON"), q), "case is ignored, as the ranking ignores it");
        assert!(!may_match(mask("Buton"), mask("Buttonx")));
        assert!(!may_match(mask("Table"), q), "a name without an n cannot match btn");
        assert!(may_match(mask("anything"), mask("")), "the empty query matches every name");
        // Non-ASCII names and queries share one bit: more names pass, never fewer.
        assert!(may_match(mask("Résumé"), mask("résumé")));
        assert!(may_match(mask("RÉSUMÉ"), mask("résumé")));
        assert!(!may_match(mask("Resume"), mask("résumé")));
        assert!(may_match(mask("a$b_c9"), mask("$_9")));
    }

    fn sym(name: &str, children: Vec<Symbol>) -> Symbol {
        let at = crate::summary::Position { line: 0, character: 0 };
        let range = crate::summary::Range { start: at, end: at };
        let kind = crate::summary::SymbolKind::Class;
        Symbol { name: name.to_owned(), kind, range, selection_range: range, exported: false, children }
    }

    fn found(names: &Names, query: &str) -> Vec<(String, Vec<u64>)> {
        names.candidates(mask(query)).map(|(p, _, m)| (p.to_owned(), m.to_vec())).collect()
    }

    fn file(symbols: Vec<Symbol>) -> Arc<Summary> {
        Arc::new(Summary { symbols, ..Summary::default() })
    }

    #[test]
    fn masks_follow_the_outline_in_pre_order_and_files_come_and_go() {
        let mut names = Names::default();
        names.put("a.ts", &file(vec![sym("a", vec![sym("b", vec![sym("c", vec![])])]), sym("d", vec![])]));
        names.put("z.ts", &file(vec![sym("zed", vec![])]));
        assert_eq!(found(&names, "c"), [("a.ts".to_owned(), vec![mask("a"), mask("b"), mask("c"), mask("d")])]);
        assert_eq!(found(&names, "ze").len(), 1);
        assert_eq!(names.symbols(), 5);
        // Replacing a file drops its old masks; removing one drops it; enough dead slots compact.
        names.put("a.ts", &file(vec![sym("q", vec![])]));
        assert!(found(&names, "c").is_empty(), "the replaced outline's names are gone");
        assert_eq!(found(&names, "q"), [("a.ts".to_owned(), vec![mask("q")])]);
        // a.ts's 4 dead slots outnumbered the 1 live one, so they were reclaimed: z, then q.
        assert_eq!(names.masks.len(), 2, "compacted once dead slots outnumbered live ones");
        names.remove("z.ts");
        assert!(found(&names, "ze").is_empty());
        assert_eq!(names.symbols(), 1);
        assert_eq!(names.masks.len(), 2, "one dead slot of two is not yet reclaimed");
        names.put("z.ts", &file(vec![sym("zed", vec![])]));
        assert_eq!(found(&names, "").len(), 2, "the empty query keeps every file");
    }
}
