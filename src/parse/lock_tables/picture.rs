//! Joins the lock tables of one moment into lock waits. Each table alone tells part of the story
//! (INNODB_LOCK_WAITS only ids, INNODB_LOCKS the locks, INNODB_TRX and PROCESSLIST what each
//! session runs); given together — several files, or one file with several result sets — they
//! are joined by trx id, lock id and thread id (format-spec §7–§9).

use std::collections::BTreeMap;

use super::result_set::ResultSet;
use crate::model::{LockKind, LockWait, Name, TableName, TrxSummary, WaitedLock};
use crate::parse::parse_mode_clause;

/// Which table a result set is, told by its columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TableKind {
    InnodbTrx,
    InnodbLocks,
    InnodbLockWaits,
    DataLocks,
    DataLockWaits,
    SysLockWaits,
    Processlist,
}

impl TableKind {
    /// Identifies a result set by its header; `None` for a table lockscope does not read.
    pub fn of(set: &ResultSet) -> Option<TableKind> {
        let kinds: [(TableKind, &[&str]); 7] = [
            (
                TableKind::SysLockWaits,
                &["waiting_trx_id", "blocking_trx_id", "locked_table"],
            ),
            (
                TableKind::DataLockWaits,
                &["requesting_engine_lock_id", "blocking_engine_lock_id"],
            ),
            (
                TableKind::DataLocks,
                &["lock_type", "lock_mode", "lock_status"],
            ),
            (
                TableKind::InnodbLockWaits,
                &["requesting_trx_id", "blocking_trx_id"],
            ),
            (
                TableKind::InnodbLocks,
                &["lock_id", "lock_trx_id", "lock_mode"],
            ),
            (TableKind::InnodbTrx, &["trx_id", "trx_state"]),
            (TableKind::Processlist, &["id", "user", "command", "time"]),
        ];
        kinds
            .iter()
            .find(|(_, cols)| set.has_columns(cols))
            .map(|(k, _)| *k)
    }

    pub fn name(self) -> &'static str {
        match self {
            TableKind::InnodbTrx => "information_schema.INNODB_TRX",
            TableKind::InnodbLocks => "information_schema.INNODB_LOCKS",
            TableKind::InnodbLockWaits => "information_schema.INNODB_LOCK_WAITS",
            TableKind::DataLocks => "performance_schema.data_locks",
            TableKind::DataLockWaits => "performance_schema.data_lock_waits",
            TableKind::SysLockWaits => "sys.innodb_lock_waits",
            TableKind::Processlist => "information_schema.PROCESSLIST",
        }
    }
}

/// Everything read so far from lock tables (by kind, with where each came from) and from
/// TRANSACTIONS sections.
#[derive(Debug, Default)]
pub struct LockPicture {
    tables: Vec<(TableKind, String, ResultSet)>,
    status: Vec<LockWait>,
    /// A TRANSACTIONS section was read (even one without waits).
    saw_status: bool,
}

impl LockPicture {
    pub fn add(&mut self, kind: TableKind, source: String, set: ResultSet) {
        self.tables.push((kind, source, set));
    }

    /// The waits of a TRANSACTIONS section (`LockWait::from_transactions`).
    pub fn add_status(&mut self, waits: Vec<LockWait>) {
        self.saw_status = true;
        self.status.extend(waits);
    }

    /// Takes in another input's material (several files of one moment).
    pub fn merge(&mut self, other: LockPicture) {
        self.tables.extend(other.tables);
        self.status.extend(other.status);
        self.saw_status |= other.saw_status;
    }

    pub fn is_empty(&self) -> bool {
        self.tables.is_empty() && !self.saw_status
    }

    fn rows(&self, kind: TableKind) -> impl Iterator<Item = (&str, &ResultSet, &[Option<String>])> {
        self.tables
            .iter()
            .filter(move |(k, ..)| *k == kind)
            .flat_map(|(_, src, set)| {
                set.rows
                    .iter()
                    .map(move |r| (src.as_str(), set, r.as_slice()))
            })
    }

