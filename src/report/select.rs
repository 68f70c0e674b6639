//! `--since` / `--until`: keeps the deadlocks whose timestamp falls in the range and drops the
//! others before any report sees them. A deadlock without a readable timestamp cannot be placed,
//! so it is kept, with one warning saying so.

use std::io;

use super::timestamp::Stamp;
use crate::model::{LockRow, Warning};
use crate::sink::{Analysed, LockWaits, Render, Sink, Summary};

/// The range: `since` inclusive, `until` exclusive (`--since 2026-11-20 --until 2026-11-21` is
/// the 20th).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TimeRange {
    pub since: Option<Stamp>,
    pub until: Option<Stamp>,
}

impl TimeRange {
    pub fn is_all(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// `Some(true)` inside, `Some(false)` outside, `None` when the timestamp cannot be placed.
    pub fn contains(&self, timestamp: Option<&str>) -> Option<bool> {
        let stamp = Stamp::parse(timestamp?)?;
        let after = self
            .since
            .map_or(true, |s| stamp.cmp_for_selection(&s).is_ge());
        let before = self
            .until
            .map_or(true, |u| stamp.cmp_for_selection(&u).is_lt());
        Some(after && before)
    }
}

/// Passes the deadlocks in `range` on to `inner`; `finish` reports the kept count.
pub struct Select<S> {
    inner: S,
    range: TimeRange,
    kept: usize,
    dropped: usize,
    /// Warnings this filter added (one per kind).
    warned: usize,
    warned_missing: bool,
    warned_unreadable: bool,
}

impl<S: Sink> Select<S> {
    pub fn new(inner: S, range: TimeRange) -> Select<S> {
        Select {
            inner,
            range,
            kept: 0,
            dropped: 0,
            warned: 0,
            warned_missing: false,
            warned_unreadable: false,
        }
    }

    pub fn inner(&self) -> &S {
        &self.inner
    }

    /// Deadlocks left out by the range.
    pub fn dropped(&self) -> usize {
        self.dropped
    }

    /// Whether `analysed` goes on; warns (once) about a deadlock it cannot place.
    fn wanted(&mut self, analysed: &Analysed) -> io::Result<bool> {
        if self.range.is_all() {
            self.kept += 1;
            return Ok(true);
        }
        let d = &analysed.deadlock;
        let keep = match self.range.contains(d.timestamp.as_deref()) {
            Some(inside) => inside,
            None => {
                let (flag, message) = match &d.timestamp {
                    None => (
                        &mut self.warned_missing,
                        "deadlock without a timestamp kept by `--since`/`--until` (this and any \
                         other)"
                            .to_string(),
                    ),
                    Some(ts) => (
                        &mut self.warned_unreadable,
                        format!(
                            "timestamp `{ts}` not understood: deadlock kept by \
                             `--since`/`--until` (this and any other)"
                        ),
                    ),
                };
                if !*flag {
                    *flag = true;
                    self.warned += 1;
                    self.inner.warning(&Warning {
                        input: d.input.clone(),
                        line: d.line,
                        message,
                        text: None,
                    })?;
                }
                true
            }
        };
        if keep {
            self.kept += 1;
        } else {
            self.dropped += 1;
        }
        Ok(keep)
    }
}

impl<S: Sink> Sink for Select<S> {
    fn deadlock(&mut self, analysed: &Analysed) -> io::Result<()> {
        if self.wanted(analysed)? {
            self.inner.deadlock(analysed)?;
        }
        Ok(())
    }

    fn warning(&mut self, warning: &Warning) -> io::Result<()> {
        self.inner.warning(warning)
    }

    fn lock_waits(&mut self, waits: &LockWaits) -> io::Result<()> {
        self.inner.lock_waits(waits)
    }

    fn lock_rows(&mut self, input: &str, rows: &[LockRow]) -> io::Result<()> {
        self.inner.lock_rows(input, rows)
    }

    fn finish(&mut self, summary: &Summary) -> io::Result<()> {
        if self.range.is_all() {
            return self.inner.finish(summary);
        }
        let mut summary = summary.clone();
        summary.deadlocks = self.kept;
        summary.warnings += self.warned;
        self.inner.finish(&summary)
    }

    fn renderer(&self) -> Option<Render> {
        self.inner.renderer()
    }

    fn rendered_deadlock(&mut self, analysed: &Analysed, rendered: &[u8]) -> io::Result<()> {
        if self.wanted(analysed)? {
            self.inner.rendered_deadlock(analysed, rendered)?;
        }
        Ok(())
    }

    fn rendered_deadlocks(
        &mut self,
        analysed: &[Analysed],
        rendered: &[u8],
        ends: &[usize],
    ) -> io::Result<()> {
        if !self.range.is_all() {
            // One at a time: some may be left out.
            return crate::sink::one_by_one(self, analysed, rendered, ends);
        }
        self.kept += analysed.len();
        self.inner.rendered_deadlocks(analysed, rendered, ends)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::sample;
    use crate::sink::VecSink;

    fn at(ts: Option<&str>) -> Analysed {
        let mut a = sample::deadlock();
        a.deadlock.timestamp = ts.map(str::to_string);
        a
    }

    #[test]
    fn keeps_the_range_and_what_it_cannot_place() {
        let range = TimeRange {
            since: Some(Stamp::parse_bound("2026-11-20").unwrap()),
            until: Some(Stamp::parse_bound("2026-11-21").unwrap()),
        };
        let mut select = Select::new(VecSink::default(), range);
        for ts in [
            Some("2026-11-19 23:59:59"),
            Some("2026-11-20 00:00:00"),
            Some("261120 12:00:00"),
            Some("2026-11-20T23:59:59.999Z"),
            Some("2026-11-21 00:00:00"),
            None,
            None,
            Some("tomorrow"),
        ] {
            select.deadlock(&at(ts)).unwrap();
        }
        select.finish(&Summary::default()).unwrap();
        assert_eq!(select.dropped(), 2);
        let sink = select.inner();
        let kept: Vec<Option<&str>> = sink
            .deadlocks
            .iter()
            .map(|a| a.deadlock.timestamp.as_deref())
            .collect();
        assert_eq!(
            kept,
            [
                Some("2026-11-20 00:00:00"),
                Some("261120 12:00:00"),
                Some("2026-11-20T23:59:59.999Z"),
                None,
                None,
                Some("tomorrow")
            ]
        );
        assert_eq!(sink.warnings.len(), 2, "{:?}", sink.warnings);
        assert!(sink.warnings[0]
            .message
            .starts_with("deadlock without a timestamp"));
        let summary = sink.summary.as_ref().unwrap();
        assert_eq!((summary.deadlocks, summary.warnings), (6, 2));
    }
}
