//! The splitter: a small state machine over logical lines that cuts out each deadlock report.
//! It only looks at line starts (cheap), so the full parser runs once per report, not per line
//! of unrelated log. A report starts at `LATEST DETECTED DEADLOCK`, at an error log's
//! `Transactions deadlock detected`, at `TOO DEEP OR LONG SEARCH …`, or at a bare
//! `*** (1) TRANSACTION:`; it ends at the victim line, at the next section's rule, at another
//! server log line, at the next report's start, or at the end of input.

use super::logger::LoggerRows;
use super::sections::{Section, Sections, TableText, Taken};
use crate::input::{LogicalLine, Prefix};
use crate::text::Chunk;

/// A report larger than this is cut: no real deadlock report comes near it (the status output
/// itself is capped at 1 MB), so the input is garbage that happened to start like one.
const MAX_CHUNK_BYTES: usize = 16 << 20;

/// What the splitter found.
#[derive(Debug)]
pub enum Piece {
    /// One deadlock report's lines.
    Deadlock(Chunk),
    /// A report cut because it grew past `MAX_CHUNK_BYTES`, at this line.
    Oversized { line: usize },
    /// A Galera cluster conflict printout (`*** Priority TRANSACTION:` / `*** Victim
    /// TRANSACTION:`) at this line: a brute-force abort by a replicated write, not an InnoDB
    /// deadlock; its transaction blocks are not read as one.
    ClusterConflict { line: usize },
    /// The TRANSACTIONS section of a status output (lock waits).
    Transactions(Chunk),
    /// A lock-table result set (or a piece of a large one) as a client printed it.
    Table(TableText),
    /// The rows pt-deadlock-logger printed for one deadlock, its header line first when the
    /// input has one.
    LoggerRows(Chunk),
}

/// Splitter state for one input.
#[derive(Debug, Default)]
pub struct Splitter {
    chunk: Chunk,
    inside: bool,
    /// A `*** (n) …` heading has been seen in the current report.
    seen_heading: bool,
    /// The current report began at a bare `TRANSACTION …` line: an excerpt without headings.
    excerpt: bool,
    /// Lines before a bare `*** (1) TRANSACTION:` that may be its timestamp.
    last_timestamp: Option<(usize, String)>,
    /// Lock-wait material outside deadlock reports.
    sections: Sections,
    /// A rule inside a report: the end of the report if a section title follows, an
    /// elision mark of a copy if the report goes on (`-----` between two transactions).
    pending_rule: Option<(usize, String)>,
    /// A report whose victim line says `(0)` (MariaDB, MDEV-29187), held until the status's
    /// TRANSACTIONS section shows which transaction is gone.
    held: Option<Chunk>,
    /// Inside a Galera conflict printout; true once its `*** WAITING FOR …` heading is seen.
    galera: Option<bool>,
    /// pt-deadlock-logger rows.
    logger: LoggerRows,
    /// Inside a status output's `LATEST FOREIGN KEY ERROR` section: its `TRANSACTION …` block
    /// is the transaction whose constraint check failed, not an excerpt of a deadlock.
    foreign_key_error: bool,
    /// The last non-blank line outside a report was a section rule (`-----`).
    after_rule: bool,
}

impl From<Section> for Piece {
    fn from(section: Section) -> Piece {
        match section {
            Section::Transactions(chunk) => Piece::Transactions(chunk),
            Section::Table(table) => Piece::Table(table),
        }
    }
}

impl Splitter {
    pub fn new() -> Splitter {
        Splitter::default()
    }

