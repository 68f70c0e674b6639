//! Finds the lock-wait material between and beside deadlock reports: the TRANSACTIONS section of
//! a status output (or a bare `---TRANSACTION` list), and lock-table result sets in the shapes
//! the `mysql` client prints (boxed, `\G` vertical, `-B` batch with or without a header, JSON)
//! and the shapes people paste them in (a markdown table, the whole paste indented, comments
//! or blank lines between rows). Like the deadlock splitter it only looks at line starts; the
//! query typed above a result set (`mysql> SELECT … AS Trx_Id …;`) is kept with it, since it
//! says what aliased columns are. The result sets are read by column later.

use crate::text::{Chunk, Shape};

/// A TRANSACTIONS section larger than this is cut (the status output is capped at 1 MB).
const MAX_SECTION_BYTES: usize = 16 << 20;
/// A result set is handed on in pieces of about this size, each with the table's header
/// again: a million-row `data_locks` paste is read by every core, in flat memory.
const MAX_TABLE_PIECE_BYTES: usize = 1 << 20;
/// Lines of something else tolerated inside a result set (a comment, blank lines) before it
/// is taken to have ended.
const MAX_GAP_LINES: usize = 3;
/// Lines of query text kept for the next result set.
const MAX_QUERY_LINES: usize = 100;

/// One result set as printed: its shape, the query typed above it, its lines.
#[derive(Debug)]
pub struct TableText {
    pub shape: Shape,
    pub query: Vec<String>,
    pub chunk: Chunk,
}

/// A finished piece of lock-wait material.
#[derive(Debug)]
pub enum Section {
    /// The TRANSACTIONS section (or a bare `---TRANSACTION` list).
    Transactions(Chunk),
    /// One result set (or one piece of a large one).
    Table(TableText),
}

/// What is being read.
#[derive(Debug)]
enum State {
    Idle,
    Transactions {
        pending_rule: Option<(usize, String)>,
    },
    Table {
        shape: Shape,
        borders: u8,
        tabs: usize,
        /// Lines of something else seen since the last row, held until a row follows.
        gap: Vec<(usize, String)>,
    },
    /// A vertical row marker was seen; the next line tells whether a table follows.
    MaybeVertical,
    /// A border was seen; the next line tells whether a boxed table follows.
    MaybeBoxed,
    /// A `| a | b |` line was seen; a markdown rule next makes it a table's header.
    MaybeMarkdown,
}

/// Section state for one input.
#[derive(Debug)]
pub struct Sections {
    state: State,
    chunk: Chunk,
    after_rule: bool,
    /// The query being typed (or just typed) above what comes next.
    query: Vec<String>,
    query_open: bool,
    /// The query of the table being read, and its header lines (repeated in every piece).
    table_query: Vec<String>,
    header: Vec<(usize, String)>,
}

impl Default for Sections {
    fn default() -> Self {
        Sections {
            state: State::Idle,
            chunk: Chunk::new(),
            after_rule: false,
            query: Vec::new(),
            query_open: false,
            table_query: Vec::new(),
            header: Vec::new(),
        }
    }
}

/// What `push` did with a line.
#[derive(Debug, PartialEq, Eq)]
pub enum Taken {
    /// The line belongs to a section.
    Yes,
    /// Not ours: let the deadlock splitter look at it.
    No,
}

