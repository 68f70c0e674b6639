//! Writes a `performance_schema.data_locks` result set at incident scale, for the lock-table
//! benchmark (`scripts/bench-locks.sh`): one big UPDATE holds an X next-key lock on every row of
//! `shop`.`orders` it touched, and a few dozen sessions each wait for an X record-only lock on
//! one of those rows, with no `data_lock_waits` beside it.
//!
//! The columns and their order are the reference manual's (MySQL 8.0 `data_locks`, 15 columns);
//! lock ids have the manual's shapes (`trx_ptr:table_id:lock_ptr` for table locks,
//! `trx_ptr:space:page:heap:lock_ptr` for record locks, one lock struct per page as InnoDB keeps
//! them); the shapes are the client's (`mysql -t`, `\G`, `-B`).
//!
//!     cargo run --release --example gen_data_locks -- --rows 1000000 --shape boxed > locks.txt
//!
//! Options: `--rows N` (all rows, default 1,000,000), `--waiters N` (default 100),
//! `--shape boxed|vertical|batch` (default boxed).

use std::io::{self, BufWriter, Write};

/// The manual's column list, as the reader knows it.
use lockscope::parse::lock_tables::DATA_LOCKS_COLUMNS as COLUMNS;

/// ENGINE_TRANSACTION_ID, THREAD_ID, EVENT_ID, OBJECT_INSTANCE_BEGIN.
const NUMERIC: [usize; 4] = [2, 3, 4, 10];

/// Records per clustered-index page (heap numbers 2.., 1 is the supremum).
const PER_PAGE: u64 = 400;
const SPACE: u64 = 37;
const TABLE_ID: u64 = 1081;
const FIRST_PAGE: u64 = 4;

struct Plan {
    /// Record rows of the big statement (not counting its table lock and the supremum).
    held: u64,
    waiters: u64,
}

impl Plan {
    fn rows(&self) -> u64 {
        1 + self.held + 1 + 2 * self.waiters
    }

    /// Row `i` of the result set: the holder's table lock, its record locks in key order, the
    /// supremum of its last page, then each waiter's table lock and waiting record lock.
    fn row(&self, i: u64) -> [String; 15] {
        let holder = Trx {
            id: 2851,
            thread: 47,
        };
        if i == 0 {
            return holder.table_lock();
        }
        if i <= self.held {
            return holder.record(i, "X", "GRANTED", i.to_string());
        }
        if i == self.held + 1 {
            let last_page = key_page(self.held.max(1));
            let mut row = holder.record(self.held, "X", "GRANTED", "supremum pseudo-record".into());
            row[1] = format!(
                "{}:{SPACE}:{last_page}:1:{}",
                holder.ptr(),
                holder.page_lock(last_page)
            );
            return row;
        }
        let j = i - self.held - 2;
        let waiter = Trx {
            id: 2852 + j / 2,
            thread: 48 + j / 2,
        };
        if j % 2 == 0 {
            return waiter.table_lock();
        }
        // Spread over the held keys, so each waits on a different row of the big statement.
        let key = 1 + (j / 2) * (self.held / self.waiters.max(1)).max(1);
        let key = key.min(self.held.max(1));
        waiter.record(key, "X,REC_NOT_GAP", "WAITING", key.to_string())
    }
}

fn key_page(key: u64) -> u64 {
    FIRST_PAGE + (key - 1) / PER_PAGE
}

struct Trx {
    id: u64,
    thread: u64,
}

impl Trx {
    fn ptr(&self) -> u64 {
        140_230_581_001_000 + self.id * 1_144
    }

    fn page_lock(&self, page: u64) -> u64 {
        140_230_492_000_000 + self.id * 65_536 + page * 328
    }

    fn common(&self, lock_id: String, index: &str, object: u64, kind: &str) -> [String; 15] {
        [
            "INNODB".into(),
            lock_id,
            self.id.to_string(),
            self.thread.to_string(),
            (self.thread * 3 + 7).to_string(),
            "shop".into(),
            "orders".into(),
            "NULL".into(),
            "NULL".into(),
            index.into(),
            object.to_string(),
            kind.into(),
            String::new(),
            String::new(),
            String::new(),
        ]
    }

    fn table_lock(&self) -> [String; 15] {
        let object = 140_230_492_000_000 + self.id * 65_536;
        let mut row = self.common(
            format!("{}:{TABLE_ID}:{object}", self.ptr()),
            "NULL",
            object,
            "TABLE",
        );
        row[12] = "IX".into();
        row[13] = "GRANTED".into();
        row[14] = "NULL".into();
        row
    }

