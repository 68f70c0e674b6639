//! The `analyze` pipeline for one input: bytes → logical lines → report chunks → deadlocks →
//! findings → sink. Nothing here knows about output formats or where the bytes came from.
//!
//! Threads share the work so every core is used:
//!
//! - one reads, unwraps and splits (cheap per byte, touches every byte) and hands the reports
//!   out in numbered batches;
//! - workers (one per core) parse, diagnose and, when the sink offers a renderer
//!   (`Sink::renderer`), render each batch;
//! - the calling thread puts the batches back in input order and feeds the sink, which is never
//!   shared.
//!
//! Memory stays flat: at most `WINDOW` batches (each at most `BATCH_BYTES` of report text, or
//! one oversized report) are anywhere between the splitter and the sink, the reorder buffer
//! included.

use std::collections::{BTreeMap, HashSet};
use std::io::{self, Read};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Arc;

use crossbeam_channel::{bounded, unbounded, Receiver, Sender, TryRecvError};

use crate::decode::decode_deadlock;
use crate::diagnose::{diagnose, diagnose_lock_waits, LockScene};
use crate::model::{Deadlock, LockPicture, LockTable, LockWait, TableRows, Warning};
use crate::parse::lock_tables::{parse_lock_table, NotALockTable};
use crate::parse::{parse_deadlock, parse_logger_rows, parse_transaction_list};
use crate::redact::{RedactOptions, Redactor};
use crate::schema::Schema;
use crate::sink::{Analysed, LockWaits, Render, Sink, VecSink};
use crate::split::{split_reader, Piece, PieceSink};

/// A batch is handed to the workers once it holds this much report text…
const BATCH_BYTES: usize = 64 * 1024;
/// …or this many pieces, or when the splitter is about to wait for input.
const BATCH_PIECES: usize = 64;
/// Batches in flight between the splitter and the sink, per worker.
const WINDOW_PER_WORKER: usize = 4;
/// A render buffer larger than this is not kept for the next batch.
const MAX_KEPT_BUFFER: usize = 4 << 20;
/// Workers at most, whatever the machine.
const MAX_WORKERS: usize = 16;

/// What one input yielded.
#[derive(Debug, Default)]
pub struct InputStats {
    pub deadlocks: usize,
    pub warnings: usize,
    pub bytes: u64,
    /// Some InnoDB text was seen (a monitor output, a deadlock, an InnoDB log line, a lock
    /// table). False means the input is not something lockscope reads at all.
    pub recognised: bool,
    /// The lock-wait material of this input: TRANSACTIONS sections and lock tables. Inputs of
    /// one moment are joined before they are reported ([`report_lock_waits`]).
    pub lock_picture: LockPicture,
    /// The last deadlocks seen, by content: a copy that pastes one report twice is warned about.
    recent: Vec<(u64, usize)>,
    /// The last reports seen, by what pt-deadlock-logger keeps of them: its rows of the same
    /// deadlock, pasted after the report, are not a second deadlock.
    recent_reports: Vec<(usize, Summary)>,
    /// pt-deadlock-logger rows, held until the next deadlock (the report they may have been
    /// made from, pasted after them) or the end of the input.
    pending_rows: Option<Analysed>,
}

/// What a report and pt-deadlock-logger's rows of it share: the time of day and, per
/// transaction, the thread id and the statement (single-spaced).
#[derive(Debug)]
struct Summary {
    time: Option<String>,
    transactions: Vec<(Option<u64>, Option<String>)>,
}

impl Summary {
    /// Bytes of each statement kept for the comparison.
    const HEAD: usize = 160;

    fn of(d: &crate::model::Deadlock) -> Summary {
        let time = d
            .timestamp
            .as_deref()
            .and_then(|t| t.split([' ', 'T']).find(|w| w.contains(':')))
            .map(|w| w.get(..8).unwrap_or(w).to_string());
        // Statements are compared by prefix (the report's may be cut at the print limit), so
        // the head of each is enough: the summary is built for every report of a log.
        let head = |q: &str| {
            let mut end = Self::HEAD.min(q.len());
            while !q.is_char_boundary(end) {
                end -= 1;
            }
            crate::diagnose::squash(q.get(..end).unwrap_or(q))
        };
        Summary {
            time,
            transactions: d
                .transactions
                .iter()
                .map(|t| (t.thread_id, t.query.as_deref().map(head)))
                .collect(),
        }
    }

