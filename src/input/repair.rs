//! Undoes what copying did to a report before it reached us (format-spec §10, issue 16): each
//! repair is one small named step, applied to physical lines before the client decoration is
//! unwrapped, and each costs nothing on a line it does not apply to (a first-byte test, or a
//! mode that an earlier line switched on).
//!
//! - `transport`: the prefix a log shipper puts before every line (journald, syslog, a
//!   container runtime: `transport.rs`) comes off first.
//! - `json_log`: MySQL 8's JSON error log (`log_sink_json`): one object per message, pretty
//!   printed or not; each `"msg"` becomes the lines it holds, the other keys are dropped. The
//!   JSON stores of journald (`journalctl -o json`, `"MESSAGE"`) and Docker (`json-file`,
//!   `"log"`) are read the same way.
//! - `wrapper`: a paste quoted in markdown (`> `), in a source comment (` * `, `\t// `, `-- `,
//!   `# `) or held in string literals (`+ "…\n"`): the wrapper is taken off every line that
//!   carries it (`wrapper.rs`).
//! - `numbered`: a copy from a code viewer or book with line numbers (`23  *** (1)
//!   TRANSACTION:`): the numbers go, and an unnumbered line is the wrapped tail of the one
//!   before.
//! - `entities`: an HTML-escaped copy (`&lt;`, `&gt;`, `&amp;`, `&quot;`, `&#039;`).
//! - `markdown_escapes`: `\*\*\* (1) TRANSACTION:`, `lock\_mode`: the backslashes go; and
//!   `stars`: a heading whose `***` markdown ate (`(1) TRANSACTION:`) gets them back.
//! - `doubled`: a copy where every space became two (`LATEST  DETECTED  DEADLOCK`): each run
//!   of spaces is halved again while every run on the line has an even length, which gives back
//!   the server's spacing exactly, record dumps' `asc` text included.
//! - `unflatten`: a report whose newlines became spaces (chat tools, some blog engines, a line
//!   of backtick-quoted lines): cut back into lines before every line start the server prints.

use memchr::memmem;

use std::borrow::Cow;

use super::transport::{self, Transport};
use super::wrapper::{self, Wrapper};

/// Per-input repair state.
#[derive(Debug, Default)]
pub struct Repairer {
    /// The quote prefix or string literal every line of the paste is wrapped in.
    wrapper: Option<Wrapper>,
    /// In a numbered copy: the next line's number, and the line being gathered.
    numbered: Option<Numbered>,
    /// Inside a JSON error log.
    json: bool,
    /// Markdown escapes were seen (`\*\*\*`).
    markdown: bool,
    /// Every space of the copy was doubled (`***  (1)  TRANSACTION:`).
    doubled: bool,
    /// The log shipper whose prefix the lines carry.
    transport: Option<Transport>,
    /// A line the container runtime split (`Cri` `P`), waiting for its end.
    partial: Option<String>,
}

#[derive(Debug)]
struct Numbered {
    next: u64,
    pending: Option<(usize, String)>,
    /// Unnumbered lines in a row (wrapped tails); too many and the copy has ended.
    tails: u8,
}

impl Repairer {
    pub fn new() -> Repairer {
        Repairer::default()
    }

    /// Whether `raw` may need a repair. Most lines of a large log are record fields (` 0: len
    /// 4; …`), log-prefixed lines (`2026-11-21 …`), empty, or start with a word: unless a mode is
    /// on, none of the repairs applies to them but the entity and escape ones, so they skip the
    /// rest (every byte of a 100 MB log passes here).
    #[inline]
    pub fn needs(&self, raw: &str) -> bool {
        let bytes = raw.as_bytes();
        let idle = self.wrapper.is_none()
            && self.numbered.is_none()
            && !self.json
            && !self.markdown
            && !self.doubled
            && self.transport.is_none();
        // A line that ends in a tag may end in a copied page's `<br>`.
        if !idle || bytes.len() >= 150 || bytes.last() == Some(&b'>') {
            return true;
        }
        if transport::may_start(bytes) && transport::strip(raw).is_some() {
            return true;
        }
        // Record fields and log-prefixed lines are never worth an entity scan (an escaped copy
        // escapes its statements too, and those lines are scanned); lines that start with a
        // word are, for `&` and `\`.
        match bytes.first() {
            None => false,
            Some(b' ') => !bytes.get(1).is_some_and(u8::is_ascii_digit),
            Some(&b) if b.is_ascii_digit() => !bytes.get(..5).is_some_and(|h| {
                h.get(..4).is_some_and(|d| d.iter().all(u8::is_ascii_digit))
                    && h.get(4) == Some(&b'-')
            }),
            Some(&b) if b.is_ascii_alphabetic() && b != b'W' => {
                memchr::memchr2(b'&', b'\\', bytes).is_some()
                    || doubled_start(raw)
                    || bytes.ends_with(b"</pre>")
            }
            Some(_) => true,
        }
    }

