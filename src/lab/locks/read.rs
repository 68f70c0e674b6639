//! The locks one transaction holds, read from what the server printed about it: the
//! TRANSACTIONS section of `SHOW ENGINE INNODB STATUS` with `innodb_status_output_locks` on
//! (MariaDB, MySQL 5.x), or its `performance_schema.data_locks` rows (MySQL 8). Pure: the text
//! goes through the same splitter and parsers as `analyze`'s input, and each record lock
//! becomes one [`HeldLock`] per record, the way `data_locks` lists them.

use serde::Serialize;

use crate::decode::{decode_lock, key_phrase};
use crate::model::{key_data, Lock, LockKind, LockRow, LockTarget, TableRows};
use crate::parse::lock_tables::parse_lock_table;
use crate::parse::parse_transaction_list;
use crate::schema::{Schema, Table};
use crate::split::{split_reader, Piece, PieceSink};

/// One lock on one record (or on a table), in the words `lab locks` prints.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct HeldLock {
    /// The table, without the scratch database.
    pub table: String,
    /// `None` for a table lock.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
    /// `X`, `S`, `IX`, `IS`, `AUTO-INC`.
    pub mode: String,
    /// `table`, `next-key`, `gap`, `record-only`, `insert-intention`.
    pub kind: &'static str,
    /// The locked index entry: `customer_id=42, id=3` with a schema, the values alone
    /// without one; `supremum` for the gap after the last entry of a page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    /// A request that has not been granted (the statement was still waiting).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub waiting: bool,
}

/// The spelling of the supremum pseudo-record's key.
pub const SUPREMUM: &str = "supremum";

impl HeldLock {
    /// What the lock covers, in plain words.
    pub fn meaning(&self) -> &'static str {
        let supremum = self.key.as_deref() == Some(SUPREMUM);
        match (self.kind, supremum) {
            ("table", _) if self.mode.starts_with('I') => "intention: rows will be locked",
            ("table", _) => "the whole table",
            ("insert-intention", _) => "waiting to insert into the gap",
            (_, true) => "the gap after the last entry of a page",
            ("next-key", _) => "the entry and the gap before it",
            ("gap", _) => "only the gap before the entry",
            ("record-only", _) => "the entry only",
            _ => "",
        }
    }

    /// Whether the lock stops other transactions inserting somewhere.
    pub fn blocks_inserts(&self) -> bool {
        matches!(self.kind, "next-key" | "gap") && !self.mode.starts_with('I')
    }
}

/// What was read, and what the server left out.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Held {
    pub locks: Vec<HeldLock>,
    /// The server stopped listing this transaction's locks (the monitor prints at most a few
    /// lock structs per transaction): the list is a prefix.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
    /// How many row locks the transaction holds in all, as the server counts them (`N row
    /// lock(s)`), when the list is cut.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub row_locks: Option<u64>,
}

/// Collects the TRANSACTIONS sections and result sets of one text.
#[derive(Default)]
struct Pieces(Vec<Piece>);

impl PieceSink for Pieces {
    fn piece(&mut self, piece: Piece) {
        self.0.push(piece);
    }
}

fn pieces(text: &str) -> Vec<Piece> {
    let mut sink = Pieces::default();
    // Reading from memory cannot fail.
    let _ = split_reader(text.as_bytes(), &mut sink);
    sink.0
}