    /// Whether `rows` (pt-deadlock-logger's) describe the deadlock this report summarises:
    /// the same number of transactions, the same time of day when both have one, and each row
    /// a transaction of the report with its thread id (when both print one) and its statement
    /// (when both print one; the report's may be cut at the print limit).
    fn matches(&self, rows: &Summary) -> bool {
        if self.transactions.is_empty() || self.transactions.len() != rows.transactions.len() {
            return false;
        }
        if let (Some(a), Some(b)) = (&self.time, &rows.time) {
            if a != b {
                return false;
            }
        }
        let mut evidence = 0;
        let mut used = vec![false; self.transactions.len()];
        for (thread, query) in &rows.transactions {
            let found = self.transactions.iter().enumerate().find(|(k, (t, q))| {
                let same_thread = match (t, thread) {
                    (Some(a), Some(b)) => Some(a == b),
                    _ => None,
                };
                let same_query = match (q, query) {
                    (Some(a), Some(b)) => {
                        Some(a.starts_with(b.as_str()) || b.starts_with(a.as_str()))
                    }
                    _ => None,
                };
                !used.get(*k).copied().unwrap_or(true)
                    && same_thread != Some(false)
                    && same_query != Some(false)
                    && (same_thread.is_some() || same_query.is_some())
            });
            let Some((k, (t, _))) = found else {
                return false;
            };
            if let Some(u) = used.get_mut(k) {
                *u = true;
            }
            evidence += usize::from(t.is_some() && thread.is_some());
        }
        // Statements alone match too easily (two sessions running the same code): thread ids
        // or the time must agree as well.
        evidence > 0 || (self.time.is_some() && rows.time.is_some())
    }
}

/// Deadlocks remembered for [`same_as_before`]: a report pasted twice sits close to itself.
const RECENT_DEADLOCKS: usize = 16;

/// The line of an identical deadlock among the last few of this input (the same time, trx ids,
/// statements and locks: one report pasted twice, hunt-deadlocks c-012), remembering this one.
fn same_as_before(recent: &mut Vec<(u64, usize)>, d: &crate::model::Deadlock) -> Option<usize> {
    use std::hash::{BuildHasher, Hash, Hasher};
    if d.transactions.iter().all(|t| t.trx_id.is_empty()) {
        return None;
    }
    // A fixed seed: the key only needs to tell reports apart within one input, quickly (this
    // runs on the thread that writes every report).
    let mut h = foldhash::fast::FixedState::with_seed(0).build_hasher();
    d.timestamp.hash(&mut h);
    d.victim.number.hash(&mut h);
    for t in &d.transactions {
        (t.number, t.trx_id.as_str(), t.query.as_deref()).hash(&mut h);
        for l in t
            .holds
            .iter()
            .chain(&t.waits_for)
            .chain(&t.conflicting_with)
        {
            l.text.hash(&mut h);
            l.records.len().hash(&mut h);
        }
    }
    let key = h.finish();
    let earlier = recent
        .iter()
        .find(|(k, _)| *k == key)
        .map(|&(_, line)| line);
    if recent.len() == RECENT_DEADLOCKS {
        recent.remove(0);
    }
    recent.push((key, d.line));
    earlier
}

/// Reports cut by the splitter, numbered in input order.
struct Batch {
    seq: u64,
    pieces: Vec<Piece>,
}

/// One output of a worker, in input order within its batch.
enum Item {
    Warning(Warning),
    /// Waits read from a TRANSACTIONS section.
    StatusWaits(Vec<LockWait>),
    /// A lock table's result set (or a piece of it).
    Table(LockTable),
    /// A deadlock and, when the sink pre-renders, its bytes in `Done::rendered`.
    Deadlock {
        analysed: Analysed,
        rendered: Option<(usize, usize)>,
        /// Read from pt-deadlock-logger's rows, not from the server's report.
        rows: bool,
    },
}

/// A processed batch.
struct Done {
    seq: u64,
    /// The worker that made it: what the sink is done with goes back to it (`Spent`).
    worker: usize,
    /// The items, or the payload of a panic while making them.
    items: std::thread::Result<Vec<Item>>,
    rendered: Vec<u8>,
}

