//! The command line: `skaffa-typescript --root DIR`. One option, so lexopt is enough.

use std::path::PathBuf;

/// Parsed command line.
pub struct Args {
    /// The workspace root to analyse.
    pub root: PathBuf,
}

impl Args {
    /// Parses the process's arguments; the message says what is wrong.
    pub fn from_env() -> Result<Args, String> {
        Self::parse(lexopt::Parser::from_env())
    }

    fn parse(mut parser: lexopt::Parser) -> Result<Args, String> {
        use lexopt::prelude::*;
        let mut root = None;
        while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
            match arg {
                Long("root") => root = Some(PathBuf::from(parser.value().map_err(|e| e.to_string())?)),
                Long("help") | Short('h') => return Err("usage: skaffa-typescript --root DIR".to_owned()),
                other => return Err(other.unexpected().to_string()),
            }
        }
        Ok(Args { root: root.ok_or("--root DIR is required")? })
    }
}
