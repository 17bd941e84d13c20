//! The outline, the exports and the static imports, from a file's statements. Only top-level
//! statements (and the bodies of namespaces and `declare module` blocks) declare symbols; a
//! name exported later (`export { a as b }`, `export default a`, `export = a`) marks its
//! declaration `exported` once every statement has been seen.

use std::collections::{HashMap, HashSet};

use oxc_ast::ast::*;
use oxc_span::{GetSpan, Span};

use super::components::{self, Types};
use crate::lines::Lines;
use crate::summary::{Export, ExportKind, Import, ImportKind, Summary, Symbol, SymbolKind};

struct Walker<'t, 'l> {
    text: &'t str,
    lines: &'l Lines<'t>,
    out: Summary,
    /// Local names exported by a separate statement.
    exported_names: HashSet<String>,
    /// Names already in `out.exports`: overloads and merged declarations are one exported name.
    listed: HashSet<String>,
    /// `export { local as name }` items (index in `out.exports`, local name), typed once all is seen.
    specifiers: Vec<(usize, String)>,
    /// How many namespace bodies deep the walk is: an `export` in one exports from the namespace
    /// (its symbol is `exported`), not from the file.
    depth: u32,
}

/// Summarises `program`'s declarations, exports and static imports.
pub fn summarise(program: &Program<'_>, text: &str, lines: &Lines<'_>) -> Summary {
    let types = Types::collect(&program.body);
    let mut w = Walker {
        text,
        lines,
        out: Summary::default(),
        exported_names: HashSet::new(),
        listed: HashSet::new(),
        specifiers: Vec::new(),
        depth: 0,
    };
    let mut symbols = Vec::new();
    for stmt in &program.body {
        w.statement(stmt, &types, &mut symbols);
    }
    for s in &mut symbols {
        if w.exported_names.contains(&s.name) {
            s.exported = true;
        }
    }
    // `export { I }` exports a type when every top-level declaration of `I` is an interface or alias.
    let mut types_only: HashMap<&str, bool> = HashMap::new();
    for s in &symbols {
        let is_type = matches!(s.kind, SymbolKind::Interface | SymbolKind::TypeAlias);
        *types_only.entry(&s.name).or_insert(true) &= is_type;
    }
    for (at, local) in &w.specifiers {
        w.out.exports[*at].type_only |= types_only.get(local.as_str()) == Some(&true);
    }
    for c in &mut w.out.components {
        c.exported |= w.exported_names.contains(&c.name);
    }
    w.out.symbols = symbols;
    w.out
}

/// The name a module export name stands for.
fn export_name(n: &ModuleExportName<'_>) -> String {
    n.name().to_string()
}

impl Walker<'_, '_> {
    fn range(&self, span: Span) -> crate::summary::Range {
        self.lines.range(span.start, span.end)
    }

    fn import(&mut self, source: &StringLiteral<'_>, kind: ImportKind, names: Option<Vec<String>>) {
        let range = self.range(source.span);
        self.out.imports.push(Import { specifier: source.value.to_string(), kind, names, range });
    }

    fn export(&mut self, name: String, kind: ExportKind, span: Span, from: Option<String>, type_only: bool) {
        if self.depth > 0 || !self.listed.insert(name.clone()) {
            return;
        }
        let range = self.range(span);
        self.out.exports.push(Export { name, kind, range, from, type_only });
    }