    /// Repairs one physical line; the lines it becomes go to `out` (none, one, or several).
    pub fn feed(&mut self, line_no: usize, raw: &str, out: &mut dyn FnMut(usize, &str)) {
        if self.transport.is_none() && !transport::may_start(raw.as_bytes()) {
            return self.unshipped(line_no, raw, out);
        }
        let Some(stripped) = transport::strip(raw) else {
            self.transport = None;
            if let Some(split) = self.partial.take() {
                self.unshipped(line_no, &split, out);
            }
            return self.unshipped(line_no, raw, out);
        };
        self.transport = Some(stripped.transport);
        match (self.partial.take(), stripped.partial) {
            (Some(mut split), partial) => {
                split.push_str(stripped.rest);
                if partial {
                    self.partial = Some(split);
                } else {
                    self.unshipped(line_no, &split, out);
                }
            }
            (None, true) => self.partial = Some(stripped.rest.to_string()),
            (None, false) => self.unshipped(line_no, stripped.rest, out),
        }
    }

    /// The repairs of a line as the server wrote it (after `transport`).
    fn unshipped(&mut self, line_no: usize, raw: &str, out: &mut dyn FnMut(usize, &str)) {
        // A web page's copy may space every word with no-break spaces: the repairs below
        // (quote prefixes, doubled spaces, flattened reports) look for plain ones.
        let despaced;
        let raw = if memchr::memchr(0xa0, raw.as_bytes()).is_some() && raw.contains('\u{a0}') {
            despaced = raw.replace('\u{a0}', " ");
            despaced.as_str()
        } else {
            raw
        };
        // A file saved by a Windows editor starts with a byte-order mark.
        let raw = raw.strip_prefix('\u{feff}').unwrap_or(raw);
        let first = raw.as_bytes().first().copied().unwrap_or(b'\n');
        // A JSON log: its keys and braces, and the lines of each message.
        let json_like = || {
            matches!(first, b'{' | b' ' | b'"')
                && memchr::memchr2(b'"', b'{', raw.as_bytes()).is_some()
                && is_json_log_line(raw)
        };
        if self.json || json_like() {
            if let Some(handled) = self.json_log(line_no, raw, out) {
                return handled;
            }
        }
        let mut text = Cow::Borrowed(raw);
        if let Some(w) = &self.wrapper {
            match w.strip(raw) {
                Some(rest) => text = rest,
                None => self.wrapper = None,
            }
        } else if wrapper::may_start(raw.as_bytes()) {
            // A quoted copy may be line-numbered too (`> 1 141013 6:06:22`).
            let starts =
                |r: &str| starts_a_copy(r) || line_number(r).is_some_and(|(_, r)| starts_a_copy(r));
            if let Some((w, rest)) = wrapper::detect(raw, starts) {
                self.wrapper = Some(w);
                text = rest;
            }
        }
        // A string literal may hold several lines.
        for text in text.split('\n') {
            // Right-aligned numbers (`cat -n`, `%3d: `) start with spaces.
            let numeric = text
                .bytes()
                .find(|b| !matches!(b, b' ' | b'\t'))
                .is_some_and(|b| b.is_ascii_digit());
            if (self.numbered.is_some() || numeric) && self.numbered(line_no, text, out).is_some() {
                continue;
            }
            self.fixed(line_no, text, out);
        }
    }

    /// Ends the input: a numbered line still gathered goes out.
    pub fn finish(&mut self, out: &mut dyn FnMut(usize, &str)) {
        if let Some(split) = self.partial.take() {
            self.unshipped(usize::MAX, &split, out);
        }
        if let Some((n, line)) = self.numbered.take().and_then(|n| n.pending) {
            self.fixed(n, &line, out);
        }
    }

    /// The per-line repairs that need no lookahead: entities, markdown escapes, flattening.
    fn fixed(&mut self, line_no: usize, text: &str, out: &mut dyn FnMut(usize, &str)) {
        let halved;
        let text = match self.doubled_spaces(text) {
            Some(h) => {
                halved = h;
                halved.as_str()
            }
            None => text,
        };
        let text = strip_br_tag(strip_pre_tags(text));
        let bytes = text.as_bytes();
        let mut owned: Option<String> = None;
        // One scan for both escapes: most lines have neither.
        if memchr::memchr2(b'&', b'\\', bytes).is_some() {
            if memchr::memchr(b'&', bytes).is_some() {
                owned = unescape_entities(text);
            }
            let current = owned.as_deref().unwrap_or(text);
            if memchr::memchr(b'\\', current.as_bytes()).is_some() {
                self.markdown |= memmem::find(current.as_bytes(), b"\\*\\*\\*").is_some();
                if self.markdown {
                    owned = Some(unescape_markdown(current));
                }
            }
        }
        let current = owned.as_deref().unwrap_or(text);
        let first = current.as_bytes().first().copied();
        if matches!(first, Some(b'(' | b'W')) && lost_stars(current) {
            owned = Some(format!("*** {current}"));
        }
        let current = owned.as_deref().unwrap_or(text);
        let long = current.len() >= 150 || (first == Some(b'*') && heading_with_more(current));
        if long && is_flattened(current) {
            for line in unflatten(current) {
                out(line_no, &line);
            }
            return;
        }
        out(line_no, current);
    }

