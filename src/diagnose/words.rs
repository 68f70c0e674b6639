//! The phrases findings are written with: a transaction's name and statement, a lock in a few
//! words with the key values it covers. Longer descriptions come from `model::describe_lock`.

use super::facts::{is_clustered, Trx};
use crate::model::{short_value, FieldValue, Lock, LockKind, Record};

/// `trx (1)`.
pub(crate) fn trx(t: &Trx) -> String {
    format!("trx ({})", t.n)
}

/// `trx (1) (`UPDATE …`)` or `trx (1) (no statement printed)`.
pub(crate) fn trx_stmt(t: &Trx) -> String {
    match t.quoted_query() {
        Some(q) => format!("trx ({}) running {q}", t.n),
        None => format!("trx ({}) (no statement printed)", t.n),
    }
}

/// The statement or a placeholder, in backticks.
pub(crate) fn stmt(t: &Trx) -> String {
    t.quoted_query()
        .unwrap_or("(statement not printed)")
        .to_string()
}

/// The table name as the sketches write it: bare, without schema.
pub(crate) fn bare_table(l: &Lock) -> String {
    l.table.table.clone()
}

/// A record's key as a short value: the key columns of a clustered-index record (the fields
/// before `DB_TRX_ID`), every field of a secondary-index record (index columns, then the
/// primary key), `supremum` for heap no 1. Raw values, for comparing and for SQL sketches;
/// sentences use [`named_key`].
pub(crate) fn key(rec: &Record, index: Option<&str>) -> String {
    if rec.is_supremum() {
        return "supremum".to_string();
    }
    if rec.fields.is_empty() {
        return format!("heap no {}", rec.heap_no);
    }
    let n_key = match index {
        Some("GEN_CLUST_INDEX") => {
            let row_id = match rec.fields.first().map(|f| &f.value) {
                Some(FieldValue::Bytes { hex, .. }) => u64::from_str_radix(hex, 16).ok(),
                _ => None,
            };
            return row_id.map_or_else(
                || format!("heap no {}", rec.heap_no),
                |id| format!("row id {id}"),
            );
        }
        Some(i) if is_clustered(i) => rec.trx_id_position().unwrap_or(1),
        _ => rec.fields.len(),
    };
    let values: Vec<String> = rec
        .fields
        .iter()
        .take(n_key)
        .map(|f| unsigned(short_value(&f.value)))
        .collect();
    if values.len() == 1 {
        values.into_iter().next().unwrap_or_default()
    } else {
        format!("({})", values.join(", "))
    }
}

/// [`key`] for sentences: by column name (`(id=101)`) when the record was decoded with a
/// schema (`--schema`).
pub(crate) fn named_key(rec: &Record, index: Option<&str>) -> String {
    if rec.is_supremum() {
        return "supremum".to_string();
    }
    crate::decode::key_phrase(rec).unwrap_or_else(|| key(rec, index))
}

/// A 4- or 8-byte value with a clear top bit and leading zero bytes is most likely an
/// unsigned integer (stored plainly, format-spec §3.5): `0x00000002` → `2`.
fn unsigned(v: String) -> String {
    let Some(hex) = v.strip_prefix("0x") else {
        return v;
    };
    if matches!(hex.len(), 8 | 16) && hex.starts_with("00") {
        if let Ok(n) = u64::from_str_radix(hex, 16) {
            return n.to_string();
        }
    }
    v
}

/// `X record-only lock`, `S next-key lock`, `X gap lock`, `insert-intention lock`.
pub(crate) fn kind(l: &Lock) -> String {
    let kind = match l.kind {
        LockKind::NextKey if l.only_supremum() => "gap",
        k => k.as_str(),
    };
    match l.kind {
        LockKind::InsertIntention => "insert-intention lock".to_string(),
        LockKind::Table => format!("{} table lock", l.mode),
        _ => format!("{} {kind} lock", l.mode),
    }
}

/// Where a lock is: `` `test`.`accounts` PRIMARY 101``, `` … uk_name supremum``, with up to
/// three record keys (`… and 13 more`).
pub(crate) fn place(l: &Lock) -> String {
    let Some(index) = l.index() else {
        return l.table.to_string();
    };
    let keys: Vec<String> = l
        .records
        .iter()
        .map(|r| named_key(r, Some(index)))
        .collect();
    let deleted = l.records.iter().any(Record::is_delete_marked);
    let mut s = format!("{} {index}", l.table);
    match keys.as_slice() {
        [] => {
            if let crate::model::LockTarget::Record { page, .. } = &l.target {
                s.push_str(&format!(" (page {page})"));
            }
        }
        [one] => s.push_str(&format!(" {one}")),
        many => {
            let shown: Vec<&str> = many.iter().take(3).map(String::as_str).collect();
            s.push_str(&format!(" {}", shown.join(", ")));
            if many.len() > 3 {
                s.push_str(&format!(" and {} more", many.len() - 3));
            }
        }
    }
    if deleted {
        s.push_str(if l.records.len() == 1 {
            " (delete-marked)"
        } else {
            " (delete-marked records)"
        });
    }
    s
}

/// `X record-only lock on `test`.`accounts` PRIMARY 101`.
pub(crate) fn lock(l: &Lock) -> String {
    format!("{} on {}", kind(l), place(l))
}

/// Where an insert intention wants to insert: `the gap before 20 in `test`.`orders` PRIMARY`.
pub(crate) fn gap(l: &Lock) -> String {
    let index = l.index().unwrap_or("?");
    match l.records.first() {
        Some(r) if r.is_supremum() => format!(
            "the gap after the last key of {} {index} (before the supremum)",
            l.table
        ),
        Some(r) => {
            let deleted = if r.is_delete_marked() {
                "delete-marked "
            } else {
                ""
            };
            format!(
                "the gap before {deleted}key {} of {} {index}",
                named_key(r, Some(index)),
                l.table
            )
        }
        None => format!("a gap of {} {index}", l.table),
    }
}

/// `(1) and (2)`, `(1), (2) and (3)`.
pub(crate) fn numbers(ns: &[u32]) -> String {
    let parts: Vec<String> = ns.iter().map(|n| format!("({n})")).collect();
    match parts.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `both` for two, `all` for more.
pub(crate) fn all(n: usize) -> &'static str {
    if n == 2 {
        "both"
    } else {
        "all"
    }
}

/// The victim sentence, when the report names one.
pub(crate) fn victim(d: &crate::model::Deadlock) -> String {
    match d.victim.number {
        Some(n) => format!(" InnoDB rolled back trx ({n})."),
        None => String::new(),
    }
}
