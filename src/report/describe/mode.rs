//! `lockscope explain`: a mode clause's words, flags, what InnoDB does with such a lock and what
//! conflicts with it.

use crate::model::{LockKind, LockMode, LockModeClause};

/// `lockscope explain`: what the words of one mode clause mean, which flags they set, what
/// InnoDB is doing with such a lock, and what conflicts with it. `on_supremum` applies the rule
/// that every lock on the supremum is a gap lock (format-spec §3.5).
pub fn describe_mode_clause(clause: &LockModeClause, on_supremum: bool) -> String {
    let mode = clause
        .mode
        .clone()
        .unwrap_or(LockMode::Unknown(String::new()));
    let mut parts: Vec<String> = Vec::new();
    parts.push(format!("flags: {}", flag_names(clause).join(" | ")));
    match &mode {
        LockMode::IS | LockMode::IX | LockMode::AutoInc => parts.push(table_mode_text(&mode)),
        _ => {
            let kind = LockKind::of_record_lock(clause, on_supremum);
            if on_supremum && !clause.gap && !clause.rec_not_gap && !clause.insert_intention {
                parts.push(
                    "on the supremum (heap no 1) InnoDB clears the gap flags, so a plain mode is \
                     a gap lock on the gap after the last record of the page"
                        .to_string(),
                );
            }
            parts.push(kind_text(kind).to_string());
            parts.push(mode_text(&mode, kind));
        }
    }
    parts.push(if clause.waiting {
        "`waiting` (LOCK_WAIT): requested but not granted, the transaction is blocked until the \
         conflicting locks ahead of it are released"
            .to_string()
    } else {
        "granted: the transaction holds this lock until it commits or rolls back".to_string()
    });
    parts.join(". ")
}

fn flag_names(clause: &LockModeClause) -> Vec<&'static str> {
    let mut flags = vec![match &clause.mode {
        Some(LockMode::S) => "LOCK_S",
        Some(LockMode::X) => "LOCK_X",
        Some(LockMode::IS) => "LOCK_IS",
        Some(LockMode::IX) => "LOCK_IX",
        Some(LockMode::AutoInc) => "LOCK_AUTO_INC",
        Some(LockMode::Unknown(_)) | None => "unknown mode",
    }];
    let words = [
        (clause.gap, "LOCK_GAP"),
        (clause.rec_not_gap, "LOCK_REC_NOT_GAP"),
        (clause.insert_intention, "LOCK_INSERT_INTENTION"),
        (clause.waiting, "LOCK_WAIT"),
    ];
    flags.extend(words.iter().filter(|(on, _)| *on).map(|(_, name)| *name));
    let record_mode = matches!(clause.mode, Some(LockMode::S | LockMode::X));
    if record_mode && !clause.gap && !clause.rec_not_gap && !clause.insert_intention {
        flags.push("LOCK_ORDINARY");
    }
    flags
}

fn kind_text(kind: LockKind) -> &'static str {
    match kind {
        LockKind::NextKey => {
            "next-key lock (LOCK_ORDINARY): the record and the gap before it. InnoDB takes it \
             for locking reads, UPDATE and DELETE under REPEATABLE READ, so that no other \
             transaction changes the record or inserts into the gap before it (no phantoms)"
        }
        LockKind::Gap => {
            "gap lock (LOCK_GAP): only the open interval before the record, never the record \
             itself. InnoDB takes it for range scans and for searches that find no row, to stop \
             inserts there. gap locks never conflict with each other, not even X with X, so two \
             transactions can hold the same gap and then deadlock when both insert into it"
        }
        LockKind::RecNotGap => {
            "record-only lock (LOCK_REC_NOT_GAP): the index record but not the gap before it. \
             InnoDB takes it for equality lookups on a unique index that find the row, and when \
             it makes another transaction's implicit lock on a row it wrote explicit"
        }
        LockKind::InsertIntention => {
            "insert-intention lock (LOCK_INSERT_INTENTION, always with LOCK_GAP): the \
             transaction is about to insert a row into the gap before this record. it blocks \
             nothing itself, and inserts at different positions of one gap do not wait for each \
             other, but it must wait for every gap or next-key lock another transaction holds \
             on that gap"
        }
        LockKind::Table => "table lock",
        LockKind::Unknown => "a lock whose kind the input does not show",
        LockKind::Metadata => {
            "metadata lock (MDL): the server's lock on a table's definition, taken by every \
             statement that uses the table and held to the end of the transaction; DDL needs it \
             exclusively"
        }
        LockKind::TableFlush => {
            "table flush: FLUSH TABLES (or FTWRL, ANALYZE TABLE) marked the table to be \
             reopened; every statement that opens it waits until those that had it open end"
        }
        LockKind::GlobalRead => {
            "global read lock (FLUSH TABLES WITH READ LOCK, a backup's): while it is held, every \
             write and every commit waits"
        }
    }
}