/// The locks the transaction of session `thread_id` holds, from a status output printed with
/// `innodb_status_output_locks=ON`; record values decoded with `schema`. `None` when the
/// section does not list that session (it has no InnoDB transaction: nothing locked yet).
pub fn from_status(text: &str, thread_id: u64, schema: &Schema) -> Option<Held> {
    for piece in pieces(text) {
        let Piece::Transactions(chunk) = piece else {
            continue;
        };
        let (trxs, _) = parse_transaction_list("SHOW ENGINE INNODB STATUS", &chunk);
        let Some(pos) = trxs.iter().position(|t| t.thread_id == Some(thread_id)) else {
            continue;
        };
        let trx = trxs.get(pos)?;
        let end = trxs.get(pos + 1).map_or(usize::MAX, |t| t.line);
        let truncated = chunk.lines().any(|(n, line)| {
            n > trx.line && n < end && line.contains("PRINTS") && line.contains("LOCKS PRINTED")
        });
        let mut locks = Vec::new();
        for lock in trx.holds.iter().chain(&trx.waits_for) {
            let mut lock = lock.clone();
            decode_lock(&mut lock, schema, &mut |_, _| {});
            push_lock(&lock, &mut locks);
        }
        let row_locks = trx.row_locks.filter(|_| truncated);
        return Some(Held {
            locks,
            truncated,
            row_locks,
        });
    }
    None
}

fn push_lock(lock: &Lock, out: &mut Vec<HeldLock>) {
    let held = |kind: LockKind, key: Option<String>| HeldLock {
        table: lock.table.table.to_string(),
        index: lock.index().map(str::to_string),
        mode: lock.mode.as_str().to_string(),
        kind: kind.as_str(),
        key,
        waiting: lock.waiting,
    };
    if let LockTarget::Table = lock.target {
        out.push(held(LockKind::Table, None));
        return;
    }
    for record in lock.records.iter().filter(|r| !r.is_infimum()) {
        if record.is_supremum() {
            // InnoDB ignores the gap flags on the supremum: every lock there is on the gap
            // after the last entry (an insert intention stays one).
            let kind = match lock.kind {
                LockKind::InsertIntention => LockKind::InsertIntention,
                _ => LockKind::Gap,
            };
            out.push(held(kind, Some(SUPREMUM.to_string())));
            continue;
        }
        let key = key_phrase(record)
            .map(|k| k.trim_start_matches('(').trim_end_matches(')').to_string())
            .unwrap_or_else(|| key_data(record, lock.index()));
        out.push(held(lock.kind, Some(key)));
    }
}

/// The locks of `performance_schema.data_locks` rows printed as `mysql -B` text (the rows of
/// one session), keys named with `schema` where it has the table.
pub fn from_data_locks(batch: &str, schema: &Schema) -> Held {
    let mut locks = Vec::new();
    for piece in pieces(batch) {
        let Piece::Table(table) = piece else { continue };
        let query: Vec<&str> = table.query.iter().map(String::as_str).collect();
        let Ok(read) = parse_lock_table(table.shape, &query, table.chunk.lines()) else {
            continue;
        };
        if let TableRows::Locks(rows) = read.rows {
            locks.extend(rows.iter().map(|row| of_row(row, schema)));
        }
    }
    Held {
        locks,
        ..Held::default()
    }
}

fn of_row(row: &LockRow, schema: &Schema) -> HeldLock {
    let key = row.data.as_deref().map(|data| {
        if row.is_supremum() {
            SUPREMUM.to_string()
        } else {
            schema
                .table(&row.table)
                .zip(row.index.as_deref())
                .and_then(|(table, index)| named_key(table, index, data))
                .unwrap_or_else(|| data.to_string())
        }
    });
    // The parser already applied InnoDB's rule: on the supremum a lock is a gap lock.
    HeldLock {
        table: row.table.table.to_string(),
        index: row.index.as_ref().map(ToString::to_string),
        mode: row.mode.as_str().to_string(),
        kind: row.kind.as_str(),
        key,
        waiting: row.status == Some(crate::model::LockStatus::Waiting),
    }
}

