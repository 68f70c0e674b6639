//! A run of logical lines that belong to one report (one deadlock), with each line's physical
//! line number. Stored as one string plus offsets: one allocation per deadlock, not per line.

/// One section of input handed from the splitter to a parser.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Chunk {
    /// The log prefix of the line that opened the report (error logs only): where its time is.
    pub stamp: Option<String>,
    /// The trx ids the TRANSACTIONS section of the same status output still lists, for a
    /// report whose victim printed as `(0)` (MariaDB, MDEV-29187): the one missing was rolled
    /// back.
    pub survivors: Option<Vec<String>>,
    text: String,
    /// (physical line number, start, end) into `text`.
    spans: Vec<(usize, usize, usize)>,
}

impl Chunk {
    pub fn new() -> Chunk {
        Chunk::default()
    }

    /// An empty chunk with room for as many bytes and lines as `other` holds (capped).
    pub fn with_capacity_of(other: &Chunk) -> Chunk {
        const CAP: usize = 1 << 20;
        Chunk {
            stamp: None,
            survivors: None,
            text: String::with_capacity(other.text.len().min(CAP)),
            spans: Vec::with_capacity(other.spans.len().min(CAP / 16)),
        }
    }

    /// Builds a chunk from text whose first line is physical line `first_line`.
    pub fn from_text(text: &str, first_line: usize) -> Chunk {
        let mut chunk = Chunk::new();
        for (i, line) in text.lines().enumerate() {
            chunk.push(first_line + i, line);
        }
        chunk
    }

    pub fn push(&mut self, line_no: usize, line: &str) {
        let start = self.text.len();
        self.text.push_str(line);
        self.spans.push((line_no, start, self.text.len()));
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn clear(&mut self) {
        self.stamp = None;
        self.survivors = None;
        self.text.clear();
        self.spans.clear();
    }

    /// Physical line number of the first line (0 when empty).
    pub fn first_line(&self) -> usize {
        self.spans.first().map_or(0, |s| s.0)
    }

    /// `(physical line number, text)` for each logical line.
    pub fn lines(&self) -> impl Iterator<Item = (usize, &str)> + '_ {
        self.spans
            .iter()
            .map(|&(n, s, e)| (n, self.text.get(s..e).unwrap_or("")))
    }

    /// The text of the last line.
    pub fn last_line(&self) -> Option<&str> {
        let &(_, s, e) = self.spans.last()?;
        self.text.get(s..e)
    }

    /// Bytes held, for the streaming memory bound.
    pub fn byte_len(&self) -> usize {
        self.text.len()
    }
}
