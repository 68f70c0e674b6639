//! Each involved transaction's whole story: a deadlock report shows only the *last* statement
//! of each transaction, but the lock that closed the cycle was usually taken by an earlier one.
//! `performance_schema.events_statements_history` keeps the last statements of every thread
//! (10 by default); this cuts, for each thread of the latest deadlock and of each lock wait,
//! the statements of the transaction the report is about: back from the statement the report
//! shows (or the one that failed with 1213 / 1205) to the `BEGIN` / `START TRANSACTION`, or to
//! the `COMMIT` / `ROLLBACK` that ended the one before.

use serde::Serialize;

use super::join::Sessions;
use crate::model::lock_table::StatementRow;
use crate::model::{Deadlock, TrxSummary};

/// A thread the history is wanted for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Involved {
    /// The processlist id (`MySQL thread id`).
    pub thread_id: u64,
    /// Who it is here: `deadlock transaction (2), rolled back`, `waiting`, `blocking`.
    pub role: String,
    /// The statement the report shows for it, to find its place in the history.
    pub query: Option<String>,
}

impl Involved {
    /// The transactions of a deadlock report that name their thread.
    pub fn of_deadlock(deadlock: &Deadlock) -> Vec<Involved> {
        let victim = deadlock.victim.number;
        deadlock
            .transactions
            .iter()
            .filter_map(|t| {
                let rolled_back = if victim == Some(t.number) {
                    ", rolled back"
                } else {
                    ""
                };
                Some(Involved {
                    thread_id: t.thread_id.filter(|&id| id > 0)?,
                    role: format!("deadlock transaction ({}){rolled_back}", t.number),
                    query: t.query.clone(),
                })
            })
            .collect()
    }

    /// One side of a lock wait.
    pub fn of_wait_side(trx: &TrxSummary, role: &str) -> Option<Involved> {
        Some(Involved {
            thread_id: trx.thread_id?,
            role: role.to_string(),
            query: trx.query.clone(),
        })
    }
}

/// The statements of one thread's transaction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct History {
    pub thread_id: u64,
    pub role: String,
    pub statements: Vec<HistoryStatement>,
    /// The history kept does not reach back to the transaction's first statement
    /// (`performance_schema_events_statements_history_size` statements per thread).
    pub from_the_middle: bool,
}

