//! The column dictionary: what a result set's column *is*, whatever it was called. A column is
//! known by its name in any server's table (`ENGINE_TRANSACTION_ID`, `lock_trx_id`,
//! `trx_id`), by well-known aliases (`Trx_Id`, `Data`, `Req_Lock_Id`, `Blk_Trx_Id`), by the
//! query pasted above the table (`LOCK_DATA as Data`, `r.trx_id waiting_trx_id`), with a side
//! prefix for the two halves of a wait (`waiting_`, `requesting_`, `req_`, `blocking_`,
//! `blk_`), and, where the name says nothing (a header in another language, or no header at
//! all), by its values: `X,REC_NOT_GAP` is a lock mode, `GRANTED` a lock status,
//! `139816129437696:27:4:2:139816016601240` a lock id (format-spec §7–§9).

use super::query::{JoinSide, QueryContext};

/// What a column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// `ENGINE_LOCK_ID`, `lock_id`, `requested_lock_id`.
    LockId,
    /// A transaction id: the lock's owner, the INNODB_TRX row's, a side of a wait.
    TrxId,
    /// `performance_schema` `THREAD_ID` (not what `KILL` takes).
    PsThreadId,
    /// The processlist id: `trx_mysql_thread_id`, `pid`, `PROCESSLIST_ID`, `ID`.
    ProcesslistId,
    EventId,
    Engine,
    Schema,
    Table,
    /// `schema.table` in one column (`lock_table`, `locked_table`, a `CONCAT`).
    SchemaTable,
    Partition,
    Index,
    LockType,
    LockMode,
    LockStatus,
    LockData,
    Space,
    Page,
    Heap,
    ObjectInstance,
    /// The statement a session runs.
    Query,
    TrxState,
    Started,
    /// `trx_age` / `waiting_trx_age` (`00:00:07`).
    TrxAge,
    RowsLocked,
    RowsModified,
    User,
    Host,
    Command,
    /// PROCESSLIST `TIME`: seconds in the current state.
    Time,
    WaitAgeSecs,
    /// `wait_age` (`00:00:07`).
    WaitAge,
    /// metadata_locks `OBJECT_TYPE` (`TABLE`, `SCHEMA`, `GLOBAL`, `BACKUP`).
    ObjectType,
    /// metadata_locks / METADATA_LOCK_INFO `LOCK_DURATION`: only metadata lock tables have it.
    LockDuration,
    /// PROCESSLIST `State` (`Waiting for table metadata lock`).
    ProcessState,
    /// `events_statements_*` `MYSQL_ERRNO`: how the statement ended (1213, 1205, 0).
    Errno,
    /// PROCESSLIST `DB`: the session's default database, for the tables its statement names.
    Database,
}

/// Which transaction of a wait a column describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The row's own (a lock's owner, an INNODB_TRX row).
    Own,
    Waiting,
    Blocking,
}

/// A column as resolved: its role (if known) and side.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    pub role: Option<Role>,
    pub side: Side,
}

