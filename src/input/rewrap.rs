//! `rewrap`: puts back together the lines a terminal or a mail client cut at its width (format-spec
//! §10). A copy from a fixed-width console, a `script` log or a mailing list breaks every line
//! longer than the width, mid-word, and the pieces read as lines of their own: the thread line's
//! tail becomes the first line of the statement, a statement's `WHE` / `RE id = 1` loses its
//! `WHERE`, a lock line loses its mode.
//!
//! Two kinds of evidence, so that a report never gets a line joined that the server printed
//! apart:
//! - **The line's own shape.** The server prints a structured line (a lock line, a record
//!   line, a field, a `TRANSACTION` or thread line, a boxed row, a log line's heading) whole,
//!   and the line after it always starts a line of its own kind. So a structured line that ends
//!   before its end does (a field without `;;`, a lock line without its mode, a boxed row
//!   narrower than its border, a thread line followed by text that is no statement) was cut,
//!   and the next line is its tail.
//! - **The width.** A terminal cuts at its width, mid-word; a mail client breaks between words
//!   (at 72 to 78 columns) and takes the space. The first cut is believed a terminal's at a
//!   common terminal width (80, 100, 120, 132, 160 or 200 columns; a boxed row's at any) and
//!   sets the copy's width: from then on, any line exactly that wide whose next line starts no
//!   line of the server's is cut too (statements, log lines, `\G` values), until a cut of
//!   another width shows the breaks are not a terminal's. A structured line no wider than 80
//!   columns, with no terminal width known, was broken between words.
//!
//! A terminal's piece is glued on; a mail client's gets its space back, as does a terminal's cut
//! line one column short of the width, whose trailing space the copy dropped.

use super::repair::looks_like_time;
use super::unwrap::{strip_log_prefix, Prefix};

/// A line shorter than this (in bytes) is never taken for a cut one: no terminal is narrower.
const MIN_WIDTH: usize = 60;

/// The widths a copy's first cut is believed at: the VT100's 80 columns and the presets of
/// common terminals. Later cuts must be as wide as the first.
const TERMINAL_WIDTHS: [usize; 6] = [80, 100, 120, 132, 160, 200];

/// A mail client breaks lines at most this wide (RFC 5322 asks for 78 characters)…
const MAIL_WIDTH: usize = 80;
/// …and at least this wide.
const NARROWEST_MAIL: usize = 72;

/// Per-input rewrap state.
#[derive(Debug, Default)]
pub struct Rewrapper {
    /// The line that may go on in the next one.
    pending: Option<Pending>,
    /// The copy's width in columns, once a cut showed it.
    width: Option<usize>,
    /// Cuts of different widths were seen.
    mixed: bool,
    /// The columns of the last boxed table's border line: its rows are as wide.
    border: Option<usize>,
}

#[derive(Debug)]
struct Pending {
    line_no: usize,
    text: String,
    kind: Kind,
    /// The width of its last physical line (`widths`): where the terminal cut it, if it did.
    last: (usize, usize),
    /// Broken between words by a mail client, not cut by a terminal: the pieces are joined
    /// with the space the break took.
    words: bool,
}

/// What a line is, as far as its continuation goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A line the server prints whole and follows with a line of its own (lock, record,
    /// field lines), short of the end its grammar gives it.
    Structured,
    /// Such a line whose end is free text (`TRANSACTION …, ACTIVE 3 sec <state>`): whether it
    /// was cut shows in the next line only.
    Open,
    /// The thread line: followed by the statement, which starts with an SQL word.
    Thread,
    /// A boxed table's row (or, `border`, its border line) short of the table's width.
    Boxed { border: bool },
    /// Exactly the copy's width, or one short of it: any line.
    Wide { short: bool },
}

impl Rewrapper {
    pub fn new() -> Rewrapper {
        Rewrapper::default()
    }

    /// Whether `text` must go through [`Rewrapper::feed`]: most lines are short, or complete,
    /// and no line is held.
    #[inline]
    pub fn needs(&self, text: &str) -> bool {
        self.pending.is_some() || text.len() >= MIN_WIDTH && self.may_be_cut(text)
    }

