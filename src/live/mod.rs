//! Live mode: ask a running server instead of reading a file. The layer is thin and read-only
//! by construction (STYLE 13): it connects (`server`), sends only the named SHOW / SELECT
//! statements of `queries`, and turns what comes back into text (`snapshot`, `tsv`) that goes
//! through the very same `analyze` pipeline as a file. `watch` polls servers and follows error
//! logs; `dedup` prints each deadlock once. Passwords stay inside `dsn::Secret`.

mod dedup;
pub mod dsn;
mod duration;
mod follow;
pub mod queries;
pub mod server;
pub mod snapshot;
pub mod tsv;
mod watch;

pub use dsn::{Dsn, Secret, SslMode};
pub use duration::{format_duration, parse_duration};
pub use watch::{run_watch, WatchConfig};

use crate::error::Error;

/// The servers to connect to and how long to wait: what `config` resolved from the flags, the
/// environment and the option file.
#[derive(Debug, Clone)]
pub struct LiveConfig {
    pub dsns: Vec<Dsn>,
    pub timeouts: server::Timeouts,
}

/// One server's snapshot, ready for the pipeline.
pub struct LiveInput {
    /// The input name: the redacted DSN.
    pub name: String,
    /// The status followed by the lock tables, as `snapshot::Snapshot::text` makes it.
    pub text: String,
    /// `SHOW CREATE TABLE` of every table the snapshot's reports name: (database, statement).
    pub schemas: Vec<(Option<String>, String)>,
}

/// Tables a report's locks name, at most `MAX_SCHEMA_TABLES` of them.
const MAX_SCHEMA_TABLES: usize = 64;

/// The tables the deadlocks and lock waits of `text` name.
fn named_tables(name: &str, text: &str) -> Vec<crate::model::TableName> {
    let (found, _) = crate::analyze::analyze_text_fully(name, text);
    let mut tables: Vec<crate::model::TableName> = Vec::new();
    let mut add = |t: &crate::model::TableName| {
        let bare = crate::model::TableName {
            partition: None,
            ..t.clone()
        };
        if !bare.table.is_empty() && !tables.contains(&bare) && tables.len() < MAX_SCHEMA_TABLES {
            tables.push(bare);
        }
    };
    for a in &found.deadlocks {
        for t in &a.deadlock.transactions {
            for l in t.all_locks().chain(&t.conflicting_with) {
                add(&l.table);
            }
        }
    }
    for w in &found.lock_waits.waits {
        add(&w.lock.table);
    }
    tables
}

/// `analyze --dsn`: connects to each server and fetches one snapshot each. `notes` prints what
/// each server is, and tables it could not read, on stderr.
pub fn fetch_inputs(config: &LiveConfig, notes: bool) -> Result<Vec<LiveInput>, Error> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|source| Error::Output { source })?;
    runtime.block_on(async {
        let mut inputs = Vec::new();
        for dsn in &config.dsns {
            let name = dsn.to_string();
            let mut server = server::Server::connect(dsn, config.timeouts)
                .await
                .map_err(|reason| Error::ServerUnreachable {
                    dsn: name.clone(),
                    reason,
                })?;
            let taken = snapshot::take(&mut server).await;
            let about = describe(&server.info);
            let snapshot = taken.map_err(|e| Error::ServerRefused {
                dsn: name.clone(),
                reason: e.to_string(),
            })?;
            let text = snapshot.text();
            let mut schemas = Vec::new();
            for table in named_tables(&name, &text) {
                let db = table.schema.as_deref();
                match queries::show_create_table(
                    &mut server.conn,
                    db,
                    &table.table,
                    config.timeouts.query,
                )
                .await
                {
                    Ok(sql) => schemas.push((table.schema.as_deref().map(str::to_string), sql)),
                    Err(e) if notes => {
                        eprintln!("warning: `{name}`: {e}; rows of {table} are not decoded")
                    }
                    Err(_) => {}
                }
            }
            server.close().await;
            if notes {
                eprintln!("note: `{name}` is {about}");
                for problem in &snapshot.problems {
                    eprintln!("warning: `{name}`: {problem}; lock waits from it are not shown");
                }
                for note in &snapshot.notes {
                    eprintln!("note: `{name}`: {note}");
                }
            }
            inputs.push(LiveInput {
                name,
                text,
                schemas,
            });
        }
        Ok(inputs)
    })
}

/// `MariaDB 10.11.19 (Debian 12); lock tables: `information_schema.innodb_trx`, …`.
fn describe(info: &server::ServerInfo) -> String {
    if info.lock_tables.is_empty() {
        return format!("{info}; no lock tables");
    }
    let tables: Vec<String> = info.lock_tables.iter().map(|t| format!("`{t}`")).collect();
    format!("{info}; lock tables: {}", tables.join(", "))
}

/// `$COLUMNS` when set, else 80 (as `analyze`).
pub fn terminal_width() -> u16 {
    std::env::var("COLUMNS")
        .ok()
        .and_then(|c| c.parse::<u16>().ok())
        .filter(|&w| w >= 40)
        .unwrap_or(80)
}
