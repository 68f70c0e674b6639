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
    /// A connection setting could not be used; `origin` says where it came from (`--dsn`,
    /// `LOCKSCOPE_DSN`, an option file, the password prompt).
    BadConnectionSetting { origin: String, reason: String },
    /// Live mode could not connect (refused, no answer, login denied, TLS). `dsn` is redacted.
    ServerUnreachable { dsn: String, reason: String },
    /// The server refused a statement live mode needs, or gave no answer to it. `dsn` is
    /// redacted; `reason` names the statement (and the privilege it needs).
    ServerRefused { dsn: String, reason: String },
    /// `lab <scenario>` was run without `--dsn` (lab never picks a server by itself).
    LabNoDsn,
    /// `lab <scenario>` named no scenario.
    UnknownScenario { id: String },
    /// The database `lab` was told to use exists and was not created by lab (no marker), or
    /// its marker no longer holds this run's token.
    LabForeignDatabase { database: String },
    /// Ctrl-C stopped a lab run; `dropped` says whether its scratch database was dropped.
    LabInterrupted { database: String, dropped: bool },
    /// The async runtime for `lab` could not start.
    LabRuntime { source: io::Error },
    /// `lab locks` was given statements it will not send, or flags that belong to it were
    /// given to a scenario; `reason` names the file, line and rule.
    LabStatements { reason: String },
    /// `--baseline` named a file that is not a baseline (or cannot be read).
    BadBaseline { path: PathBuf, reason: String },
}

impl Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::UnreadableInput { .. }
            | Error::NothingReadable { .. }
            | Error::UnknownPattern { .. }
            | Error::UnreadableLockLine { .. }
            | Error::Output { .. }
            | Error::BadConnectionSetting { .. }
            | Error::LabNoDsn
            | Error::UnknownScenario { .. }
            | Error::LabForeignDatabase { .. }
            | Error::LabRuntime { .. }
            | Error::LabStatements { .. }
            | Error::BadBaseline { .. } => 2,
            Error::LabInterrupted { .. } => 130,
            Error::ServerUnreachable { .. } | Error::ServerRefused { .. } => 3,
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
            Error::BadConnectionSetting { origin, reason } => write!(f, "{origin}: {reason}"),
            Error::ServerUnreachable { dsn, reason } => {
                write!(f, "cannot connect to `{dsn}`: {reason}")
            }
            Error::ServerRefused { dsn, reason } => write!(f, "`{dsn}`: {reason}"),
            Error::LabNoDsn => write!(
                f,
                "`lab` runs only on a server named with `--dsn` (e.g. `--dsn \
                 mysql://root@127.0.0.1:3306`); it creates and drops its own database there"
            ),
            Error::UnknownScenario { id } => {
                write!(f, "unknown scenario `{id}` (see `lockscope lab list`)")
            }
            Error::LabForeignDatabase { database } => write!(
                f,
                "database `{database}` exists and was not created by this lab run (no \
                 `_lockscope_lab` marker with its token): lab never writes to it; choose \
                 another with `--database`"
            ),
            Error::LabInterrupted { database, dropped } => write!(
                f,
                "interrupted; scratch database `{database}` {}",
                if *dropped { "dropped" } else { "left in place" }
            ),
            Error::LabRuntime { source } => write!(f, "cannot start the lab runtime: {source}"),
            Error::LabStatements { reason } => write!(f, "{reason}"),
            Error::BadBaseline { path, reason } => {
                write!(f, "baseline `{}`: {reason}", path.display())
            }
        }
    }
}

impl std::error::Error for Error {}
