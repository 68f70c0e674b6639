//! The rules that prove a scan from the row a statement waits for rather than from its
//! counts: a row its WHERE clause does not select (outside its key list, another value's row,
//! the crossed rows of two runs) or a next-key lock an equality lookup would not take. Most
//! reports print no counts worth reading, so these carry the pattern there.

use super::super::prelude::*;
use super::finding;
use super::where_clause::{equality_columns, has_literal_in_list, where_columns, where_strings};

/// Seed 002: the statement lists its keys, yet waits for a next-key lock on a row outside the
/// list, so it reached that row by scanning.
pub(super) fn outside_key_list(v: &View, t: &Trx) -> Option<Finding> {
    let q = t.t.query.as_deref()?;
    if !has_literal_in_list(q) {
        return None;
    }
    let w = t.wait?;
    let index = w.index()?;
    if !is_clustered(index) || !is_x(w) || w.kind != LockKind::NextKey {
        return None;
    }
    let rec = first_user_record(w)?;
    let key = key_literal(rec)?;
    let listed = sql::literals(q);
    let kind = key.split(':').next().unwrap_or("");
    let same_kind = listed.iter().filter(|l| l.starts_with(kind)).count();
    if same_kind == 0 || listed.contains(&key) {
        return None;
    }
    let mut summary = format!(
        "{} waits for {} — a row whose key is not in its list. A statement that finds its rows \
         by primary key locks only the listed keys, with record-only locks; a next-key lock on \
         an unlisted row means it reached that row by scanning the index (a full scan or a wide \
         range), locking every row it passed until commit. That is how it came to wait for a \
         row another transaction had just written.",
        words::trx_stmt(t),
        words::lock(w),
    );
    summary.push_str(&words::victim(v.d));
    let table = words::bare_table(w);
    let fix = format!(
        "Make the statement use the primary key for its key list (EXPLAIN shows type ALL for a \
         scan; small tables and stale statistics make the optimiser prefer one), or delete in \
         small batches by primary key.\n\
         \n\
         -- before\n\
         DELETE FROM {table} WHERE id IN (…);                      -- EXPLAIN: type ALL\n\
         \n\
         -- after\n\
         ANALYZE TABLE {table};\n\
         DELETE FROM {table} FORCE INDEX (PRIMARY) WHERE id IN (…);"
    );
    let ev = vec![ev_lock(w), ev_record(rec)];
    Some(finding(Confidence::Medium, summary, ev, fix))
}

/// fixtures/labelled c-017: each statement waits for a clustered-index row that its own WHERE
/// does not select (none of its string literals is in the row) but another transaction's WHERE
/// does: it reached that row by scanning, the other transaction's row included. Strings only:
/// a string literal found in a record field is a column value, where a number may be anything.
pub(super) fn others_rows(v: &View, t: &Trx) -> Option<Finding> {
    let w = t.wait?;
    if !w.index().is_some_and(is_clustered) || !is_x(w) {
        return None;
    }
    let own = where_strings(t.t.query.as_deref()?);
    if own.is_empty() {
        return None;
    }
    let rec = first_user_record(w)?;
    // A row another transaction of the report wrote last shows that writer's new values, not
    // the ones the statement read (hunt 016: the WHERE matched the row before the other's
    // UPDATE changed it).
    if v.last_writer(w, rec).is_some_and(|o| o.n != t.n) {
        return None;
    }
    let texts = field_texts(rec);
    if own.iter().any(|l| texts.contains(l)) {
        return None;
    }
    let (o, theirs) = v.trx.iter().filter(|o| o.n != t.n).find_map(|o| {
        let theirs = where_strings(o.t.query.as_deref()?);
        let hit = theirs.into_iter().find(|l| texts.contains(l))?;
        Some((o, hit))
    })?;
    let mut summary = format!(
        "{} waits for {}, a row its WHERE clause does not select: the row holds '{theirs}', \
         the value {} looks for, and none of {}'s own. A statement that finds its rows through \
         an index never touches the rows of another value; one that scans the table examines \
         (and locks) every row on its way, so it waits for rows other transactions are writing \
         and they for the rows it passed.",
        words::trx_stmt(t),
        words::lock(w),
        words::trx(o),
        words::trx(t),
    );
    v.close_summary(&mut summary, Confidence::Medium);
    let table = words::bare_table(w);
    let cols = where_columns(t.t.query.as_deref().unwrap_or_default());
    let fix = index_lookup_fix(table, &cols);
    let ev = vec![ev_lock(w), ev_record(rec)];
    Some(finding(Confidence::Medium, summary, ev, fix))
}

