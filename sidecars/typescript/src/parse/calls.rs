//! Module requests that can sit anywhere in a file: `import("m")` with a string literal and
//! `require("m")` with exactly one string literal argument (TypeScript's own definitions, where a
//! template without substitutions, `` `m` ``, is a string literal too; a computed specifier is not
//! an import).

use oxc_ast::ast::{CallExpression, Expression, ImportExpression, Program};
use oxc_ast_visit::{walk, Visit};
use oxc_span::Span;

use crate::lines::Lines;
use crate::summary::{Import, ImportKind};

struct Finder<'l, 't> {
    lines: &'l Lines<'t>,
    found: Vec<Import>,
}

/// The text and span of a string literal or a template without substitutions.
fn literal(e: &Expression<'_>) -> Option<(String, Span)> {
    match e {
        Expression::StringLiteral(s) => Some((s.value.to_string(), s.span)),
        Expression::TemplateLiteral(t) => t.single_quasi().map(|q| (q.to_string(), t.span)),
        _ => None,
    }
}

impl Finder<'_, '_> {
    fn push(&mut self, (specifier, span): (String, Span), kind: ImportKind) {
        let range = self.lines.range(span.start, span.end);
        self.found.push(Import { specifier, kind, names: None, range });
    }
}

impl<'a> Visit<'a> for Finder<'_, '_> {
    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        if let Some(found) = literal(&it.source) {
            self.push(found, ImportKind::Dynamic);
        }
        walk::walk_import_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if it.callee.is_specific_id("require") && it.arguments.len() == 1 {
            if let Some(found) = it.arguments[0].as_expression().and_then(literal) {
                self.push(found, ImportKind::Require);
            }
        }
        walk::walk_call_expression(self, it);
    }
}

/// Every dynamic import and `require` call in `program`, in source order.
pub fn find(program: &Program<'_>, lines: &Lines<'_>) -> Vec<Import> {
    let mut finder = Finder { lines, found: Vec::new() };
    finder.visit_program(program);
    finder.found
}

#[cfg(test)]
mod tests {
    use crate::summary::ImportKind;

    /// TypeScript counts `` `m` `` as a string literal in `import()` and `require()`; a template with
    /// a substitution, a second argument to `require` or a member `x.require` is not an import.
    #[test]
    fn templates_without_substitutions_are_specifiers() {
        let text = "const a = require(`./a`);\nconst b = import(`./b`);\nrequire(`./${x}`);\nimport(`./${y}`);\n\
                    require(`./c`, 1);\nmodule.require(`./d`);\n";
        let found = super::super::parse("f.ts", text).summary.imports;
        let got: Vec<(&str, ImportKind, u32, u32)> = found
            .iter()
            .map(|i| (i.specifier.as_str(), i.kind, i.range.start.character, i.range.end.character))
            .collect();
        assert_eq!(got, [("./a", ImportKind::Require, 18, 23), ("./b", ImportKind::Dynamic, 17, 22)]);
    }
}