    /// Feeds one logical line; completed reports are passed to `out`.
    pub fn push(&mut self, line: LogicalLine<'_>, out: &mut dyn FnMut(Piece)) {
        let text = crate::text::trim(line.text);
        if let Some((n, rule)) = self.pending_rule.take() {
            if continues_report(text) {
                self.chunk.push(n, &rule);
            } else {
                self.emit(out);
                self.outside_report(n, &rule, out);
            }
        }
        if !self.inside && self.in_cluster_conflict(line.line, line.prefix, text, out) {
            return;
        }
        if !self.inside {
            self.note_section(text);
        }
        if self.inside {
            self.push_inside(line, text, out);
        } else if starts_report(text)
            || matches!(text.as_bytes().first(), Some(b'T' | b'*'))
                && (is_bare_transaction_line(text) || starts_excerpt(text))
                && !self.foreign_key_error
        {
            let held = &mut self.held;
            self.sections.emit(&mut |s| Self::release(held, s, out));
            if let Some(chunk) = self.held.take() {
                out(Piece::Deadlock(chunk));
            }
            self.begin(line, text);
        } else if self
            .logger
            .push(line.line, line.text, &mut |c| out(Piece::LoggerRows(c)))
            || self.outside_report(line.line, line.text, out) == Taken::Yes
        {
            self.last_timestamp = None;
        } else if looks_like_timestamp(text) {
            self.last_timestamp = Some((line.line, line.text.to_string()));
        } else if !text.is_empty() {
            self.last_timestamp = None;
        }
    }

    /// Follows the monitor's section titles (a title between two rules) for the one section
    /// whose transaction block is not a deadlock's: `LATEST FOREIGN KEY ERROR`.
    fn note_section(&mut self, text: &str) {
        if is_rule(text) {
            self.after_rule = true;
            return;
        }
        if text.is_empty() {
            return;
        }
        if text == "LATEST FOREIGN KEY ERROR" {
            self.foreign_key_error = true;
        } else if self.after_rule && is_section_title(text) || starts_report(text) {
            self.foreign_key_error = false;
        }
        self.after_rule = false;
    }

    /// Swallows the lines of a Galera conflict printout (MariaDB's `wsrep_report_bf_lock_wait`):
    /// its `TRANSACTION …` blocks would otherwise read as a deadlock excerpt. It ends at a log
    /// line, a report's start, or the blank line after its lock dump.
    fn in_cluster_conflict(
        &mut self,
        line_no: usize,
        prefix: Prefix,
        text: &str,
        out: &mut dyn FnMut(Piece),
    ) -> bool {
        if text.starts_with("*** Priority TRANSACTION")
            || text.starts_with("*** Victim TRANSACTION")
        {
            if self.galera.is_none() {
                out(Piece::ClusterConflict { line: line_no });
            }
            self.galera = Some(false);
            return true;
        }
        let Some(waiting_seen) = self.galera else {
            return false;
        };
        let ends =
            prefix != Prefix::None || starts_report(text) || (waiting_seen && text.is_empty());
        if ends {
            self.galera = None;
            return text.is_empty();
        }
        if text.starts_with("*** WAITING FOR") {
            self.galera = Some(true);
        }
        true
    }

    /// Ends the input: a report still open is emitted as it is.
    pub fn finish(&mut self, out: &mut dyn FnMut(Piece)) {
        if self.inside {
            self.emit(out);
        }
        self.logger.finish(&mut |c| out(Piece::LoggerRows(c)));
        if let Some((n, rule)) = self.pending_rule.take() {
            self.outside_report(n, &rule, out);
        }
        let held = &mut self.held;
        self.sections.finish(&mut |s| Self::release(held, s, out));
        if let Some(chunk) = self.held.take() {
            out(Piece::Deadlock(chunk));
        }
    }

    /// A line outside any report, for the lock-wait material.
    fn outside_report(&mut self, line_no: usize, text: &str, out: &mut dyn FnMut(Piece)) -> Taken {
        let held = &mut self.held;
        self.sections
            .push(line_no, text, &mut |s| Self::release(held, s, out))
    }

    /// Hands on a finished section; a TRANSACTIONS section first completes the held report
    /// whose victim printed as `(0)` with the transactions it still lists.
    fn release(held: &mut Option<Chunk>, section: Section, out: &mut dyn FnMut(Piece)) {
        if let (Some(mut chunk), Section::Transactions(list)) = (held.take(), &section) {
            chunk.survivors = Some(listed_transactions(list));
            out(Piece::Deadlock(chunk));
        }
        out(section.into());
    }

    fn begin(&mut self, line: LogicalLine<'_>, text: &str) {
        self.inside = true;
        self.excerpt = is_bare_transaction_line(text);
        self.seen_heading = text.starts_with("***");
        self.chunk.clear();
        if self.seen_heading {
            if let Some((n, ts)) = self.last_timestamp.take() {
                self.chunk.push(n, &ts);
            }
        }
        self.last_timestamp = None;
        if !line.stamp.is_empty() {
            self.chunk.stamp = Some(line.stamp.trim().to_string());
        }
        self.chunk.push(line.line, line.text);
    }

