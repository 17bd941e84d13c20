//! One file in, one [`Summary`] out: oxc parses the text into an arena that is dropped before
//! this returns, so no AST outlives the call. Top-level statements give the outline, exports and
//! static imports ([`decls`]); a visitor over the whole tree finds `import("…")` and
//! `require("…")` anywhere ([`calls`]); components come from the declarations ([`components`]).

mod calls;
mod components;
mod decls;

use oxc_allocator::Allocator;
use oxc_parser::Parser;
use oxc_span::SourceType;

use crate::lines::Lines;
use crate::summary::{Diagnostic, Range, Summary};

/// File extensions the sidecar analyses (JSX is allowed in `.js` too).
pub const EXTENSIONS: [&str; 8] = ["ts", "tsx", "mts", "cts", "js", "jsx", "mjs", "cjs"];

/// Files larger than this are not parsed (counted as skipped).
pub const MAX_FILE_BYTES: u64 = 1 << 20;

/// The parse of one file's text.
pub struct Parsed {
    /// The summary; from error recovery when `diagnostics` is not empty.
    pub summary: Summary,
    /// The parser's errors; empty when the file parsed cleanly.
    pub diagnostics: Vec<Diagnostic>,
    /// The parser gave up (the summary is then empty).
    pub panicked: bool,
}

/// How to parse `path`, from its extension; `None` when it is not analysed.
pub fn source_type(path: &str) -> Option<SourceType> {
    let ext = path.rsplit_once('.').map(|(_, e)| e)?;
    Some(match ext {
        "ts" => SourceType::ts(),
        "mts" | "cts" => SourceType::ts().with_module(ext == "mts"),
        "tsx" => SourceType::tsx(),
        "js" | "jsx" | "mjs" => SourceType::jsx().with_module(true),
        "cjs" => SourceType::jsx().with_module(false),
        _ => return None,
    })
}

/// Parses `text` as the file `path` and summarises it. `path` must pass [`source_type`].
pub fn parse(path: &str, text: &str) -> Parsed {
    let source_type = source_type(path).unwrap_or_else(SourceType::tsx);
    let allocator = Allocator::default();
    let ret = Parser::new(&allocator, text, source_type).parse();
    let lines = Lines::new(text);
    let diagnostics = ret
        .diagnostics
        .iter()
        .map(|d| {
            let span = d.labels.as_ref().first().map(|l| (l.offset(), l.offset() + l.len()));
            let range =
                span.map_or(Range { start: lines.position(0), end: lines.position(0) }, |(s, e)| lines.range(s, e));
            Diagnostic { message: d.message.to_string(), range }
        })
        .collect();
    let mut summary = decls::summarise(&ret.program, text, &lines);
    summary.imports.extend(calls::find(&ret.program, &lines));
    summary.imports.sort_by_key(|i| i.range.start);
    Parsed { summary, diagnostics, panicked: ret.panicked }
}

#[cfg(test)]
mod tests {
    /// TypeScript's module symbol has one export per name: overload signatures and a function
    /// merged with a namespace are one name, and `export import A = N.B` exports `A`.
    #[test]
    fn each_exported_name_is_listed_once_and_export_import_counts() {
        let text = "export function over(a: string): string;\nexport function over(a: number): number;\n\
                    export function over(a: unknown) { return a; }\nexport function Merged() {}\n\
                    export namespace Merged { export const inner = 1; }\nexport import Alias = Merged.inner;\n";
        let exports = super::parse("f.ts", text).summary.exports;
        let names: Vec<&str> = exports.iter().map(|e| e.name.as_str()).collect();
        assert_eq!(names, ["over", "Merged", "Alias"]);
    }

    /// `export { I }` of a local interface or type alias exports a type, as TypeScript's checker
    /// sees it; a name that is also a value (or not declared here) does not.
    #[test]
    fn a_specifier_of_a_local_type_is_type_only() {
        let text = "interface I {}\ntype A = 1;\ninterface V {}\nconst V = 1;\nexport { I, A as B, V, U };\n";
        let exports = super::parse("f.ts", text).summary.exports;
        let got: Vec<(&str, bool)> = exports.iter().map(|e| (e.name.as_str(), e.type_only)).collect();
        assert_eq!(got, [("I", true), ("B", true), ("V", false), ("U", false)]);
    }
}