    /// The lock waits the tables show, one per (waiting trx, blocking trx, lock).
    pub fn lock_waits(&self) -> Vec<LockWait> {
        let trx = self.transactions();
        let mut waits: Vec<LockWait> = Vec::new();
        let mut push = |mut wait: LockWait| {
            enrich(&mut wait.requesting, &trx);
            if let Some(b) = &mut wait.blocking {
                enrich(b, &trx);
            }
            // The same wait seen by two sources; a source that does not name the holder
            // (a TRANSACTIONS section without lock output) agrees with any that does.
            let same = waits.iter_mut().find(|w| {
                w.requesting.trx_id == wait.requesting.trx_id
                    && match (&w.blocking, &wait.blocking) {
                        (Some(a), Some(b)) => a.trx_id == b.trx_id,
                        _ => true,
                    }
            });
            match same {
                Some(w) => {
                    w.requesting.merge(&wait.requesting);
                    match (&mut w.blocking, &wait.blocking) {
                        (Some(a), Some(b)) => a.merge(b),
                        (None, Some(b)) => w.blocking = Some(b.clone()),
                        _ => {}
                    }
                    if w.lock.record.is_none() && wait.lock.record.is_some() {
                        w.lock = wait.lock.clone();
                    }
                    w.wait_secs = w.wait_secs.or(wait.wait_secs);
                    for s in wait.sources {
                        if !w.sources.contains(&s) {
                            w.sources.push(s);
                        }
                    }
                }
                None => waits.push(wait),
            }
        };
        for wait in &self.status {
            push(wait.clone());
        }
        for (src, set, row) in self.rows(TableKind::SysLockWaits) {
            if let Some(w) = sys_wait(src, set, row) {
                push(w);
            }
        }
        for (src, set, row) in self.rows(TableKind::InnodbLockWaits) {
            if let Some(w) = self.innodb_wait(src, set, row) {
                push(w);
            }
        }
        for (src, set, row) in self.rows(TableKind::DataLockWaits) {
            if let Some(w) = self.data_lock_wait(src, set, row) {
                push(w);
            }
        }
        waits
    }

    /// Every transaction INNODB_TRX and PROCESSLIST describe, by trx id (processlist rows are
    /// attached through the thread id).
    fn transactions(&self) -> BTreeMap<String, TrxSummary> {
        let mut sessions: BTreeMap<u64, TrxSummary> = BTreeMap::new();
        for (_, set, row) in self.rows(TableKind::Processlist) {
            let Some(id) = set.get(row, "id").and_then(|v| v.parse().ok()) else {
                continue;
            };
            let info = set.get(row, "info").map(str::to_string);
            sessions.insert(
                id,
                TrxSummary {
                    thread_id: Some(id),
                    query: info,
                    user: set.get(row, "user").map(str::to_string),
                    host: set.get(row, "host").map(str::to_string),
                    command: set.get(row, "command").map(str::to_string),
                    command_secs: set.get(row, "time").and_then(|v| v.parse().ok()),
                    query_known: set.column("info").is_some(),
                    ..TrxSummary::default()
                },
            );
        }
        let mut trx = BTreeMap::new();
        for (_, set, row) in self.rows(TableKind::InnodbTrx) {
            let Some(id) = set.get(row, "trx_id") else {
                continue;
            };
            let mut t = TrxSummary {
                trx_id: id.to_string(),
                thread_id: set
                    .get(row, "trx_mysql_thread_id")
                    .and_then(|v| v.parse().ok()),
                query: set.get(row, "trx_query").map(str::to_string),
                state: set.get(row, "trx_state").map(str::to_string),
                started: set.get(row, "trx_started").map(str::to_string),
                rows_locked: set.get(row, "trx_rows_locked").and_then(|v| v.parse().ok()),
                rows_modified: set
                    .get(row, "trx_rows_modified")
                    .and_then(|v| v.parse().ok()),
                ..TrxSummary::default()
            };
            if let Some(session) = t.thread_id.and_then(|id| sessions.get(&id)) {
                t.merge(session);
            }
            trx.insert(id.to_string(), t);
        }
        for session in sessions.into_values() {
            // Sessions without a trx row are still useful to name a blocker by thread id.
            let key = format!("thread:{}", session.thread_id.unwrap_or(0));
            trx.insert(key, session);
        }
        trx
    }