impl Sections {
    /// Feeds one logical line (outside any deadlock report). Finished sections go to `out`.
    pub fn push(&mut self, line_no: usize, raw: &str, out: &mut dyn FnMut(Section)) -> Taken {
        let text = crate::text::trim(raw);
        // A `\G` piece ends before a row marker, never inside a row: each piece's rows are
        // whole (other shapes have a row per line).
        let vertical = matches!(
            self.state,
            State::Table {
                shape: Shape::Vertical,
                ..
            }
        );
        if vertical && self.chunk.byte_len() > MAX_TABLE_PIECE_BYTES && is_row_marker(text) {
            self.emit_piece(out);
        }
        let taken = match self.state {
            State::Idle => self.start(line_no, raw, text),
            State::Transactions { .. } => self.transactions(line_no, raw, text, out),
            State::Table { .. } => self.table(line_no, raw, text, out),
            // A copy that puts a blank line after every line (a blog's paragraphs): the
            // line that confirms the table is the next one with text.
            State::MaybeVertical | State::MaybeBoxed | State::MaybeMarkdown if text.is_empty() => {
                Taken::Yes
            }
            // A note written under the row marker (`# the waiting lock`, `/* … */`).
            State::MaybeVertical if is_note_line(text) => {
                self.chunk.push(line_no, raw);
                Taken::Yes
            }
            State::MaybeVertical => self.confirm(
                is_key_value(text) && !text.starts_with("Type:"),
                Shape::Vertical,
                (line_no, raw, text),
            ),
            State::MaybeBoxed => self.confirm(
                text.starts_with('|') && !is_status_header(text),
                Shape::Boxed,
                (line_no, raw, text),
            ),
            State::MaybeMarkdown => self.confirm(
                is_markdown_rule(text),
                Shape::Markdown,
                (line_no, raw, text),
            ),
        };
        self.after_rule = is_rule(text);
        let limit = match self.state {
            // A row of thousands of fields is cut anyway.
            State::Table {
                shape: Shape::Vertical,
                ..
            } => 4 * MAX_TABLE_PIECE_BYTES,
            State::Table { .. } => MAX_TABLE_PIECE_BYTES,
            _ => MAX_SECTION_BYTES,
        };
        if self.chunk.byte_len() > limit {
            self.emit_piece(out);
        }
        taken
    }

    /// Ends the input: what is open is emitted.
    pub fn finish(&mut self, out: &mut dyn FnMut(Section)) {
        self.emit(out);
    }

