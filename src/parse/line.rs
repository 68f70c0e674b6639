//! Classifies one logical line of a deadlock report (after the input layer removed client
//! decoration and log prefixes) into the shape it has. The deadlock assembler
//! (`parse/deadlock.rs`) then only walks a sequence of `Line`s.
//!
//! `classify` never fails: a line it cannot read is `Line::Other`, which the assembler treats as
//! a query continuation or reports as a warning, depending on where it appears.

use super::atoms::contains;
use super::banner::{is_deadlock_detected, too_deep_line};
use super::field_line::{field_line, plain_field};
use super::heading::heading;
use super::lock_header::parse_lock_header;
use super::record_line::record_line;
use super::section::{frame, Frame};
use super::thread_line::thread_line;
use super::timestamp::timestamp_line;
use super::trx_line::{counters_line, tables_in_use_line, trx_line};
use crate::model::Name;
use crate::model::{Field, LockModeClause, LockTarget, TableName};

/// What a line is. The large shapes are boxed: every line's `Line` is moved a few times, and
/// most lines are small (fields, blanks, query text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Line<'a> {
    /// Empty or whitespace only.
    Blank,
    /// A line of `-` or `=` only (section borders).
    Rule,
    /// `LATEST DETECTED DEADLOCK` (the status section title; also a cut copy's `DEADLOCK`).
    DeadlockSectionTitle,
    /// Another monitor section title: `TRANSACTIONS`, `FILE I/O`, `LATEST FOREIGN KEY ERROR`, …
    /// (single-spaced, whatever spacing the copy had).
    SectionTitle(&'a str),
    /// `Transactions deadlock detected, dumping detailed information.` (error-log start line;
    /// also 5.5's `InnoDB: transactions deadlock detected, …`).
    DeadlockDetected,
    /// The report's timestamp line: `2026-11-21 05:24:04 0x7fa6c67406c0`, `120906  6:03:32`,
    /// `2014-12-23 15:47:11 1f4c`, `2023-07-14 10:46:34 140328265680640`.
    Timestamp(&'a str),
    /// `TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH, WE WILL ROLL BACK FOLLOWING
    /// TRANSACTION`, possibly glued after a timestamp (kept in the field when present).
    TooDeep { timestamp: Option<&'a str> },
    /// A `*** …` heading.
    Heading(Heading),
    /// `TRANSACTION 47, ACTIVE 1 sec fetching rows` (also the TRANSACTIONS list's
    /// `---TRANSACTION …`).
    Transaction(Box<TrxLine>),
    /// `mysql tables in use 1, locked 1`
    TablesInUse { in_use: u64, locked: u64 },
    /// `LOCK WAIT 7 lock struct(s), heap size 1128, 43 row lock(s), undo log entries 17`
    Counters(Counters),
    /// `MariaDB thread id 23, OS thread handle 1403…, query id 80 localhost 127.0.0.1 u Updating`
    Thread(Box<ThreadLine>),
    /// `TABLE LOCK table `db`.`t` trx id 876726B90 lock mode AUTO-INC waiting`
    TableLock(Box<LockHeader>),
    /// `RECORD LOCKS space id 6 page no 3 n bits 320 index PRIMARY of table `test`.`session` trx
    /// id 47 lock_mode X waiting`. A header wrapped or cut by a copy is read as far as it goes:
    /// its `trx_id` is then empty and its clause has no mode.
    RecordLocks(Box<LockHeader>),
    /// `Record lock, heap no 12 PHYSICAL RECORD: n_fields 5; compact format; info bits 0`
    RecordLock(RecordHeader),
    /// A field line in the server's own shape: ` 0: len 4; hex 80000065; asc    e;;` (the
    /// common case, read without a `Vec`).
    Field(Field),
    /// Field lines in any other shape, one or more fields: 5.0 prints all fields of a record on
    /// one line, copies mangle spacing.
    Fields(Vec<Field>),
    /// Anything else, kept verbatim (query text, unknown lines).
    Other(&'a str),
}

/// The `*** …` headings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heading {
    /// `*** (n) TRANSACTION:`; `None` for TOO DEEP's `*** TRANSACTION:`.
    Transaction(Option<u32>),
    /// `*** (n) HOLDS THE LOCK(S):`
    Holds(Option<u32>),
    /// `*** (n) WAITING FOR THIS LOCK TO BE GRANTED:`; MariaDB 10.6+ prints no number.
    Waiting(Option<u32>),
    /// `*** CONFLICTING WITH:` (MariaDB 10.6+, `innodb_deadlock_report=full`).
    ConflictingWith,
    /// `*** WE ROLL BACK TRANSACTION (n)`
    Victim(u32),
}

/// `TRANSACTION <id>, <state>[ <op_info>]`
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TrxLine {
    /// As printed: `47`, `3BF88F886`, `0 3793488`, `(0x7f53c3a02230)`.
    pub trx_id: compact_str::CompactString,
    /// `ACTIVE`, `ACTIVE (PREPARED)`, `not started`, `COMMITTED IN MEMORY`, `forced rollback`, ….
    pub state: Name,
    pub active_secs: Option<u64>,
    /// `fetching rows`, `inserting`, …; `None` when absent.
    pub op_info: Option<Name>,
}

/// The lock-struct counters line.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Counters {
    pub lock_wait: bool,
    pub lock_structs: Option<u64>,
    pub heap_size: Option<u64>,
    pub row_locks: Option<u64>,
    pub undo_entries: Option<u64>,
}

/// The thread line (`thd_security_context`).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ThreadLine {
    pub thread_id: Option<u64>,
    pub os_thread_handle: Option<Name>,
    pub query_id: Option<u64>,
    pub host: Option<Name>,
    pub ip: Option<Name>,
    pub user: Option<Name>,
    pub proc_info: Option<Name>,
}