    // INNODB_LOCK_WAITS: requesting_trx_id requested_lock_id blocking_trx_id blocking_lock_id
    fn innodb_wait(&self, src: &str, set: &ResultSet, row: &[Option<String>]) -> Option<LockWait> {
        let requesting = set.get(row, "requesting_trx_id")?;
        let blocking = set.get(row, "blocking_trx_id")?;
        let lock_id = set.get(row, "requested_lock_id");
        let lock = self
            .rows(TableKind::InnodbLocks)
            .find(|(_, s, r)| lock_id.is_some() && s.get(r, "lock_id") == lock_id)
            .map(|(_, s, r)| innodb_lock(s, r));
        let lock = lock.unwrap_or_else(|| unknown_lock(lock_id.unwrap_or("")));
        Some(id_wait(
            requesting,
            blocking,
            lock,
            src,
            TableKind::InnodbLockWaits,
            set.line,
        ))
    }

    // data_lock_waits: REQUESTING_ENGINE_LOCK_ID … BLOCKING_ENGINE_TRANSACTION_ID …
    fn data_lock_wait(
        &self,
        src: &str,
        set: &ResultSet,
        row: &[Option<String>],
    ) -> Option<LockWait> {
        let lock_id = set.get(row, "requesting_engine_lock_id")?;
        let waiting =
            |s: &ResultSet, r: &[Option<String>]| s.get(r, "lock_status") == Some("WAITING");
        let lock_row = self
            .rows(TableKind::DataLocks)
            .find(|(_, s, r)| s.get(r, "engine_lock_id") == Some(lock_id))
            .or_else(|| {
                // A copy that left out ENGINE_LOCK_ID: the one waiting record lock listed.
                let mut waiting_rows = self
                    .rows(TableKind::DataLocks)
                    .filter(|(_, s, r)| waiting(s, r) && s.get(r, "lock_type") == Some("RECORD"));
                let only = waiting_rows.next();
                if waiting_rows.next().is_none() {
                    only
                } else {
                    None
                }
            });
        let requesting = set
            .get(row, "requesting_engine_transaction_id")
            .or_else(|| lock_row.and_then(|(_, s, r)| s.get(r, "engine_transaction_id")))?;
        let blocking = set.get(row, "blocking_engine_transaction_id")?;
        let lock = lock_row
            .map(|(_, s, r)| data_lock(s, r))
            .unwrap_or_else(|| unknown_lock(lock_id));
        Some(id_wait(
            requesting,
            blocking,
            lock,
            src,
            TableKind::DataLockWaits,
            set.line,
        ))
    }
}

/// A wait that a waits table gives as two trx ids (the rest is filled by `enrich`).
fn id_wait(
    requesting: &str,
    blocking: &str,
    lock: WaitedLock,
    src: &str,
    kind: TableKind,
    line: usize,
) -> LockWait {
    let trx = |id: &str| TrxSummary {
        trx_id: id.to_string(),
        ..TrxSummary::default()
    };
    LockWait {
        requesting: trx(requesting),
        blocking: Some(trx(blocking)),
        lock,
        wait_secs: None,
        sources: vec![format!("{src} ({})", kind.name())],
        line,
    }
}

/// Fills a summary from the INNODB_TRX / PROCESSLIST view of the same trx or thread.
fn enrich(t: &mut TrxSummary, all: &BTreeMap<String, TrxSummary>) {
    if let Some(full) = all.get(&t.trx_id) {
        t.merge(full);
    }
    if let Some(session) = t.thread_id.and_then(|id| all.get(&format!("thread:{id}"))) {
        t.merge(session);
    }
}

