//! What the index keeps per file instead of its AST: a compact [`Summary`] (symbols as an
//! outline tree, imports, exports, `export *` stars, React components, parser diagnostics), with
//! every position already converted to LSP's 0-based line and UTF-16 character. These types are
//! also the wire shapes of the methods' results, field for field with `schema/*.result.json`.

use serde::{Deserialize, Serialize};

/// A position as LSP counts it: 0-based line, 0-based UTF-16 code unit within the line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Position {
    /// 0-based line.
    pub line: u32,
    /// 0-based UTF-16 code unit offset within the line.
    pub character: u32,
}

/// A half-open range between two positions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct Range {
    /// First position in the range.
    pub start: Position,
    /// Position just after the range.
    pub end: Position,
}

/// What kind of declaration a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum SymbolKind {
    /// `function f() {}` or a variable holding a function.
    Function,
    /// A function or class that returns JSX.
    Component,
    /// `class C {}`.
    Class,
    /// A class method.
    Method,
    /// A class property or an interface/type-literal member.
    Property,
    /// A class constructor.
    Constructor,
    /// `interface I {}`.
    Interface,
    /// `type T = ...`.
    TypeAlias,
    /// `enum E {}`.
    Enum,
    /// A member of an enum.
    EnumMember,
    /// `let`/`var` binding.
    Variable,
    /// `const` binding.
    Constant,
    /// `namespace N {}` / `module N {}` / `declare module "x" {}`.
    Namespace,
}

/// One declaration in the outline (LSP's DocumentSymbol shape plus `exported`).
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Symbol {
    /// The declared name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// The whole declaration.
    pub range: Range,
    /// The name within the declaration.
    pub selection_range: Range,
    /// Whether the file exports it (directly, by `export { name }`, or as default).
    pub exported: bool,
    /// Members (class members, interface members, enum members, namespace contents).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub children: Vec<Symbol>,
}

/// How a module is imported (see issue 17, item 4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ImportKind {
    /// `import x from "m"`, `import "m"`.
    Import,
    /// `import type { T } from "m"`.
    ImportType,
    /// `export { a } from "m"`, `export * from "m"`, `export * as ns from "m"`.
    ExportFrom,
    /// `import x = require("m")`.
    ImportEquals,
    /// `import("m")` with a string literal.
    Dynamic,
    /// `require("m")` with one string literal.
    Require,
}

/// One module request in a file, before resolution.
#[derive(Clone, Debug)]
pub struct Import {
    /// The module specifier as written (unescaped).
    pub specifier: String,
    /// How it is imported.
    pub kind: ImportKind,
    /// Imported names (`default`, `*`, or the imported name), when the syntax names any.
    pub names: Option<Vec<String>>,
    /// The specifier's string literal.
    pub range: Range,
}

/// What an exported name is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum ExportKind {
    /// A declaration or `export { local }` of something declared here.
    Local,
    /// `export { a as b } from "m"`.
    Reexport,
    /// `export * as ns from "m"`.
    Namespace,
    /// `export default ...`.
    Default,
    /// `export = ...`.
    Assignment,
}

/// One exported name.
#[derive(Clone, Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Export {
    /// The exported name (`default` for a default export, `=` for `export =`).
    pub name: String,
    /// What it is.
    pub kind: ExportKind,
    /// Where it is exported.
    pub range: Range,
    /// The specifier it is re-exported from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    /// `export type`, `export { type X }`, or an interface/type alias declaration.
    pub type_only: bool,
}

/// One prop of a component.
#[derive(Clone, Debug, Serialize)]
pub struct Prop {
    /// The prop's name.
    pub name: String,
    /// Whether it may be left out (`?`, or a default in the destructuring).
    pub optional: bool,
    /// Its type as written, when the props have a type.
    #[serde(skip_serializing_if = "Option::is_none", rename = "type")]
    pub ty: Option<String>,
}

/// A function or class component: a capitalised function whose body has JSX, or a class with a
/// `render` method that has JSX.
#[derive(Clone, Debug)]
pub struct Component {
    /// The component's name.
    pub name: String,
    /// The declaration.
    pub range: Range,
    /// Whether the file exports it.
    pub exported: bool,
    /// Its props, from the first parameter's type or destructuring (`props` of a class: its
    /// first type argument of `extends X<Props>`).
    pub props: Vec<Prop>,
}

/// One parser diagnostic.
#[derive(Clone, Debug, Serialize)]
pub struct Diagnostic {
    /// The parser's message.
    pub message: String,
    /// Where it points (the file's start when the parser gave no place).
    pub range: Range,
}

/// Everything the index keeps about one parsed file.
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// The outline: top-level declarations with their members.
    pub symbols: Vec<Symbol>,
    /// Every module request, in source order.
    pub imports: Vec<Import>,
    /// Every exported name, in source order.
    pub exports: Vec<Export>,
    /// `export * from "m"` specifiers with their ranges.
    pub stars: Vec<(String, Range)>,
    /// React components.
    pub components: Vec<Component>,
}