/// What the sink side is done with, handed back to the worker that made it: freeing memory on
/// the thread that allocated it is cheaper, and the render buffer is used again.
struct Spent {
    deadlocks: Vec<Analysed>,
    rendered: Vec<u8>,
}

/// What an analysis may use besides its input.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Table definitions (`--schema`): records are decoded into named columns after parsing.
    pub schema: Option<Arc<Schema>>,
    /// `--redact`: values, hosts and users (and names, if asked) replaced before analysis.
    pub redact: Option<RedactOptions>,
    /// No report will show a shape: its statements are not fingerprinted (`Shape::default()`).
    pub skip_shapes: bool,
}

/// Streams one input through the pipeline into `sink`. Only IO errors (reading the input or
/// writing the sink) are errors; bad text becomes warnings.
pub fn analyze_reader<R: Read + Send>(
    name: &str,
    reader: R,
    sink: &mut dyn Sink,
) -> io::Result<InputStats> {
    analyze_reader_with(name, reader, sink, &Options::default())
}

/// [`analyze_reader`] with [`Options`].
pub fn analyze_reader_with<R: Read + Send>(
    name: &str,
    reader: R,
    sink: &mut dyn Sink,
    options: &Options,
) -> io::Result<InputStats> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, MAX_WORKERS);
    let window = workers * WINDOW_PER_WORKER;
    let renderer = sink.renderer();
    let (work_tx, work_rx) = bounded::<Batch>(window);
    let (done_tx, done_rx) = bounded::<Done>(window);
    // Tokens: the splitter takes one per batch, the sink side gives it back once the batch is
    // written. This bounds the reorder buffer too.
    let (token_tx, token_rx) = bounded::<()>(window);
    for _ in 0..window {
        let _ = token_tx.send(());
    }
    let mut token_tx = Some(token_tx);
    // Unbounded, but each holds at most the `window` batches the tokens allow.
    let (spent_txs, spent_rxs): (Vec<_>, Vec<_>) =
        (0..workers).map(|_| unbounded::<Spent>()).unzip();
    std::thread::scope(|scope| {
        let redact = options.redact;
        let splitting = scope.spawn(move || split_input(reader, &work_tx, &token_rx, redact));
        for (worker, spent) in spent_rxs.into_iter().enumerate() {
            let (rx, tx, renderer) = (work_rx.clone(), done_tx.clone(), renderer.clone());
            let channels = Channels {
                batches: rx,
                done: tx,
                spent,
            };
            scope.spawn(move || work(name, worker, &channels, renderer.as_ref(), options));
        }
        drop((work_rx, done_tx));

        let mut stats = InputStats::default();
        let mut result = Ok(());
        let mut panicked = None;
        let mut waiting: BTreeMap<u64, Done> = BTreeMap::new();
        let mut next = 0u64;
        loop {
            let done = match done_rx.try_recv() {
                Ok(done) => done,
                Err(TryRecvError::Empty) => {
                    // Nothing ready: let a live reader see what is written so far.
                    if result.is_ok() {
                        result = sink.flush();
                    }
                    match done_rx.recv() {
                        Ok(done) => done,
                        Err(_) => break,
                    }
                }
                Err(TryRecvError::Disconnected) => break,
            };
            waiting.insert(done.seq, done);
            while let Some(done) = waiting.remove(&next) {
                next += 1;
                let mut spent = Spent {
                    deadlocks: Vec::with_capacity(BATCH_PIECES),
                    rendered: done.rendered,
                };
                match done.items {
                    Ok(items) if result.is_ok() && panicked.is_none() => {
                        result = emit(items, &mut spent, sink, &mut stats, name);
                    }
                    Ok(_) => {}
                    Err(payload) => panicked = Some(payload),
                }
                if let Some(back) = spent_txs.get(done.worker) {
                    // A worker that has stopped leaves it to be freed here.
                    let _ = back.send(spent);
                }
                if result.is_err() || panicked.is_some() {
                    // No more tokens: the splitter stops at its next batch and all drains.
                    token_tx = None;
                }
                if let Some(tokens) = &token_tx {
                    let _ = tokens.send(());
                }
            }
        }
        drop(token_tx);
        let read = splitting.join();
        if let Some(payload) = panicked {
            panic::resume_unwind(payload);
        }
        let (bytes, recognised) = match read {
            Ok(read) => read?,
            Err(_) => return Err(io::Error::other("the input thread stopped unexpectedly")),
        };
        result?;
        flush_pending_rows(&mut stats, sink)?;
        stats.lock_picture.finish();
        stats.bytes = bytes;
        stats.recognised = recognised || stats.deadlocks > 0 || !stats.lock_picture.is_empty();
        Ok(stats)
    })
}