/// A `TABLE LOCK` or `RECORD LOCKS` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LockHeader {
    pub target: LockTarget,
    pub table: TableName,
    pub trx_id: compact_str::CompactString,
    pub clause: LockModeClause,
}

/// `Record lock, heap no <H>[ PHYSICAL RECORD: n_fields <F>; compact format; info bits <B>]`
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordHeader {
    pub heap_no: u64,
    pub n_fields: Option<u32>,
    pub format: Option<compact_str::CompactString>,
    pub info_bits: Option<u32>,
}

/// Classifies one logical line. Never panics, never fails.
///
/// Dispatches on the first byte of the trimmed line so that the common case (query text, other
/// monitor sections, unrelated log lines) costs a byte test or two; only a line whose first byte
/// can start a known shape is handed to a production.
pub fn classify(line: &str) -> Line<'_> {
    let s = super::trim(line);
    classify_trimmed(s).unwrap_or(Line::Other(line))
}

/// Classifies a trimmed line; `None` means `Other`.
fn classify_trimmed(s: &str) -> Option<Line<'_>> {
    let Some(&first) = s.as_bytes().first() else {
        return Some(Line::Blank);
    };
    let found = match first {
        b'*' => heading(s).map(Line::Heading),
        b'-' | b'=' | b'\\' => frame_line(s).or_else(|| transaction_line(s)),
        b'0'..=b'9' => digit_led(s),
        b'R' => record_lock_line(s).or_else(|| counters_line(s).map(Line::Counters)),
        b'T' => upper_t(s),
        b't' | b'I' => start_line(s),
        b'M' => thread_line(s)
            .map(|t| Line::Thread(Box::new(t)))
            .or_else(|| field_line(s).map(Line::Fields)),
        b'm' => tables_in_use_line(s).map(|(in_use, locked)| Line::TablesInUse { in_use, locked }),
        b'L' | b'C' | b'q' => counters_line(s).map(Line::Counters),
        _ => None,
    };
    found.or_else(|| first.is_ascii_uppercase().then(|| frame_line(s)).flatten())
}

// ------------------------ | LATEST DETECTED DEADLOCK | TRANSACTIONS | …
fn frame_line(s: &str) -> Option<Line<'_>> {
    frame(s).map(|f| match f {
        Frame::Rule => Line::Rule,
        Frame::DeadlockTitle => Line::DeadlockSectionTitle,
        Frame::Title(t) => Line::SectionTitle(t),
    })
}

