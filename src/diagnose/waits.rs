//! Words shared by the lock-wait entries of the catalogue (`idle-blocker`, `long-transaction`,
//! `hot-row`): how to name a transaction, a waited lock, and the evidence of a wait.

use super::Evidence;
use crate::model::{HeldLocks, LockKind, LockWait, TrxSummary, WaitedLock};

/// What the lock-wait entries look at: the waits of one moment and the locks held (from the
/// lock tables, grouped).
#[derive(Debug, Clone, Copy, Default)]
pub struct LockScene<'a> {
    pub waits: &'a [LockWait],
    pub held: &'a [HeldLocks],
}

impl<'a> LockScene<'a> {
    /// Waits alone (a TRANSACTIONS section, or a test).
    pub fn waits(waits: &'a [LockWait]) -> Self {
        LockScene { waits, held: &[] }
    }
}

/// `trx 2851`, or `session 10` / `thread 47` when that is all the input named it by
/// (PROCESSLIST alone, `data_locks` without a trx id column): every report names a
/// transaction so.
pub(crate) fn trx_name(t: &TrxSummary) -> String {
    if t.is_session() || t.trx_id.starts_with("thread ") {
        t.trx_id.clone()
    } else {
        format!("trx {}", t.trx_id)
    }
}

/// `trx 609 (thread 71)`.
pub(crate) fn who(t: &TrxSummary) -> String {
    if t.is_session() {
        return t.trx_id.clone();
    }
    let name = trx_name(t);
    match (t.thread_id, t.ps_thread_id) {
        (Some(id), _) => format!("{name} (thread {id})"),
        (None, Some(ps)) if !t.trx_id.starts_with("thread ") => {
            format!("{name} (THREAD_ID {ps})")
        }
        _ => name,
    }
}

