//! The message shapes of the wire contract (requests, responses, partial answers of streamed
//! requests, events) and their JSON encoding. Payloads (`params`,
//! `result`, `data`) are kept as already-encoded JSON ([`RawValue`]) so a request's params are
//! decoded once, straight into the handler's own type, and a result is encoded once, on the
//! worker thread that produced it, instead of twice through `serde_json::Value`.

use serde::{Deserialize, Serialize};
use serde_json::value::{to_raw_value, RawValue};

use crate::{Error, Result};

/// Wire error codes the protocol layer itself produces. Sidecars add their own codes.
pub mod codes {
    /// The line was not valid JSON (or not UTF-8).
    pub const PARSE_ERROR: &str = "PARSE_ERROR";
    /// Valid JSON that is not a request: an array, no `method`, wrong field types, too long.
    pub const INVALID_REQUEST: &str = "INVALID_REQUEST";
    /// No handler is registered for the method.
    pub const METHOD_NOT_FOUND: &str = "METHOD_NOT_FOUND";
    /// The params did not match the method's parameter type.
    pub const INVALID_PARAMS: &str = "INVALID_PARAMS";
    /// The request was cancelled with `$/cancel` before it finished.
    pub const CANCELLED: &str = "CANCELLED";
    /// The handler failed unexpectedly (for example it panicked).
    pub const INTERNAL: &str = "INTERNAL";
}

/// The `error` member of a failed response: a string code, a human message, optional data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseError {
    /// A stable, machine-readable code such as `NOT_FOUND` (see [`codes`]).
    pub code: String,
    /// A sentence for humans; never parsed by the caller.
    pub message: String,
    /// Optional structured details.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<serde_json::Value>,
}

impl ResponseError {
    /// An error with a code and message and no data.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        ResponseError { code: code.into(), message: message.into(), data: None }
    }

    /// Attaches structured data to the error.
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = Some(data);
        self
    }
}

impl std::fmt::Display for ResponseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code, self.message)
    }
}

impl std::error::Error for ResponseError {}

/// A call from main: `{"id", "method", "params"}`, plus `"stream": true` when it asks for
/// partial answers.
#[derive(Debug, Clone, Serialize)]
pub struct Request {
    /// The caller's id, echoed in the response.
    pub id: String,
    /// The method name, e.g. `workspace/readFile`.
    pub method: String,
    /// The params object, still encoded.
    pub params: Box<RawValue>,
    /// Whether the caller asked for partial answers before the final one.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub stream: bool,
}

impl Request {
    /// Builds a request, encoding `params` (which should serialize to a JSON object).
    pub fn new(id: impl Into<String>, method: impl Into<String>, params: &impl Serialize) -> Result<Self> {
        Ok(Request {
            id: id.into(),
            method: method.into(),
            params: to_raw_value(params).map_err(Error::Encode)?,
            stream: false,
        })
    }

    /// The same request, asking for partial answers (`"stream": true`).
    pub fn streamed(mut self) -> Self {
        self.stream = true;
        self
    }
}

/// One chunk of a streamed request's answer: `{"id", "ok": true, "partial"}`. Zero or more come
/// before the request's one final [`Response`].
#[derive(Debug, Clone)]
pub struct Partial {
    /// The request's id.
    pub id: String,
    /// The encoded chunk.
    pub partial: Box<RawValue>,
}

impl Partial {
    /// Builds a partial answer, encoding `chunk`.
    pub fn new(id: impl Into<String>, chunk: &impl Serialize) -> Result<Self> {
        Ok(Partial { id: id.into(), partial: to_raw_value(chunk).map_err(Error::Encode)? })
    }
}

impl Serialize for Partial {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("id", &self.id)?;
        map.serialize_entry("ok", &true)?;
        map.serialize_entry("partial", &self.partial)?;
        map.end()
    }
}

/// An answer to a request: `{"id", "ok": true, "result"}` or `{"id", "ok": false, "error"}`.
#[derive(Debug, Clone)]
pub struct Response {
    /// The request's id, or `None` (`null` on the wire) when the request had no usable id.
    pub id: Option<String>,
    /// The encoded result, or the error.
    pub outcome: std::result::Result<Box<RawValue>, ResponseError>,
}

impl Response {
    /// A successful response; fails only if `result`'s `Serialize` impl fails.
    pub fn ok(id: impl Into<String>, result: &impl Serialize) -> Result<Self> {
        Ok(Response { id: Some(id.into()), outcome: Ok(to_raw_value(result).map_err(Error::Encode)?) })
    }

    /// A failed response.
    pub fn err(id: Option<String>, error: ResponseError) -> Self {
        Response { id, outcome: Err(error) }
    }

    /// Decodes the result into `T`, or returns the error (or an `INTERNAL` one if `T` does not fit).
    pub fn into_result<T: serde::de::DeserializeOwned>(self) -> std::result::Result<T, ResponseError> {
        let raw = self.outcome?;
        serde_json::from_str(raw.get()).map_err(|e| ResponseError::new(codes::INTERNAL, e.to_string()))
    }
}

impl Serialize for Response {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(3))?;
        map.serialize_entry("id", &self.id)?;
        match &self.outcome {
            Ok(result) => {
                map.serialize_entry("ok", &true)?;
                map.serialize_entry("result", result)?;
            }
            Err(error) => {
                map.serialize_entry("ok", &false)?;
                map.serialize_entry("error", error)?;
            }
        }
        map.end()
    }
}

/// An unsolicited notification from the sidecar: `{"event", "data"}`.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    /// The event name, e.g. `workspace/didChange`.
    pub event: String,
    /// The encoded payload.
    pub data: Box<RawValue>,
}

impl Event {
    /// Builds an event, encoding `data`.
    pub fn new(event: impl Into<String>, data: &impl Serialize) -> Result<Self> {
        Ok(Event { event: event.into(), data: to_raw_value(data).map_err(Error::Encode)? })
    }
}

/// Any line on the wire.
#[derive(Debug, Clone)]
pub enum Message {
    /// A call.
    Request(Request),
    /// An answer.
    Response(Response),
    /// A chunk of a streamed answer.
    Partial(Partial),
    /// A notification.
    Event(Event),
}

impl Message {
    /// Appends the message's JSON encoding and a newline to `out`.
    pub fn write_line(&self, out: &mut Vec<u8>) {
        // Writing into a Vec cannot fail with an I/O error, and encoding cannot fail either
        // (see `write_to`).
        self.write_to(out).expect("encoding a message into memory cannot fail");
    }

    /// Writes the message's JSON encoding and a newline to `out`. Encoding itself cannot fail:
    /// every payload is already valid JSON and every other field is a string or a plain struct,
    /// so only `out`'s own I/O errors are returned.
    pub fn write_to(&self, mut out: impl std::io::Write) -> std::io::Result<()> {
        let res = match self {
            Message::Request(m) => serde_json::to_writer(&mut out, m),
            Message::Response(m) => serde_json::to_writer(&mut out, m),
            Message::Partial(m) => serde_json::to_writer(&mut out, m),
            Message::Event(m) => serde_json::to_writer(&mut out, m),
        };
        res.map_err(std::io::Error::from)?;
        out.write_all(b"\n")
    }
}

impl From<Request> for Message {
    fn from(m: Request) -> Self {
        Message::Request(m)
    }
}

impl From<Response> for Message {
    fn from(m: Response) -> Self {
        Message::Response(m)
    }
}

impl From<Partial> for Message {
    fn from(m: Partial) -> Self {
        Message::Partial(m)
    }
}

impl From<Event> for Message {
    fn from(m: Event) -> Self {
        Message::Event(m)
    }
}
