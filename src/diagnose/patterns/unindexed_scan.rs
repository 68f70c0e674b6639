//! `unindexed-scan`: a locking statement scans far more rows than it changes and locks all of
//! them (seed 002's `DELETE … WHERE id IN (…)` scanned the table; public 009's DELETE held 11.9
//! million row locks for one change).

use super::prelude::*;

declare_pattern! {
    /// ### What it looks like in the log
    /// An `UPDATE`/`DELETE`/locking `SELECT` whose transaction holds far more row locks than it
    /// has changed rows (`11973543 row lock(s), undo log entries 1`), or whose statement lists
    /// its keys (`WHERE id IN (…)`) but waits for a next-key lock on a row whose key is not in
    /// that list, or whose WHERE clause compares columns with `=` only and still waits for a
    /// next-key lock (`lock_mode X`) on the clustered index.
    ///
    /// ### Why it deadlocks
    /// Under REPEATABLE READ, InnoDB locks every row a locking statement examines, not only
    /// the rows that match, and keeps the locks to commit. A statement without a usable index
    /// examines (and locks) the whole table or a wide range, so it collides with any
    /// concurrent writer of any row there — including rows just inserted by others — and
    /// turns small, unrelated transactions into participants of its deadlocks.
    ///
    /// ### Fix for the write path
    /// Give the WHERE clause an index the statement uses (check `EXPLAIN`: `type: ALL` or
    /// `index` is a scan). For key lists, make sure the primary key is used (`FORCE INDEX
    /// (PRIMARY)`, fresh statistics with `ANALYZE TABLE`) or delete in small batches by
    /// primary key. READ COMMITTED releases the locks of non-matching rows early.
    ///
    /// ### Example
    /// ```sql
    /// -- before: no index on target_id, every row of the table is locked
    /// DELETE FROM offmsg WHERE target_id = ? AND gmt_modified <= ?;
    /// -- after
    /// CREATE INDEX idx_target_modified ON offmsg (target_id, gmt_modified);
    /// ```
    ///
    /// ### Known limitations
    /// Row-lock and undo counts are totals of the transaction, not of the statement; a
    /// transaction that read many rows with locking reads earlier looks the same.
    pub UNINDEXED_SCAN,
    id = "unindexed-scan",
    summary = "a locking statement scans (and locks) far more rows than it changes: its WHERE has no usable index",
    fixed = "add the index the WHERE clause needs; lock by primary key",
}

/// Row locks per changed row above which a statement is scanning.
const SCAN_RATIO: u64 = 10;
/// Below this many row locks a ratio means nothing.
const MIN_ROW_LOCKS: u64 = 1000;

fn check(v: &View) -> Option<Finding> {
    v.trx
        .iter()
        .filter(|t| t.is("UPDATE") || t.is("DELETE") || t.is("SELECT"))
        .find_map(|t| {
            by_counts(v, t)
                .or_else(|| past_the_limit(v, t))
                .or_else(|| outside_key_list(v, t))
                .or_else(|| others_rows(v, t))
                .or_else(|| crossed_rows(v, t))
                .or_else(|| equality_scan(v, t))
        })
}

/// Whether the transaction's counters are those of a scan: far more row locks than changed
/// rows (`1896 row lock(s), undo log entries 3`).
pub(super) fn counts_show_a_scan(t: &Trx) -> bool {
    let Some(locks) = t.t.row_locks else {
        return false;
    };
    let undo = t.t.undo_entries.unwrap_or(0);
    locks >= MIN_ROW_LOCKS && locks >= SCAN_RATIO * undo.max(1)
}