/// Analyses a whole text (tests, fuzzing, the live layer): every deadlock with its findings,
/// and the warnings.
pub fn analyze_text(name: &str, text: &str) -> (Vec<Analysed>, Vec<Warning>) {
    let (sink, _) = analyze_text_fully(name, text);
    (sink.deadlocks, sink.warnings)
}

/// Analyses a whole text into a [`VecSink`]: deadlocks, warnings and the joined lock waits;
/// also returns whether the text held anything lockscope reads.
pub fn analyze_text_fully(name: &str, text: &str) -> (VecSink, bool) {
    let mut sink = VecSink::default();
    // Reading from memory cannot fail, and VecSink never errors.
    let recognised = match analyze_reader(name, text.as_bytes(), &mut sink) {
        Ok(stats) => {
            let _ = report_lock_waits(&stats.lock_picture, &mut sink);
            stats.recognised
        }
        Err(_) => false,
    };
    (sink, recognised)
}

/// Joins the lock-wait material of every input of one moment, diagnoses it and hands it to the
/// sink (once, before `finish`). Returns how many waits there were.
pub fn report_lock_waits(picture: &LockPicture, sink: &mut dyn Sink) -> io::Result<usize> {
    report_lock_waits_counted(picture, sink).map(|(waits, _)| waits)
}

/// [`report_lock_waits`], and how many warnings it gave (for the summary's count).
pub fn report_lock_waits_counted(
    picture: &LockPicture,
    sink: &mut dyn Sink,
) -> io::Result<(usize, usize)> {
    if picture.is_empty() {
        return Ok((0, 0));
    }
    let mut warned = 0;
    for w in picture.snapshot_notes() {
        sink.warning(w)?;
        warned += 1;
    }
    let waits = picture.lock_waits();
    warned += undirected_warnings(picture, &waits, sink)?;
    let held = picture.held();
    let findings = diagnose_lock_waits(&LockScene {
        waits: &waits,
        held: &held,
    });
    let n = waits.len();
    let histories = picture.histories(&waits);
    sink.lock_waits(&LockWaits {
        waits,
        findings,
        held,
        lock_rows: picture.lock_rows(),
        histories,
    })?;
    Ok((n, warned))
}

/// Status-less rows (INNODB_LOCKS) of two transactions on one record that no wait explains:
/// one waits for the other, the input does not say which. A few are named, the rest counted.
/// Returns how many warnings were given.
fn undirected_warnings(
    picture: &LockPicture,
    waits: &[LockWait],
    sink: &mut dyn Sink,
) -> io::Result<usize> {
    const NAMED: usize = 5;
    let explained: HashSet<(&str, &str)> = waits
        .iter()
        .filter_map(|w| {
            Some((
                w.requesting.trx_id.as_str(),
                w.blocking.as_ref()?.trx_id.as_str(),
            ))
        })
        .flat_map(|(r, b)| [(r, b), (b, r)])
        .collect();
    let unexplained: Vec<_> = picture
        .undirected_conflicts()
        .into_iter()
        .filter(|(_, a, b)| !explained.contains(&(a.trx_id.as_str(), b.trx_id.as_str())))
        .collect();
    // INNODB_LOCKS (5.x, MariaDB) has no status column; its waits table is INNODB_LOCK_WAITS.
    // Read with it, a pair it does not explain is of another moment than the waits table.
    let why = if picture.has_waits_table() {
        "the waits table read with it does not list them (a copy of another moment?)"
    } else {
        "the table has no lock status to tell which (add `INNODB_LOCK_WAITS`)"
    };
    let mut warned = 0;
    for (input, a, b) in unexplained.iter().take(NAMED) {
        sink.warning(&Warning {
            input: input.to_string(),
            line: b.line,
            message: format!(
                "trx `{}` and trx `{}` lock the same record of {} (`{}`, `{}`): one waits for the \
                 other, but {why}",
                a.trx_id, b.trx_id, a.table, a.mode_text, b.mode_text
            ),
            text: b.data.clone(),
        })?;
        warned += 1;
    }
    if let Some((input, _, b)) = unexplained.get(NAMED) {
        sink.warning(&Warning {
            input: input.to_string(),
            line: b.line,
            message: format!(
                "… and {} more pairs of transactions locking the same record without a lock \
                 status",
                unexplained.len() - NAMED
            ),
            text: None,
        })?;
        warned += 1;
    }
    Ok(warned)
}