    /// Whether `text` may be a cut line: as wide as a terminal (an ASCII line's bytes are its
    /// columns; other lines are measured), or a table row or border, cut at any width.
    fn may_be_cut(&self, text: &str) -> bool {
        let n = text.len();
        // A line is never wider, in columns or characters, than it is long in bytes.
        let (at_width, narrower) = match self.width {
            Some(width) => (n == width || n + 1 == width, n + 1 < width),
            None => (n <= MAIL_WIDTH || TERMINAL_WIDTHS.contains(&n), false),
        };
        let b = text.as_bytes();
        let first = b.iter().find(|&&c| c != b' ' && c != b'\t');
        at_width || matches!(first, Some(b'|' | b'+')) || !narrower && !text.is_ascii()
    }

    /// Passes `text` (physical line `line_no`) on, joined to the line before when that was cut.
    pub fn feed(&mut self, line_no: usize, text: &str, out: &mut dyn FnMut(usize, &str)) {
        if let Some(p) = self.pending.take() {
            if continues(p.kind, p.words, self.border, &p.text, text) {
                // Broken inside a name or a hex dump, which no mail client does: a terminal
                // of an uncommon width cut it, and that is the copy's width.
                let words = p.words && !inside_a_token(&p.text, text);
                if !words {
                    self.cut_seen(p.last);
                }
                let mut joined = p.text;
                // A mail client's continuation may be indented as the copy is: one space.
                let tail = if words { text.trim_start() } else { text };
                let spaced = words || p.kind == (Kind::Wide { short: true });
                if spaced && !joined.ends_with(' ') && !tail.starts_with(' ') {
                    joined.push(' ');
                }
                joined.push_str(tail);
                // The joined line may still be short of its end, or the tail a whole width.
                let again = match p.kind {
                    Kind::Wide { .. } | Kind::Thread => None,
                    _ if words => self.shape(&joined).map(|kind| (kind, true)),
                    _ => self.kind(&joined, text),
                };
                match again.or_else(|| self.wide(text).map(|kind| (kind, false))) {
                    Some((kind, words)) => self.hold(p.line_no, joined, kind, words, text),
                    None => self.emit(p.line_no, &joined, out),
                }
                return;
            }
            self.emit(p.line_no, &p.text, out);
        }
        if text.len() >= MIN_WIDTH && self.may_be_cut(text) {
            let found = self.kind(text, text);
            if let Some((kind, words)) = found.or_else(|| self.wide(text).map(|k| (k, false))) {
                return self.hold(line_no, text.to_string(), kind, words, text);
            }
        }
        self.emit(line_no, text, out);
    }

    /// Passes a line on, noting a boxed table's width from its border.
    fn emit(&mut self, line_no: usize, line: &str, out: &mut dyn FnMut(usize, &str)) {
        let t = crate::text::trim(line);
        if t.starts_with("+-") && t.ends_with('+') {
            self.border = Some(columns(t));
        }
        out(line_no, line);
    }

    fn hold(&mut self, line_no: usize, text: String, kind: Kind, words: bool, last: &str) {
        let last = widths(last);
        self.pending = Some(Pending {
            line_no,
            text,
            kind,
            last,
            words,
        });
    }

    /// Ends the input: a held line goes out as it is.
    pub fn finish(&mut self, out: &mut dyn FnMut(usize, &str)) {
        if let Some(p) = self.pending.take() {
            out(p.line_no, &p.text);
        }
    }

    /// A cut was seen where a line was `last` wide (`widths`): the first sets the copy's
    /// width; one that disagrees shows the cuts are not a terminal's (a mail client breaks
    /// between words, a note follows a line), and width alone then joins nothing.
    fn cut_seen(&mut self, last: (usize, usize)) {
        if self.mixed || last.0.max(last.1) < MIN_WIDTH {
            return;
        }
        match self.width {
            Some(w) if w == last.0 || w == last.1 => {}
            Some(_) => {
                self.width = None;
                self.mixed = true;
            }
            None if TERMINAL_WIDTHS.contains(&last.1) => self.width = Some(last.1),
            None => self.width = Some(last.0),
        }
    }