// sys.innodb_lock_waits: wait_age_secs locked_table locked_index waiting_trx_id waiting_pid …
fn sys_wait(src: &str, set: &ResultSet, row: &[Option<String>]) -> Option<LockWait> {
    let get = |name: &str| set.get(row, name).map(str::to_string);
    let num = |name: &str| set.get(row, name).and_then(|v| v.parse::<u64>().ok());
    let requesting = TrxSummary {
        trx_id: get("waiting_trx_id")?,
        thread_id: num("waiting_pid"),
        query: get("waiting_query"),
        started: get("waiting_trx_started"),
        active_secs: set.get(row, "waiting_trx_age").and_then(hms_secs),
        rows_locked: num("waiting_trx_rows_locked"),
        rows_modified: num("waiting_trx_rows_modified"),
        query_known: set.column("waiting_query").is_some(),
        ..TrxSummary::default()
    };
    let blocking = TrxSummary {
        trx_id: get("blocking_trx_id")?,
        thread_id: num("blocking_pid"),
        query: get("blocking_query"),
        started: get("blocking_trx_started"),
        active_secs: set.get(row, "blocking_trx_age").and_then(hms_secs),
        rows_locked: num("blocking_trx_rows_locked"),
        rows_modified: num("blocking_trx_rows_modified"),
        query_known: set.column("blocking_query").is_some(),
        ..TrxSummary::default()
    };
    let mode = get("waiting_lock_mode").unwrap_or_default();
    let table = get("locked_table")
        .map(|t| table_name(&t))
        .unwrap_or_default();
    let lock = WaitedLock {
        kind: kind_of(&mode, None, get("locked_type").as_deref()),
        mode: mode_word(&mode),
        table,
        index: get("locked_index"),
        lock_data: None,
        space: None,
        page: None,
        heap_no: get("waiting_lock_id").as_deref().and_then(heap_of_lock_id),
        record: None,
        text: mode,
    };
    Some(LockWait {
        requesting,
        blocking: Some(blocking),
        lock,
        wait_secs: set
            .get(row, "wait_age_secs")
            .and_then(|v| v.parse().ok())
            .or_else(|| {
                set.get(row, "wait_age")
                    .and_then(hms_secs)
                    .map(|s| s as f64)
            }),
        sources: vec![format!("{src} ({})", TableKind::SysLockWaits.name())],
        line: set.line,
    })
}

// INNODB_LOCKS: lock_id lock_trx_id lock_mode lock_type lock_table lock_index lock_space
//               lock_page lock_rec lock_data
fn innodb_lock(set: &ResultSet, row: &[Option<String>]) -> WaitedLock {
    let get = |name: &str| set.get(row, name).map(str::to_string);
    let num = |name: &str| set.get(row, name).and_then(|v| v.parse::<u64>().ok());
    let mode = get("lock_mode").unwrap_or_default();
    let data = get("lock_data");
    WaitedLock {
        kind: kind_of(&mode, data.as_deref(), get("lock_type").as_deref()),
        mode: mode_word(&mode),
        table: get("lock_table")
            .map(|t| table_name(&t))
            .unwrap_or_default(),
        index: get("lock_index"),
        lock_data: data,
        space: num("lock_space"),
        page: num("lock_page"),
        heap_no: num("lock_rec"),
        record: None,
        text: mode,
    }
}

