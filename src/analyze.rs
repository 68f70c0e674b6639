//! The `analyze` pipeline for one input: bytes → logical lines → report chunks → deadlocks →
//! findings → sink. Nothing here knows about output formats or where the bytes came from.
//!
//! Two threads share the work so both cores are used: one reads, unwraps and splits (cheap per
//! byte, touches every byte), the other parses, diagnoses and renders (costly per report). A
//! bounded channel between them keeps memory flat: at most `CHANNEL_DEPTH` reports in flight.

use std::io::{self, BufRead};
use std::sync::mpsc;

use crate::diagnose::diagnose;
use crate::input::{LineReader, Prefix, Unwrapper};
use crate::model::Warning;
use crate::parse::parse_deadlock;
use crate::sink::{Analysed, Sink};
use crate::split::{Piece, Splitter};

/// Reports buffered between the splitter and the parser.
const CHANNEL_DEPTH: usize = 256;

/// What one input yielded.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InputStats {
    pub deadlocks: usize,
    pub warnings: usize,
    pub bytes: u64,
    /// Some InnoDB text was seen (a monitor output, a deadlock, an InnoDB log line). False means
    /// the input is not something lockscope reads at all.
    pub recognised: bool,
}

/// Streams one input through the pipeline into `sink`. Only IO errors (reading the input or
/// writing the sink) are errors; bad text becomes warnings.
pub fn analyze_reader<R: BufRead + Send>(
    name: &str,
    reader: R,
    sink: &mut dyn Sink,
) -> io::Result<InputStats> {
    let (tx, rx) = mpsc::sync_channel::<Piece>(CHANNEL_DEPTH);
    std::thread::scope(|scope| {
        let splitting = scope.spawn(move || split_input(reader, &tx));
        let mut stats = InputStats::default();
        let mut result = Ok(());
        for piece in rx {
            if result.is_ok() {
                result = handle_piece(name, piece, sink, &mut stats);
            }
            // After a write error keep draining, so the splitter thread can finish.
        }
        let (bytes, recognised) = match splitting.join() {
            Ok(read) => read?,
            Err(_) => return Err(io::Error::other("the input thread stopped unexpectedly")),
        };
        result?;
        stats.bytes = bytes;
        stats.recognised = recognised || stats.deadlocks > 0;
        Ok(stats)
    })
}

/// Reads, unwraps and splits; returns the bytes read and whether any InnoDB text was seen.
fn split_input<R: BufRead>(reader: R, tx: &mpsc::SyncSender<Piece>) -> io::Result<(u64, bool)> {
    let mut lines = LineReader::new(reader);
    let mut unwrapper = Unwrapper::new();
    let mut splitter = Splitter::new();
    let mut recognised = false;
    let mut send = |piece: Piece| {
        // The receiver only goes away on a panic of the parsing side: nothing left to do.
        let _ = tx.send(piece);
    };
    while let Some((line_no, text)) = lines.next_line()? {
        unwrapper.feed(line_no, &text, &mut |logical| {
            if !recognised {
                recognised = logical.prefix == Prefix::InnoDb
                    || logical.text.contains("INNODB MONITOR OUTPUT");
            }
            splitter.push(logical, &mut send);
        });
    }
    splitter.finish(&mut send);
    Ok((lines.bytes_read(), recognised))
}

fn handle_piece(
    name: &str,
    piece: Piece,
    sink: &mut dyn Sink,
    stats: &mut InputStats,
) -> io::Result<()> {
    match piece {
        Piece::Deadlock(chunk) => {
            let (deadlock, warnings) = parse_deadlock(name, &chunk);
            for w in &warnings {
                sink.warning(w)?;
            }
            stats.warnings += warnings.len();
            if deadlock.transactions.is_empty() {
                return Ok(());
            }
            stats.deadlocks += 1;
            let findings = diagnose(&deadlock);
            sink.deadlock(&Analysed { deadlock, findings })
        }
        Piece::Oversized { line } => {
            stats.warnings += 1;
            sink.warning(&Warning {
                input: name.to_string(),
                line,
                message: "report too large to be a deadlock report: cut here".to_string(),
                text: None,
            })
        }
    }
}