/// `text` with its first letter upper-case: a name (`trx 609`, `session 16`) that starts a
/// sentence.
pub(crate) fn sentence_start(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// `trx 609 (thread 71) running `UPDATE jobs …``: a waiter or blocker in a queue's list.
pub(crate) fn who_running(t: &TrxSummary) -> String {
    format!("{} running {}", who(t), statement(t))
}

/// `X record-only lock on `test`.`jobs` PRIMARY (7)`.
pub fn lock_phrase(l: &WaitedLock) -> String {
    let mut s = lock_kind_phrase(l);
    if l.table.table.is_empty()
        || l.mode.is_empty()
        || matches!(l.kind, LockKind::TableFlush | LockKind::GlobalRead)
    {
        return s;
    }
    match l.lock_data.as_deref() {
        Some(d) if d.contains("supremum") => s.push_str(" (the gap after the last key)"),
        Some(d) => s.push_str(&format!(" ({d})")),
        // Heap no 1 is the supremum.
        None if l.heap_no == Some(1) => s.push_str(" (the gap after the last key)"),
        None => {}
    }
    s
}

/// `X record-only lock on `test`.`jobs` PRIMARY`: the lock without its key, the same for every
/// waiter queued on a range.
pub fn lock_kind_phrase(l: &WaitedLock) -> String {
    match l.kind {
        LockKind::TableFlush if l.table.table.is_empty() => {
            return "the flush of the tables (FLUSH TABLES): every statement that had one open \
                    must end first"
                .to_string();
        }
        LockKind::TableFlush => {
            return format!(
                "the flush of {} (to reopen it, every statement that had it open must end first)",
                l.table
            );
        }
        LockKind::GlobalRead => {
            let by = if l.mode == "backup lock" {
                "FLUSH TABLES WITH READ LOCK or BACKUP STAGE"
            } else {
                "FLUSH TABLES WITH READ LOCK"
            };
            return format!("the {} ({by})", l.mode);
        }
        _ => {}
    }
    if l.table.table.is_empty() {
        // A lock id alone still says where: `<trx>:<space>:<page>:<heap>`.
        if let (Some(space), Some(page), Some(heap)) = (l.space, l.page, l.heap_no) {
            let what = if l.mode.is_empty() {
                "a record lock".to_string()
            } else {
                format!("{} lock", l.text)
            };
            return format!(
                "{what} on a record the input does not name (space {space}, page {page}, heap \
                 no {heap})"
            );
        }
        return format!("a lock the input does not show (`{}`)", l.text);
    }
    if l.mode.is_empty() && l.kind == LockKind::Metadata {
        // A custom join's `'Metadata Lock' AS locked_type` (hunt3 004).
        return format!("a metadata lock on {} (its type is not shown)", l.table);
    }
    if l.mode.is_empty() {
        let mut s = format!("a lock on {}", l.table);
        if let Some(index) = &l.index {
            s.push_str(&format!(" {index}"));
        }
        s.push_str(" (its mode is not shown)");
        return s;
    }
    let kind = match l.kind {
        LockKind::Table => "table lock",
        LockKind::NextKey => "next-key lock",
        LockKind::Gap => "gap lock",
        LockKind::RecNotGap => "record-only lock",
        LockKind::InsertIntention => "insert-intention lock",
        LockKind::Metadata => "metadata lock",
        LockKind::TableFlush => "table flush",
        LockKind::GlobalRead => "global lock",
        LockKind::Unknown => "next-key or record-only lock",
    };
    let mut s = format!("{} {kind} on {}", l.mode, l.table);
    if let Some(index) = &l.index {
        s.push_str(&format!(" {index}"));
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

/// `X next-key locks on 999,779 records of `shop`.`orders` index `PRIMARY` (keys 1, 2, 3 …
/// 999779)`.
pub fn held_phrase(g: &HeldLocks) -> String {
    if !g.is_record() {
        return format!("{} table lock on {}", g.mode, g.table);
    }
    if g.supremum && g.count == 1 {
        let mut s = format!("{} gap lock on the supremum of {}", g.mode, g.table);
        if let Some(index) = &g.index {
            s.push_str(&format!(" index `{index}`"));
        }
        s.push_str(": the gap after the last record of the page");
        return s;
    }
    // 5.x INNODB_LOCKS prints X / S for both (format-spec §8).
    let kind = match g.kind {
        LockKind::Unknown => "next-key or record-only",
        k => k.as_str(),
    };
    let what = if g.count == 1 {
        format!("{} {kind} lock on a record", g.mode)
    } else {
        format!("{} {kind} locks on {} records", g.mode, thousands(g.count))
    };
    let mut s = format!("{what} of {}", g.table);
    if let Some(index) = &g.index {
        s.push_str(&format!(" index `{index}`"));
    }
    // A composite key is shown in parentheses, so that keys and their parts do not blur.
    let key = |k: &String| {
        if k.contains(", ") && g.count > 1 {
            format!("({k})")
        } else {
            k.clone()
        }
    };
    let mut keys: Vec<String> = g.examples.iter().map(key).collect();
    if let Some(last) = &g.last {
        keys.push(format!("… {}", key(last)));
    }
    if !keys.is_empty() {
        let label = if g.count == 1 { "key" } else { "keys" };
        s.push_str(&format!(
            " ({label} {})",
            keys.join(", ").replace(", …", " …")
        ));
    }
    if g.supremum {
        s.push_str(", including the gap after the last record of a page");
    }
    s
}

/// `999779` → `999,779`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `trx 2569 (thread 46) holds` / `… waits for`.
pub fn held_subject(g: &HeldLocks) -> String {
    let mut s = format!("trx {}", g.trx_id);
    if let Some(t) = g.ps_thread_id {
        if !g.trx_id.starts_with("thread ") {
            s.push_str(&format!(" (THREAD_ID {t})"));
        }
    }
    s.push_str(match g.status {
        "waiting" => " waits for",
        "granted" => " holds",
        _ => " holds or waits for",
    });
    s
}

#[cfg(test)]
pub(crate) mod tests_support {
    use crate::model::{
        HeldLocks, LockKind, LockMode, LockWait, TableName, TrxSummary, WaitedLock,
    };

    /// `count` granted X locks of `trx` of `kind` on `test`.`jobs` PRIMARY.
    pub(crate) fn held(trx: &str, kind: LockKind, count: u64) -> HeldLocks {
        HeldLocks {
            trx_id: trx.into(),
            ps_thread_id: None,
            table: TableName {
                schema: Some("test".into()),
                table: "jobs".into(),
                partition: None,
            },
            index: Some("PRIMARY".into()),
            mode: LockMode::X,
            kind,
            mode_text: "X".into(),
            status: "granted",
            count,
            examples: vec!["7".into()],
            last: None,
            supremum: false,
            line: 1,
        }
    }

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
            inferred: false,
        }
    }
}

#[cfg(test)]
mod held_tests {
    use super::*;
    use crate::model::{LockMode, TableName};

    fn group(count: u64, examples: &[&str], last: Option<&str>) -> HeldLocks {
        HeldLocks {
            trx_id: "2851".into(),
            ps_thread_id: None,
            table: TableName {
                schema: Some("shop".into()),
                table: "orders".into(),
                partition: None,
            },
            index: Some("PRIMARY".into()),
            mode: LockMode::X,
            kind: LockKind::NextKey,
            mode_text: "X".into(),
            status: "granted",
            count,
            examples: examples.iter().map(|e| e.to_string()).collect(),
            last: last.map(str::to_string),
            supremum: false,
            line: 1,
        }
    }

    #[test]
    fn a_million_locks_in_one_line() {
        let g = group(999_779, &["1", "2", "3"], Some("999779"));
        assert_eq!(
            held_phrase(&g),
            "X next-key locks on 999,779 records of `shop`.`orders` index `PRIMARY` (keys 1, \
             2, 3 … 999779)"
        );
        assert_eq!(held_subject(&g), "trx 2851 holds");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(999), "999");
    }

    #[test]
    fn the_supremum_alone_is_a_gap() {
        let mut g = group(1, &["supremum pseudo-record"], None);
        g.supremum = true;
        assert_eq!(
            held_phrase(&g),
            "X gap lock on the supremum of `shop`.`orders` index `PRIMARY`: the gap after the \
             last record of the page"
        );
    }
}
