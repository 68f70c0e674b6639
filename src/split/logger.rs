//! Finds the rows pt-deadlock-logger (and mk-/mysql-deadlock-logger before it) prints: one row
//! per transaction of a deadlock, `server ts thread txn_id txn_time user hostname ip db tbl
//! idx lock_type lock_mode wait_hold victim query`, space- or tab-separated, with or without
//! that header line above them. Rows with the same `server` and `ts` are one deadlock; each
//! group goes on as one chunk, the header (when there is one) first, for `parse` to read by
//! column.

use crate::text::{is_iso_time, is_logger_header as is_header, Chunk};

/// Blank lines tolerated between two rows (a blog puts one after each row).
const MAX_GAP_LINES: usize = 2;

/// Logger-row state for one input.
#[derive(Debug, Default)]
pub struct LoggerRows {
    /// The header line read last, with its line number.
    header: Option<(usize, String)>,
    /// The rows of the deadlock being gathered.
    chunk: Chunk,
    /// `server ts` of those rows.
    key: String,
    /// Blank lines since the last row.
    gap: usize,
    /// Inside a run of rows (or right after a header).
    open: bool,
}

impl LoggerRows {
    /// Feeds one line outside any report: `true` when it was the logger's (a header, a row, a
    /// blank line between rows). A finished deadlock's rows go to `out`.
    pub fn push(&mut self, line_no: usize, text: &str, out: &mut dyn FnMut(Chunk)) -> bool {
        let t = crate::text::trim(text);
        if is_header(t) {
            self.emit(out);
            self.header = Some((line_no, t.to_string()));
            self.open = true;
            self.gap = 0;
            return true;
        }
        if let Some(key) = row_key(t) {
            if key != self.key {
                self.emit(out);
                self.key = key.to_string();
            }
            if self.chunk.is_empty() {
                if let Some((n, h)) = &self.header {
                    self.chunk.push(*n, h);
                }
            }
            self.chunk.push(line_no, t);
            self.open = true;
            self.gap = 0;
            return true;
        }
        if self.open && t.is_empty() && self.gap < MAX_GAP_LINES {
            self.gap += 1;
            return true;
        }
        self.emit(out);
        self.open = false;
        self.header = None;
        false
    }

    /// Ends the input.
    pub fn finish(&mut self, out: &mut dyn FnMut(Chunk)) {
        self.emit(out);
    }

    /// The rows gathered, if any (a header goes in only with the first row after it).
    fn emit(&mut self, out: &mut dyn FnMut(Chunk)) {
        self.key.clear();
        if !self.chunk.is_empty() {
            out(std::mem::take(&mut self.chunk));
        }
    }
}

/// `server ts` of a row: its second field is an ISO time (`2007-03-08T20:34:22`) and it has a
/// `w` or `h` field; `None` for anything else.
fn row_key(t: &str) -> Option<&str> {
    // Most lines outside a report are not rows: an ASCII line is turned away by its second
    // word's bytes, before the words are split.
    if t.is_ascii() {
        let space = crate::text::is_space;
        let b = t.as_bytes();
        let gap = b.iter().position(space)?;
        let word = b.get(gap..)?.iter().position(|c| !space(c))? + gap;
        let after = b.get(word + 19).copied();
        let ts = b
            .get(word..word + 19)
            .and_then(|w| std::str::from_utf8(w).ok());
        if !ts.is_some_and(is_iso_time) || after.is_some_and(|c| !space(&c)) {
            return None;
        }
    }
    let mut words = t.split_whitespace();
    let _server = words.next()?;
    let ts = words.next()?;
    if !is_iso_time(ts) || !words.any(|w| w == "w" || w == "h") {
        return None;
    }
    let end = t.find(ts)? + ts.len();
    t.get(..end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(text: &str) -> Vec<Vec<usize>> {
        let mut r = LoggerRows::default();
        let mut out = Vec::new();
        let mut taken = Vec::new();
        for (i, line) in text.lines().enumerate() {
            taken.push(r.push(i + 1, line, &mut |c| {
                out.push(c.lines().map(|(n, _)| n).collect())
            }));
        }
        r.finish(&mut |c| out.push(c.lines().map(|(n, _)| n).collect()));
        out
    }

    #[test]
    fn rows_of_one_time_are_one_deadlock() {
        // See: fixtures/shapes/logger-01 (mysql-deadlock-logger, 2007).
        let text = "$ mysql-deadlock-logger --print
server ts thread txn_id txn_time user hostname ip db tbl idx lock_type lock_mode wait_hold victim query
localhost 2007-03-08T20:34:22 81 21309 29 baron localhost  test c GEN_CLUST_INDEX RECORD X w 1 select * from c for update
localhost 2007-03-08T20:34:22 83 21310 19 baron localhost  test a GEN_CLUST_INDEX RECORD X w 0 select * from a for update
localhost 2007-03-09T20:34:22 83 21310 19 baron localhost  test a GEN_CLUST_INDEX RECORD X w 0 select * from a for update

other text";
        assert_eq!(rows(text), [vec![2, 3, 4], vec![2, 5]]);
        assert!(rows("server ts thread\nlocalhost 2007-03-08T20:34:22 1 2\n").is_empty());
        assert!(rows("a 2007-03-08T20:34:22 w\n").len() == 1);
        assert!(rows("a 2007-03-08 20:34:22 w\n").is_empty());
    }
}
