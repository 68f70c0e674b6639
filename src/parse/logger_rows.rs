//! Reads the rows pt-deadlock-logger (mk-/mysql-deadlock-logger before it) printed for one
//! deadlock into the same model as a report: a transaction per row, its lock as its awaited
//! lock (`wait_hold` `w`) or a held one (`h`), and the victim (`victim` 1).
//!
//! The tool keeps little of the report: the lock's mode letter without its kind (gap,
//! record-only, insert intention), no page or heap number, no record dump, and only the one
//! lock per transaction; on 5.5 and later it prints `txn_id` 0. A warning says so.

use std::sync::Arc;

use crate::model::{
    Deadlock, Lock, LockKind, LockMode, LockModeClause, LockTarget, TableName, Transaction, Victim,
    WaitForGraph, Warning, NOT_PRINTED,
};
use crate::text::Chunk;

/// The columns the tool prints by default, in order (`--columns` may choose others).
const DEFAULT_COLUMNS: [&str; 16] = [
    "server",
    "ts",
    "thread",
    "txn_id",
    "txn_time",
    "user",
    "hostname",
    "ip",
    "db",
    "tbl",
    "idx",
    "lock_type",
    "lock_mode",
    "wait_hold",
    "victim",
    "query",
];

/// One row, by column name.
struct Row<'a> {
    columns: &'a [&'a str],
    values: Vec<String>,
}

impl Row<'_> {
    fn get(&self, name: &str) -> Option<&str> {
        let at = self.columns.iter().position(|c| *c == name)?;
        self.values
            .get(at)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }
}

/// Parses one deadlock's rows (the header line first, when the input had one).
pub fn parse_logger_rows(input: &str, chunk: &Chunk) -> (Deadlock, Vec<Warning>) {
    let mut warnings = Vec::new();
    let warn = |line: usize, message: String, text: Option<&str>| Warning {
        input: input.to_string(),
        line,
        message,
        text: text.map(|t| t.chars().take(120).collect()),
    };
    let mut lines = chunk.lines().peekable();
    let header: Option<Vec<&str>> = lines
        .peek()
        .filter(|(_, l)| crate::text::is_logger_header(l))
        .map(|(_, l)| l.split_whitespace().collect());
    if header.is_some() {
        lines.next();
    }
    let columns: Vec<&str> = header.unwrap_or_else(|| DEFAULT_COLUMNS.to_vec());
    let mut deadlock = Deadlock {
        input: input.to_string(),
        line: chunk.first_line(),
        ..Deadlock::default()
    };
    let mut zero_ids = 0;
    for (line_no, text) in lines {
        let Some(row) = read_row(&columns, text) else {
            warnings.push(warn(
                line_no,
                "pt-deadlock-logger row not read: its columns do not match the header".into(),
                Some(text),
            ));
            continue;
        };
        let number = u32::try_from(deadlock.transactions.len() + 1).unwrap_or(u32::MAX);
        if deadlock.timestamp.is_none() {
            deadlock.timestamp = row.get("ts").map(|ts| ts.replacen('T', " ", 1));
        }
        if row.get("victim") == Some("1") {
            deadlock.victim = Victim {
                number: Some(number),
                note: None,
            };
        }
        let trx_id = row.get("txn_id").unwrap_or("");
        if trx_id == "0" {
            zero_ids += 1;
        }
        let lock = lock(&row, line_no, text);
        let mut trx = Transaction {
            number,
            trx_id: trx_id.into(),
            state: "ACTIVE".into(),
            active_secs: row.get("txn_time").and_then(|s| s.parse().ok()),
            thread_id: row.get("thread").and_then(|s| s.parse().ok()),
            host: row.get("hostname").map(Into::into),
            ip: row.get("ip").map(Into::into),
            user: row.get("user").map(Into::into),
            query: row.get("query").map(str::to_string),
            line: line_no,
            ..Transaction::default()
        };
        match lock {
            Some(l) if l.waiting => trx.waits_for = Some(l),
            Some(l) => trx.holds.push(l),
            None => {}
        }
        deadlock.transactions.push(trx);
    }
    if !deadlock.transactions.is_empty() {
        let mut message = String::from(
            "pt-deadlock-logger rows, not the server's report: one lock per transaction (its \
             awaited lock, or a held one where `wait_hold` is `h`), the mode without its kind \
             (gap, record-only, insert intention), no page, heap number or record dump",
        );
        if zero_ids > 0 {
            message.push_str("; `txn_id` 0 is the tool's (it cannot read 5.5+ trx ids)");
        }
        warnings.push(warn(deadlock.line, message, None));
    }
    deadlock.graph = WaitForGraph::build(&deadlock.transactions);
    (deadlock, warnings)
}

/// One row's cells, each with its column's name (the header's columns, else the tool's
/// default ones): what the redactor rewrites. `None` when the row does not fit the columns.
pub fn logger_row_cells(header: Option<&str>, text: &str) -> Option<Vec<(String, String)>> {
    let columns: Vec<&str> = header.map_or_else(
        || DEFAULT_COLUMNS.to_vec(),
        |h| h.split_whitespace().collect(),
    );
    let row = read_row(&columns, text)?;
    Some(
        columns
            .iter()
            .map(|c| c.to_string())
            .zip(row.values)
            .collect(),
    )
}

