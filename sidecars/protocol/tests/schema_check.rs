//! `schema_check::assert_params_examples_decode` passes on matching schemas and structs, and
//! fails, naming the cause, on each kind of drift it exists to catch.

use std::path::PathBuf;

use serde::Deserialize;
use skaffa_protocol::schema_check::{assert_params_examples_decode, decodes};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
struct PingParams {
    count: u32,
}

/// A fresh schema folder holding `ping.params.json` with `examples`, plus any `extra` files.
fn schemas(name: &str, examples: &str, extra: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("skaffa-schema-check-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("ping.params.json"), format!(r#"{{"type": "object", "examples": {examples}}}"#)).unwrap();
    std::fs::write(dir.join("ping.result.json"), "{}").unwrap();
    for (file, text) in extra {
        std::fs::write(dir.join(file), text).unwrap();
    }
    dir
}

/// The panic message of `f`, which must panic.
fn panic_of(f: impl FnOnce() + std::panic::UnwindSafe) -> String {
    let err = std::panic::catch_unwind(f).expect_err("the check must fail");
    err.downcast_ref::<String>().cloned().unwrap_or_default()
}

#[test]
fn matching_examples_pass() {
    let dir = schemas("ok", r#"[{"count": 1}, {"count": 2}]"#, &[]);
    assert_params_examples_decode(&dir, &[("ping", decodes::<PingParams>)]);
}

#[test]
fn a_renamed_field_fails_naming_the_example() {
    let dir = schemas("renamed", r#"[{"count": 1}, {"times": 2}]"#, &[]);
    let msg = panic_of(|| assert_params_examples_decode(&dir, &[("ping", decodes::<PingParams>)]));
    assert!(msg.contains(r#"ping: {"times":2}"#) && msg.contains("unknown field"), "{msg}");
}

#[test]
fn a_schema_without_a_struct_and_a_struct_without_a_schema_fail() {
    let dir = schemas("unlisted", r#"[{"count": 1}]"#, &[("pong.params.json", r#"{"examples": [{}]}"#)]);
    let msg = panic_of(|| assert_params_examples_decode(&dir, &[("ping", decodes::<PingParams>)]));
    assert!(msg.contains("differ") && msg.contains("pong"), "{msg}");
    let dir = schemas("missing", r#"[{"count": 1}]"#, &[]);
    let msg = panic_of(|| {
        assert_params_examples_decode(&dir, &[("ping", decodes::<PingParams>), ("gone", decodes::<PingParams>)])
    });
    assert!(msg.contains("differ") && msg.contains("gone"), "{msg}");
}

#[test]
fn a_schema_without_examples_fails() {
    let dir = schemas("empty", "[]", &[]);
    let msg = panic_of(|| assert_params_examples_decode(&dir, &[("ping", decodes::<PingParams>)]));
    assert!(msg.contains("ping.params.json has no examples"), "{msg}");
}