    fn push_inside(&mut self, line: LogicalLine<'_>, text: &str, out: &mut dyn FnMut(Piece)) {
        // A start line before any heading belongs to the same report (`LATEST DETECTED
        // DEADLOCK` followed by 5.x's `…TOO DEEP OR LONG SEARCH…`).
        let new_report = self.seen_heading
            && (is_start_line(text)
                || (is_first_transaction_heading(text) && self.has_transaction()));
        if new_report {
            self.emit(out);
            self.begin(line, text);
            return;
        }
        if line.prefix == Prefix::None && self.seen_heading && is_rule(text) {
            self.pending_rule = Some((line.line, line.text.to_string()));
            return;
        }
        let ends_before = match line.prefix {
            Prefix::OtherLog => true,
            Prefix::InnoDb => !text.is_empty() && !text.starts_with("***"),
            // A report without headings (an excerpt of its transaction blocks) ends where
            // something else plainly begins.
            Prefix::None => self.excerpt && !self.seen_heading && ends_excerpt(text),
        };
        if ends_before {
            self.emit(out);
            return;
        }
        if text.starts_with("***") {
            self.seen_heading = true;
        }
        // A report copied from its first heading on lost the prefixed line above it: the next
        // prefixed line has the same time (hunt-shapes3 010).
        if self.chunk.stamp.is_none() && !line.stamp.is_empty() {
            self.chunk.stamp = Some(line.stamp.trim().to_string());
        }
        self.chunk.push(line.line, line.text);
        if text.starts_with("*** WE ROLL BACK TRANSACTION") {
            self.emit(out);
        } else if self.chunk.byte_len() > MAX_CHUNK_BYTES {
            out(Piece::Oversized { line: line.line });
            self.emit(out);
        }
    }

    fn has_transaction(&self) -> bool {
        self.chunk
            .lines()
            .any(|(_, l)| l.trim_start().starts_with("*** ("))
    }

    fn emit(&mut self, out: &mut dyn FnMut(Piece)) {
        if !self.inside {
            return;
        }
        self.inside = false;
        self.seen_heading = false;
        // The next report is likely as large as this one: start it with the same room.
        let next = Chunk::with_capacity_of(&self.chunk);
        let chunk = std::mem::replace(&mut self.chunk, next);
        if let Some(earlier) = self.held.take() {
            out(Piece::Deadlock(earlier));
        }
        if victim_zero(&chunk) {
            self.held = Some(chunk);
        } else {
            out(Piece::Deadlock(chunk));
        }
    }
}

/// `*** WE ROLL BACK TRANSACTION (0)` ends the report.
fn victim_zero(chunk: &Chunk) -> bool {
    chunk
        .last_line()
        .is_some_and(|l| l.trim().starts_with("*** WE ROLL BACK TRANSACTION (0)"))
}

/// The trx ids a TRANSACTIONS section lists (`---TRANSACTION 102, ACTIVE 2 sec`), leaving out
/// those it shows rolling back.
fn listed_transactions(list: &Chunk) -> Vec<String> {
    list.lines()
        .filter_map(|(_, l)| {
            let rest = l.trim().strip_prefix("---TRANSACTION ")?;
            let (id, state) = rest.split_once(',').unwrap_or((rest, ""));
            (!state.contains("ROLLING BACK")).then(|| id.trim().to_string())
        })
        .collect()
}

/// A line that goes on with a report after a rule a copy put in it.
fn continues_report(text: &str) -> bool {
    text.starts_with("*** (")
        || text.starts_with("*** WE ROLL BACK")
        || text.starts_with("*** WAITING")
        || text.starts_with("*** CONFLICTING")
        || text.starts_with("TRANSACTION ")
        || text.starts_with("RECORD LOCKS")
        || text.starts_with("Record lock")
        || text.is_empty()
}

