//! Lock-wait rows (`data_lock_waits`, `sys.innodb_lock_waits`, `INNODB_LOCK_WAITS` and joins
//! of them) read into the model's `WaitRow`: one row carries two transactions, so each side is
//! read on its own from the columns of that side.

use super::roles::{hms_secs, Row};
use super::table_names::{index_name, table_name};
use crate::model::{LockKind, Name, TrxSummary, WaitRow, WaitSide};
use crate::parse::lock_tables::annotation::latin_mode;
use crate::parse::lock_tables::columns::{Role, Side};
use crate::parse::parse_mode_clause;

fn side_of(r: &Row<'_>, side: Side) -> WaitSide {
    let mode_text = r.id(Role::LockMode, side).map(latin_mode);
    let clause = mode_text.as_deref().and_then(parse_mode_clause);
    WaitSide {
        trx: TrxSummary {
            trx_id: r.id(Role::TrxId, side).unwrap_or_default().to_string(),
            thread_id: r.num(Role::ProcesslistId, side),
            ps_thread_id: r.num(Role::PsThreadId, side),
            query: r.get(Role::Query, side).map(str::to_string),
            started: r.get(Role::Started, side).map(str::to_string),
            active_secs: r.get(Role::TrxAge, side).and_then(hms_secs),
            rows_locked: r.num(Role::RowsLocked, side),
            rows_modified: r.num(Role::RowsModified, side),
            query_known: r.roles.has(Role::Query, side),
            ..TrxSummary::default()
        },
        lock_id: r.lock_id(side).map(Name::from),
        mode_text: mode_text.as_deref().map(Name::from),
        kind: clause.as_ref().map(|c| LockKind::of_record_lock(c, false)),
        mode: clause.and_then(|c| c.mode),
    }
}

pub(super) fn wait_row(r: &Row<'_>, line: usize) -> WaitRow {
    let own = Side::Own;
    let mut table = r
        .get(Role::SchemaTable, own)
        .map(table_name)
        .or_else(|| r.get(Role::Table, own).map(table_name));
    // `locked_schema` beside a bare `locked_table` (a custom join of `metadata_locks`).
    if let (Some(t), Some(schema)) = (&mut table, r.get(Role::Schema, own)) {
        if t.schema.is_none() {
            t.schema = Some(Name::from(schema.trim_matches('`')));
        }
    }
    WaitRow {
        requesting: side_of(r, Side::Waiting),
        blocking: side_of(r, Side::Blocking),
        table,
        index: r.get(Role::Index, own).map(index_name),
        lock_type: r
            .get(Role::LockType, own)
            .or_else(|| r.get(Role::LockType, Side::Waiting))
            .map(Name::from),
        wait_secs: r
            .get(Role::WaitAgeSecs, own)
            .and_then(|v| v.parse().ok())
            .or_else(|| {
                r.get(Role::WaitAge, own)
                    .and_then(hms_secs)
                    .map(|s| s as f64)
            }),
        line,
    }
}
