//! React components and their props. A component is a capitalised function (declaration,
//! arrow or function expression) whose body contains JSX, or a capitalised class whose `render`
//! method does. Props come from the first parameter: its type when that is a type literal, a
//! local interface or a local type alias of a type literal (or, for `const C: FC<P> = …`, the
//! first type argument of the variable's annotation); otherwise from its destructuring. A class's
//! props are the first type argument of its `extends` clause, read the same way.

use std::collections::HashMap;

use oxc_ast::ast::*;
use oxc_ast_visit::Visit;
use oxc_span::GetSpan;

use crate::summary::Prop;

/// The file's local interfaces and type-literal aliases by name, for props given by name.
pub struct Types<'p, 'a> {
    by_name: HashMap<&'a str, &'p [TSSignature<'a>]>,
}

impl<'p, 'a> Types<'p, 'a> {
    /// Collects the interfaces and type-literal aliases declared at the top level (exported or not).
    pub fn collect(body: &'p [Statement<'a>]) -> Types<'p, 'a> {
        let mut by_name = HashMap::new();
        for stmt in body {
            let decl = match stmt {
                Statement::ExportDeclaration(d) => &d.declaration,
                other => match other.as_declaration() {
                    Some(d) => d,
                    None => continue,
                },
            };
            match decl {
                Declaration::TSInterfaceDeclaration(i) => {
                    by_name.insert(i.id.name.as_str(), &i.body.body[..]);
                }
                Declaration::TSTypeAliasDeclaration(t) => {
                    if let TSType::TSTypeLiteral(lit) = &t.type_annotation {
                        by_name.insert(t.id.name.as_str(), &lit.members[..]);
                    }
                }
                _ => {}
            }
        }
        Types { by_name }
    }

    /// The props a type stands for, if it is a type literal or names a collected type.
    fn props(&self, ty: &TSType<'a>, text: &str) -> Option<Vec<Prop>> {
        let members: &[TSSignature<'a>] = match ty {
            TSType::TSTypeLiteral(lit) => &lit.members,
            TSType::TSTypeReference(r) => match &r.type_name {
                TSTypeName::IdentifierReference(id) => self.by_name.get(id.name.as_str())?,
                _ => return None,
            },
            _ => return None,
        };
        let mut props = Vec::new();
        for m in members {
            if let TSSignature::TSPropertySignature(p) = m {
                if let Some(name) = p.key.static_name() {
                    let ty = p.type_annotation.as_ref().map(|t| source(text, t.type_annotation.span()));
                    props.push(Prop { name: name.to_string(), optional: p.optional, ty });
                }
            }
        }
        Some(props)
    }
}

fn source(text: &str, span: oxc_span::Span) -> String {
    text.get(span.start as usize..span.end as usize).unwrap_or_default().to_owned()
}

fn capitalised(name: &str) -> bool {
    name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
}

/// Whether a subtree contains a JSX element or fragment.
#[derive(Default)]
struct Jsx(bool);

impl<'a> Visit<'a> for Jsx {
    fn visit_jsx_element(&mut self, _: &JSXElement<'a>) {
        self.0 = true;
    }
    fn visit_jsx_fragment(&mut self, _: &JSXFragment<'a>) {
        self.0 = true;
    }
}

/// The props of `name` if `f` is a component.
pub fn of_function<'a>(
    name: &str,
    f: &Function<'a>,
    annotation: Option<&TSTypeAnnotation<'a>>,
    types: &Types<'_, 'a>,
    text: &str,
) -> Option<Vec<Prop>> {
    let body = f.body.as_ref()?;
    of_callable(name, |jsx| jsx.visit_function_body(body), &f.params, annotation, types, text)
}

/// The props of `name` if the arrow function `a` is a component.
pub fn of_arrow<'a>(
    name: &str,
    a: &ArrowFunctionExpression<'a>,
    annotation: Option<&TSTypeAnnotation<'a>>,
    types: &Types<'_, 'a>,
    text: &str,
) -> Option<Vec<Prop>> {
    of_callable(name, |jsx| jsx.visit_arrow_function_body(&a.body), &a.params, annotation, types, text)
}

/// The props of a capitalised function whose body (visited by `body`) has JSX.
fn of_callable<'a>(
    name: &str,
    body: impl FnOnce(&mut Jsx),
    params: &FormalParameters<'a>,
    annotation: Option<&TSTypeAnnotation<'a>>,
    types: &Types<'_, 'a>,
    text: &str,
) -> Option<Vec<Prop>> {
    if !capitalised(name) {
        return None;
    }
    let mut jsx = Jsx::default();
    body(&mut jsx);
    jsx.0.then(|| props(params, annotation, types, text))
}

/// The props of the class `c` named `name` if it is a component (its `render` method has JSX):
/// the first type argument of its `extends` (`Component<Props>`, `React.PureComponent<Props, State>`),
/// as for a function's first parameter; none when it has no typed props.
pub fn of_class<'a>(name: &str, c: &Class<'a>, types: &Types<'_, 'a>, text: &str) -> Option<Vec<Prop>> {
    let renders = c.body.body.iter().any(|el| match el {
        ClassElement::MethodDefinition(m) if m.key.static_name().as_deref() == Some("render") => {
            let mut jsx = Jsx::default();
            jsx.visit_function(&m.value, oxc_syntax::scope::ScopeFlags::Function);
            jsx.0
        }
        _ => false,
    });
    if !capitalised(name) || !renders {
        return None;
    }
    let first = c.heritage.as_ref().and_then(|h| h.type_arguments.as_ref()).and_then(|args| args.params.first());
    Some(first.and_then(|t| types.props(t, text)).unwrap_or_default())
}

/// Props from the first parameter (type first, then destructuring), or from the first type
/// argument of the variable's annotation (`FC<Props>`).
fn props<'a>(
    params: &FormalParameters<'a>,
    annotation: Option<&TSTypeAnnotation<'a>>,
    types: &Types<'_, 'a>,
    text: &str,
) -> Vec<Prop> {
    let first = params.items.first();
    let from_param = first.and_then(|p| p.type_annotation.as_ref()).and_then(|t| types.props(&t.type_annotation, text));
    let from_annotation = || match annotation.map(|a| &a.type_annotation) {
        Some(TSType::TSTypeReference(r)) => {
            r.type_arguments.as_ref().and_then(|args| args.params.first()).and_then(|t| types.props(t, text))
        }
        _ => None,
    };
    let defaults = first.map(|p| destructured(&p.pattern)).unwrap_or_default();
    match from_param.or_else(from_annotation) {
        Some(mut typed) => {
            for p in &mut typed {
                p.optional |= defaults.iter().any(|d| d.name == p.name && d.optional);
            }
            typed
        }
        None => defaults,
    }
}

/// Props named by an object pattern (`{ a, b = 1, c: renamed }`); a default makes one optional.
fn destructured(pattern: &BindingPattern<'_>) -> Vec<Prop> {
    let pattern = match pattern {
        BindingPattern::AssignmentPattern(a) => &a.left,
        other => other,
    };
    let BindingPattern::ObjectPattern(obj) = pattern else { return Vec::new() };
    obj.properties
        .iter()
        .filter_map(|p| {
            let name = p.key.static_name()?.to_string();
            let optional = matches!(p.value, BindingPattern::AssignmentPattern(_));
            Some(Prop { name, optional, ty: None })
        })
        .collect()
}
