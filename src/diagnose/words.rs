//! The phrases findings are written with: a transaction's name and statement, a lock in a few
//! words with the key values it covers. Longer descriptions come from `report::describe`.

use super::facts::{is_clustered, Trx};
use crate::model::{push_number, push_short_value, FieldValue, Lock, LockKind, Record};

/// `trx (1)`.
pub(crate) fn trx(t: &Trx) -> String {
    let mut s = String::with_capacity(12);
    push_trx(&mut s, t);
    s
}

/// [`trx`], appended to `out`.
pub(crate) fn push_trx(out: &mut String, t: &Trx) {
    out.push_str("trx (");
    push_number(out, t.n);
    out.push(')');
}

/// `trx (1) (`UPDATE …`)` or `trx (1) (no statement printed)`.
pub(crate) fn trx_stmt(t: &Trx) -> String {
    let mut s = String::with_capacity(32 + t.quoted_query().map_or(0, str::len));
    push_trx_stmt(&mut s, t);
    s
}

/// [`trx_stmt`], appended to `out`.
pub(crate) fn push_trx_stmt(out: &mut String, t: &Trx) {
    push_trx(out, t);
    match t.quoted_query() {
        Some(q) => {
            out.push_str(" running ");
            out.push_str(q);
        }
        None => out.push_str(" (no statement printed)"),
    }
}

/// The statement or a placeholder, in backticks.
pub(crate) fn stmt(t: &Trx) -> String {
    t.quoted_query()
        .unwrap_or("(statement not printed)")
        .to_string()
}

/// The table name as the sketches write it: bare, without schema.
pub(crate) fn bare_table(l: &Lock) -> &str {
    &l.table.table
}

/// A record's key as a short value: the key columns of a clustered-index record (the fields
/// before `DB_TRX_ID`), every field of a secondary-index record (index columns, then the
/// primary key), `supremum` for heap no 1. Raw values, for comparing and for SQL sketches;
/// sentences use [`named_key`].
pub(crate) fn key(rec: &Record, index: Option<&str>) -> String {
    let mut out = String::new();
    push_key(&mut out, rec, index);
    out
}

/// [`key`], appended to `out`.
fn push_key(out: &mut String, rec: &Record, index: Option<&str>) {
    if rec.is_supremum() {
        return out.push_str("supremum");
    }
    if rec.fields.is_empty() {
        out.push_str("heap no ");
        return push_number(out, rec.heap_no);
    }
    let n_key = match index {
        Some("GEN_CLUST_INDEX") => {
            let row_id = match rec.fields.first().map(|f| &f.value) {
                Some(FieldValue::Bytes { hex, .. }) => u64::from_str_radix(hex, 16).ok(),
                _ => None,
            };
            match row_id {
                Some(_) => out.push_str("row id "),
                None => out.push_str("heap no "),
            }
            return push_number(out, row_id.unwrap_or(rec.heap_no));
        }
        Some(i) if is_clustered(i) => rec.trx_id_position().unwrap_or(1),
        _ => rec.fields.len(),
    };
    let several = n_key.min(rec.fields.len()) != 1;
    if several {
        out.push('(');
    }
    for (i, f) in rec.fields.iter().take(n_key).enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let start = out.len();
        push_short_value(out, &f.value);
        unsigned(out, start);
    }
    if several {
        out.push(')');
    }
}

/// [`key`] for sentences: by column name (`(id=101)`) when the record was decoded with a
/// schema (`--schema`).
pub(crate) fn named_key(rec: &Record, index: Option<&str>) -> String {
    let mut out = String::new();
    push_named_key(&mut out, rec, index);
    out
}

/// [`named_key`], appended to `out`.
fn push_named_key(out: &mut String, rec: &Record, index: Option<&str>) {
    if rec.is_supremum() {
        return out.push_str("supremum");
    }
    match crate::decode::key_phrase(rec) {
        Some(phrase) => out.push_str(&phrase),
        None => push_key(out, rec, index),
    }
}

