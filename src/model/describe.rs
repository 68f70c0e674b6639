//! Plain-language decoding of locks and records: what a lock line means in words. Shared by the
//! text report, the JSON `description` fields, `lockscope explain` and the diagnosis' summaries,
//! so the same lock is always described the same way (format-spec §3.5).

use super::lock::{Lock, LockTarget};
use super::lock_mode::{LockKind, LockMode, LockModeClause};
use super::record::{FieldValue, Record};

/// Hex digits kept whole; longer values are shown as head…tail (UUIDs differ at either end).
const MAX_HEX_DIGITS: usize = 24;
/// Characters of a text value kept before `…`.
const MAX_TEXT_CHARS: usize = 24;

/// One lock in words: `X next-key lock on record (heap 3) of `test`.`t` index `PRIMARY` and the
/// gap before it`, `waiting: …`, `waiting to insert into the gap before … (insert intention)`.
pub fn describe_lock(lock: &Lock) -> String {
    let mut s = String::with_capacity(200);
    push_description(&mut s, lock);
    s
}

/// [`describe_lock`], appended to `out` (the JSON report reuses one buffer for every lock).
pub fn push_description(out: &mut String, lock: &Lock) {
    match &lock.target {
        LockTarget::Table => push_table_lock(out, lock),
        LockTarget::Record { index, .. } => push_record_lock(out, lock, index),
    }
}

/// The lock in a few words for one-line listings: `X next-key on `test`.`t` `PRIMARY``.
pub fn describe_lock_short(lock: &Lock) -> String {
    match lock.index() {
        Some(index) => format!(
            "{} {} on {} `{index}`",
            lock.mode,
            lock.kind.as_str(),
            lock.table
        ),
        None => format!("{} table lock on {}", lock.mode, lock.table),
    }
}

fn push_table_lock(s: &mut String, lock: &Lock) {
    match (&lock.mode, lock.waiting) {
        (LockMode::AutoInc, true) => s.push_str("waiting for the table's AUTO-INC lock on "),
        (LockMode::AutoInc, false) => s.push_str("the table's AUTO-INC lock on "),
        (mode, waiting) => {
            s.push_str(if waiting {
                "waiting: table lock "
            } else {
                "table lock "
            });
            s.push_str(mode.as_str());
            s.push_str(" on ");
        }
    }
    lock.table.push_to(s);
}

/// What the records listed under a lock are, counted for the sentence.
struct Listed<'a> {
    /// The first user record (heap no ≥ 2) and how many there are.
    first: Option<&'a Record>,
    users: usize,
    supremum: bool,
    deleted: usize,
}

impl<'a> Listed<'a> {
    fn of(lock: &'a Lock) -> Listed<'a> {
        let mut listed = Listed {
            first: None,
            users: 0,
            supremum: false,
            deleted: 0,
        };
        for r in &lock.records {
            if r.is_supremum() {
                listed.supremum = true;
            } else if !r.is_infimum() {
                listed.first = listed.first.or(Some(r));
                listed.users += 1;
                listed.deleted += usize::from(r.is_delete_marked());
            }
        }
        listed
    }

    /// `record (heap 3)`, `a delete-marked record (heap 6)`, `14 records (all delete-marked)`.
    fn push_phrase(&self, s: &mut String) {
        match (self.first, self.users) {
            (None, _) => s.push_str("a record"),
            (Some(one), 1) => {
                s.push_str(match one.is_delete_marked() {
                    true => "a delete-marked record (heap ",
                    false => "record (heap ",
                });
                push_number(s, one.heap_no);
                s.push(')');
            }
            (Some(_), n) => {
                push_number(s, n);
                s.push_str(" records");
                match self.deleted {
                    0 => {}
                    d if d == n => s.push_str(" (all delete-marked)"),
                    d => {
                        s.push_str(" (");
                        push_number(s, d);
                        s.push_str(" delete-marked)");
                    }
                }
            }
        }
    }

    fn it(&self) -> &'static str {
        if self.users > 1 {
            "each"
        } else {
            "it"
        }
    }

    fn only_supremum(&self) -> bool {
        self.supremum && self.users == 0
    }
}