    /// The kind of a structured line that ends before its end, if `line` is one, and whether
    /// it was broken between words. Its last physical line, `last`, tells: as wide as a
    /// terminal (the copy's width once known, else a common terminal width), it was cut; no
    /// wider than a mail client's lines and no terminal width known, it was broken.
    fn kind(&self, line: &str, last: &str) -> Option<(Kind, bool)> {
        let kind = self.shape(line)?;
        let n = widths(last);
        if let Kind::Boxed { border } = kind {
            // A mail client breaks a row between words too, and takes the space; a border has
            // no spaces, and only a terminal cuts it.
            let terminal = border || self.width.is_some() || TERMINAL_WIDTHS.contains(&n.0);
            return Some((kind, !terminal && n.0 <= MAIL_WIDTH));
        }
        let at = |w: usize| n.0 == w || n.1 == w;
        match self.width {
            Some(width) => at(width).then_some((kind, false)),
            None if !self.mixed && TERMINAL_WIDTHS.iter().any(|&w| at(w)) => Some((kind, false)),
            None => (n.0.min(n.1) <= MAIL_WIDTH).then_some((kind, true)),
        }
    }

    /// The kind of a structured line that ends before its end, if `line` is one.
    fn shape(&self, line: &str) -> Option<Kind> {
        let t = crate::text::trim_start(line);
        let t = t.trim_end_matches(' ');
        let b = t.as_bytes();
        match b.first()? {
            b'0'..=b'9' if is_field(t) => (!t.ends_with(';')).then_some(Kind::Structured),
            b'0'..=b'9' | b'I' if cut_heading(t) => Some(Kind::Structured),
            b'R' if t.starts_with("RECORD LOCKS space id") => {
                (!lock_line_ends(t)).then_some(Kind::Structured)
            }
            b'T' if t.starts_with("TABLE LOCK table") => {
                (!lock_line_ends(t)).then_some(Kind::Structured)
            }
            b'R' if t.starts_with("Record lock, heap no") => {
                (!ends_in_number(t, "info bits ")).then_some(Kind::Structured)
            }
            // Its end is free text: whether it was cut shows in the next line.
            b'T' if t.starts_with("TRANSACTION ") || t.starts_with("Trx read view") => {
                Some(Kind::Open)
            }
            b'-' if t.starts_with("---TRANSACTION ") => Some(Kind::Open),
            // `LOCK WAIT 4 lock struct(s), heap size 1136, 3 row lock(s), undo log entries 1`
            b'L' if t.starts_with("LOCK WAIT ") => {
                let ends = t.ends_with("row lock(s)") || ends_in_number(t, "undo log entries ");
                (!ends).then_some(Kind::Structured)
            }
            // `mysql tables in use 1, locked 1`
            b'm' if t.starts_with("mysql tables in use") => {
                (!ends_in_number(t, ", locked ")).then_some(Kind::Structured)
            }
            b'M' if t.starts_with("MySQL thread id ") || t.starts_with("MariaDB thread id ") => {
                Some(Kind::Thread)
            }
            b'|' => {
                let t = t.trim_end();
                let short = self.border.map_or(!t.ends_with('|'), |w| columns(t) < w);
                short.then_some(Kind::Boxed { border: false })
            }
            // Cut just after a `+`, a border looks closed: whether it goes on shows in the next
            // line, which no border starts with a `-`.
            b'+' if b.get(1) == Some(&b'-') => Some(Kind::Boxed { border: true }),
            _ => None,
        }
    }

    /// `Wide` when `line` is as wide as the copy (or one short, its last space dropped).
    fn wide(&self, line: &str) -> Option<Kind> {
        let width = self.width?;
        if line.len() + 1 < width {
            return None;
        }
        let (columns, chars) = widths(line);
        let short = columns + 1 == width || chars + 1 == width;
        (columns == width || chars == width || short).then_some(Kind::Wide { short })
    }
}