/// Reads, unwraps and splits (redacting each piece first when asked); returns the bytes read
/// and whether any InnoDB text was seen.
fn split_input<R: Read>(
    reader: R,
    tx: &Sender<Batch>,
    tokens: &Receiver<()>,
    redact: Option<RedactOptions>,
) -> io::Result<(u64, bool)> {
    let mut batcher = Batcher {
        tx,
        tokens,
        seq: 0,
        pieces: Vec::new(),
        bytes: 0,
        stopped: false,
    };
    let stats = match redact {
        Some(options) => {
            let mut redacting = Redacting {
                redactor: Redactor::new(options),
                inner: &mut batcher,
            };
            split_reader(reader, &mut redacting)?
        }
        None => split_reader(reader, &mut batcher)?,
    };
    batcher.send();
    Ok((stats.bytes, stats.recognised))
}

/// Redacts each piece on its way to the batcher (`--redact`): every report format then says
/// only what the redacted text says.
struct Redacting<'a, 'b> {
    redactor: Redactor,
    inner: &'a mut Batcher<'b>,
}

impl PieceSink for Redacting<'_, '_> {
    fn piece(&mut self, piece: Piece) {
        if let Some(piece) = self.redactor.piece(piece) {
            self.inner.push(piece);
        }
    }

    fn idle(&mut self) {
        self.inner.idle();
    }

    fn stopped(&self) -> bool {
        self.inner.stopped()
    }
}

impl PieceSink for Batcher<'_> {
    fn piece(&mut self, piece: Piece) {
        self.push(piece);
    }

    fn idle(&mut self) {
        self.send();
    }

    fn stopped(&self) -> bool {
        self.stopped
    }
}

/// Gathers pieces into numbered batches for the workers.
struct Batcher<'a> {
    tx: &'a Sender<Batch>,
    tokens: &'a Receiver<()>,
    seq: u64,
    pieces: Vec<Piece>,
    bytes: usize,
    /// The sink side stopped (a write error): nothing more is wanted.
    stopped: bool,
}

impl Batcher<'_> {
    fn push(&mut self, piece: Piece) {
        if let Piece::Deadlock(chunk) = &piece {
            self.bytes += chunk.byte_len();
        }
        self.pieces.push(piece);
        if self.bytes >= BATCH_BYTES || self.pieces.len() >= BATCH_PIECES {
            self.send();
        }
    }

    fn send(&mut self) {
        if self.pieces.is_empty() || self.stopped {
            return;
        }
        let pieces = std::mem::replace(&mut self.pieces, Vec::with_capacity(BATCH_PIECES));
        self.bytes = 0;
        // No token, or no worker: the other side stopped.
        if self.tokens.recv().is_err() {
            self.stopped = true;
            return;
        }
        let batch = Batch {
            seq: self.seq,
            pieces,
        };
        self.seq += 1;
        if self.tx.send(batch).is_err() {
            self.stopped = true;
        }
    }
}

/// A worker's channels: batches in, processed batches out, spent batches back.
struct Channels {
    batches: Receiver<Batch>,
    done: Sender<Done>,
    spent: Receiver<Spent>,
}

