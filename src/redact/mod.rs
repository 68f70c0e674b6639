//! Reports safe to share: the values in a report replaced by tokens before anything reads them.
//!
//! Statement literals become typed tokens (a string stays a quoted string, a number a number),
//! record fields (hex and asc together) and `LOCK_DATA` values become tokens of the same kind
//! and width, host names, addresses and user names are masked, and with `names` the schema,
//! table and index names too. One value always gets one token within a run, so "both wait for
//! the same row" is still visible; and the text keeps its structure, so the redacted text reads
//! as the same deadlocks (transactions, victim, pattern and shape: `tests/redact.rs`).
//!
//! `analyze --redact` redacts each piece between the splitter and the parser, so every format
//! reports only redacted text; `lockscope redact` writes the redacted pieces back as text.

mod logger;
mod report;
mod sql;
mod table;
mod tokens;

use std::io::{self, Read, Write};

use crate::split::{split_reader, Piece, PieceSink, ReadStats};
use crate::text::Chunk;
pub use tokens::Tokens;

/// What to redact besides values, hosts and users.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RedactOptions {
    /// Schema, table and index names too (`--redact-names`).
    pub names: bool,
}

/// Redacts pieces, with one set of tokens for the whole run.
#[derive(Debug, Default)]
pub struct Redactor {
    options: RedactOptions,
    tokens: Tokens,
}

impl Redactor {
    pub fn new(options: RedactOptions) -> Redactor {
        Redactor {
            options,
            tokens: Tokens::default(),
        }
    }

    /// `piece` redacted; `None` for a result set that cannot be read (dropped rather than
    /// passed on unredacted).
    pub fn piece(&mut self, piece: Piece) -> Option<Piece> {
        let (tokens, names) = (&mut self.tokens, self.options.names);
        Some(match piece {
            Piece::Deadlock(chunk) => Piece::Deadlock(report::redact_chunk(&chunk, tokens, names)),
            Piece::Transactions(chunk) => {
                Piece::Transactions(report::redact_chunk(&chunk, tokens, names))
            }
            Piece::Table(table) => Piece::Table(table::redact_table(&table, tokens, names)?),
            Piece::Oversized { line } => Piece::Oversized { line },
            Piece::ClusterConflict { line } => Piece::ClusterConflict { line },
            Piece::LoggerRows(chunk) => {
                Piece::LoggerRows(logger::redact_rows(&chunk, tokens, names))
            }
        })
    }
}

/// What `redact_to` wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct Redacted {
    pub read: ReadStats,
    /// Deadlock reports, TRANSACTIONS sections and result sets written.
    pub pieces: usize,
    /// Reports dropped because they were too large to be one.
    pub oversized: usize,
}

/// Reads `reader` as `analyze` does and writes every report, TRANSACTIONS section and lock
/// table it holds to `writer`, redacted; the text around them (other log lines, the rest of a
/// status output) is left out.
pub fn redact_to<R: Read>(
    reader: R,
    writer: &mut dyn Write,
    redactor: &mut Redactor,
) -> io::Result<Redacted> {
    let mut sink = TextSink {
        redactor,
        writer,
        held: None,
        last_header: None,
        done: Redacted::default(),
        error: None,
    };
    let read = split_reader(reader, &mut sink)?;
    if let Some(held) = sink.held.take() {
        sink.write(&held);
    }
    if let Some(e) = sink.error {
        return Err(e);
    }
    Ok(Redacted { read, ..sink.done })
}

/// Writes redacted pieces as text.
struct TextSink<'a> {
    redactor: &'a mut Redactor,
    writer: &'a mut dyn Write,
    /// A TRANSACTIONS section, held one piece: a MariaDB report with victim `(0)` comes after
    /// the section that tells its victim, and is written before it again.
    held: Option<Piece>,
    /// The header of the result set written last: a big table cut into pieces is written as one.
    last_header: Option<String>,
    done: Redacted,
    error: Option<io::Error>,
}

impl PieceSink for TextSink<'_> {
    fn piece(&mut self, piece: Piece) {
        let Some(piece) = self.redactor.piece(piece) else {
            return;
        };
        match (self.held.take(), piece) {
            (Some(held), Piece::Deadlock(chunk))
                if first_line(&held).is_some_and(|h| chunk.first_line() < h) =>
            {
                self.write(&Piece::Deadlock(chunk));
                self.write(&held);
            }
            (held, piece) => {
                if let Some(h) = held {
                    self.write(&h);
                }
                if matches!(piece, Piece::Transactions(_)) {
                    self.held = Some(piece);
                } else {
                    self.write(&piece);
                }
            }
        }
    }

    fn stopped(&self) -> bool {
        self.error.is_some()
    }
}

fn first_line(piece: &Piece) -> Option<usize> {
    match piece {
        Piece::Transactions(c) | Piece::Deadlock(c) => Some(c.first_line()),
        _ => None,
    }
}

impl TextSink<'_> {
    fn write(&mut self, piece: &Piece) {
        if self.error.is_some() {
            return;
        }
        let mut text = String::new();
        let mut header = None;
        match piece {
            Piece::Deadlock(chunk) => push_chunk(&mut text, chunk, chunk.stamp.as_deref()),
            Piece::Transactions(chunk) => {
                if chunk
                    .lines()
                    .next()
                    .is_some_and(|(_, t)| t.trim() != "TRANSACTIONS")
                {
                    text.push_str("------------\nTRANSACTIONS\n------------\n");
                }
                push_chunk(&mut text, chunk, None);
            }
            Piece::Table(table) => {
                let mut lines = table.chunk.lines();
                let (first_no, first) = lines.next().unwrap_or((0, ""));
                let first = first.to_string();
                let lines = lines.map(|(_, t)| t);
                // A piece of the same result set repeats its header, with the header's line;
                // another result set with the same columns is written as one of its own.
                let key = format!("{first_no}\t{first}");
                let continues = table.shape == crate::text::Shape::Batch
                    && self.last_header.as_deref().is_some_and(|last| {
                        last == key
                            || (first_no == 0
                                && last.split_once('\t').map(|l| l.1) == Some(first.as_str()))
                    });
                if !continues {
                    text.push('\n');
                    for q in &table.query {
                        text.push_str(q);
                        text.push('\n');
                    }
                    text.push_str(&first);
                    text.push('\n');
                }
                for line in lines {
                    text.push_str(line);
                    text.push('\n');
                }
                header = (table.shape == crate::text::Shape::Batch).then_some(key);
            }
            Piece::Oversized { .. } => {
                self.done.oversized += 1;
                return;
            }
            // Not a report: nothing of it is written.
            Piece::ClusterConflict { .. } => return,
            Piece::LoggerRows(chunk) => push_chunk(&mut text, chunk, None),
        }
        self.last_header = header;
        self.done.pieces += 1;
        if let Err(e) = self.writer.write_all(text.as_bytes()) {
            self.error = Some(e);
        }
    }
}

/// A chunk's lines, the first after the log prefix it had, then a blank line.
fn push_chunk(text: &mut String, chunk: &Chunk, stamp: Option<&str>) {
    for (i, (_, line)) in chunk.lines().enumerate() {
        if let (0, Some(stamp)) = (i, stamp) {
            text.push_str(stamp);
            text.push(' ');
        }
        text.push_str(line);
        text.push('\n');
    }
    text.push('\n');
}