/// Whether `next` is the tail of `head`, a line of `kind` (broken between `words`; in a boxed
/// table whose rows are `border` columns wide).
fn continues(kind: Kind, words: bool, border: Option<usize>, head: &str, next: &str) -> bool {
    if next.trim().is_empty() {
        return false;
    }
    match kind {
        // A border's tail is more border.
        Kind::Boxed { border: true } => {
            let t = next.trim();
            (t.starts_with('-') || !head.trim_end().ends_with('+'))
                && t.bytes().all(|b| b == b'-' || b == b'+')
        }
        Kind::Boxed { border: false } => row_goes_on(head, next, border),
        // A markdown row as wide as the copy: closed cells do not show it ends.
        Kind::Wide { .. } if head.trim_start().starts_with('|') => row_goes_on(head, next, None),
        Kind::Structured => !starts_a_line(next),
        // A statement after a line the publisher kept when they cut the thread line out.
        Kind::Open => !starts_a_line(next) && !starts_a_statement(next, false),
        // The server prints a statement without leading spaces: indented other than the
        // thread line, the next line is its tail (cut before ` update`). Else a host, user or
        // state goes on in letters, digits or a dot, and a statement may start with markup
        // (`**DELETE`) or a comment.
        Kind::Thread => {
            let first = next.bytes().next().unwrap_or(b' ');
            // A mail client breaks before a word: a host, a user or a state, in ASCII. A word
            // alone is the state when it would not have fit on the thread line's row.
            let word = first.is_ascii_alphanumeric() || b"._".contains(&first);
            let overflows = columns(head) + 1 + next.trim().len() > NARROWEST_MAIL;
            !starts_a_line(next)
                && (indent(next) != indent(head) && !words
                    || (word || first >= 0x80 && !words)
                        && !starts_a_statement(next, !words || overflows))
        }
        // A rule of dashes as wide as the copy goes on in more dashes.
        Kind::Wide { .. } => !starts_a_line(next) || rule(head) && rule(next),
    }
}

/// Whether `next` is the tail of the table row `head`: anything but a border or a new row,
/// which start where the table does (a tail may start with a cell's padding and `|`); in a
/// boxed table, also a tail that starts with the `|` a break fell before, when the two are no
/// wider than a row (a new row alone is as wide).
fn row_goes_on(head: &str, next: &str, border: Option<usize>) -> bool {
    let t = next.trim_start();
    if t.starts_with("+-") {
        return false;
    }
    // One more column for the space a mail client's break took.
    let fits = |width: usize| columns(head.trim()) + columns(next.trim_end()) <= width + 1;
    !t.starts_with('|') || indent(next) != indent(head) || border.is_some_and(fits)
}

/// Whether `head` stops inside a token that holds no space, which `tail` goes on: a backquoted
/// name (an odd number of backquotes before the break) or a field's hex dump.
fn inside_a_token(head: &str, tail: &str) -> bool {
    let word = |c: Option<char>| c.is_some_and(|c| c.is_alphanumeric() || c == '_');
    if !word(head.chars().next_back()) || !word(tail.chars().next()) {
        return false;
    }
    let quoted = head.bytes().filter(|&b| b == b'`').count() % 2 == 1;
    let hex = head
        .rsplit_once(" hex ")
        .is_some_and(|(_, dump)| dump.bytes().all(|b| b.is_ascii_hexdigit()));
    quoted || hex
}

/// The leading spaces and tabs of `line`.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches([' ', '\t']).len()
}

/// A line of dashes (or `=`) only.
fn rule(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && (t.bytes().all(|b| b == b'-') || t.bytes().all(|b| b == b'='))
}

/// Whether `t` ends in `label` and a number (`… info bits 0`).
fn ends_in_number(t: &str, label: &str) -> bool {
    let digits = t.bytes().rev().take_while(u8::is_ascii_digit).count();
    digits > 0
        && t.get(..t.len() - digits)
            .is_some_and(|h| h.ends_with(label))
}

/// A record field line: `0: len 4; hex 80000001; asc     ;;`, `7: SQL NULL;`.
fn is_field(t: &str) -> bool {
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    (1..=4).contains(&digits)
        && t.get(digits..)
            .is_some_and(|r| r.starts_with(": len ") || r.starts_with(": SQL NULL"))
}

/// A log line holding a deadlock report's heading (`… [InnoDB] *** (1) TRANSACTION:`, `…
/// InnoDB: Transactions deadlock detected, dumping detailed information.`) that stops before the
/// heading's last character: every heading ends in `:`, `.` or `)`.
fn cut_heading(t: &str) -> bool {
    // Most log lines end as a heading does: answered without a search.
    if t.ends_with([':', '.', ')']) {
        return false;
    }
    let (prefix, _, message) = strip_log_prefix(t);
    let message = message.trim_start();
    // `Transactions deadlock …`; 5.6 writes `transactions`.
    const TITLE: &str = "transactions deadlock detected, dumping detailed information.";
    let title = message.len() >= "trans".len()
        && TITLE
            .get(..message.len())
            .is_some_and(|t| t.eq_ignore_ascii_case(message));
    prefix == Prefix::InnoDb && (message.starts_with("***") || title)
}

