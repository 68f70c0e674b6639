//! Finds the lock-wait material between and beside deadlock reports: the TRANSACTIONS section of
//! a status output (or a bare `---TRANSACTION` list), and lock-table result sets in the shapes
//! the `mysql` client prints (boxed, `\G` vertical, `-B` batch, JSON). Like the deadlock
//! splitter it only looks at line starts; the result sets are read by name later.

use super::Chunk;
use crate::parse::lock_tables::Shape;

/// A result set or section larger than this is cut (a lock table of the whole server is far
/// smaller; the status output is capped at 1 MB).
const MAX_SECTION_BYTES: usize = 16 << 20;

/// A finished piece of lock-wait material.
#[derive(Debug)]
pub enum Section {
    /// The TRANSACTIONS section (or a bare `---TRANSACTION` list).
    Transactions(Chunk),
    /// One result set and the shape it was printed in.
    Table(Shape, Chunk),
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
    },
    /// A vertical row marker was seen; the next line tells whether a table follows.
    MaybeVertical,
    /// A border was seen; the next line tells whether a boxed table follows.
    MaybeBoxed,
}

/// Section state for one input.
#[derive(Debug)]
pub struct Sections {
    state: State,
    chunk: Chunk,
    after_rule: bool,
}

impl Default for Sections {
    fn default() -> Self {
        Sections {
            state: State::Idle,
            chunk: Chunk::new(),
            after_rule: false,
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
        let text = raw.trim();
        let taken = match self.state {
            State::Idle => self.start(line_no, raw, text),
            State::Transactions { .. } => self.transactions(line_no, raw, text, out),
            State::Table { .. } => self.table(line_no, raw, text, out),
            State::MaybeVertical => self.confirm(
                is_key_value(text) && !text.starts_with("Type:"),
                Shape::Vertical,
                (line_no, raw, text),
            ),
            State::MaybeBoxed => self.confirm(
                text.starts_with('|') && !(text.contains("Type") && text.contains("Status")),
                Shape::Boxed,
                (line_no, raw, text),
            ),
        };
        self.after_rule = is_rule(text);
        if self.chunk.byte_len() > MAX_SECTION_BYTES {
            self.emit(out);
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
        match std::mem::replace(&mut self.state, State::Idle) {
            State::Transactions { .. } if !chunk.is_empty() => out(Section::Transactions(chunk)),
            State::Table { shape, .. } if !chunk.is_empty() => out(Section::Table(shape, chunk)),
            _ => {}
        }
    }

    /// After a row marker or a border: the next line tells whether a result set follows. If
    /// not, the tentative start is dropped and the line looked at afresh.
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
        };
        self.chunk.push(line_no, raw);
        Taken::Yes
    }

    fn reset(&mut self) {
        self.state = State::Idle;
        self.chunk.clear();
    }

    fn start(&mut self, line_no: usize, raw: &str, text: &str) -> Taken {
        if (text == "TRANSACTIONS" && self.after_rule) || text.starts_with("---TRANSACTION ") {
            self.state = State::Transactions { pending_rule: None };
        } else if text.starts_with("***************************") && text.contains(". row") {
            self.state = State::MaybeVertical;
        } else if text.starts_with("+-") && text.bytes().all(|b| b == b'+' || b == b'-') {
            self.state = State::MaybeBoxed;
        } else if let Some(tabs) = batch_header(text) {
            self.state = State::Table {
                shape: Shape::Batch,
                borders: 0,
                tabs,
            };
        } else if text.starts_with("[{") || text.starts_with("{\"") || text == "[" {
            self.state = State::Table {
                shape: Shape::Json,
                borders: 0,
                tabs: 0,
            };
        } else {
            return Taken::No;
        }
        self.chunk.clear();
        self.chunk.push(line_no, raw);
        Taken::Yes
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
        if is_section_title(text) || text.starts_with("END OF INNODB MONITOR OUTPUT") {
            self.emit(out);
            return Taken::No;
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
        } = &mut self.state
        else {
            return Taken::No;
        };
        let ends = match shape {
            Shape::Boxed => {
                if text.starts_with('+') {
                    *borders += 1;
                    self.chunk.push(line_no, raw);
                    if *borders >= 3 {
                        self.emit(out);
                    }
                    return Taken::Yes;
                }
                !text.starts_with('|')
            }
            Shape::Vertical => {
                text.is_empty()
                    || text.contains(" in set (")
                    || text.starts_with("Empty set")
                    || text.starts_with("mysql>")
                    || text.starts_with("+-")
            }
            Shape::Batch => raw.bytes().filter(|&b| b == b'\t').count() != *tabs,
            Shape::Json => text.is_empty(),
        };
        if ends {
            self.emit(out);
            return self.start(line_no, raw, text);
        }
        self.chunk.push(line_no, raw);
        Taken::Yes
    }
}

/// `-----…` / `=====…` (3 or more).
fn is_rule(text: &str) -> bool {
    text.len() >= 3 && (text.bytes().all(|b| b == b'-') || text.bytes().all(|b| b == b'='))
}

/// A monitor section title: upper-case words alone on a line (`FILE I/O`, `ROW OPERATIONS`).
fn is_section_title(text: &str) -> bool {
    text.len() >= 3
        && text.bytes().any(|b| b.is_ascii_uppercase())
        && text
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b == b' ' || b == b'/' || b == b'-' || b == b'_')
}

/// `  lock_trx_id: 610`: an identifier, a colon, a value (a vertical result set's row line).
fn is_key_value(text: &str) -> bool {
    text.split_once(':').is_some_and(|(k, _)| {
        !k.is_empty()
            && k.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
    })
}

/// A `-B` header: two or more tab-separated identifiers. Returns the number of tabs, which every
/// row of the result set repeats.
fn batch_header(text: &str) -> Option<usize> {
    let cells: Vec<&str> = text.split('\t').collect();
    let identifiers = cells.len() >= 2
        && cells.iter().all(|c| {
            !c.is_empty()
                && c.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'$')
        });
    identifiers.then(|| cells.len() - 1)
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
                Section::Table(shape, c) => (format!("{shape:?}"), c),
            };
            got.push((kind, chunk.lines().map(|(n, _)| n).collect()));
        };
        for (i, line) in text.lines().enumerate() {
            s.push(i + 1, line, &mut out);
        }
        s.finish(&mut out);
        got
    }

    #[test]
    fn transactions_section_ends_at_the_next_title() {
        let text = "------------\nTRANSACTIONS\n------------\nTrx id counter 611\n---TRANSACTION 610, ACTIVE 2 sec\n------- TRX HAS BEEN WAITING 2 SEC FOR THIS LOCK TO BE GRANTED:\nRECORD LOCKS space id 15\n------------------\n---TRANSACTION 609, ACTIVE 2 sec\n--------\nFILE I/O\n--------\nI/O thread 0";
        let got = sections(text);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].0, "transactions");
        assert_eq!(got[0].1, (2..=9).collect::<Vec<_>>());
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
    }
}
