//! Stalls that are no row lock, read from PROCESSLIST alone: `Waiting for table flush` and
//! the global read lock (`Waiting for global read lock`, `Waiting for commit lock`, MariaDB's
//! `Waiting for backup lock`).
//!
//! - **Table flush.** `FLUSH TABLES` (and `FLUSH TABLES WITH READ LOCK`, `ANALYZE TABLE`,
//!   …) marks the open tables as old and waits until every statement that has one open ends;
//!   every statement that opens such a table afterwards waits for the same thing (`Waiting for
//!   table flush`). The holders are the statements that were already running on those tables
//!   when the flush began: PROCESSLIST shows them running (not waiting), with a `TIME` at least
//!   the flush's. Killing the `FLUSH` frees nobody: the table stays marked until they end.
//! - **Global read lock.** `FLUSH TABLES WITH READ LOCK` (a backup tool's), once granted,
//!   blocks every write and every commit until its session runs `UNLOCK TABLES` or ends;
//!   while it waits itself (for running writes), the writes that come after it queue behind
//!   it. Once granted, its session is usually idle (`Sleep`, no statement: the tool copies
//!   files): PROCESSLIST does not say which session holds it, so when the only session idle
//!   since before the first wait is there, it is taken as the holder — inferred.
//!
//! Every wait here is inferred (`LockWait::inferred`): PROCESSLIST names no holder.

use super::LockPicture;
use crate::model::lock::TableName;
use crate::model::lock_mode::LockKind;
use crate::model::lock_wait::{is_monitoring_query, LockWait, TrxSummary, WaitedLock};

/// Where these waits are read from, for the evidence.
const SOURCE: &str = "PROCESSLIST";

/// What a session's PROCESSLIST state says it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Waiting {
    /// `Waiting for table flush` (5.1's `Waiting for tables`).
    TableFlush,
    /// `Waiting for global read lock` / `commit lock` / `backup lock`: the lock's name.
    Global(&'static str),
    /// Another `Waiting for …` / `Waiting on …` state (a metadata lock, a row lock, …).
    Other,
    Not,
}

fn waiting(t: &TrxSummary) -> Waiting {
    let Some(state) = t.process_state.as_deref().map(str::trim) else {
        return Waiting::Not;
    };
    let lower = state.to_ascii_lowercase();
    match lower.as_str() {
        "waiting for table flush" | "waiting for tables" => Waiting::TableFlush,
        "waiting for global read lock" => Waiting::Global("global read lock"),
        "waiting for commit lock" => Waiting::Global("commit lock"),
        "waiting for backup lock" => Waiting::Global("backup lock"),
        s if s.starts_with("waiting for") || s.starts_with("waiting on") => Waiting::Other,
        // A row-lock wait shows as `updating` / `Sending data`: only the trx tables tell.
        _ => Waiting::Not,
    }
}