fn by_counts(v: &View, t: &Trx) -> Option<Finding> {
    if !counts_show_a_scan(t) {
        return None;
    }
    let locks = t.t.row_locks?;
    let undo = t.t.undo_entries.unwrap_or(0);
    let mut summary = format!(
        "{} holds {locks} row locks but has changed {undo} row{} (undo log entries): it locks \
         far more rows than it changes, the mark of a statement scanning rows its WHERE clause \
         has no usable index for. Every scanned row stays locked until commit, so it collides \
         with any concurrent writer of the table.",
        words::trx_stmt(t),
        if undo == 1 { "" } else { "s" },
    );
    summary.push_str(&words::victim(v.d));
    let table = t
        .wait
        .map(|w| words::bare_table(w).to_string())
        .or_else(|| t.t.query.as_deref().and_then(sql::written_table))
        .unwrap_or_else(|| "<table>".to_string());
    let cols =
        t.t.query
            .as_deref()
            .map(where_columns)
            .filter(|c| !c.is_empty())
            .map_or_else(|| "<where columns>".to_string(), |c| c.join(", "));
    let fix = format!(
        "Add the index the WHERE clause needs and check with EXPLAIN that the statement uses it \
         (type ref/range/eq_ref, not ALL or index).\n\
         \n\
         -- before: {}\n\
         -- after\n\
         CREATE INDEX idx_{}_scan ON {table} ({cols});",
        words::stmt(t).trim_matches('`'),
        table.to_ascii_lowercase(),
    );
    Some(finding(Confidence::Medium, summary, locks_of(t), fix))
}

/// Fewest row locks [`past_the_limit`] reads anything into: a statement that stops at its
/// LIMIT through an index locks a few entries per row (secondary, primary, the next key).
const MIN_LIMITED_LOCKS: u64 = 20;

/// fixtures/labelled f-021: `UPDATE … ORDER BY updated_at LIMIT 1` whose transaction holds 43
/// row locks for one changed row. A statement with `LIMIT n` that reads its rows through an
/// index matching its WHERE and ORDER BY stops after n rows; far more row locks than n (and
/// than its changed rows) mean it read every candidate first — a filesort, or an index the
/// WHERE barely narrows — and locked each one, below the counts [`by_counts`] needs.
fn past_the_limit(v: &View, t: &Trx) -> Option<Finding> {
    let q = t.t.query.as_deref()?;
    if t.is("SELECT") && !sql::is_locking_read(q) {
        return None;
    }
    let limit = sql::row_limit(q)?;
    let locks = t.t.row_locks?;
    let undo = t.t.undo_entries.unwrap_or(0);
    if locks < MIN_LIMITED_LOCKS || locks < SCAN_RATIO.saturating_mul(limit.max(undo).max(1)) {
        return None;
    }
    let order = sql::order_by_columns(q);
    let how = if order.is_empty() {
        "an index the WHERE clause barely narrows"
    } else {
        "an index that does not deliver the rows in ORDER BY order, so they are all read and \
         sorted (filesort) before LIMIT applies"
    };
    let mut summary = format!(
        "{} may change at most {limit} row{} (its LIMIT), yet its transaction holds {locks} row \
         locks with {undo} undo log entr{}: the statement read and locked far more rows than its \
         LIMIT lets it change, through {how}. Each row read stays locked, so two such \
         statements lock the same candidate rows and meet in the middle.",
        words::trx_stmt(t),
        if limit == 1 { "" } else { "s" },
        if undo == 1 { "y" } else { "ies" },
    );
    summary.push_str(&words::victim(v.d));
    let table = sql::written_table(q)
        .or_else(|| t.wait.map(|w| words::bare_table(w).to_string()))
        .unwrap_or_else(|| "<table>".to_string());
    let mut cols = where_columns(q);
    for c in order {
        if !cols.contains(&c) {
            cols.push(c);
        }
    }
    let cols = if cols.is_empty() {
        "<where columns>, <order by columns>".to_string()
    } else {
        cols.join(", ")
    };
    let fix = format!(
        "Give the statement an index on its WHERE equality columns followed by its ORDER BY \
         columns, so it reads the first {limit} matching entr{} in order and stops (EXPLAIN \
         must not say `Using filesort`); or select the key with a plain read and change the row \
         by primary key.\n\
         \n\
         -- before: {}\n\
         -- after\n\
         CREATE INDEX idx_{}_limit ON {table} ({cols});",
        if limit == 1 { "y" } else { "ies" },
        words::stmt(t).trim_matches('`'),
        table.to_ascii_lowercase(),
    );
    Some(finding(Confidence::Medium, summary, locks_of(t), fix))
}

/// The evidence of a scanner: its waiting lock, then the locks it holds.
fn locks_of(t: &Trx) -> Vec<Evidence> {
    t.wait
        .map(ev_lock)
        .into_iter()
        .chain(t.held.iter().map(|l| ev_lock(l)))
        .collect()
}

