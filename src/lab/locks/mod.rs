//! `lockscope lab locks`: a lock EXPLAIN. The question behind every fix is "what will this
//! statement lock?", and the server can answer it: lab creates the user's tables in its scratch
//! database, runs the statements inside a transaction of its own, reads every lock that
//! transaction holds from the server, rolls back, and prints the locks in plain words, once per
//! isolation level and, with `--after`, once per version of the statements.
//!
//! The locks come from `performance_schema.data_locks` where the server has it (MySQL 8), and
//! otherwise (MariaDB, MySQL 5.x) from the TRANSACTIONS section of `SHOW ENGINE INNODB STATUS`,
//! which lists a transaction's locks only with the global `innodb_status_output_locks` on: lab
//! turns it on for the run and puts the previous value back, also when interrupted.
//!
//! `guard` checks every statement before it is sent, `read` turns the server's answer into
//! [`read::HeldLock`]s, `render` prints them.

pub mod guard;
pub mod read;
mod render;

use std::time::Duration;

use clap::ValueEnum;
use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use serde::Serialize;

use super::scratch::{Scratch, Server};
use super::LabFormat;
use crate::error::Error;
use crate::live::queries;
use crate::live::server::driver_reason;
use crate::schema::Schema;
use guard::Vetted;
use read::Held;

/// `--isolation`: the levels to run the statements under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Isolation {
    /// REPEATABLE READ, InnoDB's default: locking reads lock gaps too
    Rr,
    /// READ COMMITTED: gap locks only for foreign-key and duplicate-key checks
    Rc,
    /// READ UNCOMMITTED (locks as READ COMMITTED)
    Ru,
    /// SERIALIZABLE: plain SELECTs become locking reads (`FOR SHARE`)
    Serializable,
}

impl Isolation {
    pub fn as_str(self) -> &'static str {
        match self {
            Isolation::Rr => "REPEATABLE READ",
            Isolation::Rc => "READ COMMITTED",
            Isolation::Ru => "READ UNCOMMITTED",
            Isolation::Serializable => "SERIALIZABLE",
        }
    }
}

/// One version of the statements: `-e` alone, or `--before` / `--after`.
#[derive(Debug, Clone)]
pub struct Group {
    /// `statements`, `before` or `after`.
    pub name: &'static str,
    pub statements: Vec<Vetted>,
}

/// A resolved `lab locks` run (`config::lab_locks`): every statement already vetted.
#[derive(Debug, Clone)]
pub struct Config {
    pub dsn: String,
    pub database: String,
    pub keep: bool,
    pub lock_wait_timeout: Duration,
    /// `--schema` then `--rows`, run before each transaction.
    pub setup: Vec<Vetted>,
    /// The text of `--schema`, to name the columns of locked records.
    pub schema_sql: String,
    pub groups: Vec<Group>,
    pub isolations: Vec<Isolation>,
}

/// Where the locks were read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// `performance_schema.data_locks`.
    DataLocks,
    /// The TRANSACTIONS section of `SHOW ENGINE INNODB STATUS`.
    InnodbStatus,
}

/// Everything `lab locks` found: the JSON document of `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct LocksReport {
    pub schema_version: u32,
    /// The server, without its password.
    pub server: String,
    /// Its version, as `VERSION()` and `@@version_comment` tell.
    pub version: String,
    pub database: String,
    pub source: Source,
    /// `innodb_status_output_locks` before the run (put back after it), when lab read the
    /// status output.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status_output_locks_was: Option<String>,
    pub groups: Vec<GroupReport>,
}

/// The runs of one version of the statements.
#[derive(Debug, Clone, Serialize)]
pub struct GroupReport {
    pub name: &'static str,
    pub statements: Vec<String>,
    pub runs: Vec<Run>,
}

/// The statements under one isolation level.
#[derive(Debug, Clone, Serialize)]
pub struct Run {
    pub isolation: &'static str,
    /// Statements the server refused (a duplicate key, say); the locks they took are kept
    /// until the rollback and are listed with the others.
    pub errors: Vec<StatementError>,
    #[serde(flatten)]
    pub held: Held,
}

#[derive(Debug, Clone, Serialize)]
pub struct StatementError {
    pub statement: String,
    pub error: String,
}

/// `lockscope lab locks`: exit 0 when every run read its locks.
pub async fn run(config: &Config, format: LabFormat) -> Result<u8, Error> {
    let report = explain(config).await?;
    super::print(&match format {
        LabFormat::Text => render::text(&report, crate::live::terminal_width().into()),
        LabFormat::Json => render::json(&report),
    })?;
    Ok(0)
}

/// Runs every group under every isolation level in a new scratch database, dropped after
/// (unless `keep`).
pub async fn explain(config: &Config) -> Result<LocksReport, Error> {
    let server = Server::parse(&config.dsn)?;
    let (mut admin, info) = server
        .connect_described(None, config.lock_wait_timeout)
        .await?;
    let source = if info.has("performance_schema.data_locks") {
        Source::DataLocks
    } else {
        Source::InnodbStatus
    };
    let scratch = Scratch::create(&mut admin, &server, &config.database, "locks").await?;
    let was = match source {
        Source::DataLocks => None,
        Source::InnodbStatus => match print_locks_on(&mut admin, &server).await {
            Ok(previous) => Some(previous),
            Err(e) => return super::clean_up(&server, scratch, admin, Some(Err(e)), false).await,
        },
    };
    let ran = tokio::select! {
        ran = run_groups(&server, &scratch, config, &mut admin, source) => Some(ran),
        _ = tokio::signal::ctrl_c() => None,
    };
    if let Some(previous) = &was {
        restore(&server, previous, ran.is_none()).await;
    }
    let groups = super::clean_up(&server, scratch, admin, ran, config.keep).await?;
    Ok(LocksReport {
        schema_version: 1,
        server: server.label.clone(),
        version: info.to_string(),
        database: config.database.clone(),
        source,
        status_output_locks_was: was,
        groups,
    })
}