/// A 4- or 8-byte value with a clear top bit and leading zero bytes is most likely an
/// unsigned integer (stored plainly, format-spec §3.5): `0x00000002` → `2`. Rewrites the value
/// that starts at `start` of `out`.
fn unsigned(out: &mut String, start: usize) {
    let Some(hex) = out.get(start..).and_then(|v| v.strip_prefix("0x")) else {
        return;
    };
    if matches!(hex.len(), 8 | 16) && hex.starts_with("00") {
        if let Ok(n) = u64::from_str_radix(hex, 16) {
            out.truncate(start);
            push_number(out, n);
        }
    }
}

/// `X record-only lock`, `S next-key lock`, `X gap lock`, `insert-intention lock`.
pub(crate) fn kind(l: &Lock) -> String {
    let mut out = String::new();
    push_kind(&mut out, l);
    out
}

/// [`kind`], appended to `out`.
fn push_kind(out: &mut String, l: &Lock) {
    let kind = match l.kind {
        LockKind::NextKey if l.only_supremum() => "gap",
        k => k.as_str(),
    };
    if l.kind == LockKind::InsertIntention {
        return out.push_str("insert-intention lock");
    }
    out.push_str(l.mode.as_str());
    out.push(' ');
    out.push_str(match l.kind {
        LockKind::Table => "table",
        _ => kind,
    });
    out.push_str(" lock");
}

/// Where a lock is: `` `test`.`accounts` PRIMARY 101``, `` … uk_name supremum``, with up to
/// three record keys (`… and 13 more`).
pub(crate) fn place(l: &Lock) -> String {
    let mut out = String::new();
    push_place(&mut out, l);
    out
}

/// [`place`], appended to `out`.
fn push_place(out: &mut String, l: &Lock) {
    l.table.push_to(out);
    let Some(index) = l.index() else {
        return;
    };
    out.push(' ');
    out.push_str(index);
    match l.records.as_slice() {
        [] => {
            // A copy that elided the page (or pt-deadlock-logger's rows) names none.
            let page = match &l.target {
                crate::model::LockTarget::Record { page, .. } => Some(*page),
                crate::model::LockTarget::Table => None,
            };
            if let Some(page) = page.filter(|&p| p != crate::model::NOT_PRINTED) {
                out.push_str(" (page ");
                push_number(out, page);
                out.push(')');
            }
        }
        records => {
            out.push(' ');
            for (i, r) in records.iter().take(3).enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                push_named_key(out, r, Some(index));
            }
            if records.len() > 3 {
                out.push_str(" and ");
                push_number(out, (records.len() - 3) as u64);
                out.push_str(" more");
            }
        }
    }
    if l.records.iter().any(Record::is_delete_marked) {
        out.push_str(if l.records.len() == 1 {
            " (delete-marked)"
        } else {
            " (delete-marked records)"
        });
    }
}

/// `X record-only lock on `test`.`accounts` PRIMARY 101`.
pub(crate) fn lock(l: &Lock) -> String {
    let mut out = String::with_capacity(128);
    push_lock(&mut out, l);
    out
}

/// [`lock`], appended to `out`.
pub(crate) fn push_lock(out: &mut String, l: &Lock) {
    push_kind(out, l);
    out.push_str(" on ");
    push_place(out, l);
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
    let mut s = String::with_capacity(ns.len() * 6);
    for (i, &n) in ns.iter().enumerate() {
        if i + 1 == ns.len() && i > 0 {
            s.push_str(" and ");
        } else if i > 0 {
            s.push_str(", ");
        }
        s.push('(');
        crate::model::push_number(&mut s, n);
        s.push(')');
    }
    s
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
    let mut s = String::new();
    push_victim(&mut s, d);
    s
}

/// [`victim`], appended to `out`.
pub(crate) fn push_victim(out: &mut String, d: &crate::model::Deadlock) {
    if let Some(n) = d.victim.number {
        out.push_str(" InnoDB rolled back trx (");
        push_number(out, n);
        out.push_str(").");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbered_lists() {
        assert_eq!(numbers(&[]), "");
        assert_eq!(numbers(&[1]), "(1)");
        assert_eq!(numbers(&[1, 2]), "(1) and (2)");
        assert_eq!(numbers(&[1, 2, 13]), "(1), (2) and (13)");
    }
}