fn push_record_lock(s: &mut String, lock: &Lock, index: &str) {
    // One string, pushed in order: this runs for every lock of every report (JSON
    // `description`, the text report).
    let listed = Listed::of(lock);
    let place = |s: &mut String| {
        lock.table.push_to(s);
        s.push_str(" index `");
        s.push_str(index);
        s.push('`');
    };
    let mode = lock.mode.as_str();
    let end_of_page = "the gap after the last record of the page (end of range)";
    if lock.waiting {
        s.push_str(match lock.kind {
            LockKind::InsertIntention => "waiting to insert into ",
            _ => "waiting: ",
        });
    }
    match lock.kind {
        LockKind::InsertIntention => {
            if !lock.waiting {
                s.push_str(mode);
                s.push_str(" insert-intention lock on ");
            }
            if listed.only_supremum() {
                s.push_str("the gap before the supremum of ");
                place(s);
                s.push_str(", after the last record of the page");
            } else {
                s.push_str("the gap before ");
                listed.push_phrase(s);
                s.push_str(" of ");
                place(s);
            }
            if lock.waiting {
                s.push_str(" (insert intention)");
            }
        }
        LockKind::Gap | LockKind::NextKey if listed.only_supremum() => {
            s.push_str(mode);
            s.push_str(" gap lock on the supremum of ");
            place(s);
            s.push_str(": ");
            s.push_str(end_of_page);
        }
        LockKind::Gap => {
            s.push_str(mode);
            s.push_str(" gap lock before ");
            listed.push_phrase(s);
            s.push_str(" of ");
            place(s);
            s.push_str(if listed.users > 1 {
                " (the gaps, not the records)"
            } else {
                " (the gap, not the record)"
            });
            if listed.supremum {
                s.push_str(", and ");
                s.push_str(end_of_page);
            }
        }
        LockKind::NextKey => {
            s.push_str(mode);
            s.push_str(" next-key lock on ");
            listed.push_phrase(s);
            s.push_str(" of ");
            place(s);
            s.push_str(" and the gap before ");
            s.push_str(listed.it());
            if listed.supremum {
                s.push_str(", plus ");
                s.push_str(end_of_page);
            }
        }
        LockKind::RecNotGap => {
            s.push_str(mode);
            s.push_str(" record-only lock on ");
            listed.push_phrase(s);
            s.push_str(" of ");
            place(s);
        }
        LockKind::Table => {
            s.push_str(mode);
            s.push_str(" lock on ");
            place(s);
        }
    }
}

/// Appends a number in decimal (without `fmt`'s machinery: this runs for every key printed).
pub fn push_number(s: &mut String, n: impl itoa::Integer) {
    s.push_str(itoa::Buffer::new().format(n));
}

/// One record in a line: `supremum (end of page)`, `heap 3: 101, DB_TRX_ID 48, …`, or with the
/// columns the `decode` stage named, `heap 3: id=101, DB_TRX_ID=48, …`. The index is unknown
/// here, so guessed `DB_TRX_ID` / `DB_ROLL_PTR` are labelled wherever a 6-byte field is followed
/// by a 7-byte one; use [`describe_record_in`] when the index name is at hand.
pub fn describe_record(rec: &Record) -> String {
    describe_record_in(rec, None)
}

/// [`describe_record`] for a record of a known index: the system columns are labelled only in
/// the clustered index (`PRIMARY`, `GEN_CLUST_INDEX`), where InnoDB stores them after the key
/// (format-spec §3.5, field order).
pub fn describe_record_in(rec: &Record, index: Option<&str>) -> String {
    if rec.is_supremum() {
        return "supremum (end of page)".to_string();
    }
    if rec.is_infimum() {
        return "infimum (start of page)".to_string();
    }
    let mut head = format!("heap {}", rec.heap_no);
    if rec.is_delete_marked() {
        let bits = rec.info_bits.unwrap_or_default();
        head.push_str(&format!(", delete-marked (info bits {bits})"));
    }
    if rec.fields.is_empty() {
        return format!("{head} (fields not printed)");
    }
    let guessed;
    let columns = if rec.columns.is_empty() {
        guessed = crate::decode::decode_in(rec, None, index, None).columns;
        &guessed
    } else {
        &rec.columns
    };
    format!("{head}: {}", crate::decode::render(columns))
}

/// A field as a short value: a signed-integer guess for 4/8-byte values with the top bit set
/// (InnoDB flips the sign bit, so `80000065` is 101), quoted text when the bytes are printable
/// UTF-8, otherwise hex, shortened.
pub fn short_value(value: &FieldValue) -> String {
    let mut out = String::new();
    push_short_value(&mut out, value);
    out
}