/// A worker: parses, diagnoses and renders batches until the splitter is done.
fn work(
    name: &str,
    worker: usize,
    channels: &Channels,
    renderer: Option<&Render>,
    options: &Options,
) {
    let mut buffers: Vec<Vec<u8>> = Vec::new();
    for batch in &channels.batches {
        for spent in channels.spent.try_iter() {
            drop(spent.deadlocks);
            // An oversized report's buffer is let go rather than kept.
            if spent.rendered.capacity() <= MAX_KEPT_BUFFER {
                buffers.push(spent.rendered);
            }
        }
        let mut rendered = buffers.pop().unwrap_or_default();
        rendered.clear();
        if renderer.is_some() {
            // JSON runs to about three times the report's text: room for it up front, so the
            // buffer does not regrow (a reused buffer usually has it already). One too small is
            // replaced, not grown: growing would copy its stale bytes.
            let text: usize = batch
                .pieces
                .iter()
                .map(|p| match p {
                    Piece::Deadlock(chunk) => chunk.byte_len(),
                    _ => 0,
                })
                .sum();
            let room = text * 4;
            if rendered.capacity() < room {
                // With a margin, so that the next batches' buffers fit it too.
                rendered = Vec::with_capacity(room + room / 4);
            }
        }
        let items = panic::catch_unwind(AssertUnwindSafe(|| {
            process(name, batch.pieces, renderer, &mut rendered, options)
        }));
        let failed = items.is_err();
        if channels
            .done
            .send(Done {
                seq: batch.seq,
                worker,
                items,
                rendered,
            })
            .is_err()
            || failed
        {
            return;
        }
    }
}

fn process(
    name: &str,
    pieces: Vec<Piece>,
    renderer: Option<&Render>,
    rendered: &mut Vec<u8>,
    options: &Options,
) -> Vec<Item> {
    let mut items = Vec::with_capacity(pieces.len() * 2);
    for piece in pieces {
        match piece {
            Piece::Deadlock(chunk) => {
                let parsed = parse_deadlock(name, &chunk);
                drop(chunk);
                analyse_deadlock(parsed, renderer, rendered, options, &mut items, false);
            }
            Piece::LoggerRows(rows) => {
                let parsed = parse_logger_rows(name, &rows);
                drop(rows);
                analyse_deadlock(parsed, renderer, rendered, options, &mut items, true);
            }
            Piece::Oversized { line } => items.push(Item::Warning(Warning {
                input: name.to_string(),
                line,
                message: "report too large to be a deadlock report: cut here".to_string(),
                text: None,
            })),
            Piece::ClusterConflict { line } => items.push(Item::Warning(Warning {
                input: name.to_string(),
                line,
                message: "a Galera cluster conflict (brute-force abort: a replicated write \
                          aborted a local transaction), not an InnoDB deadlock: the local \
                          transaction gets 1213 and should be retried"
                    .to_string(),
                text: None,
            })),
            Piece::Transactions(chunk) => {
                let (trxs, warnings) = parse_transaction_list(name, &chunk);
                items.extend(warnings.into_iter().map(Item::Warning));
                items.push(Item::StatusWaits(LockWait::from_transactions(&trxs, name)));
            }
            Piece::Table(table) => {
                let query: Vec<&str> = table.query.iter().map(String::as_str).collect();
                match parse_lock_table(table.shape, &query, table.chunk.lines()) {
                    Ok(mut t) => {
                        row_problems(name, std::mem::take(&mut t.problems), &mut items);
                        items.push(Item::Table(t));
                    }
                    Err(NotALockTable::Empty) => {}
                    Err(NotALockTable::Other { line, columns }) => {
                        items.push(Item::Warning(Warning {
                            input: name.to_string(),
                            line,
                            message: "not a lock table lockscope reads: ignored".to_string(),
                            text: Some(columns),
                        }))
                    }
                }
            }
        }
    }
    items
}

/// A parsed deadlock decoded, diagnosed and (with a renderer) rendered into `rendered`, its
/// warnings first.
fn analyse_deadlock(
    (mut deadlock, warnings): (Deadlock, Vec<Warning>),
    renderer: Option<&Render>,
    rendered: &mut Vec<u8>,
    options: &Options,
    items: &mut Vec<Item>,
    rows: bool,
) {
    items.extend(warnings.into_iter().map(Item::Warning));
    if deadlock.transactions.is_empty() {
        return;
    }
    if let Some(schema) = &options.schema {
        let warnings = decode_deadlock(&mut deadlock, schema);
        items.extend(warnings.into_iter().map(Item::Warning));
    }
    let findings = diagnose(&deadlock);
    let analysed = if options.skip_shapes {
        Analysed::without_shape(deadlock, findings)
    } else {
        Analysed::new(deadlock, findings)
    };
    let start = rendered.len();
    let range = match renderer.map(|render| render(&analysed, rendered)) {
        Some(Ok(())) => Some((start, rendered.len())),
        // Let the sink render it itself (and report the error).
        Some(Err(_)) => {
            rendered.truncate(start);
            None
        }
        None => None,
    };
    items.push(Item::Deadlock {
        analysed,
        rendered: range,
        rows,
    });
}

