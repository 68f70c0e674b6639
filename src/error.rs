//! One error type for the whole program, with its wording in one place and the documented exit
//! codes (0 analysed, 1 `--fail-on` matched, 2 bad usage or unreadable input, 3 server
//! unreachable).

use std::fmt;
use std::io;
use std::path::PathBuf;

#[derive(Debug)]
pub enum Error {
    /// An input file could not be opened or read.
    UnreadableInput { path: PathBuf, source: io::Error },
    /// No input held anything lockscope reads.
    NothingReadable { inputs: Vec<String> },
    /// Writing the report failed (other than a closed pipe).
    Output { source: io::Error },
    /// `patterns <id>` or `--fail-on <id>` named no catalogue entry.
    UnknownPattern { id: String },
    /// `explain` could not read the lock line.
    UnreadableLockLine { text: String },
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::UnreadableInput { .. }
            | Error::NothingReadable { .. }
            | Error::UnknownPattern { .. }
            | Error::UnreadableLockLine { .. }
            | Error::Output { .. } => 2,
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnreadableInput { path, source } => {
                write!(f, "cannot read `{}`: {source}", path.display())
            }
            Error::NothingReadable { inputs } => write!(
                f,
                "no InnoDB status, deadlock report or error log found in {}",
                inputs
                    .iter()
                    .map(|i| format!("`{i}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Error::Output { source } => write!(f, "cannot write the report: {source}"),
            Error::UnknownPattern { id } => write!(
                f,
                "unknown pattern `{id}` (see `lockscope patterns` for the catalogue)"
            ),
            Error::UnreadableLockLine { text } => write!(
                f,
                "cannot read `{text}` as a lock line (expected e.g. `lock_mode X locks rec but \
                 not gap waiting` or `X,GAP`)"
            ),
        }
    }
}

impl std::error::Error for Error {}
