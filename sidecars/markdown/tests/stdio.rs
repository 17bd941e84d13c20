//! Drives the real `skaffa-markdown` binary over stdio as main would, and checks every answer
//! against the JSON Schemas in `schema/` (the same files the TypeScript manifest validates with),
//! plus the built-ins and the protocol's error answers.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

fn assert_schema(name: &str, value: &Value) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema").join(format!("{name}.json"));
    let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let validator = jsonschema::draft7::new(&schema).unwrap();
    let errors: Vec<String> = validator.iter_errors(value).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{name} rejects {value}: {errors:?}");
}

/// Starts the sidecar binary with piped stdin and stdout (stderr shows in the test output).
fn spawn_sidecar() -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_skaffa-markdown"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap()
}

/// Sends every request, closes stdin, and returns the responses in order plus the exit status.
fn run(requests: &[Value]) -> (Vec<Value>, std::process::ExitStatus) {
    let mut child = spawn_sidecar();
    let mut stdin = child.stdin.take().unwrap();
    for r in requests {
        let line = if let Some(raw) = r.as_str() { raw.to_owned() } else { r.to_string() };
        writeln!(stdin, "{line}").unwrap();
    }
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let mut out = Vec::new();
    for line in stdout.lines().map_while(Result::ok) {
        out.push(serde_json::from_str::<Value>(&line).expect("stdout carries only JSON lines"));
        if out.len() == requests.len() {
            break;
        }
    }
    drop(stdin); // orphan rule: EOF on stdin ends the process
    (out, child.wait().unwrap())
}

fn by_id<'a>(responses: &'a [Value], id: &str) -> &'a Value {
    responses.iter().find(|r| r["id"] == id).unwrap_or_else(|| panic!("no response {id}"))
}

#[test]
fn methods_answer_within_their_schemas() {
    let doc = "# Guide\n\n## Setup\ntext <b>x</b>\n";
    let (responses, status) = run(&[
        json!({"id": "1", "method": "markdown/outline", "params": {"text": doc}}),
        json!({"id": "2", "method": "markdown/render", "params": {"text": doc}}),
        json!({"id": "3", "method": "$/describe", "params": {}}),
    ]);
    assert!(status.success());
    let outline = &by_id(&responses, "1")["result"];
    assert_schema("outline.result", outline);
    assert_eq!(outline["headings"][1], json!({"level": 2, "text": "Setup", "line": 3, "id": "setup"}));
    let html = &by_id(&responses, "2")["result"];
    assert_schema("render.result", html);
    assert!(html["html"].as_str().unwrap().contains("&lt;b&gt;x&lt;/b&gt;"));
    let describe = &by_id(&responses, "3")["result"];
    assert_eq!(describe["name"], "markdown");
    assert_eq!(describe["methods"], json!(["markdown/outline", "markdown/render"]));
}

#[test]
fn bad_input_gets_protocol_errors_and_the_sidecar_keeps_serving() {
    let (responses, status) = run(&[
        json!("this is not json"),
        json!({"id": "a", "method": "markdown/outline", "params": {"txt": "typo"}}),
        json!({"id": "b", "method": "markdown/nope", "params": {}}),
        json!({"id": "c", "method": "$/ping", "params": {}}),
    ]);
    assert!(status.success());
    assert_eq!(responses[0]["error"]["code"], "PARSE_ERROR");
    assert_eq!(by_id(&responses, "a")["error"]["code"], "INVALID_PARAMS");
    assert_eq!(by_id(&responses, "b")["error"]["code"], "METHOD_NOT_FOUND");
    assert_eq!(by_id(&responses, "c")["result"], json!({}));
}

#[test]
fn params_schemas_agree_with_what_the_binary_accepts() {
    assert_schema("outline.params", &json!({"text": "# x"}));
    assert_schema("render.params", &json!({"text": "# x", "allowHtml": true}));
}

/// Sends `requests`, then reads lines until every request with an id has its final response;
/// returns every line in arrival order.
fn run_until_answered(requests: &[Value]) -> Vec<Value> {
    let mut child = spawn_sidecar();
    let mut stdin = child.stdin.take().unwrap();
    for r in requests {
        writeln!(stdin, "{r}").unwrap();
    }
    let mut open: Vec<&str> = requests.iter().filter_map(|r| r["id"].as_str()).collect();
    let mut out = Vec::new();
    for line in BufReader::new(child.stdout.take().unwrap()).lines().map_while(Result::ok) {
        let v: Value = serde_json::from_str(&line).expect("stdout carries only JSON lines");
        if v.get("partial").is_none() {
            open.retain(|id| v["id"] != *id);
        }
        out.push(v);
        if open.is_empty() {
            break;
        }
    }
    drop(stdin);
    assert!(child.wait().unwrap().success());
    out
}

#[test]
fn a_streamed_outline_sends_chunks_in_order_that_add_up_to_the_whole_outline() {
    let doc: String = (0..300).map(|i| format!("## Part {i}\n\ntext\n\n")).collect();
    let lines = run_until_answered(&[
        json!({"id": "s", "method": "markdown/outline", "params": {"text": doc}, "stream": true}),
        json!({"id": "d", "method": "$/describe", "params": {}}),
    ]);
    let streamed: Vec<&Value> = lines.iter().filter(|l| l["id"] == "s").collect();
    let (last, chunks) = streamed.split_last().unwrap();
    assert!(chunks.len() >= 2, "300 headings come in several chunks: {}", chunks.len());
    let mut headings = Vec::new();
    for c in chunks {
        assert_eq!(c["ok"], true);
        assert_schema("outline.partial", &c["partial"]);
        headings.extend(c["partial"]["headings"].as_array().unwrap().iter().cloned());
    }
    assert_schema("outline.result", &last["result"]);
    headings.extend(last["result"]["headings"].as_array().unwrap().iter().cloned());
    let texts: Vec<String> = headings.iter().map(|h| h["text"].as_str().unwrap().to_owned()).collect();
    assert_eq!(texts, (0..300).map(|i| format!("Part {i}")).collect::<Vec<_>>());
    let describe = &lines.iter().find(|l| l["id"] == "d").unwrap()["result"];
    assert_eq!(describe["streams"], json!(["markdown/outline"]));

    // Not asked to stream: one answer with every heading (the positive control for the above).
    let plain = run_until_answered(&[json!({"id": "p", "method": "markdown/outline", "params": {"text": doc}})]);
    assert_eq!(plain.len(), 1);
    assert_eq!(plain[0]["result"]["headings"].as_array().unwrap().len(), 300);
}
