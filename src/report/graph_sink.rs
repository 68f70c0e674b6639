//! The sink behind `--format dot` and `--format mermaid`: both draw the same pictures
//! (`picture.rs`) as they arrive, between a header written before the first one and a footer
//! written at `finish`; only the syntax differs ([`GraphSyntax`]).

use std::io::{self, Write};
use std::marker::PhantomData;

use super::picture::Picture;
use super::text::summary_line;
use super::TextOptions;
use crate::model::Warning;
use crate::sink::{Analysed, LockWaits, Sink, Summary};

/// A graph language: how a document starts, how one picture is written, how it ends.
pub trait GraphSyntax {
    const HEADER: &'static str;
    fn picture(p: &Picture) -> String;
    /// `nothing_found`: no deadlock and no lock wait was drawn.
    fn footer(nothing_found: bool, summary: &str) -> String;
}

/// Writes one picture per deadlock (and one for the lock waits) in syntax `S`.
pub struct GraphReport<W: Write, E: Write, S: GraphSyntax> {
    out: W,
    err: E,
    full: bool,
    count: usize,
    started: bool,
    syntax: PhantomData<S>,
}

impl<W: Write, E: Write, S: GraphSyntax> GraphReport<W, E, S> {
    pub fn new(out: W, err: E, options: TextOptions) -> Self {
        GraphReport {
            out,
            err,
            full: options.full,
            count: 0,
            started: false,
            syntax: PhantomData,
        }
    }

    /// The writers back, for tests.
    pub fn into_inner(self) -> (W, E) {
        (self.out, self.err)
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            self.out.write_all(S::HEADER.as_bytes())?;
        }
        Ok(())
    }

    fn picture(&mut self, picture: &Picture) -> io::Result<()> {
        self.start()?;
        self.out.write_all(S::picture(picture).as_bytes())?;
        self.out.flush()
    }
}

impl<W: Write, E: Write, S: GraphSyntax> Sink for GraphReport<W, E, S> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        self.count += 1;
        let picture = Picture::deadlock(self.count, analysed, self.full);
        self.picture(&picture)
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        writeln!(self.err, "warning: {warning}")?;
        self.err.flush()
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        if waits.waits.is_empty() {
            return Ok(());
        }
        let picture = Picture::lock_waits(waits, self.full);
        self.picture(&picture)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.start()?;
        let nothing = summary.deadlocks == 0 && summary.lock_waits == 0;
        self.out
            .write_all(S::footer(nothing, &summary_line(summary)).as_bytes())?;
        self.out.flush()
    }
}
/// A double-quoted label of a graph language: `lines` joined by `line_break`, control
/// characters as spaces, the ASCII characters `special` picks written by `escape` (what the
/// language treats as syntax), everything else as it is, copied a run at a time.
pub(super) fn quote_lines<S: AsRef<str>>(
    lines: &[S],
    line_break: &str,
    special: impl Fn(u8) -> bool,
    escape: impl Fn(char, &mut String),
) -> String {
    let size: usize = lines
        .iter()
        .map(|l| l.as_ref().len() + line_break.len())
        .sum();
    let mut out = String::with_capacity(size + size / 8 + 2);
    out.push('"');
    for (i, line) in lines.iter().enumerate() {
        if i > 0 {
            out.push_str(line_break);
        }
        let line = line.as_ref();
        let bytes = line.as_bytes();
        let (mut start, mut at) = (0, 0);
        while let Some(&b) = bytes.get(at) {
            if (0x20..0x7f).contains(&b) && !special(b) {
                at += 1;
                continue;
            }
            out.push_str(line.get(start..at).unwrap_or_default());
            let c = line
                .get(at..)
                .and_then(|rest| rest.chars().next())
                .unwrap_or(' ');
            if c.is_control() {
                out.push(' ');
            } else {
                escape(c, &mut out);
            }
            at += c.len_utf8();
            start = at;
        }
        out.push_str(line.get(start..).unwrap_or_default());
    }
    out.push('"');
    out
}
