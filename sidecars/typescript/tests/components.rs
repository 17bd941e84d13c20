//! React components with their props (issue 17, item 3): an inline type literal, a local
//! interface with a destructuring default, a local type alias through `FC<Props>`, untyped
//! destructuring, class components (untyped, and typed by `extends X<Props>`), and functions
//! that are not components.

mod common;

use common::{fixture, Sidecar};
use serde_json::{json, Value};

fn component(sc: &mut Sidecar, path: &str) -> Value {
    let found = sc.ok("typescript/components", json!({ "path": path }));
    let list = found["components"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{path}: {found}");
    list[0].clone()
}

#[test]
fn props_come_from_the_type_or_the_destructuring() {
    let root = fixture("components");
    let mut sc = Sidecar::start(root.path(), &[]);
    let inline = component(&mut sc, "src/Inline.tsx");
    assert_eq!(inline["name"], "Inline");
    assert_eq!(inline["exported"], true);
    assert_eq!(
        inline["props"],
        json!([{ "name": "title", "optional": false, "type": "string" }, { "name": "count", "optional": true, "type": "number" }])
    );
    let card = component(&mut sc, "src/FromInterface.tsx");
    assert_eq!(
        card["props"],
        json!([
            { "name": "heading", "optional": false, "type": "string" },
            { "name": "footer", "optional": true, "type": "React.ReactNode" },
            { "name": "tone", "optional": true, "type": "'dark' | 'light'" }
        ])
    );
    let badge = component(&mut sc, "src/FromAlias.tsx");
    assert_eq!(badge["name"], "Badge");
    assert_eq!(badge["exported"], true, "exported by `export default Badge`");
    assert_eq!(
        badge["props"],
        json!([{ "name": "text", "optional": false, "type": "string" }, { "name": "max", "optional": true, "type": "number" }])
    );
    let avatar = component(&mut sc, "src/Destructured.jsx");
    assert_eq!(
        avatar["props"],
        json!([{ "name": "src", "optional": false }, { "name": "alt", "optional": true }, { "name": "size", "optional": false }])
    );
}

#[test]
fn classes_with_jsx_render_are_components_and_lowercase_or_jsx_less_functions_are_not() {
    let root = fixture("components");
    let mut sc = Sidecar::start(root.path(), &[]);
    let panel = component(&mut sc, "src/Classy.tsx");
    assert_eq!(panel["name"], "Panel");
    assert_eq!(panel["props"], json!([]));
    let outline = sc.ok("typescript/outline", json!({ "path": "src/Classy.tsx" }));
    let kinds: Vec<(&str, &str)> = outline["symbols"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["name"].as_str().unwrap(), s["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(kinds, [("Panel", "component"), ("helper", "function"), ("NoJsx", "function"), ("lowerView", "class")]);
}

#[test]
fn class_props_come_from_the_first_type_argument_of_extends() {
    let root = fixture("components");
    let mut sc = Sidecar::start(root.path(), &[]);
    let found = sc.ok("typescript/components", json!({ "path": "src/ClassProps.tsx" }));
    let props: Vec<(&str, &Value)> =
        found["components"].as_array().unwrap().iter().map(|c| (c["name"].as_str().unwrap(), &c["props"])).collect();
    assert_eq!(
        props,
        [
            (
                "Tag",
                &json!([{ "name": "label", "optional": false, "type": "string" }, { "name": "color", "optional": true, "type": "string" }])
            ),
            (
                "Label",
                &json!([{ "name": "text", "optional": false, "type": "string" }, { "name": "bold", "optional": true, "type": "boolean" }])
            ),
            ("Meter", &json!([{ "name": "value", "optional": false, "type": "number" }])),
        ]
    );
}

#[test]
fn components_are_searched_by_name() {
    let root = fixture("components");
    let mut sc = Sidecar::start(root.path(), &[]);
    let all = sc.ok("typescript/components", json!({}));
    assert_eq!(all["components"].as_array().unwrap().len(), 8);
    let found = sc.ok("typescript/components", json!({ "query": "card" }));
    assert_eq!(found["components"][0]["name"], "Card");
    assert_eq!(found["components"].as_array().unwrap().len(), 1);
    let limited = sc.ok("typescript/components", json!({ "limit": 2 }));
    assert_eq!(limited["components"].as_array().unwrap().len(), 2);
}
