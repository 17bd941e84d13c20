//! Module requests that can sit anywhere in a file: `import("m")` with a string literal and
//! `require("m")` with exactly one string literal argument (TypeScript's own definitions; a
//! template or computed specifier is not an import).

use oxc_ast::ast::{CallExpression, Expression, ImportExpression, Program};
use oxc_ast_visit::{walk, Visit};

use crate::lines::Lines;
use crate::summary::{Import, ImportKind};

struct Finder<'l, 't> {
    lines: &'l Lines<'t>,
    found: Vec<Import>,
}

impl<'a> Visit<'a> for Finder<'_, '_> {
    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        if let Expression::StringLiteral(s) = &it.source {
            let range = self.lines.range(s.span.start, s.span.end);
            self.found.push(Import { specifier: s.value.to_string(), kind: ImportKind::Dynamic, names: None, range });
        }
        walk::walk_import_expression(self, it);
    }

    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        if let Some(s) = it.common_js_require() {
            let range = self.lines.range(s.span.start, s.span.end);
            self.found.push(Import { specifier: s.value.to_string(), kind: ImportKind::Require, names: None, range });
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