    /// `doubled`: the line with its runs of spaces halved, in a copy whose every space was
    /// doubled; a heading or `TRANSACTION` line spaced so turns the mode on, a line of plain
    /// single-spaced words turns it off.
    fn doubled_spaces(&mut self, text: &str) -> Option<String> {
        if !self.doubled && !doubled_start(text) {
            return None;
        }
        match halve_spaces(text) {
            Some(h) => {
                self.doubled = true;
                Some(h)
            }
            None => {
                let single =
                    text.split(' ').filter(|w| !w.is_empty()).count() > 3 && !text.contains("  ");
                if single {
                    self.doubled = false;
                }
                None
            }
        }
    }

    /// `json_log`: `Some(())` when the line was a JSON log's and is done with.
    fn json_log(
        &mut self,
        line_no: usize,
        raw: &str,
        out: &mut dyn FnMut(usize, &str),
    ) -> Option<()> {
        let t = raw.trim();
        let json_like =
            t.starts_with('{') || t.starts_with('}') || t.starts_with('"') || t.is_empty();
        if !json_like {
            self.json = false;
            return None;
        }
        self.json = true;
        if let Some(msg) = json_msg(t) {
            for line in msg.split('\n') {
                if !line.trim().is_empty() {
                    self.fixed(line_no, line, out);
                }
            }
        }
        Some(())
    }

    /// `numbered`: `Some(())` when the line was taken (held as the numbered line being
    /// gathered, or appended to it as its wrapped tail).
    fn numbered(
        &mut self,
        line_no: usize,
        text: &str,
        out: &mut dyn FnMut(usize, &str),
    ) -> Option<()> {
        let parsed = line_number(text);
        let Some(state) = &mut self.numbered else {
            // Only a numbered line that holds a report's first words starts a numbered copy.
            let (n, rest) = parsed?;
            if !starts_a_copy(rest) {
                return None;
            }
            self.numbered = Some(Numbered {
                next: n + 1,
                pending: Some((line_no, rest.to_string())),
                tails: 0,
            });
            return Some(());
        };
        match parsed {
            Some((n, rest)) if n == state.next => {
                let done = state.pending.replace((line_no, rest.to_string()));
                state.next = n + 1;
                state.tails = 0;
                if let Some((m, line)) = done {
                    self.fixed(m, &line, out);
                }
                Some(())
            }
            _ if state.tails < 2
                && !text.trim().is_empty()
                && state
                    .pending
                    .as_ref()
                    .is_some_and(|(_, l)| !l.trim().is_empty()) =>
            {
                // A wrapped tail: part of the numbered line before it.
                state.tails += 1;
                if let Some((_, line)) = &mut state.pending {
                    line.push(' ');
                    line.push_str(text.trim());
                }
                Some(())
            }
            _ => {
                // The copy has ended.
                if let Some((m, line)) = self.numbered.take().and_then(|n| n.pending) {
                    self.fixed(m, &line, out);
                }
                None
            }
        }
    }
}

/// `"msg": "…"` or a one-line object with a `"msg"`: a JSON error log's line; or a one-line
/// object of journald's (`"MESSAGE"`) or Docker's `json-file` (`"log"` and `"stream"`).
fn is_json_log_line(raw: &str) -> bool {
    let t = raw.trim_start();
    (t.starts_with("\"err_code\"") || t.starts_with("\"log_type\"") || t.starts_with("\"prio\""))
        || (t.starts_with('{')
            && (t.contains("\"msg\"") && (t.contains("\"err_code\"") || t.contains("\"prio\""))
                || t.contains("\"MESSAGE\"") && t.contains("\"__REALTIME_TIMESTAMP\"")
                || t.contains("\"log\"") && t.contains("\"stream\"")))
}

/// The message of a JSON log line: the value of `"msg"` (MySQL), `"MESSAGE"` (journald) or
/// `"log"` (Docker), unescaped. journald writes a message that is not UTF-8 as an array of
/// its bytes.
fn json_msg(t: &str) -> Option<String> {
    let (at, key) = ["\"msg\"", "\"MESSAGE\"", "\"log\""]
        .iter()
        .find_map(|k| Some((t.find(k)?, k.len())))?;
    let rest = t
        .get(at + key..)?
        .trim_start()
        .strip_prefix(':')?
        .trim_start();
    if rest.starts_with('[') {
        let mut de = serde_json::Deserializer::from_str(rest).into_iter::<Vec<u8>>();
        return Some(String::from_utf8_lossy(&de.next()?.ok()?).into_owned());
    }
    let mut de = serde_json::Deserializer::from_str(rest).into_iter::<String>();
    de.next()?.ok()
}

