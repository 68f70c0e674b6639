//! `--format json`: one document whose `deadlocks` array grows as the input is read; the lock
//! waits, warnings and summary follow it, written by `finish`.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::Arc;

use super::wire::{count_patterns, LockRowJson, SummaryJson, TOOL};
use super::{render_element, SCHEMA_VERSION};
use crate::model::{BlockingTree, LockRow, Warning};
use crate::report::lock_waits::LockWaitJson;
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// Warnings kept for the document's `warnings` array; the rest are only counted.
const MAX_WARNINGS: usize = 10_000;

pub struct JsonReport<W: Write> {
    out: W,
    started: bool,
    deadlocks: usize,
    lock_waits: LockWaits,
    warnings: Vec<Warning>,
    warnings_omitted: usize,
    patterns: BTreeMap<&'static str, usize>,
    /// `--all-locks`: every lock row, serialised as read, for `lock_rows`.
    all_locks: Option<Vec<u8>>,
}

impl<W: Write> JsonReport<W> {
    pub fn new(out: W) -> Self {
        JsonReport {
            out,
            started: false,
            deadlocks: 0,
            lock_waits: LockWaits::default(),
            warnings: Vec::new(),
            warnings_omitted: 0,
            patterns: BTreeMap::new(),
            all_locks: None,
        }
    }

    /// Adds `lock_rows`, every row of the lock tables (`--all-locks`).
    pub fn all_locks(mut self, yes: bool) -> Self {
        self.all_locks = yes.then(Vec::new);
        self
    }

    pub fn into_inner(self) -> W {
        self.out
    }

    fn start(&mut self) -> io::Result<()> {
        if !self.started {
            self.started = true;
            write!(self.out, "{{\"schema_version\":{SCHEMA_VERSION},\"tool\":")?;
            serde_json::to_writer(&mut self.out, &TOOL)?;
            self.out.write_all(b",\"deadlocks\":[")?;
        }
        Ok(())
    }
}

impl<W: Write> JsonReport<W> {
    fn write_element(&mut self, analysed: &Analysed, rendered: Option<&[u8]>) -> io::Result<()> {
        self.start()?;
        self.out
            .write_all(if self.deadlocks == 0 { b"\n" } else { b",\n" })?;
        match rendered {
            Some(bytes) => self.out.write_all(bytes)?,
            None => {
                let mut buf = Vec::new();
                render_element(analysed, &mut buf)?;
                self.out.write_all(&buf)?;
            }
        }
        self.deadlocks += 1;
        count_patterns(&mut self.patterns, &analysed.findings);
        Ok(())
    }
}

impl<W: Write> Sink for JsonReport<W> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        self.write_element(analysed, None)
    }

    fn renderer(&self) -> Option<Render> {
        Some(Arc::new(render_element))
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        self.write_element(analysed, Some(rendered))
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(warning.clone());
        } else {
            self.warnings_omitted += 1;
        }
        Ok(())
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        self.lock_waits = waits.clone();
        Ok(())
    }

    fn lock_rows(&mut self, input: &str, rows: &[LockRow]) -> io::Result<()> {
        if let Some(buf) = &mut self.all_locks {
            for row in rows {
                if !buf.is_empty() {
                    buf.push(b',');
                }
                buf.push(b'\n');
                serde_json::to_writer(&mut *buf, &LockRowJson::new(input, row))?;
            }
        }
        Ok(())
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        self.start()?;
        if self.deadlocks > 0 {
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(b"],\"lock_waits\":")?;
        let waits = &self.lock_waits.waits;
        let tree = BlockingTree::new(waits);
        let wire: Vec<LockWaitJson<'_>> =
            waits.iter().map(|w| LockWaitJson::new(w, &tree)).collect();
        serde_json::to_writer(&mut self.out, &wire)?;
        self.out.write_all(b",\"locks\":")?;
        serde_json::to_writer(&mut self.out, &self.lock_waits.held)?;
        if let Some(rows) = &self.all_locks {
            self.out.write_all(b",\"lock_rows\":[")?;
            self.out.write_all(rows)?;
            self.out.write_all(b"]")?;
        }
        self.out.write_all(b",\"lock_wait_findings\":")?;
        serde_json::to_writer(&mut self.out, &self.lock_waits.findings)?;
        if !self.lock_waits.histories.is_empty() {
            self.out.write_all(b",\"statement_history\":")?;
            serde_json::to_writer(&mut self.out, &self.lock_waits.histories)?;
        }
        self.out.write_all(b",\"warnings\":")?;
        serde_json::to_writer(&mut self.out, &self.warnings)?;
        self.out.write_all(b",\"summary\":")?;
        let summary = SummaryJson {
            warnings_omitted: self.warnings_omitted,
            lock_waits: waits.len(),
            ..SummaryJson::new(summary, &self.patterns)
        };
        serde_json::to_writer(&mut self.out, &summary)?;
        self.out.write_all(b"}\n")?;
        self.out.flush()
    }
}
