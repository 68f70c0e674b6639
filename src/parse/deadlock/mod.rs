//! Assembles one deadlock from the classified lines of a chunk: a small state machine that knows
//! which block (transaction body, held locks, awaited lock, MariaDB's conflicting locks) each
//! line belongs to. It works for every layout in format-spec §3 because the headings say which
//! block follows; what differs by server is only which blocks appear.

//!
//! The productions for each part of the report are in their own files: `transaction` (the
//! transaction header, thread line and statement), `locks` (lock clauses and record dumps) and
//! `tail` (the victim line, times, elisions).

use super::field_line::plain_field;
use super::line::{classify, Line};
use super::lock_header::plain_record_locks;
use super::markup::strip_markup;
use super::record_line::plain_record_line;
use super::thread_line::plain_thread;
use super::trx_line::plain_transaction;
use crate::model::{Deadlock, Field, Lock, Transaction, WaitForGraph, Warning};
use crate::text::Chunk;

mod flavour_evidence;
mod locks;
mod split_heading;
mod tail;
mod transaction;

use flavour_evidence::FlavourEvidence;
use tail::{log_time, shorten, victim, victim_from_survivors};

/// Parses one deadlock report. Always returns a deadlock (possibly with no transactions) and a
/// warning for every line that could not be read.
pub fn parse_deadlock(input: &str, chunk: &Chunk) -> (Deadlock, Vec<Warning>) {
    let mut builder = Builder::new(input, chunk);
    for (line_no, text) in chunk.lines() {
        builder.line(line_no, text);
    }
    builder.finish()
}

/// Parses the `LIST OF TRANSACTIONS FOR EACH SESSION` part of a TRANSACTIONS section (format-spec
/// §5): each `---TRANSACTION` block becomes a transaction, its `TRX HAS BEEN WAITING … FOR THIS
/// LOCK TO BE GRANTED` lock its `waits_for`, and the locks listed after the wait block (with
/// `innodb_status_output_locks=ON`) its `holds`.
pub fn parse_transaction_list(input: &str, chunk: &Chunk) -> (Vec<Transaction>, Vec<Warning>) {
    let mut builder = Builder::new(input, chunk);
    builder.list = true;
    for (line_no, text) in chunk.lines() {
        builder.line(line_no, text);
    }
    let (deadlock, warnings) = builder.finish();
    (deadlock.transactions, warnings)
}

/// Which part of the report the current line belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Block {
    /// Before the first transaction (title, timestamp).
    Preamble,
    /// A transaction block: counters, thread line, statement.
    Body,
    Holds,
    Waiting,
    Conflicting,
    /// After the victim line.
    Done,
}

struct Builder<'a> {
    input: &'a str,
    deadlock: Deadlock,
    warnings: Vec<Warning>,
    block: Block,
    /// Index of the current transaction in `deadlock.transactions`.
    trx: Option<usize>,
    /// The lock being read and the block it belongs to.
    lock: Option<(Block, Lock)>,
    /// The statement is being read (after the thread line).
    query: Option<QueryText>,
    victim_printed: Option<u32>,
    evidence: FlavourEvidence,
    seen_timestamp_line: bool,
    /// Reading a TRANSACTIONS list, not a deadlock: every `TRANSACTION` line opens a new
    /// transaction and there is no victim line.
    list: bool,
    /// A `*** (n) …` heading was read (an excerpt of transaction blocks has none).
    saw_heading: bool,
    /// The trx ids the status's TRANSACTIONS section still lists (`Chunk::survivors`).
    survivors: Option<Vec<String>>,
    /// A heading cut after its stars or its number (`*** (2)`), and its line: the next
    /// non-blank line completes it (`split_heading`).
    fragment: Option<(usize, String)>,
    /// A second copy of the report began (`LATEST DETECTED DEADLOCK` again): the rest is not
    /// this report's.
    ended: bool,
    /// The last `Record lock, heap no …` line and its line number, while it lacks its info
    /// bits: a copy may have wrapped it (`join_wrapped_record`).
    record_text: Option<(usize, String)>,
    /// A record field line cut before its end (` 4: len 30; hex 3336…; as`) and its line
    /// number: a terminal or a mail client wrapped it, and the next line may complete it.
    field_text: Option<(usize, String)>,
}