/// Rows of a lock table not read whole, as warnings: the first few each, the rest counted (a
/// paste mangled on every row must not bury the report).
fn row_problems(name: &str, problems: Vec<(usize, String)>, items: &mut Vec<Item>) {
    const NAMED: usize = 3;
    let more = problems.len().saturating_sub(NAMED);
    let last = problems.last().map_or(0, |(line, _)| *line);
    for (line, message) in problems.into_iter().take(NAMED) {
        items.push(Item::Warning(Warning {
            input: name.to_string(),
            line,
            message,
            text: None,
        }));
    }
    if more > 0 {
        items.push(Item::Warning(Warning {
            input: name.to_string(),
            line: last,
            message: format!("… and {more} more rows of this table not read whole, up to here"),
            text: None,
        }));
    }
}

/// Feeds one batch's items to the sink; the deadlocks go to `spent` afterwards. Deadlocks
/// rendered one after another go to the sink together (`Sink::rendered_deadlocks`).
fn emit(
    items: Vec<Item>,
    spent: &mut Spent,
    sink: &mut dyn Sink,
    stats: &mut InputStats,
    name: &str,
) -> io::Result<()> {
    let mut run = Run::default();
    // Only the batch's last deadlock can be the input's latest (the one statement histories
    // are told for): the others' threads are never copied.
    let mut latest = None;
    for item in items {
        // A run goes on only with the next bytes of the buffer.
        match &item {
            Item::Deadlock {
                rendered: Some((start, _)),
                ..
            } if run.continues_at(*start) => {}
            _ => run.emit(spent, sink)?,
        }
        match item {
            Item::Warning(w) => {
                stats.warnings += 1;
                sink.warning(&w)?;
            }
            Item::StatusWaits(waits) => stats.lock_picture.add_status(waits),
            Item::Table(table) => {
                if let TableRows::Locks(rows) = &table.rows {
                    sink.lock_rows(name, rows)?;
                }
                stats.lock_picture.add_table(name, table);
            }
            Item::Deadlock { analysed, rows, .. } if rows => {
                let summary = Summary::of(&analysed.deadlock);
                let report = stats
                    .recent_reports
                    .iter()
                    .rev()
                    .find(|(_, r)| r.matches(&summary))
                    .map(|(line, _)| *line);
                if let Some(line) = report {
                    stats.warnings += 1;
                    sink.warning(&Warning {
                        input: name.to_string(),
                        line: analysed.deadlock.line,
                        message: format!(
                            "pt-deadlock-logger rows of the deadlock reported at line {line} \
                             (same time, threads and statements): counted once"
                        ),
                        text: None,
                    })?;
                    continue;
                }
                run.emit(spent, sink)?;
                flush_pending_rows(stats, sink)?;
                stats.pending_rows = Some(analysed);
            }
            Item::Deadlock {
                analysed, rendered, ..
            } => {
                let summary = Summary::of(&analysed.deadlock);
                let same_rows = stats
                    .pending_rows
                    .as_ref()
                    .filter(|p| summary.matches(&Summary::of(&p.deadlock)))
                    .map(|p| p.deadlock.line);
                if let Some(line) = same_rows {
                    stats.pending_rows = None;
                    stats.warnings += 1;
                    sink.warning(&Warning {
                        input: name.to_string(),
                        line,
                        message: format!(
                            "pt-deadlock-logger rows of the deadlock reported at line {} (same \
                             time, threads and statements): counted once",
                            analysed.deadlock.line
                        ),
                        text: None,
                    })?;
                } else if stats.pending_rows.is_some() {
                    run.emit(spent, sink)?;
                    flush_pending_rows(stats, sink)?;
                }
                if stats.recent_reports.len() == RECENT_DEADLOCKS {
                    stats.recent_reports.remove(0);
                }
                stats.recent_reports.push((analysed.deadlock.line, summary));
                if let Some(line) = same_as_before(&mut stats.recent, &analysed.deadlock) {
                    run.emit(spent, sink)?;
                    stats.warnings += 1;
                    sink.warning(&Warning {
                        input: name.to_string(),
                        line: analysed.deadlock.line,
                        message: format!(
                            "same deadlock as line {line}: the report is in the input twice"
                        ),
                        text: None,
                    })?;
                }
                stats.deadlocks += 1;
                latest = Some(spent.deadlocks.len());
                match rendered {
                    Some((start, end)) => run.push(spent.deadlocks.len(), start, end),
                    None => sink.deadlock(&analysed)?,
                }
                spent.deadlocks.push(analysed);
            }
        }
    }
    if let Some(a) = latest.and_then(|i| spent.deadlocks.get(i)) {
        stats.lock_picture.note_deadlock(&a.deadlock);
    }
    run.emit(spent, sink)
}

