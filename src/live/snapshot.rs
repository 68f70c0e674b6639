//! One look at a server: `SHOW ENGINE INNODB STATUS`, the lock tables it has and the process
//! list, joined into one text that goes through the very same `analyze` pipeline as a file
//! (DESIGN: one code path for piped and live input).

use super::queries;
use super::server::{QueryError, Server};
use super::tsv::Table;

/// What one poll fetched.
#[derive(Debug, Clone, Default)]
pub struct Snapshot {
    /// The monitor output, as `mysql --raw` prints it.
    pub status: String,
    /// Lock tables and the process list, in the order fetched.
    pub tables: Vec<Table>,
    /// Tables that could not be read (a missing privilege): the rest is still there.
    pub problems: Vec<QueryError>,
    /// What the server does not keep, and the setting that would keep it.
    pub notes: Vec<String>,
}

impl Snapshot {
    /// The status, then each table as `mysql -B` batch output with its header: one input for
    /// the pipeline, shaped like a file captured with the client.
    pub fn text(&self) -> String {
        let mut text = self.status.clone();
        for table in &self.tables {
            let batch = table.to_batch_text();
            if batch.is_empty() {
                continue;
            }
            if !text.ends_with('\n') {
                text.push('\n');
            }
            text.push('\n');
            text.push_str(&batch);
        }
        text
    }
}

/// Fetches everything. The status is required; a lock table that cannot be read is noted in
/// `problems`. A lost connection ends the snapshot with the error.
pub async fn take(server: &mut Server) -> Result<Snapshot, QueryError> {
    let timeout = server.timeouts.query;
    let conn = &mut server.conn;
    let status = queries::show_engine_innodb_status(conn, timeout).await?;
    let mut snapshot = Snapshot {
        status,
        ..Snapshot::default()
    };
    let info = &server.info;
    let mut results = Vec::new();
    if info.has("information_schema.innodb_trx") {
        results.push(queries::innodb_trx(conn, timeout).await);
    }
    if info.has("performance_schema.data_locks") {
        results.push(queries::data_locks(conn, timeout).await);
    }
    if info.has("performance_schema.data_lock_waits") {
        results.push(queries::data_lock_waits(conn, timeout).await);
    }
    // MySQL 8 dropped these; MariaDB and 5.x have them.
    if info.has("information_schema.innodb_locks") {
        results.push(queries::innodb_locks(conn, timeout).await);
    }
    if info.has("information_schema.innodb_lock_waits") {
        results.push(queries::innodb_lock_waits(conn, timeout).await);
    }
    // Metadata locks: a stall with no row lock at all ("Waiting for table metadata lock").
    if info.has("performance_schema.metadata_locks") {
        results.push(queries::metadata_locks(conn, timeout).await);
    }
    if info.has("information_schema.metadata_lock_info") {
        results.push(queries::metadata_lock_info(conn, timeout).await);
    }
    if info.has("performance_schema.threads")
        && (info.has("performance_schema.data_locks")
            || info.has("performance_schema.metadata_locks"))
    {
        results.push(queries::threads(conn, timeout).await);
    }
    results.push(queries::processlist(conn, timeout).await);
    if info.has("performance_schema.events_statements_history") {
        match queries::statement_history_on(conn, timeout).await {
            Ok(Some(true)) => results.push(queries::statement_history(conn, timeout).await),
            Ok(Some(false)) => snapshot.notes.push(
                "no statement histories: the `events_statements_current` and \
                 `events_statements_history` consumers are off (UPDATE \
                 performance_schema.setup_consumers SET ENABLED = 'YES' WHERE NAME IN \
                 ('events_statements_current', 'events_statements_history'), or \
                 performance-schema-consumer-events-statements-history=ON in the server's \
                 options)"
                    .to_string(),
            ),
            Ok(None) => snapshot.notes.push(
                "no statement histories: performance_schema is off (performance_schema=ON in \
                 the server's options, then a restart)"
                    .to_string(),
            ),
            Err(e) => results.push(Err(e)),
        }
    }
    for result in results {
        match result {
            Ok(table) => snapshot.tables.push(table),
            Err(e) if e.is_fatal() => return Err(e),
            Err(e) => snapshot.problems.push(e),
        }
    }
    Ok(snapshot)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_status_then_batch_tables() {
        let snapshot = Snapshot {
            status: "=====\nEND OF INNODB MONITOR OUTPUT\n=====".into(),
            tables: vec![
                Table {
                    name: "a",
                    columns: vec!["trx_id".into()],
                    rows: vec![vec![Some(b"47".to_vec())]],
                },
                Table {
                    name: "b",
                    columns: vec!["x".into()],
                    rows: vec![],
                },
            ],
            problems: vec![],
            notes: vec![],
        };
        assert_eq!(
            snapshot.text(),
            "=====\nEND OF INNODB MONITOR OUTPUT\n=====\n\ntrx_id\n47\n"
        );
    }
}
