//! PROCESSLIST's sessions as candidates for the holder of a wait it shows without one: who
//! runs a statement, who is idle, who waits for what, and on which tables. Both the stalls
//! and the metadata-lock queue need the same reading of a session, so it is made once here.

use super::statements::{tables_of_statement, words};
use crate::model::lock::TableName;
use crate::model::lock_wait::{is_monitoring_query, TrxSummary};

/// What a session's PROCESSLIST state says it waits for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Waiting {
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

/// A session of PROCESSLIST as the stalls see it.
#[derive(Debug, Clone)]
pub(super) struct Proc {
    pub(super) session: TrxSummary,
    pub(super) id: u64,
    pub(super) secs: u64,
    pub(super) waiting: Waiting,
}

impl Proc {
    pub(super) fn sql(&self) -> Option<&str> {
        self.session
            .query
            .as_deref()
            .filter(|q| !q.trim().is_empty())
    }

    /// Runs a statement, not waiting for a lock: a candidate holder of what started after it.
    pub(super) fn runs(&self) -> bool {
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
    pub(super) fn idle(&self) -> bool {
        self.session.command.as_deref() == Some("Sleep")
            && self.sql().is_none()
            && !system_user(&self.session)
    }

    /// The tables its statement names, qualified with its default database.
    pub(super) fn tables(&self) -> Option<Vec<TableName>> {
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
pub(super) fn share(a: &[TableName], b: &[TableName]) -> bool {
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
pub(super) fn procs(sessions: &[TrxSummary]) -> Vec<Proc> {
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