/// [`short_value`], appended to `out` (sentences are built in one string).
pub fn push_short_value(out: &mut String, value: &FieldValue) {
    let (hex, truncated, external) = match value {
        FieldValue::Null => return out.push_str("NULL"),
        FieldValue::Default => return out.push_str("DEFAULT"),
        FieldValue::Mbr { text } => {
            out.push_str("MBR ");
            return push_shortened_text(out, text, false);
        }
        FieldValue::Bytes {
            hex,
            total,
            external,
            ..
        } => (hex.as_str(), total.is_some(), *external),
    };
    match super::hex_bytes(hex) {
        None => push_shortened_text(out, hex, truncated),
        Some(bytes) if bytes.is_empty() => out.push_str("''"),
        Some(bytes) => match signed_int(&bytes, truncated) {
            Some(n) => push_number(out, n),
            None => match std::str::from_utf8(&bytes) {
                Ok(text) if !text.chars().any(char::is_control) => {
                    out.push('\'');
                    push_shortened_text(out, text, truncated);
                    out.push('\'');
                }
                _ => push_shortened_hex(out, hex, truncated),
            },
        },
    }
    if external {
        out.push_str(" (external)");
    }
}

fn signed_int(bytes: &[u8], truncated: bool) -> Option<i64> {
    if truncated || !matches!(bytes.len(), 4 | 8) || bytes.first()? & 0x80 == 0 {
        return None;
    }
    let unsigned = bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
    let bits = bytes.len() as u32 * 8;
    let sign = 1u64 << (bits - 1);
    // Top bit set means non-negative once flipped back, so the result fits in i64.
    i64::try_from(unsigned ^ sign).ok()
}

fn push_shortened_text(out: &mut String, text: &str, truncated: bool) {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(MAX_TEXT_CHARS - 1)
                .map_or(text.len(), |(i, _)| i);
            out.push_str(text.get(..cut).unwrap_or(text));
            out.push('…');
        }
        None => {
            out.push_str(text);
            if truncated {
                out.push('…');
            }
        }
    }
}