/// `TRANSACTION 43260, ACTIVE 186 sec starting index read`: a transaction block outside a
/// report, as an excerpt of one starts (the manual's error-log example).
/// A condensed copy keeps the id and the wait alone: `TRANSACTION 3607 (SV041)  LOCK WAIT`
/// (hunt-deadlocks c-028).
fn is_bare_transaction_line(text: &str) -> bool {
    let Some(rest) = text.strip_prefix("TRANSACTION ") else {
        return false;
    };
    let hex_id = |id: &str| !id.is_empty() && id.bytes().all(|b| b.is_ascii_hexdigit());
    match rest.split_once(", ") {
        Some((id, state)) if id.bytes().next().is_some_and(|b| b.is_ascii_hexdigit()) => {
            state.starts_with("ACTIVE") || state.starts_with("not started")
        }
        _ => rest
            .split_once(' ')
            .is_some_and(|(id, more)| hex_id(id) && more.trim_end().ends_with("LOCK WAIT")),
    }
}

/// What ends an excerpt of transaction blocks: a client prompt, a result set, a rule.
fn ends_excerpt(text: &str) -> bool {
    text.starts_with("mysql>")
        || text.starts_with("+-")
        || text.starts_with("*****")
        || is_rule(text)
}

/// The lines that open a report.
fn starts_report(text: &str) -> bool {
    is_start_line(text) || is_first_transaction_heading(text)
}

/// Report openers that are never part of another report's body.
fn is_start_line(text: &str) -> bool {
    // Every line of a report is asked this: the cheap tests come first (`.` at the end, a `-`
    // for `WAITS-FOR`).
    text == "LATEST DETECTED DEADLOCK"
        || (text.ends_with('.')
            && ends_with_ignore_case(text, "deadlock detected, dumping detailed information."))
        || contains_too_deep(text)
}

/// `TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH` somewhere in the line (5.x glues
/// it to the timestamp). One searcher, built once.
fn contains_too_deep(text: &str) -> bool {
    const TOO_DEEP: &[u8] = b"TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH";
    static FINDER: std::sync::OnceLock<memchr::memmem::Finder<'static>> =
        std::sync::OnceLock::new();
    let bytes = text.as_bytes();
    bytes.len() >= TOO_DEEP.len()
        && memchr::memchr(b'-', bytes).is_some()
        && FINDER
            .get_or_init(|| memchr::memmem::Finder::new(TOO_DEEP))
            .find(bytes)
            .is_some()
}

/// An excerpt that begins inside transaction (1)'s block: `*** (1) HOLDS THE LOCK(S):`,
/// `*** (1) WAITING FOR THIS LOCK TO BE GRANTED:`.
fn starts_excerpt(text: &str) -> bool {
    text.starts_with("*** (1) HOLDS THE LOCK") || text.starts_with("*** (1) WAITING FOR THIS LOCK")
}

fn is_first_transaction_heading(text: &str) -> bool {
    text.starts_with("*** (1) TRANSACTION")
}

fn ends_with_ignore_case(text: &str, suffix: &str) -> bool {
    text.len() >= suffix.len()
        && text
            .get(text.len() - suffix.len()..)
            .is_some_and(|t| t.eq_ignore_ascii_case(suffix))
}

/// A monitor section title: capital words (`TRANSACTIONS`, `FILE I/O`, `BUFFER POOL AND
/// MEMORY`).
fn is_section_title(text: &str) -> bool {
    text.bytes().any(|b| b.is_ascii_uppercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b' ' || b == b'/')
}

/// `-----…` / `=====…` section rules (3 or more).
fn is_rule(text: &str) -> bool {
    text.len() >= 3 && (text.bytes().all(|b| b == b'-') || text.bytes().all(|b| b == b'='))
}