/// The row's values by column. Tab-separated rows split on tabs; space-separated ones take
/// one word per column and the rest as the statement, an empty column (`ip`) being two
/// spaces, or one where the copy collapsed them.
fn read_row<'a>(columns: &'a [&'a str], text: &str) -> Option<Row<'a>> {
    let n = columns.len();
    let query_last = columns.last() == Some(&"query");
    let by = |sep: char| -> Vec<String> {
        let mut parts: Vec<String> = text.splitn(n, sep).map(str::to_string).collect();
        if !query_last && parts.len() == n {
            if let Some(last) = parts.pop() {
                parts.extend(last.split(sep).map(str::to_string));
            }
        }
        parts
    };
    let candidates = if text.contains('\t') {
        vec![by('\t')]
    } else {
        let collapsed = by(' ');
        let mut with_empty_ip = Vec::new();
        if let Some(ip) = columns.iter().position(|c| *c == "ip") {
            let words: Vec<&str> = text.split_whitespace().collect();
            let before = n.saturating_sub(usize::from(query_last) + 1);
            if words.len() > before {
                let mut v: Vec<String> = words.iter().take(before).map(|w| w.to_string()).collect();
                v.insert(ip.min(v.len()), String::new());
                let rest = words.get(before..).unwrap_or_default().join(" ");
                v.push(rest);
                with_empty_ip = v;
            }
        }
        vec![collapsed, with_empty_ip]
    };
    candidates
        .into_iter()
        .map(|values| Row { columns, values })
        .find(plausible)
}

/// The columns that have a fixed shape hold it.
fn plausible(row: &Row<'_>) -> bool {
    let count = row.values.len() == row.columns.len();
    let is = |name: &str, ok: &dyn Fn(&str) -> bool| {
        !row.columns.contains(&name) || row.get(name).is_some_and(ok)
    };
    count
        && is("ts", &crate::text::is_iso_time)
        && is("wait_hold", &|v| v == "w" || v == "h")
        && is("victim", &|v| v == "0" || v == "1")
        && is("lock_type", &|v| v == "RECORD" || v == "TABLE")
        && is("thread", &|v| v.bytes().all(|b| b.is_ascii_digit()))
}

/// The row's lock, when it names its table.
fn lock(row: &Row<'_>, line: usize, text: &str) -> Option<Lock> {
    let table = row.get("tbl")?;
    let mode = LockMode::from_word(row.get("lock_mode").unwrap_or(""));
    let waiting = row.get("wait_hold") != Some("h");
    let (target, kind) = match row.get("lock_type") {
        Some("TABLE") => (LockTarget::Table, LockKind::Table),
        _ => (
            LockTarget::Record {
                space: NOT_PRINTED,
                page: NOT_PRINTED,
                n_bits: None,
                index: row.get("idx").unwrap_or("").into(),
            },
            LockKind::Unknown,
        ),
    };
    Some(Lock {
        target,
        table: TableName {
            schema: row.get("db").map(Into::into),
            table: table.into(),
            partition: None,
        },
        trx_id: row.get("txn_id").unwrap_or("").into(),
        clause: LockModeClause {
            mode: Some(mode.clone()),
            waiting,
            ..LockModeClause::default()
        },
        mode,
        kind,
        waiting,
        records: Vec::new(),
        line,
        text: Arc::from(text),
    })
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    fn parse(text: &str) -> (Deadlock, Vec<Warning>) {
        parse_logger_rows("t", &Chunk::from_text(text, 1))
    }

    #[test]
    fn rows_become_transactions() {
        // See: fixtures/shapes/logger-01 (mysql-deadlock-logger, 2007).
        let (d, w) = parse("server ts thread txn_id txn_time user hostname ip db tbl idx lock_type lock_mode wait_hold victim query
localhost 2007-03-08T20:34:22 81 21309 29 baron localhost  test c GEN_CLUST_INDEX RECORD X w 1 select * from c for update
localhost 2007-03-08T20:34:22 83 21310 19 baron localhost  test a GEN_CLUST_INDEX RECORD X w 0 select * from a for update");
        assert_eq!(d.transactions.len(), 2);
        assert_eq!(d.victim.number, Some(1));
        assert_eq!(d.timestamp.as_deref(), Some("2007-03-08 20:34:22"));
        let t = &d.transactions[0];
        assert_eq!(t.trx_id, "21309");
        assert_eq!(t.query.as_deref(), Some("select * from c for update"));
        assert_eq!(t.thread_id, Some(81));
        assert_eq!(t.ip, None);
        let l = t.waits_for.as_ref().unwrap();
        assert_eq!(l.table.to_string(), "`test`.`c`");
        assert_eq!(l.index(), Some("GEN_CLUST_INDEX"));
        assert_eq!(l.kind, LockKind::Unknown);
        assert_eq!(d.graph.cycle.len(), 2);
        assert_eq!(w.len(), 1);
    }

    #[test]
    fn collapsed_empty_ip_tabs_and_held_locks() {
        let (d, _) = parse("localhost 2014-08-16T22:50:47 234 0 27 root localhost test mt PRIMARY RECORD X h 0 replace into mt values (1)");
        let t = &d.transactions[0];
        assert_eq!(t.holds.len(), 1);
        assert!(t.waits_for.is_none());
        assert_eq!(t.query.as_deref(), Some("replace into mt values (1)"));
        let (d, _) = parse("h\t2014-08-16T22:50:47\t1\t5\t2\tu\thost\t10.0.0.1\tdb\tt\tPRIMARY\tRECORD\tS\tw\t1\tselect 1");
        assert_eq!(d.transactions[0].ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(d.victim.number, Some(1));
        let (d, w) = parse("h 2014-08-16T22:50:47 x y w");
        assert!(d.transactions.is_empty());
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].line, 1);
    }
}