// data_locks: ENGINE_LOCK_ID OBJECT_SCHEMA OBJECT_NAME PARTITION_NAME INDEX_NAME LOCK_TYPE
//             LOCK_MODE LOCK_STATUS LOCK_DATA
fn data_lock(set: &ResultSet, row: &[Option<String>]) -> WaitedLock {
    let get = |name: &str| set.get(row, name).map(str::to_string);
    let mode = get("lock_mode").unwrap_or_default();
    let data = get("lock_data");
    let lock_id = get("engine_lock_id").unwrap_or_default();
    let parts: Vec<&str> = lock_id.split(':').collect();
    // `<trx>:<space>:<page>:<heap>:<lock>` (8.0.17+) or `<trx>:<space>:<page>:<heap>`.
    let nth = |i: usize| parts.get(i).and_then(|v| v.parse::<u64>().ok());
    let record = get("lock_type").as_deref() == Some("RECORD") && parts.len() >= 4;
    WaitedLock {
        kind: kind_of(&mode, data.as_deref(), get("lock_type").as_deref()),
        mode: mode_word(&mode),
        table: TableName {
            schema: get("object_schema").map(Name::from),
            table: get("object_name").map(Name::from).unwrap_or_default(),
            partition: get("partition_name").map(Name::from),
        },
        index: get("index_name"),
        lock_data: data,
        space: record.then(|| nth(1)).flatten(),
        page: record.then(|| nth(2)).flatten(),
        heap_no: record.then(|| nth(3)).flatten(),
        record: None,
        text: mode,
    }
}

fn unknown_lock(lock_id: &str) -> WaitedLock {
    WaitedLock {
        table: TableName::default(),
        index: None,
        mode: String::new(),
        kind: LockKind::NextKey,
        lock_data: None,
        space: None,
        page: None,
        heap_no: heap_of_lock_id(lock_id),
        record: None,
        text: lock_id.to_string(),
    }
}

/// `610:15:3:5` → heap 5 (INNODB_LOCKS ids are `<trx>:<space>:<page>:<heap>`).
fn heap_of_lock_id(lock_id: &str) -> Option<u64> {
    let parts: Vec<&str> = lock_id.split(':').collect();
    (parts.len() == 4)
        .then(|| parts.get(3)?.parse().ok())
        .flatten()
}

/// `X,REC_NOT_GAP` → `X`.
fn mode_word(mode: &str) -> String {
    mode.split(',')
        .next()
        .unwrap_or("")
        .trim()
        .replace('_', "-")
}

/// The precise kind from a LOCK_MODE value. On the supremum every lock is a gap lock; INNODB_LOCKS
/// has no REC_NOT_GAP or INSERT_INTENTION flags, so there `X` means next-key or record-only.
fn kind_of(mode: &str, data: Option<&str>, lock_type: Option<&str>) -> LockKind {
    if lock_type.is_some_and(|t| t.eq_ignore_ascii_case("TABLE")) {
        return LockKind::Table;
    }
    let supremum = data.is_some_and(|d| d.contains("supremum"));
    match parse_mode_clause(mode) {
        Some(c) if c.insert_intention => LockKind::InsertIntention,
        Some(c) if c.gap => LockKind::Gap,
        Some(c) if c.rec_not_gap => LockKind::RecNotGap,
        _ if supremum => LockKind::Gap,
        _ => LockKind::NextKey,
    }
}

/// `` `test`.`jobs` `` or `test.jobs` → schema and table.
fn table_name(text: &str) -> TableName {
    let clean = |s: &str| Name::from(s.trim().trim_matches('`').trim_matches('"'));
    match text.split_once("`.`").or_else(|| text.split_once('.')) {
        Some((schema, table)) => TableName {
            schema: Some(clean(schema)),
            table: clean(table),
            partition: None,
        },
        None => TableName {
            schema: None,
            table: clean(text),
            partition: None,
        },
    }
}