/// The statement's words, upper case, comments and punctuation around them dropped.
fn words(sql: &str) -> Vec<String> {
    let mut out = String::with_capacity(sql.len());
    let mut rest = sql;
    // `/*!40101 LOCAL */` (mysqldump's) and other comments out.
    while let Some(at) = rest.find("/*") {
        out.push_str(rest.get(..at).unwrap_or_default());
        out.push(' ');
        rest = match rest.get(at..).and_then(|r| r.find("*/")) {
            Some(end) => rest.get(at + end + 2..).unwrap_or_default(),
            None => "",
        };
    }
    out.push_str(rest);
    out.split(|c: char| c.is_whitespace() || c == ',' || c == ';' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(str::to_ascii_uppercase)
        .collect()
}

/// `FLUSH TABLES WITH READ LOCK`, `LOCK INSTANCE FOR BACKUP`, `BACKUP STAGE …`: a statement
/// that takes (or waits for) the global read / backup lock.
pub(super) fn is_backup_statement(sql: &str) -> bool {
    let w = words(sql);
    let w: Vec<&str> = w.iter().map(String::as_str).collect();
    matches!(
        w.as_slice(),
        ["FLUSH", "TABLES" | "TABLE", "WITH", "READ", "LOCK", ..]
            | [
                "FLUSH",
                "LOCAL" | "NO_WRITE_TO_BINLOG",
                "TABLES" | "TABLE",
                "WITH",
                "READ",
                "LOCK",
                ..
            ]
            | ["LOCK", "INSTANCE", "FOR", "BACKUP", ..]
            | ["BACKUP", "STAGE", ..]
    )
}

/// A statement that flushes tables: `FLUSH TABLES [t, …]`, FTWRL, and the statements that
/// close a table's old version (`ANALYZE`, `OPTIMIZE`, `REPAIR`, `ALTER`, `RENAME`).
fn is_flush_statement(sql: &str) -> bool {
    let w = words(sql);
    matches!(
        w.first().map(String::as_str),
        Some("FLUSH" | "ANALYZE" | "OPTIMIZE" | "REPAIR" | "ALTER" | "RENAME" | "TRUNCATE")
    )
}

/// A statement that writes (takes the global read lock's intention, as every write does, and
/// a `SELECT … FOR UPDATE` too).
fn is_write(sql: &str) -> bool {
    let w = words(sql);
    let for_update = w
        .windows(2)
        .any(|p| matches!(p, [a, b] if a == "FOR" && b == "UPDATE"));
    for_update
        || matches!(
            w.first().map(String::as_str),
            Some(
                "INSERT"
                    | "UPDATE"
                    | "DELETE"
                    | "REPLACE"
                    | "LOAD"
                    | "ALTER"
                    | "CREATE"
                    | "DROP"
                    | "RENAME"
                    | "TRUNCATE"
                    | "OPTIMIZE"
                    | "REPAIR"
                    | "COMMIT"
            )
        )
}

/// The tables a statement names (`FROM a, b`, `JOIN c`, `UPDATE d`, `INTO e`, `TABLE f`,
/// `FLUSH TABLES g, h`), as written (`db.t` or `t`), without quotes. `None`: it names none
/// the words show (`FLUSH TABLES`, `FLUSH TABLES WITH READ LOCK`: every table).
pub(super) fn tables_of_statement(sql: &str) -> Option<Vec<String>> {
    let raw: Vec<&str> = sql
        .split(|c: char| c.is_whitespace() || c == ';' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .collect();
    let mut out: Vec<String> = Vec::new();
    let keyword = |w: &str| {
        ["FROM", "JOIN", "UPDATE", "INTO", "TABLE", "TABLES"]
            .iter()
            .any(|k| w.eq_ignore_ascii_case(k))
    };
    let stop = |w: &str| {
        [
            "WHERE",
            "WITH",
            "FOR",
            "SET",
            "VALUES",
            "VALUE",
            "SELECT",
            "ON",
            "USING",
            "LIMIT",
            "ORDER",
            "GROUP",
            "AS",
            "LEFT",
            "RIGHT",
            "INNER",
            "JOIN",
            "READ",
            "WRITE",
            "LOCK",
            "ADD",
            "DROP",
            "MODIFY",
            "CHANGE",
            "ENGINE",
            "IF",
            "EXISTS",
            "NOT",
            "PARTITION",
        ]
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
    };
    let mut i = 0;
    while let Some(w) = raw.get(i) {
        i += 1;
        if !keyword(w) {
            continue;
        }
        // A list: `a, b` / `a,b` / `a b, c d` (aliases), up to a keyword.
        let mut expect_name = true;
        while let Some(next) = raw.get(i) {
            if stop(next) || keyword(next) {
                break;
            }
            i += 1;
            for (k, part) in next.split(',').enumerate() {
                if k > 0 {
                    expect_name = true;
                }
                let name = part.trim_matches(|c| c == '`' || c == '"' || c == '\'');
                let plain = name.replace('`', "");
                if expect_name && !plain.is_empty() && plain.chars().any(|c| c.is_alphabetic()) {
                    if !out.contains(&plain) {
                        out.push(plain);
                    }
                    expect_name = false;
                }
            }
            if next.ends_with(',') {
                expect_name = true;
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// A session of PROCESSLIST as the stalls see it.
#[derive(Debug, Clone)]
struct Proc {
    session: TrxSummary,
    id: u64,
    secs: u64,
    waiting: Waiting,
}

impl Proc {
    fn sql(&self) -> Option<&str> {
        self.session
            .query
            .as_deref()
            .filter(|q| !q.trim().is_empty())
    }

    /// Runs a statement, not waiting for a lock: a candidate holder of what started after it.
    fn runs(&self) -> bool {
        let command = self.session.command.as_deref().unwrap_or("Query");
        self.waiting == Waiting::Not
            && matches!(command, "Query" | "Execute")
            && self.sql().is_some_and(|q| {
                let first = words(q).into_iter().next().unwrap_or_default();
                !is_monitoring_query(q) && !matches!(first.as_str(), "SHOW" | "KILL" | "SET")
            })
            && !system_user(&self.session)
    }

    /// Idle: `Sleep`, no statement.
    fn idle(&self) -> bool {
        self.session.command.as_deref() == Some("Sleep")
            && self.sql().is_none()
            && !system_user(&self.session)
    }

    /// The tables its statement names, qualified with its default database.
    fn tables(&self) -> Option<Vec<TableName>> {
        let names = tables_of_statement(self.sql()?)?;
        Some(
            names
                .into_iter()
                .map(|n| match n.split_once('.') {
                    Some((db, t)) => TableName {
                        schema: Some(db.into()),
                        table: t.into(),
                        partition: None,
                    },
                    None => TableName {
                        schema: self.session.database.as_deref().map(Into::into),
                        table: n.into(),
                        partition: None,
                    },
                })
                .collect(),
        )
    }
}

fn system_user(t: &TrxSummary) -> bool {
    let user = t.user.as_deref().unwrap_or("").to_ascii_lowercase();
    let command = t.command.as_deref().unwrap_or("").to_ascii_lowercase();
    matches!(user.as_str(), "event_scheduler" | "system user")
        || matches!(
            command.as_str(),
            "daemon" | "binlog dump" | "binlog dump gtid" | "connect"
        )
}

/// Whether two table lists share a table (a name without a database matches any database).
fn share(a: &[TableName], b: &[TableName]) -> bool {
    a.iter().any(|x| {
        b.iter().any(|y| {
            x.table.eq_ignore_ascii_case(&y.table)
                && match (&x.schema, &y.schema) {
                    (Some(s), Some(t)) => s.eq_ignore_ascii_case(t),
                    _ => true,
                }
        })
    })
}

/// The sessions of the PROCESSLIST rows read, each once (a session in PROCESSLIST and in
/// `threads` merged).
fn procs(sessions: &[TrxSummary]) -> Vec<Proc> {
    let mut out: Vec<Proc> = Vec::new();
    for s in sessions {
        let Some(id) = s.thread_id else { continue };
        if !s.trx_id.is_empty() || (s.command.is_none() && s.process_state.is_none()) {
            continue;
        }
        match out.iter_mut().find(|p| p.id == id) {
            Some(p) => p.session.merge(s),
            None => {
                let mut session = s.clone();
                session.trx_id = format!("session {id}");
                session.query_known = true;
                out.push(Proc {
                    id,
                    secs: s.command_secs.unwrap_or(0),
                    waiting: Waiting::Not,
                    session,
                });
            }
        }
    }
    for p in &mut out {
        p.waiting = waiting(&p.session);
    }
    out
}

/// Running sessions on `table` (a session's statement naming it) that started no later than
/// `secs` ago: who holds what a PROCESSLIST-only wait on that table waits for. The longest
/// running first.
pub(super) fn running_on(sessions: &[TrxSummary], table: &TableName, secs: u64) -> Vec<TrxSummary> {
    let mut found: Vec<Proc> = procs(sessions)
        .into_iter()
        .filter(|p| p.runs() && p.secs >= secs)
        .filter(|p| {
            p.tables()
                .is_some_and(|ts| share(&ts, std::slice::from_ref(table)))
        })
        .collect();
    found.sort_by_key(|p| std::cmp::Reverse(p.secs));
    found.into_iter().map(|p| p.session).collect()
}

impl LockPicture {
    /// The table-flush and global-read-lock waits PROCESSLIST shows.
    pub(super) fn stall_waits(&self) -> Vec<LockWait> {
        let procs = procs(&self.sessions);
        let mut waits = flush_waits(&procs);
        waits.extend(global_waits(&procs));
        waits
    }
}

fn wait(p: &Proc, blocker: Option<&Proc>, lock: WaitedLock) -> LockWait {
    LockWait {
        requesting: p.session.clone(),
        blocking: blocker.map(|b| b.session.clone()),
        lock,
        wait_secs: Some(p.secs as f64),
        sources: vec![format!(
            "{SOURCE} ({})",
            p.session.process_state.as_deref().unwrap_or("")
        )],
        line: p.session.row_line,
        inferred: true,
    }
}

fn stall_lock(kind: LockKind, mode: &str, table: TableName, text: &str) -> WaitedLock {
    WaitedLock {
        table,
        index: None,
        mode: mode.to_string(),
        kind,
        lock_data: None,
        space: None,
        page: None,
        heap_no: None,
        record: None,
        text: text.to_string(),
    }
}

/// `Waiting for table flush`: each waiter waits for the statements that had its tables open
/// when the flush began.
fn flush_waits(procs: &[Proc]) -> Vec<LockWait> {
    let waiters: Vec<&Proc> = procs
        .iter()
        .filter(|p| p.waiting == Waiting::TableFlush)
        .collect();
    if waiters.is_empty() {
        return Vec::new();
    }
    let flushers: Vec<&&Proc> = waiters
        .iter()
        .filter(|p| p.sql().is_some_and(is_flush_statement))
        .collect();
    // When the flush began: the oldest flush shown, else (it is over: an ANALYZE TABLE) the
    // longest waiter.
    let since = flushers
        .iter()
        .map(|p| p.secs)
        .max()
        .or_else(|| waiters.iter().map(|p| p.secs).max())
        .unwrap_or(0);
    let holders: Vec<&Proc> = procs
        .iter()
        .filter(|p| p.runs() && p.secs >= since)
        .collect();
    let mut out = Vec::new();
    for w in &waiters {
        let tables = w.tables();
        let flushes_all = w.sql().is_some_and(is_backup_statement)
            || (w.sql().is_some_and(is_flush_statement) && tables.is_none());
        let mine: Vec<&Proc> = match &tables {
            _ if flushes_all => holders.clone(),
            Some(ts) => {
                let named: Vec<&Proc> = holders
                    .iter()
                    .copied()
                    .filter(|h| h.tables().is_some_and(|ht| share(ts, &ht)))
                    .collect();
                if named.is_empty() {
                    // Statements whose tables the words do not show.
                    holders
                        .iter()
                        .copied()
                        .filter(|h| h.tables().is_none())
                        .collect()
                } else {
                    named
                }
            }
            None => holders.clone(),
        };
        let table = tables
            .as_ref()
            .and_then(|t| t.first().cloned())
            .filter(|_| !flushes_all)
            .unwrap_or_default();
        let lock = stall_lock(
            LockKind::TableFlush,
            "table flush",
            table,
            "Waiting for table flush",
        );
        if mine.is_empty() {
            out.push(wait(w, None, lock));
            continue;
        }
        for h in mine.into_iter().filter(|h| h.id != w.id) {
            out.push(wait(w, Some(h), lock.clone()));
        }
    }
    out
}

/// The global read lock (commit lock, backup lock): FTWRL waits for the writes running before
/// it; every other waiter waits for the FTWRL session, or, none shown, for the one session
/// idle since before the first wait.
fn global_waits(procs: &[Proc]) -> Vec<LockWait> {
    let waiters: Vec<(&Proc, &'static str)> = procs
        .iter()
        .filter_map(|p| match p.waiting {
            Waiting::Global(name) => Some((p, name)),
            _ => None,
        })
        .collect();
    let mut backups: Vec<&Proc> = procs
        .iter()
        .filter(|p| p.sql().is_some_and(is_backup_statement))
        .collect();
    backups.sort_by_key(|p| std::cmp::Reverse(p.secs));
    let longest = waiters
        .iter()
        .filter(|(p, _)| !p.sql().is_some_and(is_backup_statement))
        .map(|(p, _)| p.secs)
        .max()
        .unwrap_or(0);
    let idle: Vec<&Proc> = procs
        .iter()
        .filter(|p| p.idle() && p.secs >= longest)
        .collect();
    let mut out = Vec::new();
    for (w, name) in &waiters {
        let lock = stall_lock(
            LockKind::GlobalRead,
            name,
            TableName::default(),
            w.session.process_state.as_deref().unwrap_or_default(),
        );
        if w.sql().is_some_and(is_backup_statement) {
            // FTWRL itself waits: for the writes that were running when it began.
            let writers: Vec<&Proc> = procs
                .iter()
                .filter(|p| {
                    p.id != w.id && p.runs() && p.secs >= w.secs && p.sql().is_some_and(is_write)
                })
                .collect();
            if writers.is_empty() {
                out.push(wait(w, None, lock));
                continue;
            }
            for h in writers {
                out.push(wait(w, Some(h), lock.clone()));
            }
            continue;
        }
        let holder = backups
            .iter()
            .copied()
            .find(|b| b.id != w.id)
            .or(match idle.as_slice() {
                [only] => Some(*only),
                _ => None,
            });
        out.push(wait(w, holder, lock));
    }
    out
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn statements_name_their_tables() {
        let t = |s: &str| tables_of_statement(s);
        assert_eq!(t("select * from t where id=1"), Some(vec!["t".into()]));
        assert_eq!(t("flush tables t1"), Some(vec!["t1".into()]));
        assert_eq!(t("FLUSH TABLES a, b"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(t("FLUSH TABLES"), None);
        assert_eq!(t("FLUSH TABLES WITH READ LOCK"), None);
        assert_eq!(
            t("SELECT * FROM `shop`.`orders` o JOIN items i ON i.o = o.id"),
            Some(vec!["shop.orders".into(), "items".into()])
        );
        assert_eq!(t("select sleep(1) from t"), Some(vec!["t".into()]));
        assert_eq!(t("UPDATE USERS A SET x = 1"), Some(vec!["USERS".into()]));
        assert_eq!(t("select 1"), None);
    }

    #[test]
    fn backup_statements() {
        assert!(is_backup_statement("FLUSH TABLES WITH READ LOCK"));
        assert!(is_backup_statement("flush table with read lock"));
        assert!(is_backup_statement(
            "FLUSH /*!40101 LOCAL */ TABLES WITH READ LOCK"
        ));
        assert!(is_backup_statement("LOCK INSTANCE FOR BACKUP"));
        assert!(!is_backup_statement("FLUSH TABLES t"));
        assert!(!is_backup_statement("FLUSH TABLES"));
    }

    fn session(id: u64, command: &str, secs: u64, state: &str, info: Option<&str>) -> TrxSummary {
        TrxSummary {
            thread_id: Some(id),
            command: Some(command.into()),
            command_secs: Some(secs),
            process_state: (!state.is_empty()).then(|| state.into()),
            query: info.map(Into::into),
            query_known: true,
            user: Some("root".into()),
            database: Some("test".into()),
            ..TrxSummary::default()
        }
    }

    fn edges(waits: &[LockWait]) -> Vec<(String, Option<String>)> {
        waits
            .iter()
            .map(|w| {
                (
                    w.requesting.trx_id.clone(),
                    w.blocking.as_ref().map(|b| b.trx_id.clone()),
                )
            })
            .collect()
    }

    fn picture(sessions: Vec<TrxSummary>) -> LockPicture {
        LockPicture {
            sessions,
            ..LockPicture::default()
        }
    }

    #[test]
    fn the_flush_and_the_reads_behind_it_wait_for_the_long_query() {
        let p = picture(vec![
            session(
                13,
                "Query",
                36,
                "User sleep",
                Some("select sleep(1) from t"),
            ),
            session(
                16,
                "Query",
                20,
                "Waiting for table flush",
                Some("flush tables t"),
            ),
            session(
                17,
                "Query",
                4,
                "Waiting for table flush",
                Some("select * from t where id=1"),
            ),
            session(20, "Query", 0, "init", Some("show processlist")),
        ]);
        let s = |n: &str| Some(n.to_string());
        assert_eq!(
            edges(&p.stall_waits()),
            [
                ("session 16".into(), s("session 13")),
                ("session 17".into(), s("session 13")),
            ]
        );
    }

    #[test]
    fn writers_wait_for_the_ftwrl_and_it_for_the_long_write() {
        let p = picture(vec![
            session(
                20,
                "Query",
                7,
                "User sleep",
                Some("UPDATE orders SET a = SLEEP(9)"),
            ),
            session(
                21,
                "Query",
                5,
                "Waiting for backup lock",
                Some("FLUSH TABLES WITH READ LOCK"),
            ),
            session(
                22,
                "Query",
                3,
                "Waiting for backup lock",
                Some("UPDATE orders SET a = 1"),
            ),
        ]);
        let s = |n: &str| Some(n.to_string());
        assert_eq!(
            edges(&p.stall_waits()),
            [
                ("session 21".into(), s("session 20")),
                ("session 22".into(), s("session 21")),
            ]
        );
    }

    #[test]
    fn the_one_idle_session_is_taken_for_the_holder() {
        let mut sessions = vec![
            session(13, "Sleep", 7, "", None),
            session(
                14,
                "Query",
                5,
                "Waiting for global read lock",
                Some("UPDATE t SET a=1"),
            ),
            session(12, "Query", 3, "Waiting for commit lock", Some("COMMIT")),
        ];
        let s = |n: &str| Some(n.to_string());
        assert_eq!(
            edges(&picture(sessions.clone()).stall_waits()),
            [
                ("session 14".into(), s("session 13")),
                ("session 12".into(), s("session 13")),
            ]
        );
        // Two sessions idle since before the first wait: which holds it is not told.
        sessions.push(session(18, "Sleep", 60, "", None));
        assert!(picture(sessions)
            .stall_waits()
            .iter()
            .all(|w| w.blocking.is_none()));
    }
}