fn push_shortened_hex(out: &mut String, hex: &str, truncated: bool) {
    out.push_str("0x");
    if truncated {
        out.push_str(hex.get(..16).unwrap_or(hex));
        out.push('…');
    } else if hex.len() > MAX_HEX_DIGITS {
        out.push_str(hex.get(..8).unwrap_or(""));
        out.push('…');
        out.push_str(hex.get(hex.len() - 8..).unwrap_or(""));
    } else {
        out.push_str(hex);
    }
}

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
        LockKind::InsertIntention | LockKind::Table => format!("mode {mode}"),
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
    use crate::model::{Field, TableName};

    fn bytes(hex: &str) -> FieldValue {
        FieldValue::Bytes {
            len: hex.len() as u64 / 2,
            hex: hex.into(),
            total: None,
            external: false,
        }
    }

    fn record(heap_no: u64, info_bits: u32, fields: &[&str]) -> Record {
        Record {
            heap_no,
            n_fields: Some(fields.len() as u32),
            format: Some("compact format".into()),
            info_bits: Some(info_bits),
            fields: fields
                .iter()
                .enumerate()
                .map(|(i, h)| Field {
                    index: i as u32,
                    value: bytes(h),
                })
                .collect(),
            columns: Vec::new(),
            line: 1,
        }
    }

    fn supremum() -> Record {
        record(1, 0, &["73757072656d756d"])
    }

    fn record_lock(index: &str, clause: LockModeClause, records: Vec<Record>) -> Lock {
        let only_supremum = !records.is_empty() && records.iter().all(Record::is_supremum);
        Lock {
            target: LockTarget::Record {
                space: 6,
                page: 3,
                n_bits: Some(80),
                index: index.into(),
            },
            table: TableName {
                schema: Some("test".into()),
                table: "accounts".into(),
                partition: None,
            },
            trx_id: "47".into(),
            mode: clause.mode.clone().unwrap_or(LockMode::X),
            kind: LockKind::of_record_lock(&clause, only_supremum),
            waiting: clause.waiting,
            clause,
            records,
            line: 1,
            text: "".into(),
        }
    }

    fn clause(mode: LockMode, flags: &str) -> LockModeClause {
        LockModeClause {
            mode: Some(mode),
            gap: flags.contains("gap"),
            rec_not_gap: flags.contains("rec"),
            insert_intention: flags.contains("ii"),
            waiting: flags.contains("wait"),
        }
    }

    #[test]
    fn record_locks_in_words() {
        let r3 = || record(3, 0, &["80000065"]);
        let cases = [
            (
                record_lock("PRIMARY", clause(LockMode::X, ""), vec![r3()]),
                "X next-key lock on record (heap 3) of `test`.`accounts` index `PRIMARY` and the \
                 gap before it",
            ),
            (
                record_lock("PRIMARY", clause(LockMode::X, "rec wait"), vec![r3()]),
                "waiting: X record-only lock on record (heap 3) of `test`.`accounts` index \
                 `PRIMARY`",
            ),
            (
                record_lock("PRIMARY", clause(LockMode::X, "gap"), vec![r3()]),
                "X gap lock before record (heap 3) of `test`.`accounts` index `PRIMARY` (the \
                 gap, not the record)",
            ),
            (
                record_lock(
                    "idx_session_id",
                    clause(LockMode::X, "gap ii wait"),
                    vec![record(6, 32, &["00", "01"])],
                ),
                "waiting to insert into the gap before a delete-marked record (heap 6) of \
                 `test`.`accounts` index `idx_session_id` (insert intention)",
            ),
            (
                record_lock("PRIMARY", clause(LockMode::S, ""), vec![supremum()]),
                "S gap lock on the supremum of `test`.`accounts` index `PRIMARY`: the gap after \
                 the last record of the page (end of range)",
            ),
            (
                record_lock("PRIMARY", clause(LockMode::X, "ii wait"), vec![supremum()]),
                "waiting to insert into the gap before the supremum of `test`.`accounts` index \
                 `PRIMARY`, after the last record of the page (insert intention)",
            ),
            (
                record_lock(
                    "k",
                    clause(LockMode::X, ""),
                    vec![record(4, 32, &["00"]), record(5, 0, &["01"]), supremum()],
                ),
                "X next-key lock on 2 records (1 delete-marked) of `test`.`accounts` index `k` \
                 and the gap before each, plus the gap after the last record of the page (end of \
                 range)",
            ),
        ];
        for (lock, expected) in cases {
            let expected = expected.split_whitespace().collect::<Vec<_>>().join(" ");
            assert_eq!(
                describe_lock(&lock),
                expected,
                "describing {:?}",
                lock.clause
            );
        }
    }

    #[test]
    fn table_locks_in_words() {
        let mut lock = record_lock("PRIMARY", clause(LockMode::IX, ""), vec![]);
        lock.target = LockTarget::Table;
        lock.kind = LockKind::Table;
        lock.mode = LockMode::IX;
        assert_eq!(describe_lock(&lock), "table lock IX on `test`.`accounts`");
        lock.mode = LockMode::AutoInc;
        lock.waiting = true;
        assert_eq!(
            describe_lock(&lock),
            "waiting for the table's AUTO-INC lock on `test`.`accounts`"
        );
        assert_eq!(
            describe_lock_short(&lock),
            "AUTO-INC table lock on `test`.`accounts`"
        );
    }

    #[test]
    fn records_in_words() {
        let clustered = record(
            12,
            0,
            &[
                "80000065",
                "000000000030",
                "930000013e0110",
                "616c696365",
                "00000000000000000000000000000025",
            ],
        );
        assert_eq!(
            describe_record_in(&clustered, Some("PRIMARY")),
            "heap 12: 101, DB_TRX_ID 48, DB_ROLL_PTR 0x930000013e0110, 'alice', \
             0x00000000…00000025"
        );
        // A secondary index never stores the system columns.
        assert_eq!(
            describe_record_in(
                &record(4, 0, &["000000000030", "930000013e0110"]),
                Some("k")
            ),
            "heap 4: 0x000000000030, 0x930000013e0110"
        );
        assert_eq!(
            describe_record(&record(6, 32, &["80000001"])),
            "heap 6, delete-marked (info bits 32): 1"
        );
        assert_eq!(describe_record(&supremum()), "supremum (end of page)");
        let gen = record(
            2,
            0,
            &["000000000501", "000000000777", "800000000a0110", "41"],
        );
        assert_eq!(
            describe_record_in(&gen, Some("GEN_CLUST_INDEX")),
            "heap 2: DB_ROW_ID 1281, DB_TRX_ID 1911, DB_ROLL_PTR 0x800000000a0110, 'A'"
        );
        let mut bare = record(3, 0, &[]);
        bare.info_bits = None;
        assert_eq!(describe_record(&bare), "heap 3 (fields not printed)");
    }

    #[test]
    fn short_values() {
        let cases = [
            (bytes("80000065"), "101"),
            (bytes("8000000000000002"), "2"),
            (bytes("7fffffff"), "0x7fffffff"),
            (bytes(""), "''"),
            (bytes("ed959ceab5ad"), "'한국'"),
            (FieldValue::Null, "NULL"),
            (FieldValue::Default, "DEFAULT"),
            (
                FieldValue::Bytes {
                    len: 30,
                    hex: "61".repeat(30).into(),
                    total: Some(100),
                    external: true,
                },
                "'aaaaaaaaaaaaaaaaaaaaaaa…' (external)",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(short_value(&value), expected, "short value of {value:?}");
        }
    }

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
