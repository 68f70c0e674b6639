//! Session and statement rows (`INNODB_TRX`, `PROCESSLIST`, `performance_schema.threads`,
//! `events_statements_*`): not locks, but what tells a lock's owner apart from a bare id — its
//! statement, its age, its client — when the model joins the tables.

use super::roles::{hms_secs, Roles, Row};
use crate::model::{StatementRow, TrxSummary};
use crate::parse::lock_tables::columns::{Role, Side};

pub(super) fn session(r: &Row<'_>, roles: &Roles, line: usize) -> TrxSummary {
    let own = Side::Own;
    TrxSummary {
        trx_id: r.id(Role::TrxId, own).unwrap_or_default().to_string(),
        thread_id: r.num(Role::ProcesslistId, own),
        ps_thread_id: r.num(Role::PsThreadId, own),
        query: r.get(Role::Query, own).map(str::to_string),
        state: r.get(Role::TrxState, own).map(str::to_string),
        started: r.get(Role::Started, own).map(str::to_string),
        active_secs: r.get(Role::TrxAge, own).and_then(hms_secs),
        user: r.get(Role::User, own).map(str::to_string),
        host: r.get(Role::Host, own).map(str::to_string),
        rows_locked: r.num(Role::RowsLocked, own),
        rows_modified: r.num(Role::RowsModified, own),
        command: r.get(Role::Command, own).map(str::to_string),
        command_secs: r.num(Role::Time, own),
        process_state: r.get(Role::ProcessState, own).map(str::to_string),
        query_known: roles.has(Role::Query, own),
        last_statement: None,
        database: r.get(Role::Database, own).map(str::to_string),
        foreign_ps_thread_id: None,
        row_line: line,
    }
}

/// A statement of a thread's history; rows without an event id or a thread are skipped.
pub(super) fn statement_row(r: &Row<'_>, line: usize) -> Option<StatementRow> {
    let own = Side::Own;
    let thread_id = r.num(Role::ProcesslistId, own);
    let ps_thread_id = r.num(Role::PsThreadId, own);
    if thread_id.is_none() && ps_thread_id.is_none() {
        return None;
    }
    Some(StatementRow {
        thread_id,
        ps_thread_id,
        event_id: r.num(Role::EventId, own)?,
        sql: r.get(Role::Query, own)?.to_string(),
        errno: r.num(Role::Errno, own).and_then(|n| u32::try_from(n).ok()),
        line,
    })
}