/// `LOCK_DATA` (`42, 3`) with the index's column names (`customer_id=42, id=3`): a secondary
/// index entry is its own columns, then the primary key's that it does not hold already. `None`
/// when the counts do not agree (a value with a comma in it, an index the schema lacks).
fn named_key(table: &Table, index: &str, data: &str) -> Option<String> {
    let mut names: Vec<&str> = if index.eq_ignore_ascii_case("PRIMARY") {
        table.primary_key.iter().map(String::as_str).collect()
    } else {
        table
            .index(index)?
            .columns
            .iter()
            .map(|p| p.column.as_str())
            .collect()
    };
    if !index.eq_ignore_ascii_case("PRIMARY") {
        for pk in &table.primary_key {
            if !names.iter().any(|n| n.eq_ignore_ascii_case(pk)) {
                names.push(pk);
            }
        }
    }
    let values = crate::text::split_top_level(data);
    if names.is_empty() || values.len() != names.len() {
        return None;
    }
    let named: Vec<String> = names
        .iter()
        .zip(values)
        .map(|(n, v)| format!("{n}={}", v.trim()))
        .collect();
    Some(named.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "CREATE TABLE orders (id INT PRIMARY KEY, customer_id INT, \
                          note VARCHAR(20), KEY idx_customer (customer_id));";

    fn schema() -> Schema {
        let mut schema = Schema::default();
        schema.add_sql(SCHEMA, Some("lkx"));
        schema
    }

    /// `DELETE FROM orders WHERE customer_id = 42` under REPEATABLE READ, as MariaDB 10.11
    /// printed it on this machine (fixtures/lab/locks-delete-rr.status.txt).
    #[test]
    fn reads_the_sessions_locks_from_the_status() {
        let text = include_str!("../../../fixtures/lab/locks-delete-rr.status.txt");
        let held = from_status(text, 10, &schema()).expect("thread 9 is listed");
        let lines: Vec<String> = held
            .locks
            .iter()
            .map(|l| {
                format!(
                    "{} {} {} {} {}",
                    l.index.as_deref().unwrap_or("-"),
                    l.mode,
                    l.kind,
                    l.key.as_deref().unwrap_or("-"),
                    l.meaning()
                )
            })
            .collect();
        assert_eq!(
            lines,
            [
                "- IX table - intention: rows will be locked",
                "idx_customer X next-key customer_id=42, id=3 the entry and the gap before it",
                "idx_customer X next-key customer_id=42, id=5 the entry and the gap before it",
                "PRIMARY X record-only id=3 the entry only",
                "PRIMARY X record-only id=5 the entry only",
                "idx_customer X gap customer_id=50, id=9 only the gap before the entry",
            ]
        );
        assert!(!held.truncated);
        assert_eq!(from_status(text, 11, &schema()), None);
    }

    #[test]
    fn data_locks_rows_are_named_by_the_schema() {
        let batch = "ENGINE\tENGINE_LOCK_ID\tENGINE_TRANSACTION_ID\tTHREAD_ID\tEVENT_ID\t\
                     OBJECT_SCHEMA\tOBJECT_NAME\tPARTITION_NAME\tSUBPARTITION_NAME\tINDEX_NAME\t\
                     OBJECT_INSTANCE_BEGIN\tLOCK_TYPE\tLOCK_MODE\tLOCK_STATUS\tLOCK_DATA\n\
                     INNODB\t1:1063:1\t1811\t48\t20\tlkx\torders\tNULL\tNULL\tNULL\t1\tTABLE\tIX\tGRANTED\tNULL\n\
                     INNODB\t1:2:5:3:1\t1811\t48\t20\tlkx\torders\tNULL\tNULL\tidx_customer\t2\tRECORD\tX\tGRANTED\t42, 3\n\
                     INNODB\t1:2:4:3:2\t1811\t48\t20\tlkx\torders\tNULL\tNULL\tPRIMARY\t3\tRECORD\tX,REC_NOT_GAP\tGRANTED\t3\n\
                     INNODB\t1:2:5:1:3\t1811\t48\t20\tlkx\torders\tNULL\tNULL\tidx_customer\t4\tRECORD\tX\tGRANTED\tsupremum pseudo-record\n";
        let held = from_data_locks(batch, &schema());
        let keys: Vec<(&str, Option<&str>)> = held
            .locks
            .iter()
            .map(|l| (l.kind, l.key.as_deref()))
            .collect();
        assert_eq!(
            keys,
            [
                ("table", None),
                ("next-key", Some("customer_id=42, id=3")),
                ("record-only", Some("id=3")),
                ("gap", Some("supremum")),
            ]
        );
    }
}