/// A lock line (`RECORD LOCKS …`, `TABLE LOCK …`) that reaches its mode and what follows it.
fn lock_line_ends(t: &str) -> bool {
    const ENDS: [&str; 11] = [
        "waiting",
        "but not gap",
        "before rec",
        "insert intention",
        " X",
        " S",
        " IX",
        " IS",
        " AUTO-INC",
        " (",
        ")",
    ];
    ENDS.iter().any(|e| t.ends_with(e)) && memchr::memmem::find(t.as_bytes(), b"lock").is_some()
}

/// Whether `text` starts a line the server (or a client, or a log) prints.
fn starts_a_line(text: &str) -> bool {
    const STARTS: [&str; 34] = [
        "***",
        "```",
        "---",
        "===",
        "+-",
        "LATEST DETECTED DEADLOCK",
        "LATEST FOREIGN KEY ERROR",
        "TRANSACTIONS",
        "mysql tables in use",
        "LOCK WAIT ",
        "MySQL thread id",
        "MariaDB thread id",
        "RECORD LOCKS space id",
        "TABLE LOCK table",
        "Record lock, heap no",
        "Trx read view",
        "Trx id counter",
        "Purge done",
        "History list length",
        "LIST OF TRANSACTIONS",
        "END OF INNODB MONITOR",
        "INNODB MONITOR OUTPUT",
        "Per second averages",
        "InnoDB:",
        "[Note]",
        "[Warning]",
        "[ERROR]",
        "mysql>",
        "MariaDB [",
        "ERROR ",
        "Query OK",
        "Empty set",
        "row in set",
        "rows in set",
    ];
    let t = text.trim_start();
    // A blog's bold or code marks around the line (`**RECORD LOCKS**`); a fence is a line.
    let t = if t.starts_with("***") || t.starts_with("```") {
        t
    } else {
        t.trim_start_matches(['*', '`', '_'])
    };
    let b = t.as_bytes();
    if STARTS.iter().any(|s| t.starts_with(s)) {
        return true;
    }
    // `TRANSACTION 3109, …`, `TRANSACTION 0 12345, …`; not the `TRANSACTION (2)` of a cut
    // `WE ROLL BACK` heading.
    if let Some(id) = t.strip_prefix("TRANSACTION ") {
        return id.bytes().next().is_some_and(|b| b.is_ascii_hexdigit());
    }
    match b.first() {
        Some(b'0'..=b'9') => {
            is_field(t)
                || digits_then(t, " lock struct(s)")
                || digits_then(t, " rows in set")
                || looks_like_time(t)
        }
        // `\G` output: `*************************** 1. row ***` is caught above; its fields
        // are right-aligned names (`  ENGINE_LOCK_ID: …`).
        Some(_) => text.starts_with(' ') && is_row_field(t),
        None => false,
    }
}

/// `4 lock struct(s)`: digits, then `what`.
fn digits_then(t: &str, what: &str) -> bool {
    let n = t.bytes().take_while(u8::is_ascii_digit).count();
    t.get(n..).is_some_and(|r| r.starts_with(what))
}

/// `ENGINE_LOCK_ID: …`, `waiting_trx_id: …`: a `\G` field's name and colon.
fn is_row_field(t: &str) -> bool {
    let name = t
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || *b == b'_')
        .count();
    name > 1
        && t.get(name..)
            .is_some_and(|r| r.starts_with(": ") || r == ":")
}

/// Whether a statement starts `next` (the thread line is followed by one). A word alone on
/// the line is the thread line's state when `lone_is_state` (the thread line was cut at the
/// copy's width).
fn starts_a_statement(next: &str, lone_is_state: bool) -> bool {
    const WORDS: &str = "select insert update delete replace with call set do load alter create \
        drop truncate lock commit rollback begin start handler execute values optimize analyze \
        rename grant revoke flush kill show explain savepoint xa";
    // A blog's bold or code marks around it (`**DELETE FROM …**`).
    let t = next.trim_start().trim_start_matches(['*', '`', '_']);
    if t.starts_with("/*") || t.starts_with('(') || t.starts_with("--") {
        return true;
    }
    let word_len = t.bytes().take_while(|b| b.is_ascii_alphabetic()).count();
    // A word alone on the line after a thread line cut at the copy's width is the state the
    // cut pushed down (`localhost root ` / `update`); an ORM's `update` / `  t1` / `SET …` is
    // only taken for one after a thread line that is not that wide.
    let word = t.get(..word_len).unwrap_or("");
    let alone = word_len == t.trim_end().len();
    let standalone = ["commit", "rollback", "begin"]
        .iter()
        .any(|w| w.eq_ignore_ascii_case(word));
    WORDS
        .split_whitespace()
        .any(|w| w.eq_ignore_ascii_case(word))
        && (!(alone && lone_is_state) || standalone)
}