    /// Emits the open section, if it is one (a tentative start is dropped).
    pub fn emit(&mut self, out: &mut dyn FnMut(Section)) {
        let chunk = std::mem::take(&mut self.chunk);
        self.header.clear();
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Transactions { .. } if !chunk.is_empty() => out(Section::Transactions(chunk)),
            State::Table { shape, .. } if !chunk.is_empty() => out(Section::Table(TableText {
                shape,
                query: std::mem::take(&mut self.table_query),
                chunk,
            })),
            _ => {}
        }
    }

    /// Hands on what is read of a large section and goes on with the rest of it: a table's
    /// next piece starts with its header lines again.
    fn emit_piece(&mut self, out: &mut dyn FnMut(Section)) {
        let State::Table { shape, .. } = self.state else {
            let state = std::mem::replace(&mut self.state, State::Idle);
            self.emit(out);
            if let State::Transactions { .. } = state {
                self.state = State::Transactions { pending_rule: None };
            }
            return;
        };
        let chunk = std::mem::replace(&mut self.chunk, Chunk::new());
        for (n, line) in &self.header {
            self.chunk.push(*n, line);
        }
        out(Section::Table(TableText {
            shape,
            query: self.table_query.clone(),
            chunk,
        }));
    }

    /// After a row marker, a border or a markdown header: the next line tells whether a result
    /// set follows. If not, the tentative start is dropped and the line looked at afresh.
    fn confirm(
        &mut self,
        table: bool,
        shape: Shape,
        (line_no, raw, text): (usize, &str, &str),
    ) -> Taken {
        if !table {
            self.reset();
            return self.start(line_no, raw, text);
        }
        let borders = u8::from(shape == Shape::Boxed);
        self.state = State::Table {
            shape,
            borders,
            tabs: 0,
            gap: Vec::new(),
        };
        self.chunk.push(line_no, raw);
        if matches!(shape, Shape::Boxed | Shape::Markdown) {
            self.header.push((line_no, raw.to_string()));
        }
        Taken::Yes
    }

    fn reset(&mut self) {
        self.state = State::Idle;
        self.chunk.clear();
        self.header.clear();
    }

    fn start(&mut self, line_no: usize, raw: &str, text: &str) -> Taken {
        let (state, header) =
            if (text == "TRANSACTIONS" && self.after_rule) || text.starts_with("---TRANSACTION ") {
                (State::Transactions { pending_rule: None }, false)
            } else if text.starts_with("***************************") && text.contains(". row") {
                (State::MaybeVertical, false)
            } else if text.starts_with("+-") && text.bytes().all(|b| b == b'+' || b == b'-') {
                (State::MaybeBoxed, true)
            } else if text.starts_with('|') && text.len() > 2 && text.ends_with('|') {
                (State::MaybeMarkdown, true)
            } else if let Some((tabs, has_header)) = batch_start(raw) {
                let state = State::Table {
                    shape: Shape::Batch,
                    borders: 0,
                    tabs,
                    gap: Vec::new(),
                };
                (state, has_header)
            } else if text.starts_with("[{") || text.starts_with("{\"") || text == "[" {
                let state = State::Table {
                    shape: Shape::Json,
                    borders: 0,
                    tabs: 0,
                    gap: Vec::new(),
                };
                (state, false)
            } else {
                // Queries start with a word or a prompt; a log line (a digit) only ends one.
                if self.query_open || text.as_bytes().first().is_some_and(u8::is_ascii_alphabetic) {
                    self.note_query(text);
                } else if !text.is_empty() {
                    self.query.clear();
                }
                return Taken::No;
            };
        self.state = state;
        self.table_query = std::mem::take(&mut self.query);
        self.query_open = false;
        self.chunk.clear();
        self.chunk.push(line_no, raw);
        self.header.clear();
        if header {
            self.header.push((line_no, raw.to_string()));
        }
        Taken::Yes
    }

    /// Keeps the query being typed (`mysql> SELECT …`, `    -> FROM …;`) for the result set
    /// that follows it; prose after a finished query drops it.
    fn note_query(&mut self, text: &str) {
        if starts_query(text) {
            self.query.clear();
            self.query.push(text.to_string());
            self.query_open = !ends_query(text);
        } else if self.query_open {
            self.query.push(text.to_string());
            self.query_open = !ends_query(text) && self.query.len() < MAX_QUERY_LINES;
        } else if !text.is_empty() {
            self.query.clear();
        }
    }

    fn transactions(
        &mut self,
        line_no: usize,
        raw: &str,
        text: &str,
        out: &mut dyn FnMut(Section),
    ) -> Taken {
        let State::Transactions { pending_rule } = &mut self.state else {
            return Taken::No;
        };
        if is_rule(text) {
            // Either the `------------------` closing a lock-wait block, or the rule above the
            // next section's title: decided by the line after it.
            if let Some((n, r)) = pending_rule.take() {
                self.chunk.push(n, &r);
            }
            *pending_rule = Some((line_no, raw.to_string()));
            return Taken::Yes;
        }
        if let Some((n, r)) = pending_rule.take() {
            if is_section_title(text) {
                self.emit(out);
                self.after_rule = true;
                return self.start(line_no, raw, text);
            }
            self.chunk.push(n, &r);
        }
        // Without its rule (a copy lost it), only a title the monitor prints ends the section:
        // a session's statement can be all capitals too (`SHOW ENGINE INNODB STATUS` itself).
        if is_monitor_title(text) {
            self.emit(out);
            return Taken::No;
        }
        // A copied excerpt ends where the page goes on: its closing fence, a client prompt or
        // a result set, none of which the monitor prints (hunt-locks 016).
        if ends_copied_section(text) {
            self.emit(out);
            return self.start(line_no, raw, text);
        }
        self.chunk.push(line_no, raw);
        Taken::Yes
    }

    fn table(
        &mut self,
        line_no: usize,
        raw: &str,
        text: &str,
        out: &mut dyn FnMut(Section),
    ) -> Taken {
        let State::Table {
            shape,
            borders,
            tabs,
            gap,
        } = &mut self.state
        else {
            return Taken::No;
        };
        // A line that starts something else ends the table at once.
        let mut hard_end =
            starts_query(text) || memchr::memmem::find(text.as_bytes(), b" in set (").is_some();
        let row = match shape {
            Shape::Boxed if text.starts_with('+') => {
                *borders += 1;
                gap.clear();
                self.chunk.push(line_no, raw);
                if *borders <= 2 {
                    self.header.push((line_no, raw.to_string()));
                }
                if *borders >= 3 {
                    self.emit(out);
                }
                return Taken::Yes;
            }
            Shape::Boxed => {
                hard_end |= is_rule(text);
                if text.starts_with('|') && *borders < 2 {
                    self.header.push((line_no, raw.to_string()));
                }
                text.starts_with('|')
            }
            Shape::Markdown => {
                if is_markdown_rule(text) && self.header.len() < 2 {
                    self.header.push((line_no, raw.to_string()));
                }
                text.starts_with('|')
            }
            Shape::Vertical => {
                hard_end |= text.starts_with("Empty set") || text.starts_with("+-");
                if hard_end {
                    false
                } else if text.is_empty() {
                    gap.push((line_no, raw.to_string()));
                    return Taken::Yes;
                } else {
                    // After blank lines only a row or a field goes on with the table.
                    gap.is_empty() || is_row_marker(text) || is_key_value(text)
                }
            }
            // A row with a cell lost, or cut off by the scrollback, stays in its table (the
            // reader says which); another result set's header starts a new one.
            Shape::Batch => {
                let n = raw.bytes().filter(|&b| b == b'\t').count();
                n == *tabs
                    || (n > 0 && !hard_end && !batch_start(raw).is_some_and(|(_, header)| header))
            }
            Shape::Json => !text.is_empty(),
        };
        if row {
            gap.clear();
            self.chunk.push(line_no, raw);
            return Taken::Yes;
        }
        // Something else: a comment or blank line between rows is tolerated, for a few lines,
        // in the shapes people annotate.
        let tolerant = matches!(shape, Shape::Boxed | Shape::Vertical)
            && gap.len() < MAX_GAP_LINES
            && !hard_end;
        if tolerant {
            gap.push((line_no, raw.to_string()));
            return Taken::Yes;
        }
        let held = std::mem::take(gap);
        self.emit(out);
        for (n, r) in held {
            let _ = self.push(n, &r, out);
        }
        self.push(line_no, raw, out)
    }
}