/// Names (lower case) and the role they stand for, across MySQL 5.5–9.x, MariaDB, `sys`, and the
/// aliases the manual and blogs use.
const NAMES: &[(&str, Role)] = &[
    ("engine_lock_id", Role::LockId),
    ("lock_id", Role::LockId),
    ("lockid", Role::LockId),
    ("engine_transaction_id", Role::TrxId),
    ("engine_trx_id", Role::TrxId),
    ("lock_trx_id", Role::TrxId),
    ("trx_id", Role::TrxId),
    ("trxid", Role::TrxId),
    ("transaction_id", Role::TrxId),
    ("trx", Role::TrxId),
    ("thread_id", Role::PsThreadId),
    ("thd_id", Role::PsThreadId),
    ("processlist_id", Role::ProcesslistId),
    ("trx_mysql_thread_id", Role::ProcesslistId),
    ("mysql_thread_id", Role::ProcesslistId),
    ("pid", Role::ProcesslistId),
    ("conn_id", Role::ProcesslistId),
    ("connection_id", Role::ProcesslistId),
    ("thread", Role::ProcesslistId),
    ("event_id", Role::EventId),
    ("mysql_errno", Role::Errno),
    ("db", Role::Database),
    ("processlist_db", Role::Database),
    ("errno", Role::Errno),
    ("engine", Role::Engine),
    ("object_schema", Role::Schema),
    ("table_schema", Role::Schema),
    ("schema_name", Role::Schema),
    ("locked_schema", Role::Schema),
    ("object_name", Role::Table),
    ("table_name", Role::Table),
    ("table", Role::Table),
    ("lock_table", Role::SchemaTable),
    ("locked_table", Role::SchemaTable),
    ("partition_name", Role::Partition),
    ("index_name", Role::Index),
    ("lock_index", Role::Index),
    ("locked_index", Role::Index),
    ("index", Role::Index),
    ("lock_type", Role::LockType),
    ("locked_type", Role::LockType),
    ("type", Role::LockType),
    ("lock_mode", Role::LockMode),
    ("mode", Role::LockMode),
    ("lockmode", Role::LockMode),
    ("lock_status", Role::LockStatus),
    ("status", Role::LockStatus),
    ("lock_data", Role::LockData),
    ("data", Role::LockData),
    ("lock_space", Role::Space),
    ("space", Role::Space),
    ("lock_page", Role::Page),
    ("page", Role::Page),
    ("lock_rec", Role::Heap),
    ("heap_no", Role::Heap),
    ("object_instance_begin", Role::ObjectInstance),
    ("trx_query", Role::Query),
    ("query", Role::Query),
    ("info", Role::Query),
    ("processlist_info", Role::Query),
    ("sql_text", Role::Query),
    ("trx_state", Role::TrxState),
    ("trx_started", Role::Started),
    ("trx_age", Role::TrxAge),
    ("trx_rows_locked", Role::RowsLocked),
    ("trx_rows_modified", Role::RowsModified),
    ("user", Role::User),
    ("processlist_user", Role::User),
    ("host", Role::Host),
    ("processlist_host", Role::Host),
    ("command", Role::Command),
    ("processlist_command", Role::Command),
    ("time", Role::Time),
    ("processlist_time", Role::Time),
    ("wait_age_secs", Role::WaitAgeSecs),
    ("wait_age", Role::WaitAge),
    ("id", Role::ProcesslistId),
    ("object_type", Role::ObjectType),
    ("lock_duration", Role::LockDuration),
    ("query_secs", Role::WaitAgeSecs),
    ("owner_thread_id", Role::PsThreadId),
    ("state", Role::ProcessState),
    ("processlist_state", Role::ProcessState),
];

/// Prefixes that put a column on one side of a wait (`waiting_trx_id`, `Blk_Trx_Id`).
const SIDES: &[(&str, Side)] = &[
    ("requesting_", Side::Waiting),
    ("requested_", Side::Waiting),
    ("waiting_", Side::Waiting),
    ("req_", Side::Waiting),
    ("blocking_", Side::Blocking),
    ("blk_", Side::Blocking),
];

fn lookup(name: &str) -> Option<Role> {
    NAMES.iter().find(|(n, _)| *n == name).map(|&(_, r)| r)
}

/// A header cell made comparable: lower case, quotes and a table qualifier (`r.`) dropped,
/// spaces and `$` as `_` (`x$innodb_lock_waits`' columns are the same names).
fn normalise(name: &str) -> String {
    let lower = name
        .trim()
        .trim_matches(|c| c == '`' || c == '"' || c == '\'')
        .to_ascii_lowercase();
    let bare = lower.rsplit_once('.').map_or(lower.as_str(), |(_, c)| c);
    bare.replace([' ', '-'], "_")
}

/// Resolves a bare name: the dictionary, else a side prefix and the dictionary.
fn by_name(name: &str) -> Column {
    let name = normalise(name);
    if let Some(role) = lookup(&name) {
        return Column {
            role: Some(role),
            side: Side::Own,
        };
    }
    for (prefix, side) in SIDES {
        if let Some(rest) = name.strip_prefix(prefix) {
            // `requested_lock_id`, `blocking_lock_id`; `waiting_pid`; `blocking_query`.
            return Column {
                role: lookup(rest).or_else(|| lookup(&format!("trx_{rest}"))),
                side: *side,
            };
        }
    }
    Column {
        role: None,
        side: Side::Own,
    }
}

/// Whether `name` is a column the dictionary knows (with or without a side prefix): how a
/// second `name: value` pair on one line of a condensed `\G` row is told from a value.
pub fn is_known_column(name: &str) -> bool {
    by_name(name).role.is_some()
}

