//! Reads physical lines from any byte stream with one reusable buffer: memory stays flat however
//! large the input, and bytes that are not UTF-8 are replaced rather than rejected.
//!
//! Each read is checked as UTF-8 once, as a block, and kept as text: lines are then found and
//! handed out borrowed from it, with no per-line check or copy. A multi-byte character cut by
//! a read waits for the next one; invalid bytes become U+FFFD exactly as a per-line
//! `from_utf8_lossy` would make them (a line break is never part of a character).

use std::io::{self, ErrorKind, Read};

/// Bytes asked of the reader at a time; the text grows past this only for longer lines.
const READ_SIZE: usize = 256 * 1024;

/// Streams `(line number, line)` pairs; the line has its `\n` / `\r\n` removed.
pub struct LineReader<R> {
    reader: R,
    /// Scratch for a read: `raw[..pending]` is the start of a character the last read cut.
    raw: Vec<u8>,
    pending: usize,
    /// What has been read, as text; unread lines are `text[start..]`.
    text: String,
    start: usize,
    /// Where the `\n`s in `text[start..]` are, found for a whole read at once (lines are
    /// short: one pass over the block beats a search per line); `ends[next..]` are unread.
    ends: Vec<usize>,
    next: usize,
    eof: bool,
    line_no: usize,
    /// Bytes read from the input.
    bytes: u64,
}

impl<R: Read> LineReader<R> {
    pub fn new(reader: R) -> LineReader<R> {
        LineReader {
            reader,
            raw: Vec::new(),
            pending: 0,
            text: String::new(),
            start: 0,
            ends: Vec::new(),
            next: 0,
            eof: false,
            line_no: 0,
            bytes: 0,
        }
    }

    /// True when the next `next_line` has to read from the input first (and so may wait for
    /// it): the buffer holds no complete line.
    pub fn needs_input(&mut self) -> bool {
        !self.eof && self.next == self.ends.len()
    }

    /// The next physical line, or `None` at the end of input.
    pub fn next_line(&mut self) -> io::Result<Option<(usize, &str)>> {
        let (line_start, line_end) = loop {
            if let Some(&nl) = self.ends.get(self.next) {
                self.next += 1;
                let line = (self.start, nl);
                self.start = nl + 1;
                break line;
            }
            if self.eof {
                if self.start == self.text.len() {
                    return Ok(None);
                }
                let line = (self.start, self.text.len());
                self.start = self.text.len();
                break line;
            }
            self.fill()?;
        };
        self.line_no += 1;
        let line = self.text.get(line_start..line_end).unwrap_or("");
        let line = line.strip_suffix('\r').unwrap_or(line);
        Ok(Some((self.line_no, line)))
    }

    /// Drops the lines handed out, reads more text after what is left and finds its line ends.
    /// Called only when every line end found so far has been handed out.
    fn fill(&mut self) -> io::Result<()> {
        self.ends.clear();
        self.next = 0;
        if self.start > 0 {
            self.text.drain(..self.start);
            self.start = 0;
        }
        if self.raw.len() < READ_SIZE + 4 {
            self.raw.resize(READ_SIZE + 4, 0);
        }
        let n = loop {
            let space = self.raw.get_mut(self.pending..).unwrap_or(&mut []);
            match self.reader.read(space) {
                Ok(n) => break n,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        };
        self.bytes += n as u64;
        let end = self.pending + n;
        if n == 0 {
            self.eof = true;
        }
        let bytes = self.raw.get(..end).unwrap_or(&[]);
        // Keep a character the read cut in two for the next read (at the end, it is invalid).
        let cut = if self.eof {
            end
        } else {
            end - incomplete_tail(bytes)
        };
        let whole = bytes.get(..cut).unwrap_or(&[]);
        // What is already in `text` is a line without its end: only the new text can hold one.
        let from = self.text.len();
        match std::str::from_utf8(whole) {
            Ok(text) => self.text.push_str(text),
            Err(_) => self.text.push_str(&String::from_utf8_lossy(whole)),
        }
        let added = self.text.as_bytes().get(from..).unwrap_or(&[]);
        self.ends
            .extend(memchr::memchr_iter(b'\n', added).map(|i| from + i));
        self.raw.copy_within(cut..end, 0);
        self.pending = end - cut;
        Ok(())
    }

    /// Bytes read from the input.
    pub fn bytes_read(&self) -> u64 {
        self.bytes
    }
}

/// How many bytes at the end of `b` begin a UTF-8 character that is not complete yet.
fn incomplete_tail(b: &[u8]) -> usize {
    for k in 1..=b.len().min(3) {
        let Some(&c) = b.get(b.len() - k) else {
            return 0;
        };
        match c {
            0x80..=0xbf => continue,
            0xc0..=0xdf => return if k < 2 { k } else { 0 },
            0xe0..=0xef => return if k < 3 { k } else { 0 },
            0xf0..=0xff => return if k < 4 { k } else { 0 },
            _ => return 0,
        }
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all<R: Read>(r: &mut LineReader<R>) -> Vec<(usize, String)> {
        let mut got = Vec::new();
        while let Some((n, line)) = r.next_line().unwrap() {
            got.push((n, line.to_string()));
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

    /// What the reader must give: the bytes split at `\n`, `\r` dropped, each line lossy.
    fn reference(bytes: &[u8]) -> Vec<(usize, String)> {
        let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
        if bytes.is_empty() || bytes.ends_with(b"\n") {
            lines.pop();
        }
        lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let l = l.strip_suffix(b"\r").unwrap_or(l);
                (i + 1, String::from_utf8_lossy(l).into_owned())
            })
            .collect()
    }

    #[test]
    fn characters_and_bad_bytes_cut_by_any_read_size() {
        let inputs: [&[u8]; 6] = [
            "née ünïcödé 😀 €\nsecond 한국\r\n".as_bytes(),
            b"\xe2\x82\n\xf0\x9f\x98\nok\n",
            b"\xff\xfe\x80\x80\x80\x80x\n\xc3",
            b"tail \xf0\x9f\x98\x80",
            b"\xed\xa0\x80 surrogate\n\xf8\x88\x80\x80\x80\n",
            b"no newline at all",
        ];
        for input in inputs {
            for size in [1, 2, 3, 4, 5, 7, 64] {
                let reader = io::BufReader::with_capacity(size, input);
                let mut r = LineReader::new(reader);
                assert_eq!(
                    read_all(&mut r),
                    reference(input),
                    "{input:?} read {size} at a time"
                );
                assert_eq!(r.bytes_read(), input.len() as u64);
            }
        }
    }

    #[test]
    fn empty_input() {
        let mut r = LineReader::new(&b""[..]);
        assert!(r.needs_input());
        assert_eq!(read_all(&mut r), vec![]);
        assert_eq!(r.bytes_read(), 0);
    }
}