    fn statement(&mut self, stmt: &Statement<'_>, types: &Types<'_, '_>, symbols: &mut Vec<Symbol>) {
        match stmt {
            Statement::ImportDeclaration(d) => {
                let kind = if d.import_kind.is_type() { ImportKind::ImportType } else { ImportKind::Import };
                let names = d.specifiers.as_ref().map(|specs| {
                    specs
                        .iter()
                        .map(|s| match s {
                            ImportDeclarationSpecifier::ImportSpecifier(s) => export_name(&s.imported),
                            ImportDeclarationSpecifier::ImportDefaultSpecifier(_) => "default".to_owned(),
                            ImportDeclarationSpecifier::ImportNamespaceSpecifier(_) => "*".to_owned(),
                        })
                        .collect()
                });
                self.import(&d.source, kind, names);
            }
            Statement::ExportAllDeclaration(d) => {
                let spec = d.source.value.to_string();
                match &d.exported {
                    Some(ns) => {
                        self.import(&d.source, ImportKind::ExportFrom, Some(vec!["*".to_owned()]));
                        self.export(
                            export_name(ns),
                            ExportKind::Namespace,
                            d.span,
                            Some(spec),
                            d.export_kind.is_type(),
                        );
                    }
                    None => {
                        self.import(&d.source, ImportKind::ExportFrom, Some(vec!["*".to_owned()]));
                        let range = self.range(d.source.span);
                        self.out.stars.push((spec, range));
                    }
                }
            }
            Statement::ExportFromDeclaration(d) => {
                let names = d.specifiers.iter().map(|s| export_name(&s.local)).collect();
                self.import(&d.source, ImportKind::ExportFrom, Some(names));
                for s in &d.specifiers {
                    let type_only = d.export_kind.is_type() || s.export_kind.is_type();
                    let from = Some(d.source.value.to_string());
                    self.export(export_name(&s.exported), ExportKind::Reexport, s.span, from, type_only);
                }
            }
            Statement::ExportNamedDeclaration(d) if self.depth == 0 => {
                for s in &d.specifiers {
                    self.exported_names.insert(export_name(&s.local));
                    let type_only = d.export_kind.is_type() || s.export_kind.is_type();
                    let at = self.out.exports.len();
                    self.export(export_name(&s.exported), ExportKind::Local, s.span, None, type_only);
                    if self.out.exports.len() > at {
                        self.specifiers.push((at, export_name(&s.local)));
                    }
                }
            }
            Statement::ExportDeclaration(d) => {
                let first = symbols.len();
                self.declaration(&d.declaration, types, symbols);
                let type_only = matches!(
                    d.declaration,
                    Declaration::TSTypeAliasDeclaration(_) | Declaration::TSInterfaceDeclaration(_)
                );
                for symbol in &mut symbols[first..] {
                    symbol.exported = true;
                    let name = symbol.name.clone();
                    if self.depth == 0 {
                        self.exported_names.insert(name.clone());
                    }
                    self.export(name, ExportKind::Local, d.span, None, type_only);
                }
                // `export import A = N.B` declares no outline symbol but exports `A`.
                if let Declaration::TSImportEqualsDeclaration(i) = &d.declaration {
                    self.export(i.id.name.to_string(), ExportKind::Local, d.span, None, false);
                }
            }
            Statement::ExportDefaultDeclaration(d) => {
                self.export("default".to_owned(), ExportKind::Default, d.span, None, false);
                match &d.declaration {
                    ExportDefaultDeclarationKind::FunctionDeclaration(f) => {
                        let name = f.id.as_ref().map_or("default".to_owned(), |id| id.name.to_string());
                        self.function(name, f, d.span, true, types, symbols);
                    }
                    ExportDefaultDeclarationKind::ClassDeclaration(c) => {
                        let name = c.id.as_ref().map_or("default".to_owned(), |id| id.name.to_string());
                        self.class(name, c, d.span, true, types, symbols);
                    }
                    ExportDefaultDeclarationKind::TSInterfaceDeclaration(i) => self.interface(i, symbols),
                    other => {
                        if let Some(e) = other.as_expression() {
                            self.mark_identifier(e);
                        }
                    }
                }
            }
            Statement::TSExportAssignment(d) => {
                self.export("=".to_owned(), ExportKind::Assignment, d.span, None, false);
                self.mark_identifier(&d.expression);
            }
            Statement::TSImportEqualsDeclaration(d) => self.import_equals(d),
            other => {
                if let Some(decl) = other.as_declaration() {
                    self.declaration(decl, types, symbols);
                }
            }
        }
    }

    /// `export default a` / `export = a` export the declaration of `a`.
    fn mark_identifier(&mut self, e: &Expression<'_>) {
        if let Expression::Identifier(id) = e.get_inner_expression() {
            self.exported_names.insert(id.name.to_string());
        }
    }

    fn import_equals(&mut self, d: &TSImportEqualsDeclaration<'_>) {
        if let TSModuleReference::ExternalModuleReference(r) = &d.module_reference {
            self.import(&r.expression, ImportKind::ImportEquals, Some(vec![d.id.name.to_string()]));
        }
    }