/// Resolves a header cell, through the query's alias when it has one.
pub fn resolve(header: &str, query: &QueryContext) -> Column {
    let own = by_name(header);
    let Some(expr) = query.source_of(header.trim_matches(|c| c == '`' || c == '"' || c == '\''))
    else {
        return own;
    };
    let mut column = if expr.contains("object_name") && expr.contains("object_schema") {
        Column {
            role: Some(Role::SchemaTable),
            side: Side::Own,
        }
    } else {
        by_name(expr)
    };
    if column.role.is_none() {
        column.role = own.role;
    }
    // The side: the join alias of the expression, else the alias's own prefix.
    column.side = match query.side_of(expr) {
        Some(JoinSide::Waiting) => Side::Waiting,
        Some(JoinSide::Blocking) => Side::Blocking,
        None if column.side == Side::Own => own.side,
        None => column.side,
    };
    column
}

/// What a column's values say it is, for a column its name did not tell. `None` when the
/// values are not distinctive.
pub fn probe(values: &[Option<&str>]) -> Option<Role> {
    let present: Vec<&str> = values.iter().flatten().map(|v| v.trim()).collect();
    if present.is_empty() {
        return None;
    }
    let all = |f: fn(&str) -> bool| present.iter().all(|v| f(v));
    if all(|v| matches!(v, "GRANTED" | "WAITING" | "PENDING" | "VICTIM")) {
        return Some(Role::LockStatus);
    }
    if all(|v| matches!(v, "RECORD" | "TABLE")) {
        return Some(Role::LockType);
    }
    if all(|v| v == "INNODB") {
        return Some(Role::Engine);
    }
    if all(is_lock_mode) && present.iter().any(|v| v.contains(',') || v.len() == 2) {
        return Some(Role::LockMode);
    }
    if all(is_lock_id) {
        return Some(Role::LockId);
    }
    if present
        .iter()
        .any(|v| *v == "PRIMARY" || *v == "GEN_CLUST_INDEX")
    {
        return Some(Role::Index);
    }
    if present.iter().any(|v| v.contains("supremum pseudo-record")) {
        return Some(Role::LockData);
    }
    None
}

/// `X`, `S,REC_NOT_GAP`, `X,GAP,INSERT_INTENTION`, `IX`, `AUTO_INC`.
pub fn is_lock_mode(v: &str) -> bool {
    let mut words = v.split(',');
    let mode_ok = words
        .next()
        .is_some_and(|m| matches!(m.trim(), "X" | "S" | "IX" | "IS" | "AUTO_INC" | "AUTO-INC"));
    mode_ok && words.all(|w| matches!(w.trim(), "REC_NOT_GAP" | "GAP" | "INSERT_INTENTION"))
}

/// `139816129437696:27:4:2:139816016601240`, `1594:2:4:7`, `283133240155680:1098`,
/// `62C97B1:0:52555:193` (5.5's hex trx ids).
pub fn is_lock_id(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    // A trx id (or 8.0's trx address) comes first: never `00`, never as short as a clock's.
    let head_ok = parts
        .first()
        .is_some_and(|p| p.len() >= 3 && !p.starts_with('0'));
    head_ok
        && (2..=5).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_hexdigit()))
        && parts
            .iter()
            .skip(1)
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()))
}

/// The columns of `performance_schema.data_locks` in the order `SELECT *` prints them
/// (MySQL 8.0+), for a paste that lost its header: a GUI's "copy rows".
pub const DATA_LOCKS_COLUMNS: &[&str] = &[
    "ENGINE",
    "ENGINE_LOCK_ID",
    "ENGINE_TRANSACTION_ID",
    "THREAD_ID",
    "EVENT_ID",
    "OBJECT_SCHEMA",
    "OBJECT_NAME",
    "PARTITION_NAME",
    "SUBPARTITION_NAME",
    "INDEX_NAME",
    "OBJECT_INSTANCE_BEGIN",
    "LOCK_TYPE",
    "LOCK_MODE",
    "LOCK_STATUS",
    "LOCK_DATA",
];

/// The columns of `performance_schema.data_lock_waits` (MySQL 8.0+) in `SELECT *` order.
pub const DATA_LOCK_WAITS_COLUMNS: &[&str] = &[
    "ENGINE",
    "REQUESTING_ENGINE_LOCK_ID",
    "REQUESTING_ENGINE_TRANSACTION_ID",
    "REQUESTING_THREAD_ID",
    "REQUESTING_EVENT_ID",
    "REQUESTING_OBJECT_INSTANCE_BEGIN",
    "BLOCKING_ENGINE_LOCK_ID",
    "BLOCKING_ENGINE_TRANSACTION_ID",
    "BLOCKING_THREAD_ID",
    "BLOCKING_EVENT_ID",
    "BLOCKING_OBJECT_INSTANCE_BEGIN",
];