impl History {
    /// No statement of the thread was read: its connection closed (the victim's often does,
    /// the application reconnecting), or other threads pushed it out of the history.
    pub fn is_gone(&self) -> bool {
        self.statements.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HistoryStatement {
    pub sql: String,
    /// `MYSQL_ERRNO` when the statement failed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errno: Option<u32>,
    /// The statement the report shows for this transaction.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub reported: bool,
}

/// The last statement the session `thread_id` ran, by the history.
pub fn last_statement(
    rows: &[StatementRow],
    sessions: &Sessions<'_>,
    thread_id: u64,
) -> Option<String> {
    rows.iter()
        .filter(|r| processlist_id(r, sessions) == Some(thread_id))
        .max_by_key(|r| r.event_id)
        .map(|r| r.sql.clone())
}

/// The processlist id of a history row: its own, else through the `threads` rows read.
fn processlist_id(row: &StatementRow, sessions: &Sessions<'_>) -> Option<u64> {
    row.thread_id
        .or_else(|| sessions.processlist_of(row.ps_thread_id?))
}

/// The history of each involved thread (in the order given, each thread once); a thread the
/// rows say nothing about gets an empty one ([`History::is_gone`]). `sessions` maps
/// performance_schema thread ids to processlist ids when the rows lack the latter.
pub fn histories(
    rows: &[StatementRow],
    sessions: &Sessions<'_>,
    involved: &[Involved],
) -> Vec<History> {
    let mut out = Vec::new();
    let mut seen = Vec::new();
    for who in involved {
        if seen.contains(&who.thread_id) {
            continue;
        }
        seen.push(who.thread_id);
        let mut mine: Vec<&StatementRow> = rows
            .iter()
            .filter(|r| processlist_id(r, sessions) == Some(who.thread_id))
            .collect();
        mine.sort_by_key(|r| r.event_id);
        // `_history` and `_current` both hold the last statement of an idle thread.
        mine.dedup_by_key(|r| r.event_id);
        let (statements, from_the_middle) = cut(&mine, who.query.as_deref()).unwrap_or_default();
        out.push(History {
            thread_id: who.thread_id,
            role: who.role.clone(),
            statements,
            from_the_middle,
        });
    }
    out
}

/// The transaction around the reported statement, or around the last one that failed with a
/// deadlock or lock wait timeout, or the last transaction the thread ran.
fn cut(rows: &[&StatementRow], query: Option<&str>) -> Option<(Vec<HistoryStatement>, bool)> {
    let last = rows.len().checked_sub(1)?;
    let reported = query.and_then(|q| rows.iter().rposition(|r| same_statement(&r.sql, q)));
    let failed = rows
        .iter()
        .rposition(|r| matches!(r.errno, Some(1213 | 1205)));
    let anchor = reported.or(failed).unwrap_or(last);
    let mut start = None;
    for i in (0..=anchor).rev() {
        let verb = verb(&rows[i].sql);
        if i < anchor && (verb == "COMMIT" || verb == "ROLLBACK") {
            start = Some(i + 1);
            break;
        }
        if verb == "BEGIN" || verb == "START" {
            start = Some(i);
            break;
        }
    }
    // The thread's first statement is event 1: a history from there is whole.
    let from_the_middle = start.is_none() && rows.first().is_some_and(|r| r.event_id > 1);
    let start = start.unwrap_or(0);
    // The statement that ended the transaction, when it is the next one.
    let end = match rows.get(anchor + 1).map(|r| verb(&r.sql)) {
        Some("COMMIT" | "ROLLBACK") => anchor + 1,
        _ => anchor,
    };
    let statements = rows[start..=end]
        .iter()
        .enumerate()
        .map(|(i, r)| HistoryStatement {
            sql: r.sql.clone(),
            errno: r.errno.filter(|&e| e != 0),
            reported: reported == Some(start + i),
        })
        .collect();
    Some((statements, from_the_middle))
}

fn verb(sql: &str) -> &'static str {
    let word = sql.split_whitespace().next().unwrap_or("");
    ["BEGIN", "START", "COMMIT", "ROLLBACK"]
        .into_iter()
        .find(|v| word.trim_end_matches(';').eq_ignore_ascii_case(v))
        .unwrap_or("")
}

/// The same statement, as the report and the history print it: whitespace aside, and either
/// may be cut short (the report at 1024 bytes, `SQL_TEXT` at `performance_schema_max_sql_text_length`).
fn same_statement(history: &str, report: &str) -> bool {
    let a: Vec<&str> = history.split_whitespace().collect();
    let b: Vec<&str> = report.split_whitespace().collect();
    let n = a.len().min(b.len());
    n > 0 && a[..n.saturating_sub(1)] == b[..n.saturating_sub(1)] && {
        let (x, y) = (a[n - 1], b[n - 1]);
        x.starts_with(y) || y.starts_with(x)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(thread: u64, event: u64, sql: &str, errno: u32) -> StatementRow {
        StatementRow {
            thread_id: Some(thread),
            ps_thread_id: None,
            event_id: event,
            sql: sql.to_string(),
            errno: Some(errno),
            line: 1,
        }
    }

    #[test]
    fn cuts_the_reported_transaction_out_of_the_history() {
        let rows = vec![
            row(15, 1, "BEGIN", 0),
            row(15, 2, "UPDATE a SET x = 1 WHERE id = 1", 0),
            row(15, 3, "UPDATE a SET x = 1 WHERE id = 2", 0),
            row(15, 4, "COMMIT", 0),
            row(15, 5, "DO SLEEP(40)", 0),
            row(16, 1, "SELECT 1", 0),
            row(16, 2, "COMMIT", 0),
            row(16, 3, "UPDATE a SET x = 2 WHERE id = 2", 0),
            row(16, 4, "UPDATE a SET x = 2 WHERE id = 1", 1213),
            row(16, 5, "ROLLBACK", 0),
        ];
        let involved = vec![
            Involved {
                thread_id: 15,
                role: "deadlock transaction (1)".into(),
                query: Some("UPDATE a SET x = 1\n WHERE id = 2".into()),
            },
            Involved {
                thread_id: 16,
                role: "deadlock transaction (2), rolled back".into(),
                query: None,
            },
            Involved {
                thread_id: 17,
                role: "blocking".into(),
                query: None,
            },
        ];
        let found = histories(&rows, &Sessions::default(), &involved);
        let text = |h: &History| -> Vec<String> {
            h.statements
                .iter()
                .map(|s| format!("{}{}", s.sql, if s.reported { " <" } else { "" }))
                .collect()
        };
        assert_eq!(
            text(&found[0]),
            [
                "BEGIN",
                "UPDATE a SET x = 1 WHERE id = 1",
                "UPDATE a SET x = 1 WHERE id = 2 <",
                "COMMIT"
            ]
        );
        assert!(!found[0].from_the_middle);
        // No BEGIN: an autocommit-off session, from after the previous COMMIT.
        assert_eq!(
            text(&found[1]),
            [
                "UPDATE a SET x = 2 WHERE id = 2",
                "UPDATE a SET x = 2 WHERE id = 1",
                "ROLLBACK"
            ]
        );
        assert_eq!(found[1].statements[1].errno, Some(1213));
        assert!(found[2].is_gone());
        assert_eq!(found[2].thread_id, 17);
    }

    #[test]
    fn a_history_that_starts_mid_transaction_says_so() {
        let rows: Vec<StatementRow> = (11..=20)
            .map(|e| row(7, e, &format!("UPDATE t SET v = {e} WHERE id = {e}"), 0))
            .collect();
        let found = histories(
            &rows,
            &Sessions::default(),
            &[Involved {
                thread_id: 7,
                role: "blocking".into(),
                query: None,
            }],
        );
        assert!(found[0].from_the_middle);
        assert_eq!(found[0].statements.len(), 10);
    }
}
