//! The front of the pipeline in one loop: physical lines are read, repaired, unwrapped into
//! logical lines and cut into pieces. `analyze` hands the pieces to its workers, `redact`
//! rewrites them; both read the input the same way.

use std::io::{self, Read};

use super::{Piece, Splitter};
use crate::input::{LineReader, LogicalLine, Prefix, Repairer, Rewrapper, Unwrapper};

/// Where the pieces go.
pub trait PieceSink {
    fn piece(&mut self, piece: Piece);

    /// Reading is about to wait for more input (a pipe, a live log): hand out what is ready.
    fn idle(&mut self) {}

    /// Nothing more is wanted (the other side stopped): reading ends early.
    fn stopped(&self) -> bool {
        false
    }
}

/// What reading an input found.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadStats {
    pub bytes: u64,
    /// Some InnoDB text was seen (a log line of InnoDB's, or a monitor output).
    pub recognised: bool,
}

/// Reads `reader` to its end (or until `sink` stops) and passes every piece to `sink`.
pub fn split_reader<R: Read>(reader: R, sink: &mut dyn PieceSink) -> io::Result<ReadStats> {
    let mut lines = LineReader::new(reader);
    let mut repairer = Repairer::new();
    let mut rewrapper = Rewrapper::new();
    let mut unwrapper = Unwrapper::new();
    let mut splitter = Splitter::new();
    let mut recognised = false;
    let mut logical = |logical: LogicalLine<'_>, sink: &mut dyn PieceSink| {
        if !recognised {
            recognised = logical.prefix == Prefix::InnoDb
                || logical.text.contains("INNODB MONITOR OUTPUT")
                || logical.text.starts_with("*** Priority TRANSACTION");
        }
        splitter.push(logical, &mut |piece| sink.piece(piece));
    };
    // Repaired lines are rewrapped, then unwrapped; each stage is skipped by a line it cannot
    // apply to.
    let mut rewrap = |rewrapper: &mut Rewrapper, n: usize, t: &str, sink: &mut dyn PieceSink| {
        let mut unwrap = |n: usize, t: &str| unwrapper.feed(n, t, &mut |l| logical(l, sink));
        if rewrapper.needs(t) {
            rewrapper.feed(n, t, &mut unwrap);
        } else {
            unwrap(n, t);
        }
    };
    loop {
        if lines.needs_input() {
            sink.idle();
        }
        let Some((line_no, text)) = lines.next_line()? else {
            break;
        };
        if repairer.needs(text) {
            repairer.feed(line_no, text, &mut |n, t| {
                rewrap(&mut rewrapper, n, t, sink);
            });
        } else {
            rewrap(&mut rewrapper, line_no, text, sink);
        }
        if sink.stopped() {
            break;
        }
    }
    repairer.finish(&mut |n, t| rewrap(&mut rewrapper, n, t, sink));
    rewrapper.finish(&mut |n, t| {
        unwrapper.feed(n, t, &mut |l| logical(l, sink));
    });
    splitter.finish(&mut |piece| sink.piece(piece));
    Ok(ReadStats {
        bytes: lines.bytes_read(),
        recognised,
    })
}
