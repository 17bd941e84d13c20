//! Shared test harness: temp workspace trees, a running `skaffa-workspace` process spoken to in
//! NDJSON over its stdio, JSON Schema checks against the `schema/` files the TypeScript side uses
//! too, and a byte-and-mtime snapshot proving a run left the workspace untouched. Fixture code
//! writes files; the read-only lint is for the sidecar, so each test crate allows it at the top.

#![allow(dead_code)]

pub mod sidecar;
pub mod tree;
pub mod warm;
pub mod wine;

use std::path::Path;

use serde_json::Value;

/// Generous bound for anything the sidecar should do "soon"; tests poll up to it, never sleep.
pub const DEADLINE: std::time::Duration = std::time::Duration::from_secs(20);

/// Panics with every violation if `value` does not match `schema/<name>.json`.
pub fn assert_schema(name: &str, value: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema").join(format!("{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Value = serde_json::from_str(&text).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap_or_else(|e| panic!("{name}: not a draft-07 schema: {e}"));
    let errors: Vec<String> = validator.iter_errors(value).map(|e| format!("{} at {}", e, e.instance_path)).collect();
    assert!(errors.is_empty(), "{name} rejects {value}:\n{}", errors.join("\n"));
}

/// Like [`assert_schema`] but returns whether the value is accepted (for negative checks).
pub fn schema_accepts(name: &str, value: &Value) -> bool {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema").join(format!("{name}.json"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::draft7::new(&schema).unwrap().is_valid(value)
}