/// `| Type | Name | Status |`: the header of `SHOW ENGINE INNODB STATUS` as a boxed table.
fn is_status_header(text: &str) -> bool {
    let cells: Vec<&str> = text.trim_matches('|').split('|').map(str::trim).collect();
    cells == ["Type", "Name", "Status"]
}

/// `-----…` / `=====…` (3 or more).
fn is_rule(text: &str) -> bool {
    text.len() >= 3 && (text.bytes().all(|b| b == b'-') || text.bytes().all(|b| b == b'='))
}

/// `|---|:---:|`: the line under a markdown table's header.
fn is_markdown_rule(text: &str) -> bool {
    text.starts_with('|')
        && text.contains('-')
        && text
            .bytes()
            .all(|b| matches!(b, b'|' | b'-' | b':' | b' ' | b'\t'))
}

/// `*************************** 12. row ***************************` (any number of stars).
fn is_row_marker(text: &str) -> bool {
    text.starts_with("***") && text.contains(". row")
}

/// A monitor section title: upper-case words alone on a line (`FILE I/O`, `ROW OPERATIONS`).
/// The titles of the monitor's sections after TRANSACTIONS (MySQL 5.0-9.x, MariaDB), and its
/// end line.
fn is_monitor_title(text: &str) -> bool {
    const TITLES: &[&str] = &[
        "FILE I/O",
        "INSERT BUFFER AND ADAPTIVE HASH INDEX",
        "LOG",
        "BUFFER POOL AND MEMORY",
        "INDIVIDUAL BUFFER POOL INFO",
        "ROW OPERATIONS",
        "LATEST DETECTED DEADLOCK",
        "LATEST FOREIGN KEY ERROR",
        "SEMAPHORES",
        "BACKGROUND THREAD",
    ];
    TITLES.contains(&text) || text.starts_with("END OF INNODB MONITOR OUTPUT")
}

