//! The params structs follow the schemas: every example in `schema/<method>.params.json` (which
//! the jest suite checks against the schema and for covering every property) must decode into
//! that method's `Params`. The structs deny unknown fields, as the schemas do with
//! `additionalProperties: false`, so a field renamed on either side fails here instead of being
//! silently ignored (and then defaulted) at run time.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::{components, exports, feed, imports, outline, status, symbols};

fn decode<P: DeserializeOwned>(example: &Value) -> Result<(), serde_json::Error> {
    serde_json::from_value::<P>(example.clone()).map(drop)
}

#[test]
fn every_params_example_decodes_into_its_methods_params_struct() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema");
    let mut methods = Vec::new();
    let mut failures = Vec::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let file = entry.unwrap().file_name().into_string().unwrap();
        let Some(method) = file.strip_suffix(".params.json") else { continue };
        let schema: Value = serde_json::from_slice(&std::fs::read(dir.join(&file)).unwrap()).unwrap();
        let examples = schema["examples"].as_array().unwrap_or_else(|| panic!("{file} has no examples"));
        assert!(!examples.is_empty(), "{file} has no examples");
        for example in examples {
            let decoded = match method {
                "components" => decode::<components::Params>(example),
                "didChange" => decode::<feed::DidChangeParams>(example),
                "exports" => decode::<exports::Params>(example),
                "importers" => decode::<imports::ImportersParams>(example),
                "imports" => decode::<imports::ImportsParams>(example),
                "outline" => decode::<outline::Params>(example),
                "resync" => decode::<feed::ResyncParams>(example),
                "status" => decode::<status::Params>(example),
                "symbols" => decode::<symbols::Params>(example),
                other => panic!("schema/{file}: no Params struct is mapped for {other:?}; add it to this test"),
            };
            if let Err(e) = decoded {
                failures.push(format!("{method}: {example}: {e}"));
            }
        }
        methods.push(method.to_owned());
    }
    methods.sort();
    let expected =
        ["components", "didChange", "exports", "importers", "imports", "outline", "resync", "status", "symbols"];
    assert_eq!(methods, expected);
    assert!(failures.is_empty(), "examples the Rust params structs refuse:\n{}", failures.join("\n"));
}
