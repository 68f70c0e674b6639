//! `data_locks` and `INNODB_LOCKS` rows read into the model's `LockRow`: the lock's mode and
//! kind told from its text the way the deadlock section's are, and an owner found even for a
//! paste that names none, since a lock row without an owner joins nothing.

use super::roles::Row;
use super::table_names::{index_name, table_of};
use crate::model::{
    LockKind, LockMode, LockRow, LockStatus, Name, RecordAddress, GROUP_OWNER_KEY, ROW_OWNER_KEY,
};
use crate::parse::lock_tables::annotation::latin_mode;
use crate::parse::lock_tables::columns::{Role, Side};
use crate::parse::parse_mode_clause;

/// `'Aardvark'`, `supremum pseudo-record`: LOCK_DATA as printed.
/// `five_x`: the row is INNODB_LOCKS' (5.x, MariaDB), whose modes carry no REC_NOT_GAP and no
/// INSERT_INTENTION (format-spec §8).
pub(super) fn lock_row(r: &Row<'_>, line: usize, five_x: bool) -> LockRow {
    let own = Side::Own;
    let lock_id = r.lock_id(own);
    let parts: Vec<&str> = lock_id
        .as_deref()
        .map(|id| id.split(':').collect())
        .unwrap_or_default();
    // Who owns the lock: the trx id, else what stands for it in the paste (the lock id's
    // first part is per transaction; a session runs one transaction at a time), else the
    // row itself (`of line N`: unique in the input, so that rows are never joined by a
    // guess; `owners_by_runs` may group them).
    let ps_thread_id = r.num(Role::PsThreadId, own);
    let trx_id = r
        .id(Role::TrxId, own)
        .map(Name::from)
        .or_else(|| {
            parts
                .first()
                .filter(|p| !p.is_empty())
                .map(|p| Name::from(*p))
        })
        .or_else(|| ps_thread_id.map(|t| Name::from(format!("thread {t}"))))
        .unwrap_or_else(|| Name::from(format!("{ROW_OWNER_KEY}{line}")));
    let table = table_of(r);
    let index_name = r.get(Role::Index, own).map(index_name);
    let data = r.get(Role::LockData, own).map(str::to_string);
    let lock_type = r.id(Role::LockType, own);
    let address = match (
        r.num(Role::Space, own),
        r.num(Role::Page, own),
        r.num(Role::Heap, own),
    ) {
        (Some(space), Some(page), Some(heap)) => Some(RecordAddress { space, page, heap }),
        _ => lock_id.as_deref().and_then(RecordAddress::of_lock_id),
    };
    let record = match lock_type {
        Some(t) => t.eq_ignore_ascii_case("RECORD"),
        None => index_name.is_some() || address.is_some() || data.is_some(),
    };
    let mode_text = latin_mode(r.id(Role::LockMode, own).unwrap_or_default());
    let mode_text = mode_text.as_ref();
    let clause = parse_mode_clause(mode_text).unwrap_or_default();
    let mode = clause
        .mode
        .clone()
        .unwrap_or_else(|| LockMode::Unknown(mode_text.to_string()));
    let supremum = data.as_deref().is_some_and(|d| d.contains("supremum"))
        || address.is_some_and(|a| a.heap == 1);
    let mut kind = match (record, &clause.mode) {
        (false, _) => LockKind::Table,
        // 5.x prints a record-only lock as plain X / S too: which it is, it does not say.
        (true, Some(_)) if five_x && !clause.gap && !supremum => LockKind::Unknown,
        (true, Some(_)) => LockKind::of_record_lock(&clause, supremum),
        // A mode the paste left out or that is not InnoDB's: never taken for next-key.
        (true, None) => LockKind::Unknown,
    };
    let status = r.id(Role::LockStatus, own).and_then(|s| {
        if s.eq_ignore_ascii_case("GRANTED") {
            Some(LockStatus::Granted)
        } else if s.eq_ignore_ascii_case("WAITING") || s.eq_ignore_ascii_case("PENDING") {
            Some(LockStatus::Waiting)
        } else {
            None
        }
    });
    // A gap lock never waits: a waiting gap (5.x `X,GAP`, or any lock on the supremum) is an
    // insert intention.
    if status == Some(LockStatus::Waiting) && kind == LockKind::Gap {
        kind = LockKind::InsertIntention;
    }
    LockRow {
        lock_id: lock_id.map(Name::from),
        trx_id,
        ps_thread_id,
        table,
        index: index_name,
        record,
        mode,
        kind,
        status,
        data,
        address,
        mode_text: Name::from(mode_text),
        line,
    }
}

/// Rows of a result set that names no owner (a subset of `data_locks`' columns without
/// ENGINE_TRANSACTION_ID, ENGINE_LOCK_ID or THREAD_ID) told apart by their table locks:
/// `data_locks` lists each transaction's locks together, in the order it took them, so its
/// table lock (IS, IX) comes before its record locks on that table. A run starts at the first
/// row and at each table lock on a table the run already has a table lock on, when the row
/// before is a record lock or the same table lock. The runs are taken as transactions only
/// when each starts with a table lock, waits for at most one lock, and no run would wait for
/// a lock of its own (a copy sorted by another column breaks all three); otherwise each row
/// keeps its own owner (`of line N`).
pub(super) fn owners_by_runs(rows: &mut [LockRow]) {
    let mut starts: Vec<usize> = Vec::new();
    let mut run_tables: Vec<&LockRow> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| rows.get(p));
        let new_run = match prev {
            None => true,
            Some(p) if !r.record => {
                let again = run_tables.iter().any(|t| t.table == r.table);
                let same_lock = !p.record && p.table == r.table && p.mode_text == r.mode_text;
                again && (p.record || same_lock)
            }
            Some(_) => false,
        };
        if new_run {
            starts.push(i);
            run_tables.clear();
        }
        if !r.record {
            run_tables.push(r);
        }
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(rows.len()))
        .collect();
    let runs: Vec<(usize, usize)> = starts.iter().copied().zip(ends).collect();
    let consistent = runs.iter().all(|&(start, end)| {
        let run = rows.get(start..end).unwrap_or_default();
        let waiting: Vec<&LockRow> = run
            .iter()
            .filter(|r| r.status == Some(LockStatus::Waiting))
            .collect();
        run.first().is_some_and(|r| !r.record)
            && waiting.len() <= 1
            && !waiting.iter().any(|w| {
                run.iter().any(|g| {
                    g.status == Some(LockStatus::Granted) && g.same_target(w) && w.waits_for(g)
                })
            })
    });
    if !consistent || runs.len() == rows.len() {
        return;
    }
    for (start, end) in runs {
        let Some(first) = rows.get(start).map(|r| r.line) else {
            continue;
        };
        let owner = Name::from(format!("{GROUP_OWNER_KEY}{first}"));
        for r in rows.get_mut(start..end).into_iter().flatten() {
            r.trx_id = owner.clone();
        }
    }
}