/// Hands the held pt-deadlock-logger deadlock to the sink: no report of it followed.
fn flush_pending_rows(stats: &mut InputStats, sink: &mut dyn Sink) -> io::Result<()> {
    let Some(rows) = stats.pending_rows.take() else {
        return Ok(());
    };
    stats.deadlocks += 1;
    stats.lock_picture.note_deadlock(&rows.deadlock);
    sink.deadlock(&rows)
}

/// Deadlocks whose renderings follow one another in the batch's buffer, not yet emitted.
#[derive(Default)]
struct Run {
    /// Where the first one is in `Spent::deadlocks`…
    first: usize,
    /// …and where its bytes start in `Spent::rendered`.
    start: usize,
    /// Where each one's bytes end, from `start`.
    ends: Vec<usize>,
}

impl Run {
    /// Whether bytes starting at `start` can join this run.
    fn continues_at(&self, start: usize) -> bool {
        self.ends.is_empty() || self.end() == start
    }

    /// Adds the deadlock at `index` of `Spent::deadlocks`, rendered at `start..end`.
    fn push(&mut self, index: usize, start: usize, end: usize) {
        if self.ends.is_empty() {
            self.first = index;
            self.start = start;
        }
        self.ends.push(end - self.start);
    }

    fn end(&self) -> usize {
        self.start + self.ends.last().copied().unwrap_or(0)
    }

    fn emit(&mut self, spent: &Spent, sink: &mut dyn Sink) -> io::Result<()> {
        if self.ends.is_empty() {
            return Ok(());
        }
        let analysed = spent.deadlocks.get(self.first..).unwrap_or_default();
        let rendered = spent
            .rendered
            .get(self.start..self.end())
            .unwrap_or_default();
        let result = sink.rendered_deadlocks(analysed, rendered, &self.ends);
        self.ends.clear();
        result
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Deadlock, Transaction};

    fn deadlock(time: &str, trx: &[(u64, &str)]) -> Deadlock {
        Deadlock {
            timestamp: Some(time.to_string()),
            transactions: trx
                .iter()
                .map(|&(thread, query)| Transaction {
                    thread_id: Some(thread),
                    query: Some(query.to_string()),
                    ..Transaction::default()
                })
                .collect(),
            ..Deadlock::default()
        }
    }

    // See: fixtures/shapes/logger-04 (a report, then pt-deadlock-logger's rows of it).
    #[test]
    fn logger_rows_match_the_report_they_came_from() {
        let report = Summary::of(&deadlock(
            "2014-08-16 22:50:47",
            &[
                (234, "replace into t values (1)"),
                (237, "replace  into t\nvalues (2)"),
            ],
        ));
        let rows = |time: &str, a: u64, b: u64| {
            Summary::of(&deadlock(
                time,
                &[
                    (a, "replace into t values (1)"),
                    (b, "replace into t values (2)"),
                ],
            ))
        };
        assert!(report.matches(&rows("2014-08-16 22:50:47", 234, 237)));
        // Each thread ran the other's statement: not the same deadlock.
        assert!(!report.matches(&rows("2014-08-16 22:50:47", 237, 234)));
        assert!(!report.matches(&rows("2014-08-16 22:50:48", 234, 237)));
        assert!(!report.matches(&rows("2014-08-16 22:50:47", 234, 238)));
        let one = Summary::of(&deadlock("2014-08-16 22:50:47", &[(234, "x")]));
        assert!(!report.matches(&one));
    }
}