    fn symbol(&self, name: String, kind: SymbolKind, span: Span, name_span: Span, children: Vec<Symbol>) -> Symbol {
        Symbol {
            name,
            kind,
            range: self.range(span),
            selection_range: self.range(name_span),
            exported: false,
            children,
        }
    }

    fn declaration(&mut self, decl: &Declaration<'_>, types: &Types<'_, '_>, symbols: &mut Vec<Symbol>) {
        match decl {
            Declaration::FunctionDeclaration(f) => {
                if let Some(id) = &f.id {
                    self.function(id.name.to_string(), f, f.span, false, types, symbols);
                }
            }
            Declaration::ClassDeclaration(c) => {
                if let Some(id) = &c.id {
                    self.class(id.name.to_string(), c, c.span, false, types, symbols);
                }
            }
            Declaration::VariableDeclaration(v) => {
                let constant = v.kind == VariableDeclarationKind::Const;
                for d in &v.declarations {
                    self.variable(d, constant, types, symbols);
                }
            }
            Declaration::TSTypeAliasDeclaration(t) => {
                let children = match &t.type_annotation {
                    TSType::TSTypeLiteral(lit) => self.members(&lit.members),
                    _ => Vec::new(),
                };
                symbols.push(self.symbol(t.id.name.to_string(), SymbolKind::TypeAlias, t.span, t.id.span, children));
            }
            Declaration::TSInterfaceDeclaration(i) => self.interface(i, symbols),
            Declaration::TSEnumDeclaration(e) => {
                let children = e
                    .body
                    .members
                    .iter()
                    .map(|m| {
                        self.symbol(m.id.static_name().to_string(), SymbolKind::EnumMember, m.span, m.id.span(), vec![])
                    })
                    .collect();
                symbols.push(self.symbol(e.id.name.to_string(), SymbolKind::Enum, e.span, e.id.span, children));
            }
            Declaration::TSNamespaceDeclaration(n) => self.namespace(n, types, symbols),
            Declaration::TSExternalModuleDeclaration(m) => {
                let mut children = Vec::new();
                if let Some(block) = &m.body {
                    self.block(&block.body, types, &mut children);
                }
                let name = format!("\"{}\"", m.id.value);
                symbols.push(self.symbol(name, SymbolKind::Namespace, m.span, m.id.span, children));
            }
            Declaration::TSGlobalDeclaration(_) => {}
            Declaration::TSImportEqualsDeclaration(d) => self.import_equals(d),
        }
    }

    /// `namespace N {}`; in `namespace a.b {}` the inner namespace is a child of the outer one.
    fn namespace(&mut self, n: &TSNamespaceDeclaration<'_>, types: &Types<'_, '_>, out: &mut Vec<Symbol>) {
        let mut children = Vec::new();
        match &n.body {
            TSNamespaceDeclarationBody::TSModuleBlock(block) => self.block(&block.body, types, &mut children),
            TSNamespaceDeclarationBody::TSNamespaceDeclaration(inner) => self.namespace(inner, types, &mut children),
        }
        out.push(self.symbol(n.id.name.to_string(), SymbolKind::Namespace, n.span, n.id.span, children));
    }

