//! Words shared by the lock-wait entries of the catalogue (`idle-blocker`, `long-transaction`,
//! `hot-row`): how to name a transaction, a waited lock, and the evidence of a wait.

use super::Evidence;
use crate::model::{LockKind, LockWait, TrxSummary, WaitedLock};

/// `trx 609 (thread 71)`.
pub(crate) fn who(t: &TrxSummary) -> String {
    match t.thread_id {
        Some(id) => format!("trx {} (thread {id})", t.trx_id),
        None => format!("trx {}", t.trx_id),
    }
}

/// `X record-only lock on `test`.`jobs` PRIMARY (7)`.
pub fn lock_phrase(l: &WaitedLock) -> String {
    if l.table.table.is_empty() {
        return format!("a lock the input does not show (`{}`)", l.text);
    }
    let kind = match l.kind {
        LockKind::Table => "table lock",
        LockKind::NextKey => "next-key lock",
        LockKind::Gap => "gap lock",
        LockKind::RecNotGap => "record-only lock",
        LockKind::InsertIntention => "insert-intention lock",
    };
    let mut s = format!("{} {kind} on {}", l.mode, l.table);
    if let Some(index) = &l.index {
        s.push_str(&format!(" {index}"));
    }
    match l.lock_data.as_deref() {
        Some(d) if d.contains("supremum") => s.push_str(" (the gap after the last key)"),
        Some(d) => s.push_str(&format!(" ({d})")),
        None => {}
    }
    s
}

/// The statement, shortened to one line.
pub(crate) fn statement(t: &TrxSummary) -> String {
    match t.query.as_deref() {
        Some(q) => {
            let one_line = q.split_whitespace().collect::<Vec<_>>().join(" ");
            if one_line.chars().count() > 90 {
                let cut: String = one_line.chars().take(89).collect();
                format!("`{cut}…`")
            } else {
                format!("`{one_line}`")
            }
        }
        None => "no statement".to_string(),
    }
}

/// The evidence of one wait: where it was read.
pub(crate) fn evidence(w: &LockWait) -> Evidence {
    let blocker = w
        .blocking
        .as_ref()
        .map_or("an unknown holder".to_string(), who);
    Evidence {
        line: w.line,
        text: format!(
            "{} waits for {} held by {blocker} [{}]",
            who(&w.requesting),
            lock_phrase(&w.lock),
            w.sources.join(", ")
        )
        .into(),
    }
}

/// `2 s`, `3 min 5 s`, `1 h 2 min`.
pub(crate) fn duration(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min {} s", s / 60, s % 60),
        s => format!("{} h {} min", s / 3600, (s % 3600) / 60),
    }
}

#[cfg(test)]
pub(crate) mod tests_support {
    use crate::model::{LockKind, LockWait, TableName, TrxSummary, WaitedLock};

    /// `requesting` waits for `blocking` on an X record-only lock of `test`.`jobs` PRIMARY.
    pub(crate) fn wait(requesting: &str, blocking: &str) -> LockWait {
        LockWait {
            requesting: TrxSummary {
                trx_id: requesting.into(),
                ..TrxSummary::default()
            },
            blocking: Some(TrxSummary {
                trx_id: blocking.into(),
                ..TrxSummary::default()
            }),
            lock: WaitedLock {
                table: TableName {
                    schema: Some("test".into()),
                    table: "jobs".into(),
                    partition: None,
                },
                index: Some("PRIMARY".into()),
                mode: "X".into(),
                kind: LockKind::RecNotGap,
                lock_data: Some("7".into()),
                space: Some(15),
                page: Some(3),
                heap_no: None,
                record: None,
                text: String::new(),
            },
            wait_secs: None,
            sources: vec!["t".into()],
            line: 1,
        }
    }
}