fn is_section_title(text: &str) -> bool {
    text.len() >= 3
        && text.bytes().any(|b| b.is_ascii_uppercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b' ' || b == b'/' || b == b'-' || b == b'_')
}

/// `  lock_trx_id: 610`: a name (in any script, no spaces), a colon, a value (a vertical
/// result set's row line).
/// A line of notes a copy put between a `\G` row's lines: `# …`, `/* … */`, `-- …`.
fn is_note_line(text: &str) -> bool {
    text.starts_with('#') || text.starts_with("/*") || text.starts_with("-- ")
}

fn is_key_value(text: &str) -> bool {
    text.split_once(':').is_some_and(|(k, _)| {
        !k.is_empty()
            && k.chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    })
}

/// A `-B` result set's first line: a header of two or more tab-separated identifiers, or (a
/// header-less copy) a row with a lock id or lock status in it. The number of tabs, which
/// every row repeats, and whether the line is a header.
fn batch_start(raw: &str) -> Option<(usize, bool)> {
    memchr::memchr(b'\t', raw.as_bytes())?;
    let line = raw.trim_end_matches(['\r', '\n']);
    let cells: Vec<&str> = line.split('\t').collect();
    if cells.len() < 2 {
        return None;
    }
    let tabs = cells.len() - 1;
    let identifiers = cells.iter().all(|c| {
        let c = c.trim();
        !c.is_empty()
            && c.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
            && !c.bytes().all(|b| b.is_ascii_digit())
    });
    if identifiers {
        return Some((tabs, true));
    }
    let lock_row = cells.len() >= 4
        && cells.iter().any(|c| {
            let c = c.trim();
            matches!(c, "GRANTED" | "WAITING") || is_lock_id(c)
        });
    lock_row.then_some((tabs, false))
}

/// `139816129437696:27:4:2:139816016601240`, `1594:2:4:7`.
fn is_lock_id(v: &str) -> bool {
    let parts: Vec<&str> = v.split(':').collect();
    (3..=5).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
}

/// What ends a TRANSACTIONS section copied out of a page or a terminal: a code fence, a
/// client prompt, a boxed result set's border. The first byte decides for most lines.
fn ends_copied_section(text: &str) -> bool {
    match text.as_bytes().first() {
        Some(b'`') => text.starts_with("```"),
        Some(b'~') => text.starts_with("~~~"),
        Some(b'+') => text.starts_with("+-"),
        Some(b'm' | b'M') => {
            text.starts_with("mysql>")
                || text.starts_with("MariaDB [")
                || text.starts_with("MySQL [")
        }
        _ => false,
    }
}

/// A line that types a query: a client prompt and SQL, or SQL alone.
fn starts_query(text: &str) -> bool {
    let sql = |s: &str| {
        let b = s.as_bytes();
        let word = |w: &[u8]| b.get(..w.len()).is_some_and(|h| h.eq_ignore_ascii_case(w));
        word(b"select") || word(b"with ") || word(b"show ")
    };
    if sql(text) {
        return true;
    }
    // `mysql> `, `MariaDB [test]> `, `root@db 19:34: [(none)]> `, `Connection 3> `: a prompt
    // ends within its first 60 bytes.
    let head = text.get(..text.len().min(62)).unwrap_or(text);
    memchr::memchr(b'>', head.as_bytes()).is_some()
        && text
            .split_once("> ")
            .is_some_and(|(head, rest)| head.len() < 60 && sql(rest.trim_start()))
}