/// A paste inside an HTML `<pre>` block: the tags on its first and last lines go
/// (`<pre>$ mysql-deadlock-logger --print`, `… for update</pre>`).
fn strip_pre_tags(text: &str) -> &str {
    let text = text.strip_suffix("</pre>").unwrap_or(text);
    match text.strip_prefix("<pre") {
        Some(rest) if rest.starts_with(['>', ' ']) => rest.split_once('>').map_or(text, |(_, r)| r),
        _ => text,
    }
}

/// A line of a copy taken from a page's HTML source ends in its line break tag (`<br>`,
/// `<br/>`, `<br />`).
fn strip_br_tag(text: &str) -> &str {
    if !text.ends_with('>') {
        return text;
    }
    for tag in ["<br>", "<br/>", "<br />"] {
        let cut = text.len().saturating_sub(tag.len());
        if text
            .get(cut..)
            .is_some_and(|end| end.eq_ignore_ascii_case(tag))
        {
            return text.get(..cut).unwrap_or(text);
        }
    }
    text
}

/// A report's first words with every space doubled.
fn doubled_start(text: &str) -> bool {
    let t = crate::text::trim_start(text);
    ["LATEST  DETECTED  DEADLOCK", "***  (", "TRANSACTION  "]
        .iter()
        .any(|w| t.starts_with(w))
}

/// `text` with each run of spaces halved, when every run has an even length (a run of one
/// space means the line was not doubled); `None` when there is nothing to halve.
fn halve_spaces(text: &str) -> Option<String> {
    // Spaces after the last word carry nothing (an editor or a copy pads lines).
    let text = text.trim_end_matches(' ');
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut halved = false;
    while let Some(at) = rest.find(' ') {
        out.push_str(rest.get(..at)?);
        let tail = rest.get(at..)?;
        let run = tail.bytes().take_while(|b| *b == b' ').count();
        if run % 2 == 1 {
            return None;
        }
        halved = true;
        out.extend(std::iter::repeat(' ').take(run / 2));
        rest = tail.get(run..)?;
    }
    out.push_str(rest);
    halved.then_some(out)
}

/// The first words of something lockscope reads.
fn starts_a_copy(rest: &str) -> bool {
    let t = rest.trim_start();
    let words = [
        "LATEST DETECTED DEADLOCK",
        "------",
        "=====",
        "*** (",
        "TRANSACTION ",
        "mysql>",
        "MariaDB [",
        "*****",
        "+-",
        "RECORD LOCKS",
        "InnoDB: Transactions deadlock",
    ];
    // A markdown table's header (`| ENGINE_LOCK_ID | LOCK_MODE |`), quoted in a reply.
    let markdown_row =
        t.starts_with('|') && t.trim_end().ends_with('|') && t.matches('|').count() >= 3;
    words.iter().any(|w| t.starts_with(w))
        || markdown_row
        || (t.as_bytes().first().is_some_and(u8::is_ascii_digit) && looks_like_time(t))
}

/// `2026-11-21 05:24:04 0x7f…`, `120906  6:03:32`, `2023-07-14T10:46:34.123456Z 0 [Note] …`.
pub(super) fn looks_like_time(t: &str) -> bool {
    let head = t.get(..t.len().min(30)).unwrap_or(t).as_bytes();
    head.iter()
        .take(6)
        .all(|b| b.is_ascii_digit() || *b == b'-')
        && has_clock(head)
}

/// A clock `H:MM:SS` / `HH:MM:SS` after a space or `T`: not a lock id (`167568:252:3:6`).
fn has_clock(b: &[u8]) -> bool {
    let digit = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    (0..b.len()).any(|i| {
        let hour = if digit(i) && digit(i + 1) { 2 } else { 1 };
        let c = i + hour;
        i > 0
            && matches!(b.get(i - 1), Some(b' ' | b'T'))
            && digit(i)
            && b.get(c) == Some(&b':')
            && digit(c + 1)
            && digit(c + 2)
            && b.get(c + 3) == Some(&b':')
            && digit(c + 4)
            && digit(c + 5)
    })
}

