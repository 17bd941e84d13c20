//! Helpers shared by the in-memory dispatcher tests: send a request over a `Connection` and read
//! the next message back as plain JSON, with a generous deadline instead of a sleep.

#![allow(dead_code)]

use std::time::Duration;

use serde_json::Value;
use skaffa_protocol::{Connection, Message, Request};

/// How long a test waits for a message before failing; slow machines only make tests slower.
pub const DEADLINE: Duration = Duration::from_secs(20);

/// Receives the next message as plain JSON, failing the test if none comes in time.
pub fn recv(conn: &Connection) -> Value {
    let msg = conn.receiver.recv_timeout(DEADLINE).expect("a message before the deadline");
    let mut line = Vec::new();
    msg.write_line(&mut line);
    serde_json::from_slice(&line).unwrap()
}

/// Sends a request without waiting for its answer.
pub fn send(conn: &Connection, id: &str, method: &str, params: Value) {
    conn.sender.send(Message::Request(Request::new(id, method, &params).unwrap())).unwrap();
}

/// Sends a request and returns the next message (its answer, in these sequential tests).
pub fn call(conn: &Connection, id: &str, method: &str, params: Value) -> Value {
    send(conn, id, method, params);
    recv(conn)
}
