//! Every statement lockscope sends to a server, each behind a named function: there is no
//! `query(sql)`, so live mode is read-only by construction (SHOW and SELECT only; a test
//! enumerates `STATEMENTS` and checks). Each function returns the rows as the server sent them,
//! for the same parsers as files (STYLE 13).

use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::{Conn, Row, Value};

use super::server::QueryError;
use super::tsv::Table;

/// A statement and what it needs.
#[derive(Debug)]
pub struct Statement {
    /// The SQL text, sent verbatim.
    sql: &'static str,
    /// The privilege the server checks, for the message when it is missing.
    privilege: &'static str,
}

impl Statement {
    pub fn sql(&self) -> &'static str {
        self.sql
    }

    pub fn privilege(&self) -> &'static str {
        self.privilege
    }
}

const VERSION: Statement = Statement {
    sql: "SELECT VERSION() AS version, @@version_comment AS version_comment",
    privilege: "USAGE",
};

const LOCK_TABLES: Statement = Statement {
    sql: "SELECT LOWER(TABLE_SCHEMA), LOWER(TABLE_NAME) FROM information_schema.TABLES \
          WHERE (TABLE_SCHEMA = 'performance_schema' \
                 AND TABLE_NAME IN ('data_locks', 'data_lock_waits', 'metadata_locks', \
                                    'threads', 'events_statements_history')) \
             OR (TABLE_SCHEMA = 'information_schema' \
                 AND TABLE_NAME IN ('INNODB_TRX', 'INNODB_LOCKS', 'INNODB_LOCK_WAITS', \
                                    'METADATA_LOCK_INFO'))",
    privilege: "USAGE",
};

const SHOW_ENGINE_INNODB_STATUS: Statement = Statement {
    sql: "SHOW ENGINE INNODB STATUS",
    privilege: "PROCESS",
};

const DATA_LOCKS: Statement = Statement {
    sql: "SELECT * FROM performance_schema.data_locks",
    privilege: "SELECT on `performance_schema`",
};

const DATA_LOCK_WAITS: Statement = Statement {
    sql: "SELECT * FROM performance_schema.data_lock_waits",
    privilege: "SELECT on `performance_schema`",
};

const INNODB_TRX: Statement = Statement {
    sql: "SELECT * FROM information_schema.INNODB_TRX",
    privilege: "PROCESS",
};

const INNODB_LOCKS: Statement = Statement {
    sql: "SELECT * FROM information_schema.INNODB_LOCKS",
    privilege: "PROCESS",
};

const INNODB_LOCK_WAITS: Statement = Statement {
    sql: "SELECT * FROM information_schema.INNODB_LOCK_WAITS",
    privilege: "PROCESS",
};

const PROCESSLIST: Statement = Statement {
    sql: "SELECT * FROM information_schema.PROCESSLIST",
    privilege: "PROCESS",
};

/// Table metadata locks only: the global, schema and backup ones never explain a stall on a
/// table. Empty unless performance_schema and its `wait/lock/metadata/sql/mdl` instrument are
/// on (on by default in MySQL 8).
const METADATA_LOCKS: Statement = Statement {
    sql: "SELECT OBJECT_TYPE, OBJECT_SCHEMA, OBJECT_NAME, LOCK_TYPE, LOCK_DURATION, LOCK_STATUS, \
          OWNER_THREAD_ID FROM performance_schema.metadata_locks WHERE OBJECT_TYPE = 'TABLE'",
    privilege: "SELECT on `performance_schema`",
};

/// MariaDB's `metadata_lock_info` plugin: granted metadata locks, by processlist id.
const METADATA_LOCK_INFO: Statement = Statement {
    sql: "SELECT * FROM information_schema.METADATA_LOCK_INFO",
    privilege: "PROCESS",
};