/// Statement lines gathered so far; blank lines are held back until more text follows, because
/// logs add blank lines after statements that are not part of them.
struct QueryText {
    text: String,
    pending_blank_lines: usize,
    /// Bytes of the thread line: 5.x–8.0 cut thread line + statement at 1023 bytes.
    thread_line_len: usize,
    line: usize,
    /// The line that opened it.
    after: Opener,
    /// The thread line, when it ends after the host or ip (`… query id 80 localhost`): a copy
    /// may have wrapped its user and state onto the next line (`root updating`).
    who_cut: Option<String>,
}

/// What a statement follows: the thread line as printed, or a copy's `TRANSACTION` or counters
/// line when the lines after it were removed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opener {
    Transaction,
    Counters,
    Thread,
}

impl<'a> Builder<'a> {
    fn new(input: &'a str, chunk: &Chunk) -> Builder<'a> {
        let deadlock = Deadlock {
            input: input.to_string(),
            line: chunk.first_line(),
            ..Deadlock::default()
        };
        let mut evidence = FlavourEvidence::default();
        let mut deadlock = deadlock;
        if let Some(stamp) = &chunk.stamp {
            evidence.log_stamp(stamp);
            deadlock.timestamp = log_time(stamp);
        }
        Builder {
            input,
            deadlock,
            warnings: Vec::new(),
            block: Block::Preamble,
            trx: None,
            lock: None,
            query: None,
            victim_printed: None,
            evidence,
            seen_timestamp_line: false,
            list: false,
            saw_heading: false,
            survivors: chunk.survivors.clone(),
            fragment: None,
            ended: false,
            record_text: None,
            field_text: None,
        }
    }

    pub(super) fn line(&mut self, line_no: usize, text: &str) {
        // Half the lines of a report are record fields: read them before `classify`, whose
        // `Line` would only carry the field here (the same field: `classify` tries this first).
        // The other long lines of every report, likewise read by their fast paths first: the
        // `Line` they would make is large (boxed), and moving it costs more than reading.
        if self.ended {
            return;
        }
        let trimmed = super::trim(text);
        if let Some((at, head)) = self.field_text.take() {
            if let Some((field, joined)) = joined_field(&head, trimmed) {
                return self.field(field, at, &joined);
            }
            self.other(at, &head);
        }
        if self.fragment.is_some()
            || trimmed.as_bytes().first() == Some(&b'*') && split_heading::is_fragment(trimmed)
        {
            return self.heading_fragment(line_no, trimmed);
        }
        match trimmed.as_bytes().first() {
            Some(b'0'..=b'9') => {
                if let Some(field) = plain_field(trimmed) {
                    self.end_query();
                    return self.field(field, line_no, text);
                }
                if may_be_cut_field(trimmed) {
                    self.end_query();
                    return match classify(text) {
                        Line::Field(field) => self.field(field, line_no, text),
                        Line::Fields(fields) => self.fields(fields, line_no, text),
                        _ => self.field_text = Some((line_no, trimmed.to_string())),
                    };
                }
            }
            Some(b'R') => {
                if let Some(header) = plain_record_locks(trimmed) {
                    self.end_query();
                    return self.start_lock(header, line_no, text);
                }
                if let Some(header) = plain_record_line(trimmed) {
                    self.end_query();
                    return self.record(header, line_no, text);
                }
            }
            Some(b'M') => {
                if let Some(thread) = plain_thread(trimmed) {
                    self.end_query();
                    return self.thread(thread, line_no, text);
                }
            }
            Some(b'L') if self.trx.is_some() && trimmed.starts_with("LATEST DETECTED DEADLOCK") => {
                // A page that printed the report twice, the second copy mangled (hunt-shapes3
                // 018): a report has one title, before its transactions.
                self.end_query();
                self.finish_lock();
                self.ended = true;
                return self.warn(
                    line_no,
                    "the report starts again here: the rest is not read",
                    text,
                );
            }
            Some(b'T') => {
                if let Some(trx_line) = plain_transaction(trimmed) {
                    self.end_query();
                    return self.transaction(trx_line, line_no, text);
                }
            }
            _ => {}
        }
        if let Some(clean) = strip_markup(text) {
            return self.line(line_no, &clean);
        }
        let classified = classify(text);
        if !matches!(classified, Line::Other(_) | Line::Blank) {
            self.end_query();
        }
        match classified {
            Line::Blank => {
                if let Some(q) = self.query.as_mut().filter(|q| !q.text.is_empty()) {
                    q.pending_blank_lines += 1;
                }
            }
            Line::Rule if self.list => {
                // `------------------` closes a `TRX HAS BEEN WAITING` block: what follows are
                // the locks the transaction holds.
                self.finish_lock();
                self.block = Block::Body;
            }
            Line::Rule | Line::DeadlockSectionTitle | Line::DeadlockDetected => {}
            Line::SectionTitle(_) => {}
            Line::Timestamp(ts) => {
                self.evidence.timestamp(ts);
                // The report's own line is more precise than a log prefix.
                if !self.seen_timestamp_line {
                    self.seen_timestamp_line = true;
                    self.deadlock.timestamp = log_time(ts);
                }
            }
            Line::TooDeep { timestamp } => {
                self.deadlock.too_deep = true;
                if let Some(ts) = timestamp {
                    self.evidence.timestamp(ts);
                    self.deadlock
                        .timestamp
                        .get_or_insert_with(|| ts.trim().to_string());
                }
            }
            Line::Heading(heading) => {
                self.heading(heading, line_no);
                self.heading_rest(heading, line_no, text);
            }
            Line::Transaction(trx_line) => self.transaction(*trx_line, line_no, text),
            Line::TablesInUse { in_use, locked } => {
                self.with_trx(line_no, |trx| {
                    trx.tables_in_use = Some(in_use);
                    trx.tables_locked = Some(locked);
                });
                self.open_query_after_counters(line_no);
            }
            Line::Counters(c) => {
                self.with_trx(line_no, |trx| {
                    trx.lock_wait = c.lock_wait;
                    trx.lock_structs = c.lock_structs;
                    trx.heap_size = c.heap_size;
                    trx.row_locks = c.row_locks;
                    trx.undo_entries = c.undo_entries;
                });
                self.open_query_after_counters(line_no);
            }
            Line::Thread(t) => self.thread(*t, line_no, text),
            Line::TableLock(header) | Line::RecordLocks(header) => {
                self.start_lock(*header, line_no, text);
            }
            Line::RecordLock(header) => self.record(header, line_no, text),
            Line::Field(field) => self.field(field, line_no, text),
            Line::Fields(fields) => self.fields(fields, line_no, text),
            Line::Other(other) if self.list && self.list_line(other) => {}
            Line::Other(other) if self.join_wrapped_lock(other) => {}
            Line::Other(other) if self.join_wrapped_record(other) => {}
            Line::Other(other) if self.total_tail(other) => {}
            Line::Other(other) if self.headless_lock(line_no, other) => {}
            Line::Other(other) => self.other(line_no, other),
        }
    }

    /// A line while a heading fragment is held, or a fragment (`split_heading`).
    fn heading_fragment(&mut self, line_no: usize, trimmed: &str) {
        let Some((at, fragment)) = self.fragment.take() else {
            self.fragment = Some((line_no, trimmed.to_string()));
            return;
        };
        if trimmed.is_empty() {
            self.fragment = Some((at, fragment));
            return;
        }
        match split_heading::join(&fragment, trimmed) {
            Some((heading, rest)) => {
                self.line(at, &heading);
                if let Some(rest) = rest {
                    self.line(line_no, rest);
                }
            }
            None => {
                // A whole heading after stray stars drops them; anything else leaves the
                // fragment unread.
                if !trimmed.starts_with("***") {
                    self.other(at, &fragment);
                }
                self.line(line_no, trimmed);
            }
        }
    }

    pub(super) fn warn(&mut self, line: usize, message: &str, text: &str) {
        let text = text.trim();
        self.warnings.push(Warning {
            input: self.input.to_string(),
            line,
            message: message.to_string(),
            text: (!text.is_empty()).then(|| shorten(text, 120)),
        });
    }

    pub(super) fn finish(mut self) -> (Deadlock, Vec<Warning>) {
        if let Some((at, fragment)) = self.fragment.take() {
            self.other(at, &fragment);
        }
        if let Some((at, head)) = self.field_text.take() {
            self.other(at, &head);
        }
        self.end_query();
        self.finish_lock();
        self.trx_ids_from_locks();
        let d = &mut self.deadlock;
        d.flavour = self.evidence.flavour();
        d.victim = victim(self.victim_printed, d.too_deep, d.flavour);
        if self.victim_printed == Some(0) {
            if let Some(survivors) = &self.survivors {
                if let Some(v) = victim_from_survivors(d, survivors) {
                    d.victim = v;
                }
            }
        }
        if !self.list && self.victim_printed.is_none() && !d.too_deep && !d.transactions.is_empty()
        {
            let last = d.transactions.last().map_or(d.line, |t| t.line);
            let message = if self.saw_heading {
                "report ends without a `WE ROLL BACK TRANSACTION` line (input cut?)"
            } else {
                "an excerpt of the report's transaction blocks (no `*** (n)` headings, no `WE \
                 ROLL BACK TRANSACTION` line): which transaction was rolled back is not known"
            };
            self.warnings.push(Warning {
                input: self.input.to_string(),
                line: last,
                message: message.to_string(),
                text: None,
            });
        }
        let headings_only = !d.transactions.is_empty()
            && d.transactions
                .iter()
                .all(|t| t.trx_id.is_empty() && t.holds.is_empty() && t.waits_for.is_none());
        if !self.list && self.saw_heading && headings_only {
            self.warnings.push(Warning {
                input: self.input.to_string(),
                line: d.line,
                message: "the report holds only its `*** (n)` headings: the transaction and lock \
                          text is missing (MySQL's JSON error log, `log_sink_json`, does not \
                          carry it; read the classic error log or `SHOW ENGINE INNODB STATUS`)"
                    .to_string(),
                text: None,
            });
        }
        if !self.list && d.transactions.is_empty() {
            self.warnings.push(Warning {
                input: self.input.to_string(),
                line: d.line,
                message: "deadlock report holds no transaction".to_string(),
                text: None,
            });
        }
        d.graph = WaitForGraph::build(&d.transactions);
        (self.deadlock, self.warnings)
    }
}

/// A record field line that ends before its `asc` text does (`4: len 30; hex 3336…; as`):
/// the head of a field a copy wrapped, unless the full reader reads it whole.
fn may_be_cut_field(trimmed: &str) -> bool {
    let digits = trimmed.bytes().take_while(u8::is_ascii_digit).count();
    let rest = trimmed.get(digits..).unwrap_or("");
    (1..=4).contains(&digits) && rest.starts_with(": len ") && !rest.ends_with(";;")
}

/// The field `head` and the line after it make, glued (a terminal cuts anywhere) or, failing
/// that, spaced (a mail client breaks at a space); with the joined text.
fn joined_field(head: &str, next: &str) -> Option<(Field, String)> {
    if next.is_empty() {
        return None;
    }
    [format!("{head}{next}"), format!("{head} {next}")]
        .into_iter()
        .find_map(|joined| match classify(&joined) {
            Line::Field(field) => Some((field, joined)),
            _ => None,
        })
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::model::{Flavour, LockKind};

    fn parse(text: &str) -> (Deadlock, Vec<Warning>) {
        parse_deadlock("t", &Chunk::from_text(text, 1))
    }

    // See: fixtures/labelled f-005 (a study note with `-- ` notes between the lines).
    #[test]
    fn dash_notes_between_lines_are_not_the_report() {
        let text = "*** (1) TRANSACTION:\n\
-- trx 1 has been active 314 s\n\
TRANSACTION 1637576, ACTIVE 314 sec inserting\n\
mysql tables in use 1, locked 1\n\
--锁结构\n\
LOCK WAIT 4 lock struct(s), heap size 1136, 4 row lock(s), undo log entries 1\n\
MySQL thread id 78, OS thread handle 34844, query id 2565 localhost 127.0.0.1 root update\n\
insert into account values(null, 'Jay', 100)\n\
\n\
-- the locks it holds\n\
*** (1) WAITING FOR THIS LOCK TO BE GRANTED:\n\
RECORD LOCKS space id 970 page no 5 n bits 72 index idx_name of table `test`.`account` trx id 1637576 lock_mode X insert intention waiting\n";
        let (d, warnings) = parse(text);
        assert!(
            !warnings.iter().any(|w| w.message.contains("unrecognised")),
            "{warnings:?}"
        );
        let t = &d.transactions[0];
        assert_eq!(t.row_locks, Some(4));
        assert_eq!(
            t.query.as_deref(),
            Some("insert into account values(null, 'Jay', 100)")
        );
        assert!(t.waits_for.is_some());
    }

    #[test]
    fn log_times() {
        let cases = [
            ("2026-11-21  5:24:03 18 [Note] ", Some("2026-11-21 5:24:03")),
            ("120906  6:03:32", Some("120906 6:03:32")),
            (
                "2023-07-14T10:46:34.123456Z 0 [Note] x",
                Some("2023-07-14T10:46:34.123456Z"),
            ),
            (
                "2016-06-15 20:28:25 7f72c0043700",
                Some("2016-06-15 20:28:25"),
            ),
            ("130624 17:39:24", Some("130624 17:39:24")),
            ("2026-11-21 x", Some("2026-11-21")),
            (
                "2021-11-1010:48:467f84bdac8700",
                Some("2021-11-10 10:48:46"),
            ),
            ("[Note] 2026", None),
            ("", None),
        ];
        for (stamp, want) in cases {
            assert_eq!(log_time(stamp).as_deref(), want, "{stamp:?}");
        }
    }

    #[test]
    fn mariadb_victim_zero_is_unknown() {
        // See: format-spec §3.3, MDEV-29187 (public samples 037, 054, 055).
        let (d, _) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 1 sec\n*** WAITING FOR THIS LOCK TO BE GRANTED:\n*** (2) TRANSACTION:\nTRANSACTION 6, ACTIVE 1 sec\n*** WE ROLL BACK TRANSACTION (0)",
        );
        assert_eq!(d.flavour, Flavour::Mariadb106);
        assert_eq!(d.victim.number, None);
        assert!(d.victim.note.as_deref().unwrap().contains("MDEV-29187"));
    }