/// Turns `innodb_status_output_locks` on, returning the value it had. Two `lab locks` runs at
/// once would each restore the setting under the other's feet: a named lock (`GET_LOCK`, held by
/// `admin` until it disconnects) makes the second one wait for the first.
async fn print_locks_on(admin: &mut Conn, server: &Server) -> Result<String, Error> {
    let got: Option<Option<u8>> = admin
        .query_first("SELECT GET_LOCK('lockscope.lab-locks', 60)")
        .await
        .map_err(|e| server.refused("waiting for another `lab locks` run to end", &e))?;
    if got.flatten() != Some(1) {
        return Err(Error::ServerRefused {
            dsn: server.label.clone(),
            reason: "another `lab locks` run has held this server for a minute; try again when \
                     it is done"
                .to_string(),
        });
    }
    let previous: Option<String> = admin
        .query_first("SELECT @@GLOBAL.innodb_status_output_locks")
        .await
        .map_err(|e| server.refused("reading innodb_status_output_locks", &e))?;
    let previous = match previous.as_deref() {
        Some("1" | "ON") => "ON",
        _ => "OFF",
    };
    if previous == "OFF" {
        admin
            .query_drop("SET GLOBAL innodb_status_output_locks = ON")
            .await
            .map_err(|e| {
                server.refused(
                    "turning innodb_status_output_locks on (it needs SUPER or \
                     SYSTEM_VARIABLES_ADMIN; without it the status output lists no locks)",
                    &e,
                )
            })?;
    }
    Ok(previous.to_string())
}

/// Puts `innodb_status_output_locks` back, on a fresh session when the run was interrupted.
/// A failure is said on stderr: the setting is global, the user must know it stayed on.
async fn restore(server: &Server, previous: &str, interrupted: bool) {
    if previous == "ON" {
        return;
    }
    let result = async {
        let mut conn = server.connect(None, Duration::from_secs(2)).await?;
        let set = conn
            .query_drop("SET GLOBAL innodb_status_output_locks = OFF")
            .await
            .map_err(|e| server.refused("setting innodb_status_output_locks back to OFF", &e));
        let _ = conn.disconnect().await;
        set
    }
    .await;
    if let Err(e) = result {
        let when = if interrupted { " after Ctrl-C" } else { "" };
        eprintln!("warning: innodb_status_output_locks is still ON{when}: {e}");
    }
}

async fn run_groups(
    server: &Server,
    scratch: &Scratch,
    config: &Config,
    admin: &mut Conn,
    source: Source,
) -> Result<Vec<GroupReport>, Error> {
    let mut schema = Schema::default();
    schema.add_sql(&config.schema_sql, Some(&scratch.name));
    let setup: Vec<&str> = config.setup.iter().map(|s| s.text.as_str()).collect();
    let mut groups = Vec::new();
    for group in &config.groups {
        let mut runs = Vec::new();
        for &isolation in &config.isolations {
            scratch
                .load_statements(admin, "the schema and rows", setup.iter().copied())
                .await?;
            let run = run_one(server, scratch, config, group, isolation, source, &schema).await?;
            runs.push(run);
        }
        groups.push(GroupReport {
            name: group.name,
            statements: group.statements.iter().map(|s| s.text.clone()).collect(),
            runs,
        });
    }
    Ok(groups)
}

/// One transaction: the group's statements under `isolation`, its locks read, rolled back.
async fn run_one(
    server: &Server,
    scratch: &Scratch,
    config: &Config,
    group: &Group,
    isolation: Isolation,
    source: Source,
    schema: &Schema,
) -> Result<Run, Error> {
    let mut session = server
        .connect(Some(&scratch.name), config.lock_wait_timeout)
        .await?;
    let begin = [
        format!(
            "SET SESSION TRANSACTION ISOLATION LEVEL {}",
            isolation.as_str()
        ),
        "START TRANSACTION".to_string(),
    ];
    for statement in &begin {
        session
            .query_drop(statement)
            .await
            .map_err(|e| server.refused("starting the transaction", &e))?;
    }
    let mut errors = Vec::new();
    for statement in &group.statements {
        if let Err(e) = session.query_drop(&statement.text).await {
            if matches!(e, mysql_async::Error::Server(_)) {
                errors.push(StatementError {
                    statement: statement.text.clone(),
                    error: driver_reason(&e),
                });
            } else {
                return Err(server.refused("running the statements", &e));
            }
        }
    }
    let held = read_locks(&mut session, server, source, schema).await;
    let _ = session.query_drop("ROLLBACK").await;
    let _ = session.disconnect().await;
    Ok(Run {
        isolation: isolation.as_str(),
        errors,
        held: held?,
    })
}

/// The locks the session's transaction holds, read on the session itself.
async fn read_locks(
    session: &mut Conn,
    server: &Server,
    source: Source,
    schema: &Schema,
) -> Result<Held, Error> {
    let timeout = crate::live::server::Timeouts::default().query;
    let refused = |e: crate::live::server::QueryError| Error::ServerRefused {
        dsn: server.label.clone(),
        reason: e.to_string(),
    };
    match source {
        Source::DataLocks => {
            let table = queries::own_data_locks(session, timeout)
                .await
                .map_err(refused)?;
            Ok(read::from_data_locks(&table.to_batch_text(), schema))
        }
        Source::InnodbStatus => {
            let status = queries::show_engine_innodb_status(session, timeout)
                .await
                .map_err(refused)?;
            Ok(read::from_status(&status, u64::from(session.id()), schema).unwrap_or_default())
        }
    }
}