fn transaction_line(s: &str) -> Option<Line<'_>> {
    trx_line(s).map(|t| Line::Transaction(Box::new(t)))
}

// Transactions deadlock detected, … | InnoDB: transactions deadlock detected, …
fn start_line(s: &str) -> Option<Line<'_>> {
    is_deadlock_detected(s).then_some(Line::DeadlockDetected)
}

// TRANSACTION … | TABLE LOCK … | TOO DEEP … | Transactions deadlock detected, …
fn upper_t(s: &str) -> Option<Line<'_>> {
    if s.starts_with("TABLE") {
        if let Some(header) = parse_lock_header(s) {
            return Some(Line::TableLock(Box::new(header)));
        }
    }
    if let Some(timestamp) = too_deep_line(s) {
        return Some(Line::TooDeep { timestamp });
    }
    transaction_line(s).or_else(|| start_line(s))
}

// RECORD LOCKS … | Record lock, heap no …
fn record_lock_line(s: &str) -> Option<Line<'_>> {
    if s.starts_with("RECORD") {
        parse_lock_header(s).map(|h| Line::RecordLocks(Box::new(h)))
    } else {
        record_line(s).map(Line::RecordLock)
    }
}

// 0: len 4; … | 7 lock struct(s), … | 2026-11-21 05:24:04 0x… | 130624 17:39:24TOO DEEP …
// | 2016-06-15 20:28:25 7f72c0043700InnoDB: transactions deadlock detected, …
fn digit_led(s: &str) -> Option<Line<'_>> {
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    match s.as_bytes().get(digits) {
        Some(b':') => plain_field(s)
            .map(Line::Field)
            .or_else(|| field_line(s).map(Line::Fields)),
        Some(b' ') if digits < 6 || contains(s, "lock struct") => {
            counters_line(s).map(Line::Counters)
        }
        _ => None,
    }
    .or_else(|| timestamp_line(s).map(Line::Timestamp))
    .or_else(|| too_deep_line(s).map(|timestamp| Line::TooDeep { timestamp }))
    .or_else(|| start_line(s))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    fn kind(line: &Line<'_>) -> &'static str {
        match line {
            Line::Blank => "blank",
            Line::Rule => "rule",
            Line::DeadlockSectionTitle => "deadlock-title",
            Line::SectionTitle(_) => "title",
            Line::DeadlockDetected => "detected",
            Line::Timestamp(_) => "timestamp",
            Line::TooDeep { .. } => "too-deep",
            Line::Heading(_) => "heading",
            Line::Transaction(_) => "transaction",
            Line::TablesInUse { .. } => "tables-in-use",
            Line::Counters(_) => "counters",
            Line::Thread(_) => "thread",
            Line::TableLock(_) => "table-lock",
            Line::RecordLocks(_) => "record-locks",
            Line::RecordLock(_) => "record-lock",
            Line::Field(_) | Line::Fields(_) => "fields",
            Line::Other(_) => "other",
        }
    }

    /// Real lines from the corpus (public samples, MariaDB captures, seeds) and the shapes the
    /// spec lists, each with the kind it must get.
    const KINDS: &[(&str, &str)] = &[
        ("", "blank"),
        ("  \t\r", "blank"),
        ("------------------------", "rule"),
        ("=====================================", "rule"),
        ("------------------", "rule"),
        ("LATEST DETECTED DEADLOCK", "deadlock-title"),
        ("LATEST DETECTED DEADLOCK  ", "deadlock-title"),
        ("TRANSACTIONS", "title"),
        ("BACKGROUND THREAD", "title"),
        ("END OF INNODB MONITOR OUTPUT", "title"),
        ("Transactions deadlock detected, dumping detailed information.", "detected"),
        ("InnoDB: transactions deadlock detected, dumping detailed information.", "detected"),
        (
            "2016-06-15 20:28:25 7f72c0043700InnoDB: transactions deadlock detected, dumping detailed information.",
            "detected",
        ),
        ("2026-11-21 05:24:03 0x7fa6c66f56c0", "timestamp"),
        ("070913 11:14:21", "timestamp"),
        ("120906  6:03:32", "timestamp"),
        ("2014-12-23 15:47:11 1f4c", "timestamp"),
        ("2023-07-14 10:46:34 140328265680640", "timestamp"),
        (
            "130624 17:39:24TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH, WE WILL ROLL BACK FOLLOWING TRANSACTION ",
            "too-deep",
        ),
        ("*** (1) TRANSACTION:", "heading"),
        ("*** TRANSACTION:", "heading"),
        ("*** (2) HOLDS THE LOCK(S):", "heading"),
        ("*** WAITING FOR THIS LOCK TO BE GRANTED:", "heading"),
        ("*** CONFLICTING WITH:", "heading"),
        ("*** WE ROLL BACK TRANSACTION (2)", "heading"),
        ("TRANSACTION 24, ACTIVE 1 sec starting index read", "transaction"),
        (
            "TRANSACTION 0 3793488, ACTIVE 2 sec, process no 5488, OS thread id 1141287232 starting index read",
            "transaction",
        ),
        ("---TRANSACTION (0x7fa6c77da680), not started", "transaction"),
        ("mysql tables in use 1, locked 1", "tables-in-use"),
        ("mysql tables in use 1locked 1", "tables-in-use"),
        (
            "LOCK WAIT 3 lock struct(s), heap size 1128, 2 row lock(s), undo log entries 1",
            "counters",
        ),
        ("0 lock struct(s), heap size 1128, 0 row lock(s)", "counters"),
        (
            "MariaDB thread id 18, OS thread handle 140354270484160, query id 47 localhost 127.0.0.1 lockscope Updating",
            "thread",
        ),
        ("MySQL thread id 11, query id 350 localhost baron Updating", "thread"),
        (
            "TABLE LOCK table `db`.`gr_v3_response_log` trx id 3BF88F886 lock mode AUTO-INC waiting",
            "table-lock",
        ),
        (
            "RECORD LOCKS space id 5 page no 3 n bits 320 index PRIMARY of table `test`.`accounts` trx id 24 lock_mode X locks rec but not gap waiting",
            "record-locks",
        ),
        (
            "Record lock, heap no 3 PHYSICAL RECORD: n_fields 5; compact format; info bits 0",
            "record-lock",
        ),
        ("Record lockheap no 52 PHYSICAL RECORD: n_fields 57; compact format; info bits 0", "record-lock"),
        (" 0: len 4; hex 80000065; asc    e;;", "fields"),
        (" 4: SQL NULL;", "fields"),
        (
            " 0: len 6; hex 000000000501; asc       ;; 1: len 6; hex 00000039e24f; asc    9 O;;",
            "fields",
        ),
        ("\t 0: len 4; hex 80000065; asc    e;;  ", "fields"),
        // query text and other monitor lines stay `Other`
        ("UPDATE accounts SET balance = balance + 20 WHERE id = 101", "other"),
        ("update test.innotop_dl set a = 0 where a <> 0", "other"),
        ("COMMIT", "other"),
        ("2026-11-21 05:24:03 0x7fa6c66aa6c0 INNODB MONITOR OUTPUT", "other"),
        ("Trx id counter 27", "other"),
        ("Purge done for trx's n:o < 23 undo n:o < 0 state: running", "other"),
        ("LIST OF TRANSACTIONS FOR EACH SESSION:", "other"),
        (
            "------- TRX HAS BEEN WAITING 1927273 us FOR THIS LOCK TO BE GRANTED:",
            "other",
        ),
        ("Total number of lock structs in row lock hash table 0", "other"),
        ("*************************** 1. row ***************************", "other"),
        ("..... // 省略一些不重要的字段信息", "other"),
        ("10 LOCKS PRINTED FOR THIS TRX: SUPPRESSING FURTHER PRINTS", "other"),
        ("RECORD LOCKS on non-existing space 12", "other"),
        ("<timestamp> <os_thread_hex>", "other"),
    ];

    #[test]
    fn kinds_of_lines() {
        for (input, expected) in KINDS {
            assert_eq!(kind(&classify(input)), *expected, "parsing {input:?}");
        }
    }

    #[test]
    fn borrowed_values() {
        let cases: &[(&str, Line<'_>)] = &[
            ("TRANSACTIONS", Line::SectionTitle("TRANSACTIONS")),
            ("FILE  I/O", Line::SectionTitle("FILE I/O")),
            (
                " 2026-11-21 05:24:04 0x7fa6c67406c0  \r",
                Line::Timestamp("2026-11-21 05:24:04 0x7fa6c67406c0"),
            ),
            (
                "130624 17:39:24TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH",
                Line::TooDeep {
                    timestamp: Some("130624 17:39:24"),
                },
            ),
            ("  SELECT 1  ", Line::Other("  SELECT 1  ")),
        ];
        for (input, expected) in cases {
            assert_eq!(&classify(input), expected, "parsing {input:?}");
        }
    }

    #[test]
    fn never_panics_on_damaged_lines() {
        for (input, _) in KINDS {
            assert_prefixes_safe(input, |s| {
                let _ = classify(s);
            });
        }
        let garbage = [
            "\u{0}\u{1}\u{7f}",
            "\u{fffd}\u{fffd}",
            "***",
            "*** (",
            "*** (99999999999999999999) TRANSACTION:",
            "RECORD LOCKS space id 99999999999999999999999 page no 1",
            " 0: len 18446744073709551615; hex ; asc ;;",
            " 0: len 99999999999999999999999; hex ; asc ;;",
            " 0: len 3; hex ; asc é;;",
            " 0: len 1; hex 00; asc é;;",
            "Record lock, heap no 1 PHYSICAL RECORD: n_fields 4294967296; x; info bits -1",
            "TRANSACTION (, ACTIVE",
            "MySQL thread id , OS thread handle , query id ",
            "\u{a0}\u{a0}\u{a0}",
            "\u{a0}é\u{a0}2022-10-31\u{a0}16:22:00",
            "TABLE LOCK table ` trx id",
            "TABLE LOCK table \"\"\"",
        ];
        for input in garbage {
            assert_prefixes_safe(input, |s| {
                let _ = classify(s);
            });
        }
    }

    /// A small deterministic generator gluing tokens of the real shapes together at random,
    /// standing in for a fuzzer in `cargo test`.
    #[test]
    fn never_panics_on_token_soup() {
        const TOKENS: &[&str] = &[
            "*** ",
            "(1)",
            " TRANSACTION",
            ":",
            "RECORD LOCKS",
            " space id ",
            "7",
            " page no ",
            " n bits ",
            " index ",
            "`PRIMARY`",
            " of table ",
            "`a`.`b`",
            "\"a\"",
            " trx id ",
            "lock_mode X",
            " locks gap before rec",
            " waiting",
            "Record lock",
            ", heap no ",
            " PHYSICAL RECORD: ",
            "n_fields ",
            "; ",
            "info bits ",
            " 0: ",
            "len ",
            "hex ",
            "asc ",
            ";;",
            ";",
            "SQL NULL",
            "(total ",
            " bytes",
            ", external)",
            "MySQL thread id ",
            ", OS thread handle ",
            "0x",
            "query id ",
            "localhost ",
            "::1 ",
            "TABLE LOCK table ",
            "lock mode AUTO-INC",
            "TOO DEEP OR LONG SEARCH",
            "2026-11-21 05:24:03 ",
            "é",
            "\u{a0}",
            "\t",
            "/* Partition ",
            "*/",
            "MBR:",
            "1.00,",
            "heap size ",
            "113658",
            " row lock(s)",
            "mysql tables in use ",
            "locked ",
            "LOCK WAIT ",
            " lock struct(s)",
            "---",
            "\\",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..20_000 {
            let mut line = String::new();
            for _ in 0..(next() % 12) {
                let pick = usize::try_from(next() % TOKENS.len() as u64).unwrap_or(0);
                line.push_str(TOKENS.get(pick).copied().unwrap_or(""));
            }
            let _ = classify(&line);
        }
    }
}