/// `23  *** (1) TRANSACTION:` → (23, `*** (1) TRANSACTION:`); a number alone is an empty line.
fn line_number(text: &str) -> Option<(u64, &str)> {
    let t = text.trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits == 0 || digits > 6 {
        return None;
    }
    let n: u64 = t.get(..digits)?.parse().ok()?;
    let rest = t.get(digits..)?;
    if rest.is_empty() {
        return Some((n, ""));
    }
    // The number is followed by a separator: spaces, a tab, `|` or `.` (code viewers), or a
    // colon (`grep -n`, `nl -s:`) unless what follows is a record field's value (` 0: len 4;
    // …` is a field line, not line 0).
    if let Some(after) = rest.strip_prefix(':') {
        let value = after.trim_start();
        let field = ["len ", "SQL NULL", "SQL DEFAULT", "MBR:"]
            .iter()
            .any(|v| value.starts_with(v));
        return (!field).then(|| (n, after.strip_prefix(' ').unwrap_or(after)));
    }
    let sep = rest
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t' | b'|' | b'.'))
        .count();
    (sep > 0 && !rest.starts_with('.'))
        .then(|| rest.get(sep..))
        .flatten()
        .map(|r| (n, r))
}

/// `&lt;` `&gt;` `&amp;` `&quot;` `&#039;` `&#39;` `&nbsp;` decoded; `None` when there was none.
fn unescape_entities(text: &str) -> Option<String> {
    const ENTITIES: [(&str, &str); 8] = [
        ("&lt;", "<"),
        ("&gt;", ">"),
        ("&quot;", "\""),
        ("&#039;", "'"),
        ("&#39;", "'"),
        ("&#x27;", "'"),
        ("&nbsp;", " "),
        ("&amp;", "&"),
    ];
    if !ENTITIES.iter().any(|(e, _)| text.contains(e)) {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find('&') {
        out.push_str(rest.get(..at).unwrap_or(""));
        let tail = rest.get(at..).unwrap_or("");
        match ENTITIES.iter().find(|(e, _)| tail.starts_with(e)) {
            Some((e, c)) => {
                out.push_str(c);
                rest = tail.get(e.len()..).unwrap_or("");
            }
            None => {
                out.push('&');
                rest = tail.get(1..).unwrap_or("");
            }
        }
    }
    out.push_str(rest);
    Some(out)
}

/// `\*\*\*` → `***`, `lock\_mode` → `lock_mode`, `` \` `` → `` ` ``.
fn unescape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(&next) = chars.peek() {
                if matches!(next, '*' | '_' | '`' | '[' | ']' | '#' | '\\' | '<' | '>') {
                    out.push(next);
                    chars.next();
                    continue;
                }
            }
        }
        out.push(c);
    }
    out
}

/// `(1) TRANSACTION:`, `(2) HOLDS THE LOCK(S):`, `WE ROLL BACK TRANSACTION (1)`: a heading
/// whose `***` a markdown renderer took for emphasis.
fn lost_stars(text: &str) -> bool {
    let t = text.trim_end();
    if let Some(rest) = t.strip_prefix('(') {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let after = rest.get(digits..).unwrap_or("");
        return digits > 0
            && [
                ") TRANSACTION:",
                ") HOLDS THE LOCK(S):",
                ") WAITING FOR THIS LOCK TO BE GRANTED:",
            ]
            .iter()
            .any(|h| after.starts_with(h));
    }
    t.starts_with("WE ROLL BACK TRANSACTION (")
}

/// `*** (1) HOLDS THE LOCK(S):RECORD LOCKS space id …`: a heading with the next line glued
/// on (no heading is longer than 46 characters).
fn heading_with_more(text: &str) -> bool {
    let t = text.trim();
    t.len() > 46 && t.starts_with("*** ")
}

/// A whole report on one line (a heading and a transaction line in it), or a heading with
/// the line after it glued on.
fn is_flattened(text: &str) -> bool {
    let b = text.as_bytes();
    // Every shape below holds a `*`; most long lines (statements, lock lines) have none, and
    // are answered without building a searcher.
    if memchr::memchr(b'*', b).is_none() {
        return false;
    }
    // A status with `\n` escapes (`mysql -B`) is the unwrapper's.
    let escaped = memmem::find(b, b"\\n").is_some();
    !escaped
        && (memmem::find(b, b"*** (").is_some() && memmem::find(b, b"TRANSACTION").is_some()
            || memmem::find(b, b"``***").is_some()
            || heading_with_more(text)
                && LINE_STARTS
                    .iter()
                    .any(|m| text.match_indices(m).any(|(at, _)| at > 4)))
}

/// Where a line of a report starts, in a flattened copy: the words each line begins with.
const LINE_STARTS: [&str; 17] = [
    "LATEST DETECTED DEADLOCK",
    "*** (",
    "*** WE ROLL BACK",
    "*** WAITING FOR",
    "*** CONFLICTING WITH",
    "TRANSACTION ",
    "mysql tables in use",
    "LOCK WAIT ",
    "MySQL thread id",
    "MariaDB thread id",
    "RECORD LOCKS space id",
    "TABLE LOCK table",
    "Record lock, heap no",
    "------------------------ ",
    "---TRANSACTION",
    "TRANSACTIONS ",
    "Trx read view",
];

