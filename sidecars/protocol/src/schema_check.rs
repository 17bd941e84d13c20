//! A test helper every Rust sidecar shares: the params structs must follow the schemas. Each
//! example in `schema/<method>.params.json` (which the jest suite checks against the schema and
//! for covering every property) must decode into that method's params struct. The structs deny
//! unknown fields, as the schemas do with `additionalProperties: false`, so a field renamed on
//! either side fails the sidecar's test instead of being silently ignored (and then defaulted)
//! at run time.

use std::path::Path;

use serde::de::DeserializeOwned;
use serde_json::Value;

/// Decodes one example into `P`; the function to list beside each method in [`assert_params_examples_decode`].
pub type Decode = fn(&Value) -> Result<(), serde_json::Error>;

/// Whether `example` decodes into `P`.
pub fn decodes<P: DeserializeOwned>(example: &Value) -> Result<(), serde_json::Error> {
    serde_json::from_value::<P>(example.clone()).map(drop)
}

/// Checks every `*.params.json` schema in `schema_dir` against `methods`, a table of each
/// method's name (the file name without `.params.json`) and [`decodes`] of its params struct.
/// Panics, naming them, when a schema has no examples, when the schemas and the table name
/// different methods, or when any example does not decode.
pub fn assert_params_examples_decode(schema_dir: &Path, methods: &[(&str, Decode)]) {
    let mut found = Vec::new();
    let mut failures = Vec::new();
    let entries = std::fs::read_dir(schema_dir).unwrap_or_else(|e| panic!("{}: {e}", schema_dir.display()));
    for entry in entries {
        let file = entry.expect("a readable schema folder").file_name().to_string_lossy().into_owned();
        let Some(method) = file.strip_suffix(".params.json") else { continue };
        let text = std::fs::read(schema_dir.join(&file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let schema: Value = serde_json::from_slice(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        let examples = schema["examples"].as_array().filter(|e| !e.is_empty());
        let examples = examples.unwrap_or_else(|| panic!("{file} has no examples"));
        found.push(method.to_owned());
        let Some((_, decode)) = methods.iter().find(|(name, _)| *name == method) else { continue };
        for example in examples {
            if let Err(e) = decode(example) {
                failures.push(format!("{method}: {example}: {e}"));
            }
        }
    }
    found.sort();
    let mut listed: Vec<&str> = methods.iter().map(|(name, _)| *name).collect();
    listed.sort();
    assert_eq!(found, listed, "the schemas' methods (left) and the params structs listed for them (right) differ");
    assert!(failures.is_empty(), "examples the Rust params structs refuse:\n{}", failures.join("\n"));
}