/// The end of a typed query: `;` or `\G`.
fn ends_query(text: &str) -> bool {
    text.ends_with(';') || text.contains("\\G")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sections(text: &str) -> Vec<(String, Vec<usize>)> {
        let mut s = Sections::default();
        let mut got = Vec::new();
        let mut out = |sec: Section| {
            let (kind, chunk) = match sec {
                Section::Transactions(c) => ("transactions".to_string(), c),
                Section::Table(t) => (format!("{:?}", t.shape), t.chunk),
            };
            got.push((kind, chunk.lines().map(|(n, _)| n).collect()));
        };
        for (i, line) in text.lines().enumerate() {
            s.push(i + 1, line, &mut out);
        }
        s.finish(&mut out);
        got
    }

    fn queries(text: &str) -> Vec<Vec<String>> {
        let mut s = Sections::default();
        let mut got = Vec::new();
        let mut out = |sec: Section| {
            if let Section::Table(t) = sec {
                got.push(t.query);
            }
        };
        for (i, line) in text.lines().enumerate() {
            s.push(i + 1, line, &mut out);
        }
        s.finish(&mut out);
        got
    }

    #[test]
    fn a_note_under_a_row_marker_keeps_the_vertical_table() {
        // See: fixtures/lock-tables/public/086 (`# …` notes right after each row marker).
        let text = "*************************** 1. row ***************************\n\
                    # the waiting lock\n\
                    ENGINE_LOCK_ID: 1:2:4:2:5\n\
                    LOCK_STATUS: WAITING\n";
        assert_eq!(sections(text), [("Vertical".to_string(), vec![1, 2, 3, 4])]);
    }

    #[test]
    fn transactions_section_ends_at_the_next_title() {
        let text = "------------\nTRANSACTIONS\n------------\nTrx id counter 611\n---TRANSACTION 610, ACTIVE 2 sec\n------- TRX HAS BEEN WAITING 2 SEC FOR THIS LOCK TO BE GRANTED:\nRECORD LOCKS space id 15\n------------------\n---TRANSACTION 609, ACTIVE 2 sec\n--------\nFILE I/O\n--------\nI/O thread 0";
        let got = sections(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "transactions");
        assert_eq!(got[0].1, (2..=9).collect::<Vec<_>>());
    }

    // See: fixtures/locks/ (hunt-locks 016): an excerpt in a fence, the lock tables after it.
    #[test]
    fn a_copied_transactions_section_ends_at_its_fence_or_a_prompt() {
        for end in [
            "```",
            "mysql> SELECT * FROM performance_schema.data_locks;",
            "+----+",
        ] {
            let text = format!(
                "------------\nTRANSACTIONS\n------------\n---TRANSACTION 2360, ACTIVE 3 sec\n...\n{end}\nprose\n"
            );
            let got = sections(&text);
            assert_eq!(
                got.first().map(|(k, lines)| (k.as_str(), lines.len())),
                Some(("transactions", 4)),
                "parsing {end:?}: {got:?}"
            );
        }
    }

    #[test]
    fn an_all_capitals_statement_does_not_end_the_section() {
        // The session that asks for the status is listed with its own statement.
        let text = "TRANSACTIONS\n------------\n---TRANSACTION 27, ACTIVE 0 sec\nMariaDB thread id 10, OS thread handle 1, query id 32 127.0.0.1 root starting\nSHOW ENGINE INNODB STATUS\nTABLE LOCK table `lkx`.`orders` trx id 27 lock mode IX\n--------\nFILE I/O\n";
        let got = sections(&format!("------------\n{text}"));
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].1, (2..=7).collect::<Vec<_>>());
    }

    #[test]
    fn result_sets_in_every_shape() {
        let boxed =
            "+----+------+\n| ID | USER |\n+----+------+\n| 71 | u    |\n+----+------+\nnext";
        assert_eq!(
            sections(boxed),
            [("Boxed".to_string(), vec![1, 2, 3, 4, 5])]
        );
        let vertical = "*************************** 1. row ***************************\n  ID: 71\nUSER: u\n\nx";
        assert_eq!(
            sections(vertical),
            [("Vertical".to_string(), vec![1, 2, 3])]
        );
        let batch = "ID\tUSER\n71\tu\n72\tv\nnot a row";
        assert_eq!(sections(batch), [("Batch".to_string(), vec![1, 2, 3])]);
        let status = "*************************** 1. row ***************************\n\n=====";
        assert!(sections(status).is_empty());
        let status_box = "+--------+\n| InnoDB |\n";
        assert_eq!(
            sections(status_box).len(),
            1,
            "an unknown boxed table is still a table"
        );
        let markdown = "| a | b |\n|---|---|\n| 1 | 2 |\n\nprose";
        assert_eq!(
            sections(markdown),
            [("Markdown".to_string(), vec![1, 2, 3])]
        );
        let headerless = "INNODB\t1:2:4:7\t1594\tGRANTED\nINNODB\t1:2:4:8\t1595\tWAITING\n";
        assert_eq!(sections(headerless), [("Batch".to_string(), vec![1, 2])]);
    }

    #[test]
    fn annotated_rows_stay_in_their_table() {
        let text = "\t+---+\n\t| a |\n\t+---+\n\t| 1 |\n\n\tcomment\n\t| 2 |\n\t+---+\nafter";
        assert_eq!(
            sections(text),
            [("Boxed".to_string(), vec![1, 2, 3, 4, 7, 8])]
        );
        let vertical = "*** 1. row ***\n a: 1\n\n*** 2. row ***\n a: 2\n\nprose\n";
        let got = sections(&vertical.replace("***", "***************************"));
        assert_eq!(got, [("Vertical".to_string(), vec![1, 2, 4, 5])]);
    }

    #[test]
    fn the_query_goes_with_its_table() {
        let text = "mysql> SELECT ENGINE_TRANSACTION_ID as Trx_Id,\n    -> LOCK_MODE as Mode FROM performance_schema.data_locks;\n+---+\n| a |\n+---+\n| 1 |\n+---+\nprose\n+---+\n| b |\n+---+\n";
        let got = queries(text);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].len(), 2);
        assert!(got[0][0].contains("Trx_Id"));
        assert!(got[1].is_empty(), "prose drops a finished query");
    }

    /// The tables of `text`, as the pieces the sections hand on.
    fn table_pieces(text: &str) -> Vec<Chunk> {
        let mut s = Sections::default();
        let mut pieces = Vec::new();
        let mut out = |sec: Section| {
            if let Section::Table(t) = sec {
                pieces.push(t.chunk);
            }
        };
        for (i, line) in text.lines().enumerate() {
            s.push(i + 1, line, &mut out);
        }
        s.finish(&mut out);
        pieces
    }

    #[test]
    fn large_tables_come_in_pieces_each_with_the_header() {
        let mut text = String::from("+---+\n| a |\n+---+\n");
        for i in 0..200_000 {
            text.push_str(&format!("| {i} |\n"));
        }
        text.push_str("+---+\n");
        let pieces = table_pieces(&text);
        assert!(pieces.len() > 1);
        for p in &pieces {
            let first: Vec<&str> = p.lines().take(3).map(|(_, l)| l).collect();
            assert_eq!(first, ["+---+", "| a |", "+---+"]);
        }
        let rows: usize = pieces.iter().map(|p| p.len() - 3).sum();
        assert_eq!(rows, 200_000 + 1, "every row once, and the closing border");
    }

    #[test]
    fn large_vertical_tables_are_cut_between_rows() {
        let mut text = String::new();
        for i in 1..=60_000 {
            text.push_str(&format!(
                "*************************** {i}. row ***************************\n\
                 ENGINE_LOCK_ID: 1:2:3:{i}\n   LOCK_STATUS: GRANTED\n"
            ));
        }
        let pieces = table_pieces(&text);
        assert!(pieces.len() > 1);
        for p in &pieces {
            let lines: Vec<&str> = p.lines().map(|(_, l)| l).collect();
            assert!(lines[0].contains(". row"), "{:?}", &lines[..2]);
            assert_eq!(lines.len() % 3, 0, "whole rows only");
        }
        let rows: usize = pieces.iter().map(|p| p.len() / 3).sum();
        assert_eq!(rows, 60_000);
    }
}
