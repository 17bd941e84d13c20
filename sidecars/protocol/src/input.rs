//! The reading half of the transport: [`read_messages`] frames and classifies incoming lines,
//! answering framing failures (`PARSE_ERROR`, `INVALID_REQUEST`, over-long lines) itself so the
//! dispatcher only ever sees well-formed messages.

use std::io::{BufReader, Read};

use crate::framing::{read_line, Line};
use crate::msg::{codes, Message, Response, ResponseError};
use crate::outbox::Outbox;
use crate::{Error, Result};

/// Default limit for one incoming line: 64 MiB, as the protocol document specifies.
pub const DEFAULT_MAX_LINE_BYTES: usize = 64 * 1024 * 1024;

/// Size of the input buffer; big enough that pipelined requests are framed in few reads.
pub(crate) const READ_BUFFER: usize = 64 * 1024;

/// Transport options.
#[derive(Debug, Clone, Copy)]
pub struct IoOptions {
    /// Lines longer than this many bytes are discarded and answered with `INVALID_REQUEST`.
    pub max_line_bytes: usize,
}

impl Default for IoOptions {
    fn default() -> Self {
        IoOptions { max_line_bytes: DEFAULT_MAX_LINE_BYTES }
    }
}

/// Reads lines until end of input (`Ok`), a read error, or `deliver` returning `false`.
/// Each well-formed message goes to `deliver`; each framing failure is answered on `answer`.
/// Before each line, `more_input` learns whether a complete line is already buffered, i.e.
/// whether the next read will return without blocking (output may wait for it to be handled).
pub(crate) fn read_messages<R: Read>(
    input: &mut BufReader<R>,
    opts: IoOptions,
    answer: &Outbox,
    mut deliver: impl FnMut(Message) -> bool,
    mut more_input: impl FnMut(bool),
) -> Result<()> {
    let mut line = Vec::new();
    loop {
        more_input(input.buffer().contains(&b'\n'));
        let framed =
            read_line(input, opts.max_line_bytes, &mut line).map_err(|source| Error::Io { stream: "input", source })?;
        let parsed = match framed {
            None => return Ok(()),
            // Blank lines carry no message; tolerating them costs nothing and helps humans.
            Some(Line::Complete) if line.iter().all(u8::is_ascii_whitespace) => continue,
            Some(Line::Complete) => Message::parse(&line),
            Some(Line::TooLong { len }) => Err(Box::new(Response::err(
                None,
                ResponseError::new(
                    codes::INVALID_REQUEST,
                    format!("line of {len} bytes exceeds the limit of {} bytes", opts.max_line_bytes),
                )
                .with_data(serde_json::json!({ "limit": opts.max_line_bytes, "length": len })),
            ))),
        };
        let go_on = match parsed {
            Ok(msg) => deliver(msg),
            Err(reply) => answer.send(Message::Response(*reply)),
        };
        if !go_on {
            return Ok(());
        }
    }
}