fn mode_text(mode: &LockMode, kind: LockKind) -> String {
    let strength = match mode {
        LockMode::S => "mode S (shared): compatible with other S locks, conflicts with X",
        LockMode::X => "mode X (exclusive): conflicts with both S and X",
        _ => "an unknown mode: its conflicts cannot be told",
    };
    match kind {
        LockKind::NextKey => format!(
            "{strength}. on the record it conflicts with another transaction's record-only and \
             next-key locks, and it blocks insert intentions into the gap before it"
        ),
        LockKind::RecNotGap => format!(
            "{strength}. it conflicts with another transaction's record-only and next-key locks \
             on the same record, and never blocks inserts into the gap"
        ),
        LockKind::Gap => format!(
            "mode {mode}: for a gap lock the mode makes no difference, S and X gap locks are \
             compatible with each other and both block insert intentions"
        ),
        LockKind::Unknown => strength.to_string(),
        LockKind::InsertIntention
        | LockKind::Table
        | LockKind::Metadata
        | LockKind::TableFlush
        | LockKind::GlobalRead => format!("mode {mode}"),
    }
}

fn table_mode_text(mode: &LockMode) -> String {
    match mode {
        LockMode::AutoInc => "table AUTO-INC lock: held while an INSERT generates \
                              auto-increment values (for the whole statement with \
                              `innodb_autoinc_lock_mode=0`, or for bulk inserts such as INSERT … \
                              SELECT with mode 1); two AUTO-INC locks on one table conflict"
            .to_string(),
        _ => format!(
            "table lock {mode}: an intention lock, announcing that the transaction will take \
             {} record locks in the table. intention locks are compatible with each other and \
             conflict only with table-level S or X locks (LOCK TABLES, some ALTER TABLE)",
            if *mode == LockMode::IS { "S" } else { "X" }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::describe::testkit::clause;

    #[test]
    fn mode_clauses_explained() {
        let text = describe_mode_clause(&clause(LockMode::X, "gap ii wait"), false);
        assert!(text.starts_with(
            "flags: LOCK_X | LOCK_GAP | LOCK_INSERT_INTENTION | LOCK_WAIT. insert-intention"
        ));
        assert!(text.contains("requested but not granted"), "{text}");
        let supremum = describe_mode_clause(&clause(LockMode::X, ""), true);
        assert!(supremum.contains("clears the gap flags"), "{supremum}");
        assert!(supremum.contains("gap lock (LOCK_GAP)"), "{supremum}");
        let next_key = describe_mode_clause(&clause(LockMode::S, ""), false);
        assert!(next_key.contains("next-key lock"), "{next_key}");
        assert!(
            next_key.contains("compatible with other S locks"),
            "{next_key}"
        );
        let autoinc = describe_mode_clause(&clause(LockMode::AutoInc, "wait"), false);
        assert!(
            autoinc.starts_with("flags: LOCK_AUTO_INC | LOCK_WAIT. table AUTO-INC lock"),
            "{autoinc}"
        );
        for text in [text, supremum, next_key, autoinc] {
            assert!(!text.ends_with('.'), "no trailing period: {text}");
        }
    }
}