/// `THREAD_ID` → processlist id, for the `KILL` of an owner named by `THREAD_ID`.
const THREADS: Statement = Statement {
    sql: "SELECT THREAD_ID, PROCESSLIST_ID FROM performance_schema.threads \
          WHERE PROCESSLIST_ID IS NOT NULL",
    privilege: "SELECT on `performance_schema`",
};

/// The locks of this session's own transaction (`lab locks`): its `THREAD_ID` through
/// `threads`, which every MySQL 8 release has (`PS_CURRENT_THREAD_ID()` came in 8.0.16).
const OWN_DATA_LOCKS: Statement = Statement {
    sql: "SELECT * FROM performance_schema.data_locks WHERE THREAD_ID = \
          (SELECT THREAD_ID FROM performance_schema.threads \
           WHERE PROCESSLIST_ID = CONNECTION_ID())",
    privilege: "SELECT on `performance_schema`",
};

/// Whether performance_schema keeps statement histories (off by default on MariaDB, and
/// empty when performance_schema itself is off).
const STATEMENT_CONSUMERS: Statement = Statement {
    sql: "SELECT NAME, ENABLED FROM performance_schema.setup_consumers \
          WHERE NAME IN ('events_statements_current', 'events_statements_history')",
    privilege: "SELECT on `performance_schema`",
};

/// The last statements of every other session, finished (`_history`) and running
/// (`_current`), by processlist id: each transaction's whole story.
const STATEMENT_HISTORY: Statement = Statement {
    sql: "SELECT t.PROCESSLIST_ID, s.THREAD_ID, s.EVENT_ID, s.MYSQL_ERRNO, s.SQL_TEXT \
          FROM (SELECT THREAD_ID, EVENT_ID, MYSQL_ERRNO, SQL_TEXT \
                FROM performance_schema.events_statements_history \
                UNION SELECT THREAD_ID, EVENT_ID, MYSQL_ERRNO, SQL_TEXT \
                FROM performance_schema.events_statements_current) s \
          JOIN performance_schema.threads t ON t.THREAD_ID = s.THREAD_ID \
          WHERE t.PROCESSLIST_ID IS NOT NULL AND t.PROCESSLIST_ID <> CONNECTION_ID() \
          ORDER BY s.THREAD_ID, s.EVENT_ID",
    privilege: "SELECT on `performance_schema`",
};

const SHOW_CREATE_TABLE: Statement = Statement {
    sql: "SHOW CREATE TABLE",
    privilege: "any privilege on the table",
};

/// Every statement this module can send.
pub const STATEMENTS: &[&Statement] = &[
    &SHOW_CREATE_TABLE,
    &VERSION,
    &LOCK_TABLES,
    &SHOW_ENGINE_INNODB_STATUS,
    &DATA_LOCKS,
    &DATA_LOCK_WAITS,
    &INNODB_TRX,
    &INNODB_LOCKS,
    &INNODB_LOCK_WAITS,
    &PROCESSLIST,
    &METADATA_LOCKS,
    &METADATA_LOCK_INFO,
    &THREADS,
    &OWN_DATA_LOCKS,
    &STATEMENT_CONSUMERS,
    &STATEMENT_HISTORY,
];

/// `VERSION()` and `@@version_comment`.
pub async fn version(conn: &mut Conn, timeout: Duration) -> Result<(String, String), QueryError> {
    let table = fetch(conn, &VERSION, timeout).await?;
    let cell = |i: usize| {
        table
            .rows
            .first()
            .and_then(|row| row.get(i).cloned().flatten())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    };
    Ok((cell(0), cell(1)))
}

/// The lock tables this server has, as `schema.table` in lower case.
pub async fn lock_tables(conn: &mut Conn, timeout: Duration) -> Result<Vec<String>, QueryError> {
    let table = fetch(conn, &LOCK_TABLES, timeout).await?;
    Ok(table
        .rows
        .iter()
        .map(|row| {
            row.iter()
                .map(|c| String::from_utf8_lossy(c.as_deref().unwrap_or_default()).into_owned())
                .collect::<Vec<_>>()
                .join(".")
        })
        .collect())
}