/// Cuts a flattened report back into lines; a blog engine's `<br>` between them is a line
/// break (hunt-shapes3 018).
fn unflatten(text: &str) -> Vec<String> {
    if memmem::find(text.as_bytes(), b"<br").is_none() {
        return unflatten_line(text);
    }
    let broken = text
        .replace("<br />", "\n")
        .replace("<br/>", "\n")
        .replace("<br>", "\n");
    broken.split('\n').flat_map(unflatten_line).collect()
}

/// [`unflatten`] for text without line breaks.
fn unflatten_line(text: &str) -> Vec<String> {
    // A line of backtick-quoted lines: `` `line``line`` ``.
    if text.matches("``").count() >= 3 {
        return text
            .split("``")
            .map(|l| l.trim_matches('`').to_string())
            .collect();
    }
    let mut cuts: Vec<usize> = Vec::new();
    for start in LINE_STARTS {
        cuts.extend(text.match_indices(start).map(|(i, _)| i));
    }
    // `TRANSACTION ` only as a transaction line: followed by an id.
    cuts.retain(|&i| {
        let tail = text.get(i..).unwrap_or("");
        !tail.starts_with("TRANSACTION ")
            || tail
                .get("TRANSACTION ".len()..)
                .and_then(|r| r.bytes().next())
                .is_some_and(|b| b.is_ascii_hexdigit())
    });
    // ` 4 lock struct(s)`: the counters line of a transaction that does not wait.
    for (i, _) in text.match_indices(" lock struct(s)") {
        let before = text.get(..i).unwrap_or("");
        let n = before.bytes().rev().take_while(u8::is_ascii_digit).count();
        if n > 0 && !before.get(..i - n).unwrap_or("").ends_with("LOCK WAIT ") {
            cuts.push(i - n);
        }
    }
    // Field lines: ` 0: len 4; hex …;;`, ` 7: SQL NULL;`.
    for marker in [": len ", ": SQL NULL"] {
        for (i, _) in text.match_indices(marker) {
            let before = text.get(..i).unwrap_or("");
            let n = before.bytes().rev().take_while(u8::is_ascii_digit).count();
            if n > 0 && before.get(..i - n).unwrap_or("").ends_with(' ') {
                cuts.push(i - n);
            }
        }
    }
    // Rules: a run of dashes alone.
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes.get(i) == Some(&b'-') && (i == 0 || bytes.get(i - 1) == Some(&b' ')) {
            let run = bytes
                .get(i..)
                .unwrap_or(&[])
                .iter()
                .take_while(|&&b| b == b'-')
                .count();
            if run >= 4 {
                cuts.push(i);
                cuts.push(i + run);
            }
            i += run.max(1);
        } else {
            i += 1;
        }
    }
    cuts.sort_unstable();
    cuts.dedup();
    let mut lines = Vec::with_capacity(cuts.len() + 1);
    let mut from = 0;
    for &at in cuts.iter().chain(std::iter::once(&text.len())) {
        if at <= from {
            continue;
        }
        let piece = text.get(from..at).unwrap_or("").trim();
        if !piece.is_empty() {
            split_statement(piece, &mut lines);
        }
        from = at;
    }
    lines
}

