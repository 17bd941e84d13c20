//! How a name matches a query, for `typescript/symbols` and `typescript/components`: tiers first
//! (exact, exact ignoring case, prefix, substring, then the query's characters in order), and
//! within a tier the callers put top-level and exported declarations above members. A lower
//! [`Tier`] is better. Names are short, so a plain scan beats building any index per query.

/// How well a name matches (lower is better).
pub type Tier = u8;

/// The query lower-cased once, to match many names against.
pub struct Query {
    raw: String,
    lower: Vec<char>,
}

impl Query {
    /// Prepares `query` (an empty query matches every name in the same tier).
    pub fn new(query: &str) -> Query {
        Query { raw: query.to_owned(), lower: query.chars().flat_map(char::to_lowercase).collect() }
    }

    /// The query's character mask, for [`crate::index::names::may_match`].
    pub fn mask(&self) -> u64 {
        crate::index::names::mask(&self.raw)
    }

    /// The tier of `name`, or `None` when it does not match at all.
    pub fn tier(&self, name: &str) -> Option<Tier> {
        if self.lower.is_empty() {
            return Some(4);
        }
        if name == self.raw {
            return Some(0);
        }
        if name.is_ascii() && self.raw.is_ascii() {
            return self.ascii_tier(name.as_bytes());
        }
        let lower: Vec<char> = name.chars().flat_map(char::to_lowercase).collect();
        if lower == self.lower {
            return Some(1);
        }
        if lower.starts_with(&self.lower) {
            return Some(2);
        }
        if lower.windows(self.lower.len()).any(|w| w == self.lower.as_slice()) {
            return Some(3);
        }
        let mut want = self.lower.iter().peekable();
        for c in &lower {
            if want.peek() == Some(&c) {
                want.next();
            }
        }
        want.peek().is_none().then_some(4)
    }

    /// [`Query::tier`] for ASCII names and queries, without allocating: most identifiers are.
    fn ascii_tier(&self, name: &[u8]) -> Option<Tier> {
        let q = self.raw.as_bytes();
        if name.eq_ignore_ascii_case(q) {
            return Some(1);
        }
        if name.len() < q.len() {
            return None;
        }
        if name[..q.len()].eq_ignore_ascii_case(q) {
            return Some(2);
        }
        if name.windows(q.len()).any(|w| w.eq_ignore_ascii_case(q)) {
            return Some(3);
        }
        let mut want = q.iter().peekable();
        for c in name {
            if want.peek().is_some_and(|w| w.eq_ignore_ascii_case(c)) {
                want.next();
            }
        }
        want.peek().is_none().then_some(4)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_beats_case_beats_prefix_beats_substring_beats_subsequence() {
        let q = Query::new("Button");
        assert_eq!(q.tier("Button"), Some(0));
        assert_eq!(q.tier("button"), Some(1));
        assert_eq!(q.tier("ButtonProps"), Some(2));
        assert_eq!(q.tier("IconButton"), Some(3));
        assert_eq!(q.tier("BigOutlineTextOn"), Some(4));
        assert_eq!(q.tier("Buton"), None);
        // The same tiers through the general (non-ASCII) path.
        let q = Query::new("Résumé");
        assert_eq!(q.tier("Résumé"), Some(0));
        assert_eq!(q.tier("résumé"), Some(1));
        assert_eq!(q.tier("RésuméView"), Some(2));
        assert_eq!(q.tier("MyRésuméView"), Some(3));
        assert_eq!(q.tier("R_é_s_u_m_é"), Some(4));
        assert_eq!(q.tier("Resume"), None);
    }
}
