//! Classification of one incoming line, following the wire contract's rules: not UTF-8 or not
//! JSON is `PARSE_ERROR` with a `null` id; valid JSON that is not a well-formed message (an array,
//! no `method`, a non-string id or method, non-object params) is `INVALID_REQUEST`, carrying the
//! line's id when it is a string so the caller can still match the failure to its call.

use serde::de::IgnoredAny;
use serde::Deserialize;
use serde_json::value::RawValue;

use crate::msg::{codes, Event, Message, Partial, Request, Response, ResponseError};

/// Every member any message may have, borrowed from the line so classification allocates little.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow, default)]
    id: Option<&'a RawValue>,
    #[serde(borrow, default)]
    method: Option<&'a RawValue>,
    #[serde(borrow, default)]
    params: Option<&'a RawValue>,
    #[serde(default)]
    ok: Option<bool>,
    #[serde(borrow, default)]
    stream: Option<&'a RawValue>,
    #[serde(borrow, default)]
    result: Option<&'a RawValue>,
    #[serde(borrow, default)]
    partial: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<ResponseError>,
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
}

/// Decodes a raw JSON value as a string, or `None` if it is anything else.
fn as_string(raw: Option<&RawValue>) -> Option<String> {
    raw.and_then(|r| serde_json::from_str::<String>(r.get()).ok())
}

fn invalid(id: Option<String>, message: impl Into<String>) -> Box<Response> {
    Box::new(Response::err(id, ResponseError::new(codes::INVALID_REQUEST, message)))
}

/// See [`Message::parse`].
pub(crate) fn parse_line(line: &[u8]) -> Result<Message, Box<Response>> {
    let text = std::str::from_utf8(line).map_err(|e| {
        Box::new(Response::err(None, ResponseError::new(codes::PARSE_ERROR, format!("line is not valid UTF-8: {e}"))))
    })?;
    let env: Envelope = match serde_json::from_str(text) {
        Ok(env) => env,
        Err(shape_err) => {
            // Telling "not JSON" from "JSON of the wrong shape" needs a second, cheap pass.
            return Err(match serde_json::from_str::<IgnoredAny>(text) {
                Err(e) => {
                    Box::new(Response::err(None, ResponseError::new(codes::PARSE_ERROR, format!("invalid JSON: {e}"))))
                }
                Ok(_) => invalid(None, format!("not a message object: {shape_err}")),
            });
        }
    };
    let id = as_string(env.id);
    if let Some(method) = env.method {
        let method = as_string(Some(method)).ok_or_else(|| invalid(id.clone(), "`method` must be a string"))?;
        let id = id.ok_or_else(|| invalid(None, "a request needs a string `id`"))?;
        let params = match env.params {
            // A missing or null params member means "no params"; handlers then see `{}`.
            None => RawValue::from_string("{}".to_owned()).expect("`{}` is valid JSON"),
            Some(p) if p.get().starts_with('{') => p.to_owned(),
            Some(_) => return Err(invalid(Some(id), "`params` must be an object")),
        };
        let stream = match env.stream.map(RawValue::get) {
            None | Some("false") | Some("null") => false,
            Some("true") => true,
            Some(_) => return Err(invalid(Some(id), "`stream` must be a boolean")),
        };
        return Ok(Message::Request(Request { id, method, params, stream }));
    }
    if let Some(event) = env.event {
        let event = as_string(Some(event)).ok_or_else(|| invalid(id.clone(), "`event` must be a string"))?;
        let data = env.data.map(|d| d.to_owned()).unwrap_or_else(null);
        return Ok(Message::Event(Event { event, data }));
    }
    match env.ok {
        Some(true) if env.partial.is_some() => {
            if env.result.is_some() {
                return Err(invalid(id, "a message carries both `partial` and `result`"));
            }
            let id = id.ok_or_else(|| invalid(None, "a partial answer needs a string `id`"))?;
            Ok(Message::Partial(Partial { id, partial: env.partial.map(|p| p.to_owned()).unwrap_or_else(null) }))
        }
        Some(true) => {
            let result = env.result.map(|r| r.to_owned()).unwrap_or_else(null);
            Ok(Message::Response(Response { id, outcome: Ok(result) }))
        }
        Some(false) => {
            let error = env.error.ok_or_else(|| invalid(id.clone(), "a failed response needs an `error`"))?;
            Ok(Message::Response(Response { id, outcome: Err(error) }))
        }
        None => Err(invalid(id, "not a request: no `method`")),
    }
}

