//! Case and accent folding, shared by the fuzzy filter, the quick scorer and the exact scorer:
//! every comparison of a query with a path happens after [`fold_char`], one character to one
//! character, so matched positions keep their meaning in the original path.

/// Folds a character for comparison: lower case and without accents, one character to one
/// character so positions keep their meaning. `É` → `e`, `ø` stays `ø`, `ß` stays `ß`.
#[inline]
pub(crate) fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    // The first character of the canonical decomposition is the base letter (`é` = `e` + U+0301).
    let mut base = c;
    let mut first = true;
    unicode_normalization::char::decompose_canonical(c, |d| {
        if first {
            base = d;
            first = false;
        }
    });
    let mut lower = base.to_lowercase();
    match (lower.next(), lower.next()) {
        (Some(l), None) => l,
        _ => base,
    }
}

/// True for combining marks, which a query drops: they carry only accents, and accents fold away.
#[inline]
pub(crate) fn is_combining(c: char) -> bool {
    matches!(c as u32, 0x300..=0x36f | 0x1ab0..=0x1aff | 0x1dc0..=0x1dff | 0x20d0..=0x20ff | 0xfe20..=0xfe2f)
}

/// Appends the folded UTF-8 of `path` to `out`, for the byte-level filter and `quick`.
pub(crate) fn fold_into(path: &str, out: &mut Vec<u8>) {
    let mut buf = [0u8; 4];
    for c in path.chars() {
        out.extend_from_slice(fold_char(c).encode_utf8(&mut buf).as_bytes());
    }
}