/// Seed 002: the statement lists its keys, yet waits for a next-key lock on a row outside the
/// list, so it reached that row by scanning.
fn outside_key_list(v: &View, t: &Trx) -> Option<Finding> {
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
fn others_rows(v: &View, t: &Trx) -> Option<Finding> {
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
fn crossed_rows(v: &View, t: &Trx) -> Option<Finding> {
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
fn equality_scan(v: &View, t: &Trx) -> Option<Finding> {
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

/// The columns of a WHERE clause made of `column = value` terms joined by AND, and nothing
/// else (no range, list, OR, subquery or function), read from the statement's fingerprint;
/// `None` for any other WHERE clause.
fn equality_columns(q: &str) -> Option<Vec<String>> {
    let f = sql::fingerprint(q);
    let (_, clause) = f.split_once(" where ")?;
    let clause = [
        " order by ",
        " limit ",
        " for update",
        " lock in share mode",
        " for share",
    ]
    .iter()
    .fold(clause, |c, end| c.split(end).next().unwrap_or(c));
    let mut cols = Vec::new();
    for term in clause.split(" and ") {
        let col = term.trim().strip_suffix("=?")?;
        let col = col.rsplit('.').next().unwrap_or(col);
        if col.is_empty() || !col.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return None;
        }
        cols.push(col.to_string());
    }
    (!cols.is_empty()).then_some(cols)
}

/// The string literals of a statement's WHERE clause.
fn where_strings(q: &str) -> Vec<String> {
    let upper = q.to_ascii_uppercase();
    let Some(at) = upper.find("WHERE") else {
        return Vec::new();
    };
    sql::literals(q.get(at..).unwrap_or_default())
        .into_iter()
        .filter_map(|l| l.strip_prefix("str:").map(str::to_string))
        .filter(|l| !l.trim().is_empty())
        .collect()
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

/// `… IN (<literal>, …)`, not `IN (SELECT …)`.
fn has_literal_in_list(q: &str) -> bool {
    if !may_have_in_list(q.as_bytes()) {
        return false;
    }
    let up = sql::squash(q).to_ascii_uppercase().replace("IN(", "IN (");
    up.match_indices(" IN (").any(|(at, m)| {
        let rest = up.get(at + m.len()..).unwrap_or("").trim_start();
        !rest.starts_with("SELECT")
    })
}

/// Whether `q` may hold `IN (` as [`has_literal_in_list`] reads it (after squashing): an `in`
/// after whitespace, then `(` after nothing but whitespace. Any other byte than ASCII counts as
/// whitespace here, so this never says no where the full test would say yes.
fn may_have_in_list(q: &[u8]) -> bool {
    let space = |b: u8| b.is_ascii_whitespace() || b == 0x0b || !b.is_ascii();
    memchr::memchr2_iter(b'n', b'N', q).any(|at| {
        let before = at.checked_sub(2).and_then(|i| q.get(i..at));
        let after = q.get(at + 1..).unwrap_or_default();
        matches!(before, Some(&[w, i]) if space(w) && i.eq_ignore_ascii_case(&b'i'))
            && after.iter().find(|&&b| !space(b)) == Some(&b'(')
    })
}

/// The columns compared in the WHERE clause: `target_id`, `gmt_modified`.
fn where_columns(q: &str) -> Vec<String> {
    let squashed = sql::squash(q);
    let upper = squashed.to_ascii_uppercase();
    let Some(at) = upper.find(" WHERE ") else {
        return Vec::new();
    };
    let clause = squashed.get(at + 7..).unwrap_or("");
    let mut cols = Vec::new();
    for part in clause
        .split(['(', ')'])
        .flat_map(|p| p.split(" and "))
        .flat_map(|p| p.split(" AND "))
    {
        let word: String = part
            .trim()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '`' || *c == '.')
            .collect();
        let word = word
            .trim_matches('`')
            .rsplit('.')
            .next()
            .unwrap_or("")
            .to_string();
        let rest = part.trim().get(word.len()..).unwrap_or("").trim_start();
        let compares = [
            "=", "<", ">", "!", "IN", "in", "LIKE", "like", "BETWEEN", "between",
        ]
        .iter()
        .any(|op| rest.starts_with(op));
        if !word.is_empty()
            && compares
            && !word.chars().all(|c| c.is_ascii_digit())
            && !cols.contains(&word)
        {
            cols.push(word);
        }
    }
    cols
}

fn finding(confidence: Confidence, summary: String, ev: Vec<Evidence>, fix: String) -> Finding {
    UNINDEXED_SCAN.finding(confidence, summary, ev, fix)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnose::testkit::{deadlock, lock, rec};
    use crate::model::Flavour;

    const LIMITED: &str =
        "UPDATE index_log SET status = -1 WHERE (creator_id = 205 AND status = 1) ORDER BY updated_at ASC limit 1";

    /// [`past_the_limit`] on the first transaction.
    fn limit_scan(d: &crate::model::Deadlock) -> Option<Finding> {
        let v = View::new(d);
        v.trx.first().and_then(|t| past_the_limit(&v, t))
    }

    fn limited(row_locks: u64, undo: u64, q: &str) -> crate::model::Deadlock {
        let e = |heap| vec![rec(heap, 0, &["800000cd", "81"])];
        deadlock(Flavour::Mysql56)
            .trx(1, "220", q)
            .counts(row_locks, undo)
            .waits(lock(
                "X rec wait",
                "index_log",
                "idx_creator",
                60,
                "220",
                e(775),
            ))
            .trx(2, "222", q)
            .holds(lock("X rec", "index_log", "idx_creator", 60, "222", e(775)))
            .waits(lock(
                "X rec wait",
                "index_log",
                "idx_creator",
                60,
                "222",
                e(150),
            ))
            .victim(2)
    }

    // See: fixtures/labelled f-021.
    #[test]
    fn a_limit_one_update_holding_dozens_of_row_locks_scanned() {
        let f = limit_scan(&limited(43, 1, LIMITED)).expect("limit scan");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("filesort"), "{}", f.summary);
        assert!(
            f.fix.contains("(creator_id, status, updated_at)"),
            "{}",
            f.fix
        );
    }

    #[test]
    fn a_limit_the_row_locks_stay_within_is_no_scan() {
        // LIMIT 10000 with 37 row locks (fixtures/labelled e-009): within its limit.
        let q = "DELETE FROM t WHERE status = 'complete' LIMIT 10000";
        assert!(limit_scan(&limited(37, 2, q)).is_none());
        // A few locks per row is what an index-served LIMIT takes.
        assert!(limit_scan(&limited(4, 1, LIMITED)).is_none());
        // A plain read's LIMIT says nothing about the locks the transaction took before.
        let read = "SELECT * FROM t WHERE a = 1 ORDER BY b LIMIT 1";
        assert!(limit_scan(&limited(43, 1, read)).is_none());
    }

    #[test]
    fn key_list_prefilter_never_hides_a_list() {
        let listed = [
            "UPDATE t SET a = 1 WHERE id IN (1, 2)",
            "update t set a = 1 where id in(1,2)",
            "DELETE FROM t WHERE id\tIN\n  ( 'a' )",
            "DELETE FROM t WHERE id\u{a0}IN\u{a0}(3)",
        ];
        for q in listed {
            assert!(has_literal_in_list(q), "{q:?}");
            assert!(may_have_in_list(q.as_bytes()), "{q:?}");
        }
        let unlisted = [
            "INSERT INTO counters (name, hits) VALUES ('k1', 1)",
            "UPDATE t SET a = 1 WHERE id = 3",
            "SELECT * FROM t JOIN(u) ON 1",
            "IN (1)",
        ];
        for q in unlisted {
            assert!(!has_literal_in_list(q), "{q:?}");
            assert!(!may_have_in_list(q.as_bytes()), "{q:?}");
        }
    }

    // See: fixtures/labelled c-013 (no record dumps; each transaction inserted a row first).
    #[test]
    fn an_equality_update_waiting_for_a_next_key_lock_on_primary_scans() {
        let d = deadlock(Flavour::Mysql56)
            .trx(
                1,
                "11187331",
                "UPDATE country SET countryname = 'Angola' WHERE countryname = 'AO'",
            )
            .waits(lock("X wait", "country", "PRIMARY", 3, "11187331", vec![]))
            .trx(
                2,
                "11187330",
                "UPDATE country SET countryname = 'Brazil' WHERE countryname = 'BR'",
            )
            .holds(lock("X rec", "country", "PRIMARY", 3, "11187330", vec![]))
            .waits(lock("X wait", "country", "PRIMARY", 3, "11187330", vec![]))
            .victim(2);
        let f = check(&View::new(&d)).expect("unindexed-scan");
        assert_eq!(f.confidence, Confidence::Medium);
        assert!(f.summary.contains("(countryname)"), "{}", f.summary);
    }

    #[test]
    fn a_range_or_a_lone_waiter_is_no_equality_scan() {
        for q in [
            "UPDATE t SET a = 1 WHERE b > 5",
            "DELETE FROM t WHERE b = 1 OR c = 2",
            "UPDATE t SET a = 1 WHERE b IN (1, 2)",
        ] {
            assert_eq!(equality_columns(q), None, "parsing {q:?}");
        }
        assert_eq!(
            equality_columns("update t set a = 1 where t.b = 'x' and `c` = 2 limit 1"),
            Some(vec!["b".to_string(), "c".to_string()])
        );
        // One transaction printed: a scan, but no cycle to explain (fixtures/labelled e-003).
        let d = deadlock(Flavour::Mysql57)
            .trx(1, "9218", "update t1 set name ='B' where id = 1")
            .waits(lock("X wait", "t1", "GEN_CLUST_INDEX", 3, "9218", vec![]))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }

    // See: public 009.
    #[test]
    fn millions_of_row_locks_for_one_change() {
        let q = "delete from offmsg_0007 WHERE target_id = 'Y25' and gmt_modified <= '2012-12-14 14:13:28'";
        let d = deadlock(Flavour::Mysql55)
            .trx(1, "1E7D49CDD", q)
            .waits(lock(
                "X rec wait",
                "offmsg_0007",
                "PRIMARY",
                475912,
                "1E7D49CDD",
                vec![],
            ))
            .trx(2, "1E7CE0399", q)
            .counts(11_973_543, 1)
            .holds(lock(
                "X",
                "offmsg_0007",
                "PRIMARY",
                475912,
                "1E7CE0399",
                vec![],
            ))
            .waits(lock(
                "X wait",
                "offmsg_0007",
                "PRIMARY",
                1611099,
                "1E7CE0399",
                vec![],
            ))
            .victim(1);
        let f = check(&View::new(&d)).expect("unindexed-scan");
        assert!(f.summary.contains("11973543 row locks"), "{}", f.summary);
        assert!(f.fix.contains("(target_id, gmt_modified)"), "{}", f.fix);
    }

    // See: fixtures/mariadb/delete-then-insert.status.txt
    #[test]
    fn delete_by_key_list_waiting_on_an_unlisted_row() {
        let q = "DELETE FROM session WHERE id IN (UNHEX('00000000000000000000000000000020'), UNHEX('00000000000000000000000000000030'))";
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "47", q)
            .waits(lock(
                "X wait",
                "session",
                "PRIMARY",
                3,
                "47",
                vec![rec(
                    12,
                    0,
                    &[
                        "00000000000000000000000000000025",
                        "000000000030",
                        "930000013e0110",
                    ],
                )],
            ))
            .victim(2);
        let f = check(&View::new(&d)).expect("unindexed-scan");
        assert!(f.summary.contains("not in its list"), "{}", f.summary);
    }

    #[test]
    fn a_listed_key_is_no_scan() {
        let q = "DELETE FROM session WHERE id IN (UNHEX('00000000000000000000000000000025'))";
        let d = deadlock(Flavour::Mariadb106)
            .trx(1, "47", q)
            .waits(lock(
                "X wait",
                "session",
                "PRIMARY",
                3,
                "47",
                vec![rec(
                    12,
                    0,
                    &[
                        "00000000000000000000000000000025",
                        "000000000030",
                        "930000013e0110",
                    ],
                )],
            ))
            .victim(1);
        assert!(check(&View::new(&d)).is_none());
    }
}