    #[test]
    fn missing_victim_line_is_a_warning_not_a_failure() {
        let (d, warnings) =
            parse("*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 1 sec\n*** (2) TRANSACTION:\nTRANSACTION 6, ACTIVE 1 sec");
        assert_eq!(d.transactions.len(), 2);
        assert_eq!(d.victim.number, None);
        assert_eq!(warnings.len(), 1);
        assert!(warnings[0].message.contains("WE ROLL BACK"), "{warnings:?}");
    }

    #[test]
    fn statement_cut_at_the_print_limit_is_flagged() {
        // See: format-spec §4.3: thread line + statement are cut at 1023 bytes.
        let thread = "MySQL thread id 9, OS thread handle 140, query id 7 localhost root updating";
        let query = format!(
            "UPDATE t SET v = '{}",
            "x".repeat(1023 - thread.len() - 1 - 18)
        );
        let text = format!(
            "*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 1 sec\n{thread}\n{query}\n*** WE ROLL BACK TRANSACTION (1)"
        );
        let (d, warnings) = parse(&text);
        assert_eq!(d.transactions[0].query.as_deref(), Some(query.as_str()));
        assert!(warnings
            .iter()
            .any(|w| w.message.contains("print limit") && w.line == 3));
    }

    #[test]
    fn multi_line_statement_keeps_inner_blank_lines() {
        let (d, _) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 1 sec\nMySQL thread id 9, query id 7 localhost root\nSELECT a\n\nFROM t\n\n*** WE ROLL BACK TRANSACTION (1)",
        );
        assert_eq!(
            d.transactions[0].query.as_deref(),
            Some("SELECT a\n\nFROM t")
        );
    }

    #[test]
    fn unknown_lines_are_warnings_naming_the_line() {
        let (d, warnings) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 1 sec\n*** (1) WAITING FOR THIS LOCK TO BE GRANTED:\n%%% garbage %%%\n*** WE ROLL BACK TRANSACTION (1)",
        );
        assert_eq!(d.victim.number, Some(1));
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].line, 4);
        assert_eq!(warnings[0].message, "unrecognised line in transaction `1`");
    }

    #[test]
    fn supremum_only_lock_is_a_gap_lock() {
        let (d, _) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 1 sec\n*** (1) HOLDS THE LOCK(S):\nRECORD LOCKS space id 3 page no 4 n bits 72 index PRIMARY of table `db`.`t` trx id 5 lock_mode X\nRecord lock, heap no 1 PHYSICAL RECORD: n_fields 1; compact format; info bits 0\n 0: len 8; hex 73757072656d756d; asc supremum;;\n",
        );
        let lock = &d.transactions[0].holds[0];
        assert_eq!(lock.kind, LockKind::Gap);
        assert!(lock.records[0].is_supremum());
    }

    fn transactions_fixture(name: &str) -> Vec<crate::model::Transaction> {
        let path = format!(
            "{}/fixtures/mariadb/lock-waits/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        let text = std::fs::read_to_string(path).unwrap();
        let (trxs, warnings) = parse_transaction_list("t", &Chunk::from_text(&text, 1));
        assert!(warnings.is_empty(), "{warnings:#?}");
        trxs
    }

    // See: fixtures/mariadb/lock-waits/lock-wait-timeout.sessions.txt
    #[test]
    fn transaction_list_waiter_and_idle_blocker() {
        for name in [
            "lock-wait-timeout.transactions.txt",
            "lock-wait-timeout.locks-on.transactions.txt",
        ] {
            let trxs = transactions_fixture(name);
            assert_eq!(trxs.len(), 2, "{name}");
            let (waiter, blocker) = (&trxs[0], &trxs[1]);
            assert_eq!(waiter.trx_id, "610");
            assert_eq!(
                waiter.wait_ms,
                Some(if name.contains("locks-on") {
                    2046
                } else {
                    2008
                })
            );
            assert!(waiter.waits_for.as_ref().unwrap().waiting);
            assert_eq!(blocker.query, None, "{name}: the blocker is idle");
            let waits = crate::model::LockWait::from_transactions(&trxs, name);
            assert_eq!(waits.len(), 1);
            assert_eq!(waits[0].blocking.as_ref().unwrap().trx_id, "609", "{name}");
        }
        let locks_on = transactions_fixture("lock-wait-timeout.locks-on.transactions.txt");
        assert_eq!(
            locks_on[1].holds.len(),
            2,
            "IX table lock and the X record lock"
        );
    }

    #[test]
    fn a_copy_without_thread_lines_keeps_its_statements() {
        // See: hunt-deadlocks c-013, c-019.
        let (d, _) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 5 sec fetching rows\nmysql tables in use 1, locked 1\nLOCK WAIT 4 lock struct(s), heap size 312, 21 row lock(s)\n\nUPDATE c SET n = 'A'\n  WHERE n = 'AO'\n*** (1) WAITING FOR THIS LOCK TO BE GRANTED:\nRECORD LOCKS space id 5 page no 3 n bits 88 index `PRIMARY` of table `test`.`c` trx id 5 lock_mode X waiting\n*** WE ROLL BACK TRANSACTION (1)",
        );
        let t = &d.transactions[0];
        assert_eq!(
            t.query.as_deref(),
            Some("UPDATE c SET n = 'A'\n  WHERE n = 'AO'")
        );
        assert_eq!(t.row_locks, Some(21));
    }

    #[test]
    fn wrapped_lines_and_publisher_marks() {
        // See: hunt-shapes 016, hunt-deadlocks c-006, c-003.
        let (d, warnings) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 0 117470079, ACTIVE 39 sec, process no 1468, OS thread id 1164048736 starting\nindex read, thread declared inside InnoDB 500\n4 lock struct(s), heap size 1216, **1237194 row lock(s)**\nMySQL thread id 7, query id 6 localhost root statistics\n**select a from t where id = 1 for update**\n………\n*** (1) HOLDS THE LOCK(S):\nRECORD LOCKS space id 0 page no 3 n bits 72\n\nindex PRIMARY of table `d`.`t`\ntrx id 0 117470079 lock mode S locks rec but not gap   ← held\n^^^^^^\n*** WE ROLL BACK TRANSACTION (1)",
        );
        let t = &d.transactions[0];
        assert_eq!(t.op_info.as_deref(), Some("starting index read"));
        assert_eq!(t.row_locks, Some(1_237_194));
        assert_eq!(
            t.query.as_deref(),
            Some("select a from t where id = 1 for update")
        );
        let held = &t.holds[0];
        assert_eq!(held.mode, crate::model::LockMode::S);
        assert!(held.clause.rec_not_gap);
        assert_eq!(held.table.to_string(), "`d`.`t`");
        assert_eq!(held.trx_id, "0 117470079");
        let lines: Vec<usize> = warnings.iter().map(|w| w.line).collect();
        assert_eq!(lines, [7, 13], "{warnings:#?}");
    }

    // See: fixtures/labelled/e-007 (the 5.7 manual's status wrapped at 80 columns).
    #[test]
    fn lines_hard_wrapped_at_80_columns_are_joined() {
        let (d, warnings) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 1824, ACTIVE 9 sec starting index read\nMySQL thread id 3, OS thread handle 140474041501440, query id 80 localhost\nroot updating\nDELETE FROM t WHERE i = 1\n*** (1) WAITING FOR THIS LOCK TO BE GRANTED:\nRECORD LOCKS space id 35 page no 3 n bits 72 index GEN_CLUST_INDEX of table\n`mysql`.`t` trx id 1824 lock_mode X waiting\nRecord lock, heap no 2 PHYSICAL RECORD: n_fields 4; compact format; info\nbits 32\n 0: len 6; hex 000000000200; asc       ;;\n 1: len 30; hex 6162636465666768696a6b6c6d6e6f707172737475767778797a31323334; asc abcdefghijklmnopqrstuvwxyz1234;\n(total 56 bytes, external);\n*** WE ROLL BACK TRANSACTION (1)",
        );
        assert!(warnings.is_empty(), "{warnings:#?}");
        let t = &d.transactions[0];
        assert_eq!(t.user.as_deref(), Some("root"));
        assert_eq!(t.proc_info.as_deref(), Some("updating"));
        assert_eq!(t.query.as_deref(), Some("DELETE FROM t WHERE i = 1"));
        let w = t.waits_for.as_ref().unwrap();
        assert_eq!(w.table.to_string(), "`mysql`.`t`");
        let r = &w.records[0];
        assert!(r.is_delete_marked());
        assert_eq!(
            r.fields[1].value,
            crate::model::FieldValue::Bytes {
                len: 30,
                hex: "6162636465666768696a6b6c6d6e6f707172737475767778797a31323334".into(),
                total: Some(56),
                external: true,
            }
        );
    }

    // See: tests/copy_damage.rs (every labelled report cut at 80 columns by a terminal).
    #[test]
    fn field_lines_cut_by_a_terminal_are_joined() {
        let (d, warnings) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 1 sec\n*** (1) HOLDS THE LOCK(S):\nRECORD LOCKS space id 3 page no 4 n bits 72 index PRIMARY of table `db`.`t` trx id 5 lock_mode X\nRecord lock, heap no 2 PHYSICAL RECORD: n_fields 2; compact format; info bits 0\n 0: len 4; hex 80000001; asc     ;;\n 1: len 30; hex 33363135373138323236322d32373832303738383731382d393337353338; as\nc 36157182262-27820788718-937538;;\n*** WE ROLL BACK TRANSACTION (1)",
        );
        assert!(warnings.is_empty(), "{warnings:#?}");
        let r = &d.transactions[0].holds[0].records[0];
        assert_eq!(r.fields.len(), 2);
        assert_eq!(
            r.fields[1].value,
            crate::model::FieldValue::Bytes {
                len: 30,
                hex: "33363135373138323236322d32373832303738383731382d393337353338".into(),
                total: None,
                external: false,
            }
        );
    }

    #[test]
    fn a_statement_is_not_a_wrapped_thread_line() {
        let (d, _) = parse(
            "*** (1) TRANSACTION:\nTRANSACTION 5, ACTIVE 1 sec\nMySQL thread id 3, query id 80 localhost\nupdate t set a = 1\n*** WE ROLL BACK TRANSACTION (1)",
        );
        let t = &d.transactions[0];
        assert_eq!(t.user, None);
        assert_eq!(t.query.as_deref(), Some("update t set a = 1"));
    }

    // See: fixtures/labelled/d-030, b-029.
    #[test]
    fn condensed_blocks_and_cut_lock_lines() {
        let (d, warnings) = parse(
            "*** (1) TRANSACTION: 45464   INSERT INTO ord (...) VALUES ('SO-7', 7, ...)\n*** (1) HOLDS THE LOCK(S):\n   index uk_ord_no of table `shop5`.`ord`  lock mode S locks gap before rec\n*** (1) WAITING FOR THIS LOCK TO BE GRANTED:\nRECORD LOCKS space id 169 page no 507288 n bits 288 index `\nRecord lock, heap no 214 PHYSICAL RECORD: n_fields 2; compact format; info bits 32\n*** WE ROLL BACK TRANSACTION (1)",
        );
        let t = &d.transactions[0];
        assert_eq!(t.trx_id, "45464");
        assert!(t.query.as_deref().unwrap().starts_with("INSERT INTO ord"));
        assert_eq!(t.holds[0].table.to_string(), "`shop5`.`ord`");
        assert!(t.holds[0].clause.gap);
        assert!(t.waits_for.is_none());
        let messages: Vec<&str> = warnings.iter().map(|w| w.message.as_str()).collect();
        assert!(messages[0].contains("condensed"), "{messages:#?}");
        assert!(
            messages[1].contains("without its `RECORD LOCKS"),
            "{messages:#?}"
        );
        assert!(
            messages[2].contains("the lock this transaction waits for is not known"),
            "{messages:#?}"
        );
    }

    #[test]
    fn never_panics_on_cut_reports() {
        let text = "LATEST DETECTED DEADLOCK\n2026-11-21 05:24:04 0x7f\n*** (1) TRANSACTION:\nTRANSACTION 47, ACTIVE 1 sec fetching rows\nmysql tables in use 1, locked 1\nLOCK WAIT 7 lock struct(s), heap size 1128, 43 row lock(s)\nMariaDB thread id 23, OS thread handle 1, query id 80 localhost 127.0.0.1 u Updating\nDELETE FROM s\n*** WAITING FOR THIS LOCK TO BE GRANTED:\nRECORD LOCKS space id 6 page no 3 n bits 320 index PRIMARY of table `test`.`s` trx id 47 lock_mode X waiting\nRecord lock, heap no 12 PHYSICAL RECORD: n_fields 5; compact format; info bits 0\n 0: len 16; hex 00000000000000000000000000000025; asc                %;;\n*** CONFLICTING WITH:\n*** WE ROLL BACK TRANSACTION (1)\n";
        for end in (0..text.len()).filter(|&e| text.is_char_boundary(e)) {
            let _ = parse(&text[..end]);
        }
    }
}
