//! Reads physical lines from any byte stream with one reusable buffer: memory stays flat however
//! large the input, and bytes that are not UTF-8 are replaced rather than rejected.
//!
//! Lines are found with `memchr` inside a large buffer and handed out borrowed from it: a line
//! is copied only when it is not valid UTF-8 (to replace the bad bytes).

use std::borrow::Cow;
use std::io::{self, BufRead, ErrorKind};

/// Bytes asked of the reader at a time; the buffer grows past this only for longer lines.
const READ_SIZE: usize = 256 * 1024;

/// Streams `(line number, line)` pairs; the line has its `\n` / `\r\n` removed.
pub struct LineReader<R> {
    reader: R,
    buf: Vec<u8>,
    /// Unread bytes are `buf[start..end]`.
    start: usize,
    end: usize,
    /// No `\n` in `buf[start..scanned]` (saves rescanning a long partial line).
    scanned: usize,
    eof: bool,
    line_no: usize,
    bytes: u64,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(reader: R) -> LineReader<R> {
        LineReader {
            reader,
            buf: Vec::new(),
            start: 0,
            end: 0,
            scanned: 0,
            eof: false,
            line_no: 0,
            bytes: 0,
        }
    }

    /// True when the next `next_line` has to read from the input first (and so may wait for
    /// it): the buffer holds no complete line.
    pub fn needs_input(&self) -> bool {
        !self.eof
            && self
                .buf
                .get(self.scanned..self.end)
                .map_or(true, |rest| memchr::memchr(b'\n', rest).is_none())
    }

    /// The next physical line, or `None` at the end of input.
    pub fn next_line(&mut self) -> io::Result<Option<(usize, Cow<'_, str>)>> {
        let (line_start, line_end) = loop {
            let pending = self.buf.get(self.scanned..self.end).unwrap_or(&[]);
            if let Some(i) = memchr::memchr(b'\n', pending) {
                let nl = self.scanned + i;
                let line = (self.start, nl);
                self.bytes += (nl + 1 - self.start) as u64;
                self.start = nl + 1;
                self.scanned = self.start;
                break line;
            }
            self.scanned = self.end;
            if self.eof {
                if self.start == self.end {
                    return Ok(None);
                }
                let line = (self.start, self.end);
                self.bytes += (self.end - self.start) as u64;
                self.start = self.end;
                break line;
            }
            self.fill()?;
        };
        self.line_no += 1;
        let mut bytes = self.buf.get(line_start..line_end).unwrap_or(&[]);
        if let Some(b) = bytes.strip_suffix(b"\r") {
            bytes = b;
        }
        let text = match std::str::from_utf8(bytes) {
            Ok(text) => Cow::Borrowed(text),
            Err(_) => String::from_utf8_lossy(bytes),
        };
        Ok(Some((self.line_no, text)))
    }

    /// Moves the unread bytes to the front and reads more after them.
    fn fill(&mut self) -> io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.scanned -= self.start;
            self.start = 0;
        }
        let want = self.end + READ_SIZE;
        if self.buf.len() < want {
            self.buf.resize(want, 0);
        }
        loop {
            let space = self.buf.get_mut(self.end..).unwrap_or(&mut []);
            match self.reader.read(space) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(());
                }
                Ok(n) => {
                    self.end += n;
                    return Ok(());
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all<R: BufRead>(r: &mut LineReader<R>) -> Vec<(usize, String)> {
        let mut got = Vec::new();
        while let Some((n, line)) = r.next_line().unwrap() {
            got.push((n, line.into_owned()));
        }
        got
    }

    #[test]
    fn strips_line_endings_and_counts() {
        let mut r = LineReader::new(&b"a\r\nb\n\xffc"[..]);
        assert_eq!(
            read_all(&mut r),
            vec![(1, "a".into()), (2, "b".into()), (3, "\u{fffd}c".into())]
        );
        assert_eq!(r.bytes_read(), 7);
    }

    #[test]
    fn lines_across_reads_and_longer_than_the_buffer() {
        let long = "x".repeat(READ_SIZE * 2 + 17);
        let text = format!("first\n{long}\r\n\nlast\n");
        // A reader that returns a few bytes at a time, like a pipe.
        let reader = io::BufReader::with_capacity(7, text.as_bytes());
        let mut r = LineReader::new(reader);
        let got = read_all(&mut r);
        assert_eq!(
            got,
            vec![
                (1, "first".to_string()),
                (2, long),
                (3, String::new()),
                (4, "last".to_string())
            ]
        );
        assert_eq!(r.bytes_read(), text.len() as u64);
        assert!(!r.needs_input());
    }

    #[test]
    fn empty_input() {
        let mut r = LineReader::new(&b""[..]);
        assert!(r.needs_input());
        assert_eq!(read_all(&mut r), vec![]);
        assert_eq!(r.bytes_read(), 0);
    }
}
