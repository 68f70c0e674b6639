//! A result set read as a lock table: each column given its role (`columns`), the table told
//! by the roles it has rather than by its name, and each row turned into the model's
//! `LockRow`, `WaitRow` or session summary.
//!
//! This file tells which table a result set is; each kind's rows are read in a file of their
//! own (`locks`, `waits`, `mdl`, `sessions`), all through the column roles of `roles`.

mod locks;
mod mdl;
mod roles;
mod sessions;
mod table_names;
mod waits;

pub use roles::column_roles;
pub use table_names::table_name;

use super::columns::{Role, Side};
use super::query::QueryContext;
use super::result_set::ResultSet;
use crate::model::{LockRow, LockTable, TableRows};
use locks::{lock_row, owners_by_runs};
use mdl::{mdl_pairs, mdl_row};
use roles::{roles_of, rows_of, Roles};
use sessions::{session, statement_row};
use waits::wait_row;

/// Reads `set` as a lock table; `None` when its columns are not those of one.
pub fn read_table(set: &ResultSet, query: &QueryContext) -> Option<LockTable> {
    let roles = roles_of(set, query);
    let kind = kind_of(&roles, set, query)?;
    let rows = match kind {
        Kind::Locks(_) => {
            let five_x = kind.name() == "information_schema.INNODB_LOCKS";
            let mut rows: Vec<LockRow> = rows_of(set, &roles)
                .map(|(line, r)| lock_row(&r, line, five_x))
                .collect();
            let named = [Role::TrxId, Role::LockId, Role::PsThreadId]
                .iter()
                .any(|role| roles.has(*role, Side::Own));
            if !named {
                owners_by_runs(&mut rows);
            }
            TableRows::Locks(rows)
        }
        Kind::Waits(_) => TableRows::Waits(
            rows_of(set, &roles)
                .map(|(line, r)| wait_row(&r, line))
                .collect(),
        ),
        Kind::Sessions(_) => TableRows::Sessions(
            rows_of(set, &roles)
                .map(|(line, r)| session(&r, &roles, line))
                .collect(),
        ),
        Kind::Statements(_) => TableRows::Statements(
            rows_of(set, &roles)
                .filter_map(|(line, r)| statement_row(&r, line))
                .collect(),
        ),
        Kind::Metadata(_) if roles.has(Role::LockDuration, Side::Waiting) => {
            TableRows::Metadata(mdl_pairs(rows_of(set, &roles)))
        }
        Kind::Metadata(_) => TableRows::Metadata(
            rows_of(set, &roles)
                .filter_map(|(line, r)| mdl_row(&r, &roles, line))
                .collect(),
        ),
    };
    Some(LockTable {
        kind: kind.name(),
        rows,
        line: set.line,
        continues: set.continues,
        problems: set.problems.clone(),
    })
}

/// What a result set is, told by its columns' roles (the name it is shown under in
/// evidence).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Locks(&'static str),
    Waits(&'static str),
    Sessions(&'static str),
    Metadata(&'static str),
    Statements(&'static str),
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Locks(n)
            | Kind::Waits(n)
            | Kind::Sessions(n)
            | Kind::Metadata(n)
            | Kind::Statements(n) => n,
        }
    }
}

fn kind_of(roles: &Roles, set: &ResultSet, query: &QueryContext) -> Option<Kind> {
    let own = |r: Role| roles.has(r, Side::Own);
    let named = |n: &str| set.columns.iter().any(|c| c.eq_ignore_ascii_case(n));
    // Only the metadata lock tables have a lock duration (and an object type).
    if own(Role::LockDuration) || own(Role::ObjectType) && own(Role::LockStatus) {
        let name = if own(Role::ObjectType) {
            "performance_schema.metadata_locks"
        } else {
            "information_schema.METADATA_LOCK_INFO"
        };
        return Some(Kind::Metadata(name));
    }
    let waits_sides = roles.any_side(Side::Waiting) && roles.any_side(Side::Blocking);
    if waits_sides && roles.has(Role::LockDuration, Side::Waiting) {
        return Some(Kind::Metadata("sys.schema_table_lock_waits"));
    }
    if waits_sides {
        let name = if own(Role::WaitAgeSecs)
            || own(Role::WaitAge)
            || query.reads("innodb_lock_waits") && !query.reads("information_schema")
        {
            "sys.innodb_lock_waits"
        } else if named("requested_lock_id") || named("requesting_trx_id") {
            "information_schema.INNODB_LOCK_WAITS"
        } else if roles.has(Role::LockId, Side::Waiting) && !roles.has(Role::Query, Side::Waiting) {
            "performance_schema.data_lock_waits"
        } else {
            "a join of the lock-wait tables"
        };
        return Some(Kind::Waits(name));
    }
    let lockish = [
        Role::LockStatus,
        Role::LockType,
        Role::LockData,
        Role::LockId,
        Role::Index,
    ];
    if own(Role::LockMode) && lockish.iter().any(|r| own(*r)) {
        let name = if named("lock_trx_id") || named("lock_space") || query.reads("innodb_locks") {
            "information_schema.INNODB_LOCKS"
        } else {
            "performance_schema.data_locks"
        };
        return Some(Kind::Locks(name));
    }
    // A statement history: each statement of a thread, by event id (no lock, no trx id).
    if own(Role::EventId) && own(Role::Query) && (own(Role::PsThreadId) || own(Role::ProcesslistId))
    {
        let name = if query.reads("events_statements_current") {
            "performance_schema.events_statements_current"
        } else {
            "performance_schema.events_statements_history"
        };
        return Some(Kind::Statements(name));
    }
    if own(Role::TrxState) || own(Role::Started) || (own(Role::TrxId) && own(Role::Query)) {
        return Some(Kind::Sessions("information_schema.INNODB_TRX"));
    }
    if own(Role::ProcesslistId)
        && (own(Role::Command) || own(Role::User) || own(Role::Query) || own(Role::Time))
    {
        return Some(Kind::Sessions("PROCESSLIST"));
    }
    if own(Role::PsThreadId) && own(Role::ProcesslistId) {
        return Some(Kind::Sessions("performance_schema.threads"));
    }
    None
}