/// Two runs of one statement with different values, each waiting for the row the other
/// selects (hunt 019, AliSQL 5.6 READ COMMITTED: `… force index(idx_c1_t1) … where c1=500 and
/// id in (5)` waiting on the entry of id 6, and the run for id 6 on the entry of id 5). A
/// statement that reached only its own rows could not wait on the other's: each scanned past
/// them. Numbers count here, unlike in [`others_rows`], because the proof is crossed: each
/// waited record holds the other run's value and not its own.
pub(super) fn crossed_rows(v: &View, t: &Trx) -> Option<Finding> {
    let w = t.wait?;
    let o = v.blocker_of(t.n)?;
    let ow = o.wait?;
    if !is_x(w) || !is_record_part(w) || !is_x(ow) || !is_record_part(ow) {
        return None;
    }
    let (q, oq) = (t.t.query.as_deref()?, o.t.query.as_deref()?);
    if sql::fingerprint(q) != sql::fingerprint(oq) {
        return None;
    }
    let (own, theirs) = (sql::eq_literals(q), sql::eq_literals(oq));
    let own_only: Vec<&String> = own.iter().filter(|l| !theirs.contains(l)).collect();
    let theirs_only: Vec<&String> = theirs.iter().filter(|l| !own.contains(l)).collect();
    let (rec, orec) = (first_user_record(w)?, first_user_record(ow)?);
    let holds_only = |rec: &crate::model::Record, yes: &[&String], no: &[&String]| {
        let values = field_literals(rec);
        yes.iter().any(|l| values.contains(l)) && !no.iter().any(|l| values.contains(l))
    };
    if own_only.is_empty()
        || theirs_only.is_empty()
        || !holds_only(rec, &theirs_only, &own_only)
        || !holds_only(orec, &own_only, &theirs_only)
    {
        return None;
    }
    let plain = |l: &str| {
        l.split_once(':').map_or(l.to_string(), |(k, v)| match k {
            "str" => format!("'{v}'"),
            _ => v.to_string(),
        })
    };
    let mut summary = format!(
        "{} and {} run the same statement for different values ({} and {}), and each waits for \
         the row of the other's value: {} waits for {}, a row its WHERE clause does not select. \
         A statement that finds its rows through a selective index never touches another \
         value's rows; one that scans (no usable index, or a forced or unselective one) \
         examines and locks every row on its way, so two such scans each wait for the row the \
         other has already written.",
        words::trx_stmt(t),
        words::trx_stmt(o),
        plain(own_only[0]),
        plain(theirs_only[0]),
        words::trx(t),
        words::lock(w),
    );
    v.close_summary(&mut summary, Confidence::Medium);
    let table = words::bare_table(w);
    let cols = where_columns(q).join(", ");
    let fix = format!(
        "Let the statement reach only its own rows: an index on the columns its WHERE compares \
         ({cols}), used by the plan (EXPLAIN: type ref/eq_ref/range; drop a FORCE INDEX that \
         points at a less selective index).\n\
         \n\
         -- before: {}\n\
         -- after\n\
         CREATE INDEX idx_lookup ON {table} ({cols});",
        words::stmt(t).trim_matches('`'),
    );
    let ev = vec![ev_lock(w), ev_record(rec), ev_lock(ow), ev_record(orec)];
    Some(finding(Confidence::Medium, summary, ev, fix))
}

/// fixtures/labelled c-013 (MySQL 5.6, rows inserted earlier, then `UPDATE country … WHERE
/// countryname = 'AO'` in each transaction): an UPDATE or DELETE whose WHERE only compares
/// columns with `=` waits for a next-key X lock on a record of the clustered index. An equality
/// on the whole primary key locks the record alone, and a row found through a secondary index
/// gets a record-only lock on the clustered index too: a next-key lock there is the lock of a
/// scan of the clustered index. Medium: equalities on a prefix of a composite primary key look
/// the same. The transaction it waits for must be in the report, holding or waiting on the same
/// table (a lone waiter shows no cycle of its own).
pub(super) fn equality_scan(v: &View, t: &Trx) -> Option<Finding> {
    if !(t.is("UPDATE") || t.is("DELETE")) {
        return None;
    }
    let w = t.wait?;
    if !w.index().is_some_and(is_clustered)
        || !is_x(w)
        || w.kind != LockKind::NextKey
        || w.records.iter().any(|r| r.is_supremum())
        // A unique search that finds a delete-marked record locks it next-key too
        // (`row_search_mvcc`): the equality may well be on the primary key.
        || w.records.iter().any(|r| r.is_delete_marked())
    {
        return None;
    }
    let q = t.t.query.as_deref()?;
    let cols = equality_columns(q)?;
    let o = v.blocker_of(t.n)?;
    let same_table =
        o.held.iter().any(|h| v.same_table(h, w)) || o.wait.is_some_and(|ow| v.same_table(ow, w));
    if !same_table {
        return None;
    }
    let index = w.index().unwrap_or("PRIMARY");
    let mut summary = format!(
        "{} selects its rows with equalities only ({}) yet waits for {}: a next-key lock on the \
         clustered index `{index}`. An equality on the whole primary key locks the record alone, \
         and a row found through a secondary index is locked record-only on `{index}` as well; a \
         next-key lock there is the lock of a scan of the table, which locks every row it passes \
         — here a row {} had written or locked. Unless ({}) is a prefix of a composite primary \
         key, the WHERE clause has no usable index.",
        words::trx_stmt(t),
        cols.join(", "),
        words::lock(w),
        words::trx(o),
        cols.join(", "),
    );
    v.close_summary(&mut summary, Confidence::Medium);
    let fix = index_lookup_fix(words::bare_table(w), &cols);
    let mut ev = vec![ev_lock(w)];
    ev.extend(o.held.iter().filter(|h| h.may_block(w)).map(|h| ev_lock(h)));
    Some(finding(Confidence::Medium, summary, ev, fix))
}

/// The index a statement that should reach only its own rows lacks.
fn index_lookup_fix(table: &str, cols: &[String]) -> String {
    let cols = cols.join(", ");
    format!(
        "Index the WHERE clause's columns so the statement reads only its own rows (EXPLAIN \
         shows type ALL for a scan).\n\
         \n\
         -- before: no index on ({cols})\n\
         -- after\n\
         CREATE INDEX idx_lookup ON {table} ({cols});"
    )
}

/// A record's fields as text (CHAR padding taken off), where they are text.
fn field_texts(rec: &crate::model::Record) -> Vec<String> {
    rec.fields
        .iter()
        .filter_map(|f| match &f.value {
            crate::model::FieldValue::Bytes {
                hex, total: None, ..
            } => {
                let bytes = crate::model::hex_bytes(hex)?;
                let text = std::str::from_utf8(&bytes).ok()?;
                Some(text.trim_end_matches(' ').to_string())
            }
            _ => None,
        })
        .collect()
}