/// A short line starting with a date (`2026-11-21 05:24:04 0x7f…`, `120906  6:03:32`).
fn looks_like_timestamp(text: &str) -> bool {
    text.len() <= 48
        && text.as_bytes().first().is_some_and(u8::is_ascii_digit)
        && text.contains(':')
        && text.contains(' ')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<Vec<(usize, String)>> {
        let mut s = Splitter::new();
        let mut unwrap = crate::input::Unwrapper::new();
        let mut out = Vec::new();
        let mut sink = |p: Piece| {
            if let Piece::Deadlock(c) = p {
                out.push(c.lines().map(|(n, l)| (n, l.to_string())).collect());
            }
        };
        for (i, line) in text.lines().enumerate() {
            unwrap.feed(i + 1, line, &mut |l| s.push(l, &mut sink));
        }
        s.finish(&mut sink);
        out
    }

    #[test]
    fn status_section_ends_at_next_rule() {
        let got = split(
            "----\nSEMAPHORES\n------------------------\nLATEST DETECTED DEADLOCK\n------------------------\n2026-11-21 05:24:04 0x7f\n*** (1) TRANSACTION:\nTRANSACTION 47, ACTIVE 1 sec\n*** WE ROLL BACK TRANSACTION (1)\n------------\nTRANSACTIONS\n------------\n",
        );
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].first().map(|l| l.0), Some(4));
        assert_eq!(
            got[0].last().map(|l| l.1.as_str()),
            Some("*** WE ROLL BACK TRANSACTION (1)")
        );
    }

    #[test]
    fn condensed_excerpt_is_a_report() {
        // See: hunt-deadlocks c-028.
        let got = split("TRANSACTION 3607 (SV041)  LOCK WAIT\n  UPDATE L SET a = 1\n*** WAITING FOR THIS LOCK TO BE GRANTED:\n  RECORD LOCKS ... L ... lock_mode X waiting\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].len(), 4);
        assert!(split("TRANSACTION 3607 was slow\n").is_empty());
    }

    // See: fixtures/labelled/e-007 (the manual's sample status: a foreign key error first).
    #[test]
    fn a_foreign_key_error_is_not_a_deadlock_excerpt() {
        let got = split("------------------------\nLATEST FOREIGN KEY ERROR\n------------------------\n2014-10-16 18:35:18 0x7fc2a95c1700 Transaction:\nTRANSACTION 1814, ACTIVE 0 sec inserting\nmysql tables in use 1, locked 1\n------------------------\nLATEST DETECTED DEADLOCK\n------------------------\n*** (1) TRANSACTION:\nTRANSACTION 1824, ACTIVE 9 sec starting index read\n*** WE ROLL BACK TRANSACTION (1)\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0][0].1, "LATEST DETECTED DEADLOCK");
        // A bare block after the section is an excerpt again.
        let got = split("LATEST FOREIGN KEY ERROR\n--------\nFILE I/O\n--------\nx\nTRANSACTION 5, ACTIVE 1 sec\n");
        assert_eq!(got.len(), 1);
    }

    #[test]
    fn bare_paste_keeps_timestamp() {
        let got =
            split("2026-11-21 05:24:04 0x7f\n*** (1) TRANSACTION:\nx\n*** (2) TRANSACTION:\ny\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0][0], (1, "2026-11-21 05:24:04 0x7f".to_string()));
        assert_eq!(got[0].len(), 5);
    }

    #[test]
    fn error_log_dumps_and_interleaved_lines() {
        let log = "\
2026-11-21  5:24:03 18 [Note] InnoDB: Transactions deadlock detected, dumping detailed information.
2026-11-21  5:24:03 18 [Note] InnoDB: 
*** (1) TRANSACTION:
TRANSACTION 24, ACTIVE 1 sec
2026-11-21  5:24:03 18 [Note] InnoDB: *** WAITING FOR THIS LOCK TO BE GRANTED:
2026-11-21  5:24:03 18 [Note] InnoDB: Some unrelated message
2026-11-21  5:24:04 23 [Note] InnoDB: Transactions deadlock detected, dumping detailed information.
2026-11-21  5:24:04 23 [Note] InnoDB: *** WE ROLL BACK TRANSACTION (1)
2026-11-21  5:24:05 0 [Note] Server shutdown
";
        let got = split(log);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), 5);
        assert_eq!(got[1].len(), 2);
    }

    #[test]
    fn too_deep_after_section_title_is_one_report() {
        let got = split("LATEST DETECTED DEADLOCK\n------\n130624 17:39:24TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH, WE WILL ROLL BACK FOLLOWING TRANSACTION \n*** TRANSACTION:\nTRANSACTION 3BF88F886, ACTIVE 0 sec\n");
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].len(), 5);
    }

    #[test]
    fn second_report_without_victim_line() {
        let got =
            split("*** (1) TRANSACTION:\na\n*** (2) TRANSACTION:\nb\n*** (1) TRANSACTION:\nc\n");
        assert_eq!(got.len(), 2);
    }
}
