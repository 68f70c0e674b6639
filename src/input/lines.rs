//! Reads physical lines from any byte stream with one reusable buffer: memory stays flat however
//! large the input, and bytes that are not UTF-8 are replaced rather than rejected.

use std::borrow::Cow;
use std::io::{self, BufRead};

/// Streams `(line number, line)` pairs; the line has its `\n` / `\r\n` removed.
pub struct LineReader<R> {
    reader: R,
    buf: Vec<u8>,
    line_no: usize,
    bytes: u64,
}

impl<R: BufRead> LineReader<R> {
    pub fn new(reader: R) -> LineReader<R> {
        LineReader {
            reader,
            buf: Vec::with_capacity(1024),
            line_no: 0,
            bytes: 0,
        }
    }

    /// The next physical line, or `None` at the end of input.
    pub fn next_line(&mut self) -> io::Result<Option<(usize, Cow<'_, str>)>> {
        self.buf.clear();
        let n = self.reader.read_until(b'\n', &mut self.buf)?;
        if n == 0 {
            return Ok(None);
        }
        self.bytes += n as u64;
        self.line_no += 1;
        let mut end = self.buf.len();
        if self.buf.get(end.wrapping_sub(1)) == Some(&b'\n') {
            end -= 1;
        }
        if end > 0 && self.buf.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        let bytes = self.buf.get(..end).unwrap_or(&[]);
        Ok(Some((self.line_no, String::from_utf8_lossy(bytes))))
    }

    /// Bytes consumed so far.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_line_endings_and_counts() {
        let mut r = LineReader::new(&b"a\r\nb\n\xffc"[..]);
        let mut got = Vec::new();
        while let Some((n, line)) = r.next_line().unwrap() {
            got.push((n, line.into_owned()));
        }
        assert_eq!(
            got,
            vec![(1, "a".into()), (2, "b".into()), (3, "\u{fffd}c".into())]
        );
        assert_eq!(r.bytes_read(), 7);
    }
}