    fn record(&self, key: u64, mode: &str, status: &str, data: String) -> [String; 15] {
        let page = key_page(key);
        let heap = 2 + (key - 1) % PER_PAGE;
        let object = self.page_lock(page);
        let lock_id = format!("{}:{SPACE}:{page}:{heap}:{object}", self.ptr());
        let mut row = self.common(lock_id, "PRIMARY", object, "RECORD");
        row[12] = mode.into();
        row[13] = status.into();
        row[14] = data;
        row
    }
}

#[derive(Clone, Copy, PartialEq)]
pub enum Shape {
    Boxed,
    Vertical,
    Batch,
}

fn main() -> io::Result<()> {
    let mut rows: u64 = 1_000_000;
    let mut waiters: u64 = 100;
    let mut shape = Shape::Boxed;
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        let value = args.next().unwrap_or_default();
        match (arg.as_str(), value.as_str()) {
            ("--rows", v) => rows = v.replace(['_', ','], "").parse().map_err(bad)?,
            ("--waiters", v) => waiters = v.parse().map_err(bad)?,
            ("--shape", "boxed") => shape = Shape::Boxed,
            ("--shape", "vertical") => shape = Shape::Vertical,
            ("--shape", "batch") => shape = Shape::Batch,
            _ => {
                return Err(bad(format!(
                    "unknown argument {arg} {value} (see the doc comment)"
                )))
            }
        }
    }
    let out = io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 20, out);
    generate(shape, rows, waiters, &mut out)?;
    out.flush()
}

/// Writes `rows` rows (at least the holder's table lock, one record and the supremum, and two
/// per waiter) in `shape`. Also used by `tests/scale.rs`.
pub fn generate(shape: Shape, rows: u64, waiters: u64, out: &mut impl Write) -> io::Result<()> {
    let held = rows.saturating_sub(2 + 2 * waiters).max(1);
    let plan = Plan { held, waiters };
    match shape {
        Shape::Boxed => boxed(&plan, out),
        Shape::Vertical => vertical(&plan, out),
        Shape::Batch => batch(&plan, out),
    }
}

fn bad(e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, e.to_string())
}

fn boxed(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    let mut widths: Vec<usize> = COLUMNS.iter().map(|c| c.len()).collect();
    for i in 0..plan.rows() {
        for (w, cell) in widths.iter_mut().zip(plan.row(i)) {
            *w = (*w).max(cell.len());
        }
    }
    let border: String = widths
        .iter()
        .map(|w| format!("+{}", "-".repeat(w + 2)))
        .collect::<String>()
        + "+";
    let line = |cells: &[String], out: &mut dyn Write| -> io::Result<()> {
        for (column, (cell, &w)) in cells.iter().zip(&widths).enumerate() {
            // The client right-aligns the numeric columns (BIGINT UNSIGNED), left-aligns text.
            if NUMERIC.contains(&column) {
                write!(out, "| {cell:>w$} ")?;
            } else {
                write!(out, "| {cell:<w$} ")?;
            }
        }
        writeln!(out, "|")
    };
    writeln!(out, "mysql> SELECT * FROM performance_schema.data_locks;")?;
    writeln!(out, "{border}")?;
    let header: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    line(&header, out)?;
    writeln!(out, "{border}")?;
    for i in 0..plan.rows() {
        line(&plan.row(i), out)?;
    }
    writeln!(out, "{border}")?;
    writeln!(out, "{} rows in set (2.41 sec)", plan.rows())
}

fn vertical(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "mysql> SELECT * FROM performance_schema.data_locks\\G")?;
    for i in 0..plan.rows() {
        writeln!(
            out,
            "*************************** {}. row ***************************",
            i + 1
        )?;
        for (name, cell) in COLUMNS.iter().zip(plan.row(i)) {
            writeln!(out, "{name:>21}: {cell}")?;
        }
    }
    writeln!(out, "{} rows in set (2.41 sec)", plan.rows())
}

fn batch(plan: &Plan, out: &mut impl Write) -> io::Result<()> {
    writeln!(out, "{}", COLUMNS.join("\t"))?;
    for i in 0..plan.rows() {
        writeln!(out, "{}", plan.row(i).join("\t"))
            .map_err(|e| io::Error::new(e.kind(), format!("row {i}: {e}")))?;
    }
    Ok(())
}