fn null() -> Box<RawValue> {
    RawValue::from_string("null".to_owned()).expect("`null` is valid JSON")
}

// Decoding lives here, beside the rules it applies, so `msg` (the types) never depends on
// `parse` (the classification) and the two modules form no cycle.
impl Message {
    /// Decodes one line, classifying it as the wire contract requires. On failure returns the
    /// error response to send back (with the request's id when it had a string id), boxed because
    /// it is rare and much larger than a message handle.
    pub fn parse(line: &[u8]) -> std::result::Result<Message, Box<Response>> {
        parse_line(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(line: &str) -> (Option<String>, String) {
        match parse_line(line.as_bytes()).map_err(|r| *r) {
            Err(Response { id, outcome: Err(e) }) => (id, e.code),
            other => panic!("expected an error for {line:?}, got {other:?}"),
        }
    }

    #[test]
    fn classifies_bad_lines() {
        assert_eq!(err_of("{not json"), (None, "PARSE_ERROR".into()));
        assert_eq!(err_of("[1,2]"), (None, "INVALID_REQUEST".into()));
        assert_eq!(err_of(r#"{"id":"a"}"#), (Some("a".into()), "INVALID_REQUEST".into()));
        assert_eq!(err_of(r#"{"id":7,"method":"m"}"#), (None, "INVALID_REQUEST".into()));
        assert_eq!(err_of(r#"{"id":"b","method":3}"#), (Some("b".into()), "INVALID_REQUEST".into()));
        assert_eq!(err_of(r#"{"id":"c","method":"m","params":[1]}"#), (Some("c".into()), "INVALID_REQUEST".into()));
        assert_eq!(err_of("\"str\""), (None, "INVALID_REQUEST".into()));
    }

    #[test]
    fn parses_requests_with_and_without_params() {
        let Ok(Message::Request(r)) = parse_line(br#"{"id":"1","method":"m","params":{"a":1}}"#) else {
            panic!("expected a request")
        };
        assert_eq!((r.id.as_str(), r.method.as_str(), r.params.get()), ("1", "m", r#"{"a":1}"#));
        let Ok(Message::Request(r)) = parse_line(br#"{"id":"2","method":"m"}"#) else { panic!("expected a request") };
        assert_eq!((r.params.get(), r.stream), ("{}", false));
        let Ok(Message::Request(r)) = parse_line(br#"{"id":"3","method":"m","stream":true}"#) else { panic!() };
        assert!(r.stream);
        assert_eq!(err_of(r#"{"id":"4","method":"m","stream":"yes"}"#), (Some("4".into()), "INVALID_REQUEST".into()));
    }

    #[test]
    fn round_trips_partial_answers() {
        let mut line = Vec::new();
        Message::Partial(Partial::new("5", &serde_json::json!({"n": 1})).unwrap()).write_line(&mut line);
        assert_eq!(line, b"{\"id\":\"5\",\"ok\":true,\"partial\":{\"n\":1}}\n");
        let Ok(Message::Partial(p)) = parse_line(&line[..line.len() - 1]) else { panic!("expected a partial") };
        assert_eq!((p.id.as_str(), p.partial.get()), ("5", r#"{"n":1}"#));
        assert_eq!(
            err_of(r#"{"id":"6","ok":true,"partial":1,"result":2}"#),
            (Some("6".into()), "INVALID_REQUEST".into())
        );
    }

    #[test]
    fn round_trips_responses_and_events() {
        let mut line = Vec::new();
        Message::Response(Response::ok("9", &serde_json::json!({"x": [1]})).unwrap()).write_line(&mut line);
        assert_eq!(line, b"{\"id\":\"9\",\"ok\":true,\"result\":{\"x\":[1]}}\n");
        let Ok(Message::Response(r)) = parse_line(&line[..line.len() - 1]) else { panic!("expected a response") };
        assert_eq!(r.into_result::<serde_json::Value>().unwrap(), serde_json::json!({"x": [1]}));
        line.clear();
        Message::Event(Event::new("e", &1).unwrap()).write_line(&mut line);
        assert_eq!(line, b"{\"event\":\"e\",\"data\":1}\n");
    }
}