/// `text`'s width in columns and in characters: terminals differ on which characters are wide,
/// so a cut at either counts.
fn widths(text: &str) -> (usize, usize) {
    if text.is_ascii() {
        return (text.len(), text.len());
    }
    (columns(text), text.chars().count())
}

/// The columns `text` takes in a terminal: East Asian wide characters take two.
fn columns(text: &str) -> usize {
    if text.is_ascii() {
        return text.len();
    }
    text.chars()
        .map(|c| {
            let c = u32::from(c);
            let wide = matches!(c,
                0x1100..=0x115f
                | 0x2e80..=0x303e
                | 0x3041..=0x33ff
                | 0x3400..=0x4dbf
                | 0x4e00..=0x9fff
                | 0xa000..=0xa4cf
                | 0xac00..=0xd7a3
                | 0xf900..=0xfaff
                | 0xfe30..=0xfe4f
                | 0xff00..=0xff60
                | 0xffe0..=0xffe6
                | 0x20000..=0x3fffd);
            1 + usize::from(wide)
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewrap(text: &str) -> Vec<String> {
        let mut r = Rewrapper::new();
        let mut out = Vec::new();
        for (i, line) in text.lines().enumerate() {
            r.feed(i + 1, line, &mut |_, l| out.push(l.to_string()));
        }
        r.finish(&mut |_, l| out.push(l.to_string()));
        out
    }

    /// Every line longer than `width` cut into pieces `width` columns wide.
    fn wrapped(text: &str, width: usize) -> String {
        let mut out = String::new();
        for line in text.lines() {
            let chars: Vec<char> = line.chars().collect();
            if chars.is_empty() {
                out.push('\n');
            }
            for piece in chars.chunks(width) {
                out.extend(piece);
                out.push('\n');
            }
        }
        out
    }

    const REPORT: &str = "*** (1) TRANSACTION:
TRANSACTION 2404186956, ACTIVE 0 sec inserting, thread declared inside InnoDB 1
mysql tables in use 1, locked 1
LOCK WAIT 4 lock struct(s), heap size 1136, 3 row lock(s), undo log entries 1
MySQL thread id 118913470, OS thread handle 140410161960704, query id 8752703155 10.0.0.25 message_user update
INSERT INTO `message_entity` (`id`,`message_id`,`chat_id`,`entity`) VALUES (6921593568842792988,6921593568842792961,6921593568842792960,'x') ON DUPLICATE KEY UPDATE entity = VALUES(entity)
*** (1) WAITING FOR THIS LOCK TO BE GRANTED:
RECORD LOCKS space id 289 page no 2697984 n bits 80 index PRIMARY of table `lark_message_shard_x`.`message_entity` trx id 2404186956 lock_mode X locks rec but not gap waiting
Record lock, heap no 12 PHYSICAL RECORD: n_fields 6; compact format; info bits 0
 0: len 8; hex 600e1b5d3a00201c; asc `  ]: ;;
 1: len 6; hex 00008f4ba5b8; asc    K  ;;
 2: len 98; hex 6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a6162636465666768696a6b6c6d6e6f707172737475767778797a616263646566676869; asc abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghi;;
*** WE ROLL BACK TRANSACTION (1)
";

    #[test]
    fn a_report_cut_at_a_terminals_width_comes_back_whole() {
        let whole: Vec<String> = REPORT.lines().map(String::from).collect();
        for width in [80, 100] {
            assert_eq!(rewrap(&wrapped(REPORT, width)), whole, "width {width}");
        }
        // Wider, the statement is the first line cut: nothing has shown the width yet, so its
        // pieces stay apart; everything after it comes back.
        let got = rewrap(&wrapped(REPORT, 120));
        assert_eq!(got.len(), whole.len() + 1);
        assert!(got
            .iter()
            .any(|l| l.starts_with("RECORD LOCKS") && l.ends_with("waiting")));
    }

    #[test]
    fn a_break_between_words_gets_its_space_back() {
        // Broken at 76 columns by a mail client, which took the space.
        let text = "MySQL thread id 2, OS thread handle 140474041767680, query id 74 localhost\n\
                    root update\n\
                    INSERT INTO child VALUES (2)\n";
        assert_eq!(
            rewrap(text),
            [
                "MySQL thread id 2, OS thread handle 140474041767680, query id 74 localhost root \
                 update",
                "INSERT INTO child VALUES (2)"
            ]
        );
        let text = "RECORD LOCKS space id 0 page no 635 n bits 72 index `PRIMARY`\n\
                    of table `test`.`innodb_deadlock_maker` trx id 11702 lock\n\
                    mode S locks rec but not gap\n\
                    Record lock, heap no 3 PHYSICAL RECORD: n_fields 3; compact format; info bits 0\n";
        assert_eq!(
            rewrap(text)[0],
            "RECORD LOCKS space id 0 page no 635 n bits 72 index `PRIMARY` of table \
             `test`.`innodb_deadlock_maker` trx id 11702 lock mode S locks rec but not gap"
        );
    }

    #[test]
    fn a_cut_inside_a_name_or_a_dump_shows_an_uncommon_width() {
        assert!(inside_a_token(
            "index `PRIMARY` of table `lark_mess",
            "age_shard`.`t` trx id 1"
        ));
        assert!(inside_a_token(
            " 2: len 98; hex 61626364656667",
            "68696a; asc abcdefghij;;"
        ));
        assert!(!inside_a_token("query id 74 localhost", "root update"));
        assert!(!inside_a_token(" 0: len 4; hex 80000001; asc", "    ;;"));
        // Cut at 76 columns: inside the hex dump, so a terminal's; the statement cut at the
        // same width afterwards is glued.
        let field = format!(
            " 2: len 98; hex {}; asc {};;",
            "61".repeat(98),
            "a".repeat(98)
        );
        let statement = format!("update t set note = '{}' where id = 1", "x".repeat(70));
        let text = wrapped(
            &format!("{field}\n{statement}\n*** WE ROLL BACK TRANSACTION (1)\n"),
            76,
        );
        assert_eq!(
            rewrap(&text),
            [field, statement, "*** WE ROLL BACK TRANSACTION (1)".into()]
        );
    }

    #[test]
    fn a_whole_report_is_left_alone() {
        let whole: Vec<String> = REPORT.lines().map(String::from).collect();
        assert_eq!(rewrap(REPORT), whole);
    }

    #[test]
    fn the_statement_after_a_thread_line_is_not_its_tail() {
        let text = "MySQL thread id 118913470, OS thread handle 140410161960704, query id 87 h u\n\
                    update t set a = 1 where id = 2\n";
        assert_eq!(rewrap(text).len(), 2);
        // Cut just before its state: the word alone is the thread line's.
        let head =
            "MySQL thread id 118913470, OS thread handle 140410161960704, query id 81 host u ";
        assert_eq!(head.len(), 80);
        let text = format!("{head}\nupdate\ninsert into t values (1)\n");
        assert_eq!(
            rewrap(&text),
            [format!("{head}update"), "insert into t values (1)".into()]
        );
        // Not as wide as a terminal: an ORM's statement that starts with a word alone.
        let text = "MySQL thread id 1118382, OS thread handle 140387448583936, query id 2 h app updating\n\
                    update\n\
                    \tt1 set a = 1\n";
        assert_eq!(rewrap(text).len(), 3);
    }

    #[test]
    fn a_wide_statement_line_is_joined_only_once_the_width_is_known() {
        // Multi-line SQL as the server printed it: no cut seen, nothing joined.
        let text = "update accounts set balance = balance + 20, note = 'transfer from savings'\n\
                    where id = 101\n";
        assert_eq!(rewrap(text).len(), 2);
    }

    #[test]
    fn a_boxed_row_is_joined_until_it_closes() {
        let row = format!("| {} | {} |", "x".repeat(90), "y".repeat(50));
        let text = wrapped(
            &format!("+{}+\n{row}\n+{}+\n", "-".repeat(150), "-".repeat(150)),
            80,
        );
        assert_eq!(rewrap(&text)[1], row);
    }

    #[test]
    fn wide_characters_take_two_columns() {
        assert_eq!(columns("ab"), 2);
        assert_eq!(columns("事务"), 4);
        assert_eq!(columns("é"), 1);
    }
}