/// The `Status` column of `SHOW ENGINE INNODB STATUS`: the monitor output as the server wrote
/// it (what `mysql --raw` prints).
pub async fn show_engine_innodb_status(
    conn: &mut Conn,
    timeout: Duration,
) -> Result<String, QueryError> {
    let table = fetch(conn, &SHOW_ENGINE_INNODB_STATUS, timeout).await?;
    let status = table.column("Status").unwrap_or(2);
    Ok(table
        .rows
        .first()
        .and_then(|row| row.get(status).cloned().flatten())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default())
}

/// `performance_schema.data_locks` (MySQL 8.0+).
pub async fn data_locks(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &DATA_LOCKS, timeout).await
}

/// Which statement consumers are on: `None` when performance_schema is off (no rows), else
/// whether `events_statements_history` is on.
pub async fn statement_history_on(
    conn: &mut Conn,
    timeout: Duration,
) -> Result<Option<bool>, QueryError> {
    let table = fetch(conn, &STATEMENT_CONSUMERS, timeout).await?;
    if table.rows.is_empty() {
        return Ok(None);
    }
    let on = |name: &str| {
        table.rows.iter().any(|row| {
            let cell = |i: usize| row.get(i).cloned().flatten().unwrap_or_default();
            cell(0) == name.as_bytes() && cell(1).eq_ignore_ascii_case(b"YES")
        })
    };
    Ok(Some(
        on("events_statements_history") && on("events_statements_current"),
    ))
}

/// `events_statements_history` and `_current` of the other sessions.
pub async fn statement_history(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &STATEMENT_HISTORY, timeout).await
}

/// The `data_locks` rows of the session's own transaction (MySQL 8.0+).
pub async fn own_data_locks(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &OWN_DATA_LOCKS, timeout).await
}

/// `performance_schema.data_lock_waits` (MySQL 8.0+).
pub async fn data_lock_waits(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &DATA_LOCK_WAITS, timeout).await
}

/// `information_schema.INNODB_TRX` (every version).
pub async fn innodb_trx(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &INNODB_TRX, timeout).await
}

/// `information_schema.INNODB_LOCKS` (MySQL 5.x, MariaDB).
pub async fn innodb_locks(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &INNODB_LOCKS, timeout).await
}

/// `information_schema.INNODB_LOCK_WAITS` (MySQL 5.x, MariaDB).
pub async fn innodb_lock_waits(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &INNODB_LOCK_WAITS, timeout).await
}

/// `information_schema.PROCESSLIST`: what each thread is doing, for blocker state.
pub async fn processlist(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &PROCESSLIST, timeout).await
}

/// `performance_schema.metadata_locks`, table locks only (MySQL 8, MariaDB 10.5+).
pub async fn metadata_locks(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &METADATA_LOCKS, timeout).await
}

/// `information_schema.METADATA_LOCK_INFO` (MariaDB's `metadata_lock_info` plugin).
pub async fn metadata_lock_info(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &METADATA_LOCK_INFO, timeout).await
}

/// `performance_schema.threads`: THREAD_ID and processlist id of each connection.
pub async fn threads(conn: &mut Conn, timeout: Duration) -> Result<Table, QueryError> {
    fetch(conn, &THREADS, timeout).await
}

/// The one place SQL is sent: only the statements above reach it.
/// `SHOW CREATE TABLE `db`.`t``: the definition of a table a report names, so its record
/// bytes can be decoded into column values (`--schema` without a file). The names come from
/// the report and are quoted as identifiers, so the statement stays a SHOW.
pub async fn show_create_table(
    conn: &mut Conn,
    schema: Option<&str>,
    table: &str,
    timeout: Duration,
) -> Result<String, QueryError> {
    let quote = |name: &str| format!("`{}`", name.replace('`', "``"));
    let name = match schema {
        Some(db) => format!("{}.{}", quote(db), quote(table)),
        None => quote(table),
    };
    let sql = format!("{} {name}", SHOW_CREATE_TABLE.sql);
    let rows = fetch_sql(conn, &SHOW_CREATE_TABLE, &sql, timeout).await?;
    let column = rows.column("Create Table").unwrap_or(1);
    Ok(rows
        .rows
        .first()
        .and_then(|row| row.get(column).cloned().flatten())
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default())
}