    /// The statements of a namespace body: their declarations become the namespace's children.
    /// Imports inside (`declare module "x" { import … }`) are imports of the file.
    fn block(&mut self, body: &[Statement<'_>], types: &Types<'_, '_>, out: &mut Vec<Symbol>) {
        self.depth += 1;
        for stmt in body {
            self.statement(stmt, types, out);
        }
        self.depth -= 1;
    }

    fn interface(&mut self, i: &TSInterfaceDeclaration<'_>, symbols: &mut Vec<Symbol>) {
        let children = self.members(&i.body.body);
        symbols.push(self.symbol(i.id.name.to_string(), SymbolKind::Interface, i.span, i.id.span, children));
    }

    fn members(&self, members: &[TSSignature<'_>]) -> Vec<Symbol> {
        let mut out = Vec::new();
        for m in members {
            let (key, kind, span) = match m {
                TSSignature::TSPropertySignature(p) => (&p.key, SymbolKind::Property, p.span),
                TSSignature::TSMethodSignature(p) => (&p.key, SymbolKind::Method, p.span),
                _ => continue,
            };
            if let Some(name) = key.static_name() {
                out.push(self.symbol(name.to_string(), kind, span, key.span(), vec![]));
            }
        }
        out
    }

    fn function(
        &mut self,
        name: String,
        f: &Function<'_>,
        span: Span,
        exported: bool,
        types: &Types<'_, '_>,
        out: &mut Vec<Symbol>,
    ) {
        let name_span = f.id.as_ref().map_or(span, |id| id.span);
        let component = components::of_function(&name, f, None, types, self.text);
        let kind = if component.is_some() { SymbolKind::Component } else { SymbolKind::Function };
        let mut symbol = self.symbol(name, kind, span, name_span, vec![]);
        symbol.exported = exported;
        if let Some(props) = component {
            self.component(&symbol, props);
        }
        out.push(symbol);
    }

    fn class<'a>(
        &mut self,
        name: String,
        c: &Class<'a>,
        span: Span,
        exported: bool,
        types: &Types<'_, 'a>,
        out: &mut Vec<Symbol>,
    ) {
        let mut children = Vec::new();
        for el in &c.body.body {
            let (key, kind, span) = match el {
                ClassElement::MethodDefinition(m) if m.kind == MethodDefinitionKind::Constructor => {
                    (&m.key, SymbolKind::Constructor, m.span)
                }
                ClassElement::MethodDefinition(m) => (&m.key, SymbolKind::Method, m.span),
                ClassElement::PropertyDefinition(p) => (&p.key, SymbolKind::Property, p.span),
                ClassElement::AccessorProperty(p) => (&p.key, SymbolKind::Property, p.span),
                _ => continue,
            };
            if let Some(name) = key.static_name() {
                children.push(self.symbol(name.to_string(), kind, span, key.span(), vec![]));
            }
        }
        let name_span = c.id.as_ref().map_or(span, |id| id.span);
        let component = components::of_class(&name, c, types, self.text);
        let kind = if component.is_some() { SymbolKind::Component } else { SymbolKind::Class };
        let mut symbol = self.symbol(name, kind, span, name_span, children);
        symbol.exported = exported;
        if let Some(props) = component {
            self.component(&symbol, props);
        }
        out.push(symbol);
    }

    fn variable(&mut self, d: &VariableDeclarator<'_>, constant: bool, types: &Types<'_, '_>, out: &mut Vec<Symbol>) {
        let plain = if constant { SymbolKind::Constant } else { SymbolKind::Variable };
        let BindingPattern::BindingIdentifier(id) = &d.id else {
            for id in d.id.get_binding_identifiers() {
                out.push(self.symbol(id.name.to_string(), plain, d.span, id.span, vec![]));
            }
            return;
        };
        let name = id.name.to_string();
        let annotation = d.type_annotation.as_deref();
        let (kind, props) = match d.init.as_ref().map(Expression::get_inner_expression) {
            Some(Expression::ArrowFunctionExpression(a)) => {
                let props = components::of_arrow(&name, a, annotation, types, self.text);
                (if props.is_some() { SymbolKind::Component } else { SymbolKind::Function }, props)
            }
            Some(Expression::FunctionExpression(f)) => {
                let props = components::of_function(&name, f, annotation, types, self.text);
                (if props.is_some() { SymbolKind::Component } else { SymbolKind::Function }, props)
            }
            Some(Expression::ClassExpression(c)) => {
                let props = components::of_class(&name, c, types, self.text);
                (if props.is_some() { SymbolKind::Component } else { SymbolKind::Class }, props)
            }
            _ => (plain, None),
        };
        let symbol = self.symbol(name, kind, d.span, id.span, vec![]);
        if let Some(props) = props {
            self.component(&symbol, props);
        }
        out.push(symbol);
    }

    fn component(&mut self, symbol: &Symbol, props: Vec<crate::summary::Prop>) {
        let c = crate::summary::Component {
            name: symbol.name.clone(),
            range: symbol.range,
            exported: symbol.exported,
            props,
        };
        self.out.components.push(c);
    }
}