/// The columns of `information_schema.INNODB_LOCKS` (5.5–5.7, MariaDB) in `SELECT *` order.
pub const INNODB_LOCKS_COLUMNS: &[&str] = &[
    "lock_id",
    "lock_trx_id",
    "lock_mode",
    "lock_type",
    "lock_table",
    "lock_index",
    "lock_space",
    "lock_page",
    "lock_rec",
    "lock_data",
];

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::super::query::read_query;
    use super::*;

    fn col(role: Role, side: Side) -> Column {
        Column {
            role: Some(role),
            side,
        }
    }

    #[test]
    fn names_aliases_and_sides() {
        let none = QueryContext::default();
        let cases = [
            ("ENGINE_TRANSACTION_ID", col(Role::TrxId, Side::Own)),
            ("lock_trx_id", col(Role::TrxId, Side::Own)),
            ("Trx_Id", col(Role::TrxId, Side::Own)),
            ("Req_Lock_Id", col(Role::LockId, Side::Waiting)),
            ("Blk_Trx_Id", col(Role::TrxId, Side::Blocking)),
            (
                "REQUESTING_ENGINE_LOCK_ID",
                col(Role::LockId, Side::Waiting),
            ),
            ("BLOCKING_THREAD_ID", col(Role::PsThreadId, Side::Blocking)),
            ("requested_lock_id", col(Role::LockId, Side::Waiting)),
            ("waiting_pid", col(Role::ProcesslistId, Side::Waiting)),
            ("blocking_lock_mode", col(Role::LockMode, Side::Blocking)),
            (
                "waiting_trx_rows_locked",
                col(Role::RowsLocked, Side::Waiting),
            ),
            ("waiting_query", col(Role::Query, Side::Waiting)),
            ("blocking_trx_age", col(Role::TrxAge, Side::Blocking)),
            ("locked_table", col(Role::SchemaTable, Side::Own)),
            ("locked_schema", col(Role::Schema, Side::Own)),
            (
                "blocking_processlist_id",
                col(Role::ProcesslistId, Side::Blocking),
            ),
            ("wait_age_secs", col(Role::WaitAgeSecs, Side::Own)),
            ("Data", col(Role::LockData, Side::Own)),
            ("`Index`", col(Role::Index, Side::Own)),
        ];
        for (name, want) in cases {
            assert_eq!(resolve(name, &none), want, "resolving {name:?}");
        }
        assert_eq!(resolve("锁的模式", &none).role, None);
    }

    #[test]
    fn the_query_names_what_the_header_does_not() {
        let q = read_query(&[
            "SELECT ENGINE_LOCK_ID AS '锁的ID', r.trx_mysql_thread_id waiting_thread,",
            "CONCAT(OBJECT_SCHEMA, '.', OBJECT_NAME) AS '加锁的表'",
            "FROM data_lock_waits w JOIN innodb_trx r ON r.trx_id = w.requesting_engine_transaction_id",
        ]);
        assert_eq!(resolve("锁的ID", &q), col(Role::LockId, Side::Own));
        assert_eq!(resolve("加锁的表", &q), col(Role::SchemaTable, Side::Own));
        assert_eq!(
            resolve("waiting_thread", &q),
            col(Role::ProcesslistId, Side::Waiting)
        );
    }

    #[test]
    fn values_name_a_column() {
        let probe_of = |v: &[&str]| probe(&v.iter().map(|s| Some(*s)).collect::<Vec<_>>());
        assert_eq!(probe_of(&["GRANTED", "WAITING"]), Some(Role::LockStatus));
        assert_eq!(probe_of(&["IX", "X,REC_NOT_GAP"]), Some(Role::LockMode));
        assert_eq!(
            probe_of(&["139816129437696:27:4:2:139816016601240", "123183:1523"]),
            Some(Role::LockId)
        );
        assert_eq!(probe_of(&["RECORD", "TABLE"]), Some(Role::LockType));
        assert_eq!(probe_of(&["1", "2"]), None);
        assert!(is_lock_id("62C97B1:0:52555:193"));
        assert!(!is_lock_id("10:30"));
        assert!(!is_lock_mode("XS"));
    }
}