async fn fetch(
    conn: &mut Conn,
    statement: &'static Statement,
    timeout: Duration,
) -> Result<Table, QueryError> {
    fetch_sql(conn, statement, statement.sql, timeout).await
}

/// Sends `sql`, which is `statement`'s text (plus quoted names for `SHOW CREATE TABLE`).
async fn fetch_sql(
    conn: &mut Conn,
    statement: &'static Statement,
    sql: &str,
    timeout: Duration,
) -> Result<Table, QueryError> {
    let run = async {
        let mut result = conn.query_iter(sql).await?;
        let columns: Vec<String> = result
            .columns_ref()
            .iter()
            .map(|c| c.name_str().into_owned())
            .collect();
        let rows: Vec<Row> = result.collect().await?;
        result.drop_result().await?;
        Ok::<_, mysql_async::Error>((columns, rows))
    };
    let (columns, rows) = match tokio::time::timeout(timeout, run).await {
        Err(_) => return Err(QueryError::timed_out(statement, timeout)),
        Ok(Err(e)) => return Err(QueryError::from_driver(statement, e)),
        Ok(Ok(result)) => result,
    };
    Ok(Table {
        name: statement.sql,
        columns,
        rows: rows
            .into_iter()
            .map(|row| row.unwrap_raw().into_iter().map(cell).collect())
            .collect(),
    })
}

/// A value in the text protocol is bytes or NULL; anything else is printed as SQL would.
fn cell(value: Option<Value>) -> Option<Vec<u8>> {
    match value {
        None | Some(Value::NULL) => None,
        Some(Value::Bytes(bytes)) => Some(bytes),
        Some(other) => Some(other.as_sql(true).into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Read-only by construction: every statement the live layer can send is a SHOW or a
    /// SELECT, one statement each.
    #[test]
    fn every_statement_is_show_or_select() {
        for statement in STATEMENTS {
            let sql = statement.sql().trim_start();
            let verb = sql
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            assert!(verb == "SHOW" || verb == "SELECT", "not read-only: {sql}");
            assert!(!sql.contains(';'), "more than one statement: {sql}");
            for word in sql.split(|c: char| !c.is_ascii_alphabetic()) {
                let word = word.to_ascii_uppercase();
                assert!(
                    !["INSERT", "UPDATE", "DELETE", "REPLACE", "SET", "KILL", "INTO", "FOR"]
                        .contains(&word.as_str()),
                    "`{word}` in {sql}"
                );
            }
        }
    }

    /// The same check over the source text, so a statement left out of `STATEMENTS` is caught.
    #[test]
    fn every_sql_literal_is_show_or_select() {
        let source = include_str!("queries.rs");
        let mut seen = 0;
        for (_, rest) in source
            .match_indices("    sql: \"")
            .map(|(i, _)| source.split_at(i))
        {
            let verb = rest.trim_start().trim_start_matches("sql: \"");
            assert!(
                verb.starts_with("SHOW ") || verb.starts_with("SELECT "),
                "not read-only: {}",
                verb.lines().next().unwrap_or("")
            );
            seen += 1;
        }
        assert_eq!(
            seen,
            STATEMENTS.len(),
            "a statement is missing from `STATEMENTS`"
        );
    }

    #[test]
    fn every_statement_names_its_privilege() {
        for statement in STATEMENTS {
            assert!(!statement.privilege().is_empty(), "{}", statement.sql());
        }
    }
}