/// A thread line followed by its statement (`… localhost root updating delete from t …`):
/// the statement starts at the first SQL verb not followed by another one (a state such as
/// `update` is followed by the statement's own verb).
fn split_statement(piece: &str, lines: &mut Vec<String>) {
    let thread = piece.starts_with("MySQL thread id") || piece.starts_with("MariaDB thread id");
    if !thread {
        lines.push(piece.to_string());
        return;
    }
    let after_query_id = piece.find(", query id ").map_or(0, |i| i + 11);
    let verbs = [
        "select", "insert", "update", "delete", "replace", "with", "call", "/*",
    ];
    let words: Vec<(usize, &str)> = piece
        .get(after_query_id..)
        .unwrap_or("")
        .split(' ')
        .scan(after_query_id, |at, w| {
            let start = *at;
            *at += w.len() + 1;
            Some((start, w))
        })
        .collect();
    let is_verb = |w: &str| {
        let lower = w.to_ascii_lowercase();
        verbs
            .iter()
            .any(|v| lower.starts_with(v) && (lower.len() == v.len() || *v == "/*"))
    };
    for (k, (at, w)) in words.iter().enumerate() {
        if is_verb(w) && !words.get(k + 1).is_some_and(|(_, n)| is_verb(n)) {
            lines.push(piece.get(..*at).unwrap_or(piece).trim_end().to_string());
            lines.push(piece.get(*at..).unwrap_or("").to_string());
            return;
        }
    }
    lines.push(piece.to_string());
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repair(text: &str) -> Vec<String> {
        let mut r = Repairer::new();
        let mut got = Vec::new();
        for (i, line) in text.lines().enumerate() {
            r.feed(i + 1, line, &mut |_, l| got.push(l.to_string()));
        }
        r.finish(&mut |_, l| got.push(l.to_string()));
        got
    }

    // See: fixtures/labelled/d-007 (a Hexo post whose every space is doubled).
    #[test]
    fn doubled_spaces_are_halved_back() {
        let text = "------------------------\nLATEST  DETECTED  DEADLOCK\n***  (1)  TRANSACTION:\n  0:  len  8;  hex  925b1950d335e7a8;  asc    [  P  5    ;;\nn.business_type  =    NAME_CONST('x')\nback to plain text with single spaces\nthen  doubled  again";
        assert_eq!(
            repair(text),
            [
                "------------------------",
                "LATEST DETECTED DEADLOCK",
                "*** (1) TRANSACTION:",
                " 0: len 8; hex 925b1950d335e7a8; asc  [ P 5  ;;",
                "n.business_type =  NAME_CONST('x')",
                "back to plain text with single spaces",
                "then  doubled  again",
            ]
        );
        assert_eq!(halve_spaces("a  b c"), None);
        assert_eq!(halve_spaces("nospace"), None);
        // See: d-007 with the padding an editor adds at line ends.
        assert_eq!(halve_spaces("a  b   ").as_deref(), Some("a b"));
        let r = Repairer::new();
        assert!(r.needs("LATEST  DETECTED  DEADLOCK"));
    }

    // See: fixtures/shapes/logger-01 (a blog's `<pre>` block).
    #[test]
    fn pre_tags_come_off() {
        assert_eq!(
            repair("<pre>$ x --print\nrow for update</pre>\n<preamble>"),
            ["$ x --print", "row for update", "<preamble>"]
        );
    }

    #[test]
    fn plain_lines_pass_untouched() {
        let text = "2026-11-21 05:24:04 0x7f\n*** (1) TRANSACTION:\n 0: len 4; hex 80000001; asc     ;;\n> not quoted\n";
        assert_eq!(repair(text), text.lines().collect::<Vec<_>>());
    }

    #[test]
    fn numbered_copies_lose_their_numbers_and_keep_their_wraps() {
        let text = "1 ------------------------\n2 LATEST DETECTED DEADLOCK\n3 TRANSACTION 0 3793488, ACTIVE 2 sec\nstarting index read\n4 0: len 6; hex 000000000501;\n5\nafter\nthe\ncopy";
        assert_eq!(
            repair(text),
            [
                "------------------------",
                "LATEST DETECTED DEADLOCK",
                "TRANSACTION 0 3793488, ACTIVE 2 sec starting index read",
                "0: len 6; hex 000000000501;",
                "",
                "after",
                "the",
                "copy"
            ]
        );
    }

    #[test]
    fn colon_numbered_and_reply_quoted_copies() {
        assert_eq!(
            repair("1: LATEST DETECTED DEADLOCK\n2: *** (1) TRANSACTION:\n3:  0: len 4; hex 80000001; asc     ;;\n4:\n 0: len 4; hex 80000001; asc     ;;"),
            [
                "LATEST DETECTED DEADLOCK",
                "*** (1) TRANSACTION:",
                " 0: len 4; hex 80000001; asc     ;;",
                "",
                " 0: len 4; hex 80000001; asc     ;;",
            ]
        );
        assert_eq!(
            repair(">> LATEST DETECTED DEADLOCK\n>> *** (1) TRANSACTION:\n>>\nafter"),
            [
                "LATEST DETECTED DEADLOCK",
                "*** (1) TRANSACTION:",
                "",
                "after"
            ]
        );
        assert_eq!(
            repair("> > *** (1) TRANSACTION:\n> > TRANSACTION 5, ACTIVE 1 sec"),
            ["*** (1) TRANSACTION:", "TRANSACTION 5, ACTIVE 1 sec"]
        );
        // A markdown result set quoted in a reply (lock-tables/public 015, quoted).
        assert_eq!(
            repair("> | LOCK_MODE | LOCK_DATA |\n> | --- | --- |\n> | X | 2019 |\nafter"),
            [
                "| LOCK_MODE | LOCK_DATA |",
                "| --- | --- |",
                "| X | 2019 |",
                "after"
            ]
        );
    }

    #[test]
    fn quoted_and_escaped_copies() {
        assert_eq!(
            repair(" * mysql> SELECT 1\\G\n *  waiting_trx_id: 805505\n *\nend"),
            ["mysql> SELECT 1\\G", " waiting_trx_id: 805505", "", "end"]
        );
        assert_eq!(
            repair("WHERE a &lt;&gt; 0 AND b = &#039;x&#039; &amp; c"),
            ["WHERE a <> 0 AND b = 'x' & c"]
        );
        assert_eq!(
            repair("\\*\\*\\* (1) TRANSACTION:\nlock\\_mode X"),
            ["*** (1) TRANSACTION:", "lock_mode X"]
        );
        assert_eq!(
            repair("(2) HOLDS THE LOCK(S):\nWE ROLL BACK TRANSACTION (1)\n(a) TRANSACTION:"),
            [
                "*** (2) HOLDS THE LOCK(S):",
                "*** WE ROLL BACK TRANSACTION (1)",
                "(a) TRANSACTION:"
            ]
        );
    }

    #[test]
    fn json_log_messages_become_lines() {
        let text = "{\n  \"prio\": 3,\n  \"err_code\": 12469,\n  \"msg\": \"\\n*** (1) TRANSACTION:\\n\",\n  \"label\": \"Note\"\n}\n{ \"prio\": 3, \"err_code\": 12469, \"msg\": \"*** WE ROLL BACK TRANSACTION (2)\" }\nplain";
        // The first `{` is not known to open a log yet; it is harmless outside a report.
        assert_eq!(
            repair(text),
            [
                "{",
                "*** (1) TRANSACTION:",
                "*** WE ROLL BACK TRANSACTION (2)",
                "plain"
            ]
        );
    }

    // See: fixtures/shapes/br-joined-01-percona-excerpt-second-copy-spaced.txt
    #[test]
    fn br_joined_reports_are_cut_at_their_breaks() {
        let text = "G: Shell ….<br>------------------------<br>LATEST DETECTED DEADLOCK<br>*** (1) WAITING FOR THIS LOCK TO BE GRANTED:<br>RECORD LOCKS space id 163 page no 3 n bits 72 index GEN_CLUST_INDEX of table `d`.`t` trx id 78507 lock_mode X waiting<br>*** (2) TRANSACTION:<br>TRANSACTION 78508, ACTIVE 155 sec starting index read<br>mysql tables in use 1, locked 1";
        let lines = repair(text);
        for want in [
            "LATEST DETECTED DEADLOCK",
            "RECORD LOCKS space id 163 page no 3 n bits 72 index GEN_CLUST_INDEX of table `d`.`t` trx id 78507 lock_mode X waiting",
            "TRANSACTION 78508, ACTIVE 155 sec starting index read",
        ] {
            assert!(lines.iter().any(|l| l == want), "{want:?} not in {lines:#?}");
        }
    }

    #[test]
    fn flattened_reports_are_cut_into_lines() {
        let text = "`` ------------------------ LATEST DETECTED DEADLOCK ------------------------ 2024-05-14 10:49:51 0x7f8c *** (1) TRANSACTION: TRANSACTION 2428, ACTIVE 4 sec starting index read mysql tables in use 1, locked 1 LOCK WAIT 2 lock struct(s), heap size 1136, 1 row lock(s) MySQL thread id 207, OS thread handle 1402, query id 721 localhost root updating delete from t1 where cnt='abc' *** (1) WAITING FOR THIS LOCK TO BE GRANTED: RECORD LOCKS space id 44 page no 4 n bits 72 index idx_cnt of table `h`.`t1` trx id 2428 lock_mode X waiting Record lock, heap no 2 PHYSICAL RECORD: n_fields 2; compact format; info bits 32  0: len 10; hex 6162; asc ab;;  1: len 4; hex 80000004; asc     ;; *** (2) TRANSACTION: TRANSACTION 2427, ACTIVE 8 sec inserting mysql tables in use 1, locked 1 4 lock struct(s), heap size 1136 MySQL thread id 208, OS thread handle 1402, query id 722 localhost root update insert into t1(cnt) values ('abc') *** WE ROLL BACK TRANSACTION (1)";
        let lines = repair(text);
        for want in [
            "LATEST DETECTED DEADLOCK",
            "2024-05-14 10:49:51 0x7f8c",
            "*** (1) TRANSACTION:",
            "TRANSACTION 2428, ACTIVE 4 sec starting index read",
            "LOCK WAIT 2 lock struct(s), heap size 1136, 1 row lock(s)",
            "MySQL thread id 207, OS thread handle 1402, query id 721 localhost root updating",
            "delete from t1 where cnt='abc'",
            "0: len 10; hex 6162; asc ab;;",
            "4 lock struct(s), heap size 1136",
            "MySQL thread id 208, OS thread handle 1402, query id 722 localhost root update",
            "insert into t1(cnt) values ('abc')",
            "*** WE ROLL BACK TRANSACTION (1)",
        ] {
            assert!(
                lines.iter().any(|l| l == want),
                "{want:?} not in {lines:#?}"
            );
        }
    }
}