/// `00:00:02` → 2; a plain number of seconds is accepted too.
fn hms_secs(text: &str) -> Option<u64> {
    let mut total = 0u64;
    for part in text.trim().split(':') {
        total = total
            .checked_mul(60)?
            .checked_add(part.parse::<u64>().ok()?)?;
    }
    Some(total)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::super::result_set::{parse_result_set, Shape};
    use super::*;

    const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/mariadb/lock-waits/");

    fn load(picture: &mut LockPicture, name: &str, shape: Shape) {
        let text = std::fs::read_to_string(format!("{DIR}{name}")).unwrap();
        let set =
            parse_result_set(shape, text.lines().enumerate().map(|(i, l)| (i + 1, l))).unwrap();
        let kind = TableKind::of(&set).unwrap_or_else(|| panic!("{name}: {:?}", set.columns));
        picture.add(kind, name.to_string(), set);
    }

    // See: fixtures/mariadb/lock-waits/lock-wait-timeout.sessions.txt (thread 71 idle blocker).
    #[test]
    fn information_schema_tables_join_into_one_wait() {
        for (suffix, shape) in [
            ("table", Shape::Boxed),
            ("vertical", Shape::Vertical),
            ("batch", Shape::Batch),
        ] {
            let mut p = LockPicture::default();
            for t in [
                "INNODB_TRX",
                "INNODB_LOCKS",
                "INNODB_LOCK_WAITS",
                "PROCESSLIST",
            ] {
                load(
                    &mut p,
                    &format!("lock-wait-timeout.information_schema.{t}.{suffix}.txt"),
                    shape,
                );
            }
            let waits = p.lock_waits();
            assert_eq!(waits.len(), 1, "{suffix}");
            let w = &waits[0];
            assert_eq!(w.requesting.trx_id, "610");
            assert_eq!(w.requesting.thread_id, Some(72));
            assert!(w
                .requesting
                .query
                .as_deref()
                .unwrap()
                .starts_with("UPDATE jobs"));
            let b = w.blocking.as_ref().unwrap();
            assert_eq!(b.trx_id, "609");
            assert_eq!(b.thread_id, Some(71));
            assert!(b.is_idle(), "{b:?}");
            assert_eq!(b.command.as_deref(), Some("Sleep"));
            assert_eq!(w.lock.table.table, "jobs");
            assert_eq!(w.lock.index.as_deref(), Some("PRIMARY"));
            assert_eq!(w.lock.lock_data.as_deref(), Some("7"));
            assert_eq!(w.lock.heap_no, Some(5));
        }
    }

    #[test]
    fn sys_view_alone_names_both_sides() {
        for (suffix, shape) in [
            ("table", Shape::Boxed),
            ("vertical", Shape::Vertical),
            ("batch", Shape::Batch),
        ] {
            let mut p = LockPicture::default();
            load(
                &mut p,
                &format!("lock-wait-timeout.sys.innodb_lock_waits.{suffix}.txt"),
                shape,
            );
            let waits = p.lock_waits();
            assert_eq!(waits.len(), 1);
            let w = &waits[0];
            assert_eq!(w.wait_secs, Some(2.0));
            assert_eq!(w.blocking.as_ref().unwrap().thread_id, Some(71));
            assert_eq!(w.blocking.as_ref().unwrap().query, None);
            assert_eq!(w.lock.table.schema.as_deref(), Some("test"));
        }
    }

    #[test]
    fn gap_and_supremum_kinds() {
        let mut p = LockPicture::default();
        load(
            &mut p,
            "lock-wait-timeout.gap.information_schema.INNODB_LOCKS.batch.txt",
            Shape::Batch,
        );
        load(
            &mut p,
            "lock-wait-timeout.gap.information_schema.INNODB_LOCK_WAITS.batch.txt",
            Shape::Batch,
        );
        assert_eq!(p.lock_waits()[0].lock.kind, LockKind::Gap);
        let mut p = LockPicture::default();
        load(
            &mut p,
            "lock-wait-timeout.supremum.information_schema.INNODB_LOCKS.batch.txt",
            Shape::Batch,
        );
        load(
            &mut p,
            "lock-wait-timeout.supremum.information_schema.INNODB_LOCK_WAITS.batch.txt",
            Shape::Batch,
        );
        let w = &p.lock_waits()[0];
        assert_eq!(w.lock.kind, LockKind::Gap);
        assert_eq!(w.lock.lock_data.as_deref(), Some("supremum pseudo-record"));
    }

    #[test]
    fn hms() {
        assert_eq!(hms_secs("00:01:02"), Some(62));
        assert_eq!(hms_secs("7"), Some(7));
        assert_eq!(hms_secs("x"), None);
    }
}
