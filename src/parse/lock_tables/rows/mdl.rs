//! Metadata-lock rows (`metadata_locks`, `METADATA_LOCK_INFO`, `sys.schema_table_lock_waits`)
//! read into the model's `MdlRow`: the three name the owner, the lock type and the waits each
//! their own way, and `schema_table_lock_waits` pairs are not waits at all, so each is brought
//! to the same lock rows before the model works out who waits for whom.

use super::roles::{Roles, Row};
use crate::model::{LockStatus, MdlOwner, MdlRow, Name, TableName};
use crate::parse::lock_tables::columns::{Role, Side};

/// A metadata lock: `metadata_locks` names its owner by THREAD_ID and its type in `LOCK_TYPE`
/// (`SHARED_READ`), `METADATA_LOCK_INFO` by processlist id (its `THREAD_ID` column) and its
/// type in `LOCK_MODE` (`MDL_SHARED_READ`), and lists granted locks only.
pub(super) fn mdl_row(r: &Row<'_>, roles: &Roles, line: usize) -> Option<MdlRow> {
    let own = Side::Own;
    let ps = roles.has(Role::ObjectType, own);
    let id = r
        .num(Role::PsThreadId, own)
        .or(r.num(Role::ProcesslistId, own))?;
    let owner = if ps {
        MdlOwner::PsThread(id)
    } else {
        MdlOwner::Processlist(id)
    };
    let mode = if ps {
        r.get(Role::LockType, own)
    } else {
        r.get(Role::LockMode, own)
    }?;
    let mode = mode
        .strip_prefix("MDL_")
        .unwrap_or(mode)
        .to_ascii_uppercase();
    // The plugin's LOCK_TYPE says `Table metadata lock`, `Schema metadata lock`, ….
    let object_type = match r.get(Role::ObjectType, own) {
        Some(t) => t.to_ascii_uppercase(),
        None => match r.get(Role::LockType, own) {
            Some(t) => t
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase(),
            None => String::new(),
        },
    };
    // KILLED, TIMEOUT, VICTIM and the NOTIFY states neither hold nor wait any more.
    let status = match r.get(Role::LockStatus, own) {
        None => LockStatus::Granted,
        Some(s) if s.eq_ignore_ascii_case("GRANTED") => LockStatus::Granted,
        Some(s) if s.eq_ignore_ascii_case("PENDING") => LockStatus::Waiting,
        Some(_) => return None,
    };
    Some(MdlRow {
        owner,
        object_type: object_type.into(),
        table: TableName {
            schema: r.get(Role::Schema, own).map(Name::from),
            table: r.get(Role::Table, own).map(Name::from).unwrap_or_default(),
            partition: None,
        },
        mode: mode.into(),
        status,
        query: None,
        line,
    })
}

/// `sys.schema_table_lock_waits` pairs every granted lock on a table with every pending one,
/// compatible or not (even a session with itself), so its pairs are not waits: its locks are.
/// Each side becomes a lock row (by processlist id), the pending ones in queue order (longest
/// waiting first), and the waits are worked out again by the server's rules.
pub(super) fn mdl_pairs<'a>(rows: impl Iterator<Item = (usize, Row<'a>)>) -> Vec<MdlRow> {
    let mut granted: Vec<MdlRow> = Vec::new();
    let mut pending: Vec<(u64, MdlRow)> = Vec::new();
    for (line, r) in rows {
        let table = TableName {
            schema: r.get(Role::Schema, Side::Own).map(Name::from),
            table: r
                .get(Role::Table, Side::Own)
                .map(Name::from)
                .unwrap_or_default(),
            partition: None,
        };
        for (side, status) in [
            (Side::Blocking, LockStatus::Granted),
            (Side::Waiting, LockStatus::Waiting),
        ] {
            let Some(id) = r.num(Role::ProcesslistId, side) else {
                continue;
            };
            let Some(mode) = r.get(Role::LockType, side) else {
                continue;
            };
            let row = MdlRow {
                owner: MdlOwner::Processlist(id),
                object_type: "TABLE".into(),
                table: table.clone(),
                mode: mode.to_ascii_uppercase().into(),
                status,
                query: r.get(Role::Query, side).map(str::to_string),
                line,
            };
            let same =
                |m: &MdlRow| m.owner == row.owner && m.mode == row.mode && m.table == row.table;
            match status {
                LockStatus::Granted if !granted.iter().any(same) => granted.push(row),
                LockStatus::Waiting if !pending.iter().any(|(_, m)| same(m)) => {
                    let secs = r.num(Role::WaitAgeSecs, side).unwrap_or(0);
                    pending.push((secs, row));
                }
                _ => {}
            }
        }
    }
    pending.sort_by_key(|(secs, _)| std::cmp::Reverse(*secs));
    granted.extend(pending.into_iter().map(|(_, r)| r));
    granted
}
