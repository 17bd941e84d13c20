//! Command-line arguments of `skaffa-workspace`. Parsed with `lexopt`, which handles the GNU
//! conventions (`--flag value`, `--flag=value`, `--`) without pulling in a full CLI framework;
//! the sidecar has six options and no subcommands, so a declarative parser would be overkill.

use std::ffi::OsString;
use std::fmt;
use std::path::PathBuf;

/// Default for `--max-file-size` and for `workspace/readFile`'s `maxBytes`: 50 MiB.
pub const DEFAULT_MAX_FILE_SIZE: u64 = 50 * 1024 * 1024;

/// The usage line printed with argument errors.
pub const USAGE: &str =
    "usage: skaffa-workspace --root <DIR> [--exclude <GLOB>]... [--no-ignore] [--max-file-size <BYTES>] [--max-watches <N>] [--cache-dir <DIR>]";

/// Parsed command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Args {
    /// The workspace folder, as given (not yet canonicalized).
    pub root: PathBuf,
    /// Extra gitignore-style globs to leave out of the workspace view.
    pub excludes: Vec<String>,
    /// Whether `.gitignore`/`.ignore` files are disregarded.
    pub no_ignore: bool,
    /// The largest file `workspace/readFile` returns, in bytes.
    pub max_file_size: u64,
    /// `--max-watches`: at most this many OS watches (Linux); past it the index reports the limit
    /// in `workspace/status` and rescans on a schedule, as when the system runs out of watches.
    pub max_watches: Option<usize>,
    /// `--cache-dir`: the folder for the index snapshot that lets a restart start warm (one
    /// subfolder per root); none means every start scans from scratch.
    pub cache_dir: Option<PathBuf>,
}

/// A command line that cannot be used; the message says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ArgsError(String);

impl fmt::Display for ArgsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{USAGE}", self.0)
    }
}

impl std::error::Error for ArgsError {}

impl From<lexopt::Error> for ArgsError {
    fn from(e: lexopt::Error) -> Self {
        ArgsError(e.to_string())
    }
}

impl Args {
    /// Parses the process's own arguments.
    pub fn from_env() -> Result<Args, ArgsError> {
        Args::parse(lexopt::Parser::from_env())
    }

    /// Parses `args` (without the program name); used by tests.
    pub fn from_args(args: impl IntoIterator<Item = impl Into<OsString>>) -> Result<Args, ArgsError> {
        Args::parse(lexopt::Parser::from_args(args))
    }

    fn parse(mut parser: lexopt::Parser) -> Result<Args, ArgsError> {
        use lexopt::Arg::Long;
        let mut root = None;
        let mut excludes = Vec::new();
        let mut no_ignore = false;
        let mut max_file_size = DEFAULT_MAX_FILE_SIZE;
        let mut max_watches = None;
        let mut cache_dir = None;
        while let Some(arg) = parser.next()? {
            match arg {
                Long("root") => root = Some(PathBuf::from(parser.value()?)),
                Long("exclude") => {
                    // Globs travel inside JSON-facing rules, so they must be text.
                    let glob = parser
                        .value()?
                        .into_string()
                        .map_err(|v| ArgsError(format!("--exclude {v:?} is not UTF-8")))?;
                    excludes.push(glob);
                }
                Long("no-ignore") => no_ignore = true,
                Long("max-file-size") => {
                    let v = parser.value()?;
                    max_file_size = v
                        .to_str()
                        .and_then(|s| s.parse::<u64>().ok())
                        .ok_or_else(|| ArgsError(format!("--max-file-size {v:?} is not a number of bytes")))?;
                }
                Long("max-watches") => {
                    let v = parser.value()?;
                    let n = v.to_str().and_then(|s| s.parse::<usize>().ok());
                    max_watches = Some(n.ok_or_else(|| ArgsError(format!("--max-watches {v:?} is not a number")))?);
                }
                Long("cache-dir") => cache_dir = Some(PathBuf::from(parser.value()?)),
                other => return Err(other.unexpected().into()),
            }
        }
        let root = root.ok_or_else(|| ArgsError("missing --root <DIR>".into()))?;
        Ok(Args { root, excludes, no_ignore, max_file_size, max_watches, cache_dir })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_option() {
        let a = Args::from_args([
            "--root",
            "/w",
            "--exclude",
            "a/**",
            "--exclude=b",
            "--no-ignore",
            "--max-file-size",
            "10",
            "--max-watches",
            "3",
            "--cache-dir",
            "/c",
        ])
        .unwrap();
        let excludes = vec!["a/**".into(), "b".into()];
        let want = Args {
            root: "/w".into(),
            excludes,
            no_ignore: true,
            max_file_size: 10,
            max_watches: Some(3),
            cache_dir: Some("/c".into()),
        };
        assert_eq!(a, want);
        assert_eq!(Args::from_args(["--root=/x"]).unwrap().max_file_size, DEFAULT_MAX_FILE_SIZE);
    }

    #[test]
    fn refuses_bad_command_lines() {
        assert!(Args::from_args(Vec::<String>::new()).unwrap_err().to_string().contains("missing --root"));
        assert!(Args::from_args(["--root", "/w", "--max-file-size", "big"]).is_err());
        assert!(Args::from_args(["--root", "/w", "--max-watches", "-1"]).is_err());
        assert!(Args::from_args(["--root", "/w", "--frobnicate"]).is_err());
        assert!(Args::from_args(["--root"]).is_err());
    }
}
