//! Removes what clients and loggers wrapped around InnoDB's text (format-spec §1, §6, §10):
//! `\G` row headers, boxed-table borders, `-B` batch prefixes and `\n` escapes, and error-log
//! prefixes such as `2026-11-21  5:24:03 18 [Note] InnoDB: ` or `… [Note] [MY-012469] [InnoDB] `.
//! Each physical line becomes zero or more logical lines; the physical line number is kept.

use memchr::memmem;

/// One logical line handed to the splitter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LogicalLine<'a> {
    /// 1-based physical line number.
    pub line: usize,
    pub text: &'a str,
    /// The physical line carried a log prefix. An InnoDB-prefixed line continues a dump (its
    /// heading); any other logged line ends one.
    pub prefix: Prefix,
    /// The log prefix itself (`2026-11-21  5:24:03 18 [Note] `), empty when there was none: the
    /// only timestamp an error-log dump of 5.7+ carries.
    pub stamp: &'a str,
}

/// What kind of log prefix the physical line had.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prefix {
    None,
    /// `[Note] InnoDB: `, `[InnoDB] `, `InnoDB: `: InnoDB's own message.
    InnoDb,
    /// A server log line that is not InnoDB's (`[Note] Server …`, `[Warning] Aborted …`).
    OtherLog,
}

/// Per-input unwrapping state (the client shape is detected from the first lines seen).
#[derive(Debug, Default)]
pub struct Unwrapper {
    boxed: bool,
    escaped_buf: String,
}

impl Unwrapper {
    pub fn new() -> Unwrapper {
        Unwrapper::default()
    }

    /// Turns one physical line into logical lines, passed to `out` in order.
    pub fn feed(&mut self, line_no: usize, raw: &str, out: &mut dyn FnMut(LogicalLine<'_>)) {
        // One scan for the bytes every rewrite below starts from (the `B` that ends `InnoDB`, a
        // `\n` escape, a no-break space): most lines of a report have none and skip them all.
        // (`B` is rare in a report, where the `I` that starts `InnoDB` is not.)
        let bytes = raw.as_bytes();
        let plain = memchr::memchr3_iter(b'B', b'\\', 0xa0, bytes).all(|at| {
            let ends_innodb = || at >= 5 && bytes.get(at - 5..=at) == Some(&b"InnoDB"[..]);
            bytes.get(at) == Some(&b'B') && !ends_innodb()
        });
        // Most of the others hold only an `InnoDB` (a log prefix).
        let odd = !plain && memchr::memchr2(b'\\', 0xa0, bytes).is_some();
        // Text copied from web pages separates words with no-break spaces (seed 002).
        let despaced;
        let mut text = raw;
        if odd && has_no_break_space(raw.as_bytes()) {
            despaced = raw.replace('\u{a0}', " ");
            text = &despaced;
        }
        // `\G` vertical output and boxed-table output: headers, borders, the first cell.
        if let Some(rest) = self.strip_client_row(text) {
            match rest {
                Some(rest) => text = rest,
                None => return,
            }
        }
        if self.boxed {
            let t = text.trim_end();
            if let Some(t) = t.strip_suffix('|') {
                text = t.trim_end();
            }
        }
        if plain {
            out(LogicalLine {
                line: line_no,
                text,
                prefix: other_log_line(text),
                stamp: "",
            });
            return;
        }
        // `-B` batch output: `InnoDB<TAB><TAB>` before the status text.
        if let Some(rest) = text.strip_prefix("InnoDB\t") {
            text = rest.trim_start_matches('\t');
        }
        if odd && is_escaped_status(text) {
            self.feed_escaped(line_no, text, out);
            return;
        }
        let (prefix, stamp, body) = strip_log_prefix(text);
        out(LogicalLine {
            line: line_no,
            text: body,
            prefix,
            stamp,
        });
    }

    /// `Some(None)`: drop the line; `Some(Some(rest))`: keep `rest`; `None`: not a client row.
    fn strip_client_row<'a>(&mut self, text: &'a str) -> Option<Option<&'a str>> {
        let first = *text.as_bytes().first()?;
        match first {
            // `\G` row markers and `+---+` borders pass through: lock tables print them too,
            // and the splitter tells a status output from a result set.
            b'|' => {
                let inner = text.strip_prefix('|')?.trim_start();
                if inner.starts_with("Type") && inner.contains("Status") {
                    return Some(None);
                }
                // `| InnoDB |      | <status…>`
                let rest = inner
                    .strip_prefix("InnoDB")?
                    .trim_start()
                    .strip_prefix('|')?;
                let rest = rest.trim_start_matches(' ').strip_prefix('|')?;
                self.boxed = true;
                Some(Some(rest.strip_prefix(' ').unwrap_or(rest)))
            }
            b' ' | b'T' | b'N' | b'S' => {
                let t = crate::text::trim_start(text);
                if t == "Type: InnoDB" || t.trim_end() == "Name:" {
                    Some(None)
                } else if let Some(rest) = t.strip_prefix("Status:") {
                    Some(Some(rest.strip_prefix(' ').unwrap_or(rest)))
                } else {
                    None
                }
            }
            _ => None,
        }
    }

    /// A whole status on one line with `\n` escapes (`mysql -B` without `--raw`, or a
    /// programmatic client's repr): unescape and split.
    fn feed_escaped(&mut self, line_no: usize, text: &str, out: &mut dyn FnMut(LogicalLine<'_>)) {
        let text = text
            .strip_prefix("[('InnoDB', '', \"")
            .or_else(|| text.strip_prefix("[('InnoDB', '', '"))
            .unwrap_or(text);
        let mut buf = std::mem::take(&mut self.escaped_buf);
        buf.clear();
        let mut chars = text.chars();
        let mut emit = |buf: &mut String| {
            let (prefix, stamp, body) = strip_log_prefix(buf);
            out(LogicalLine {
                line: line_no,
                text: body,
                prefix,
                stamp,
            });
            buf.clear();
        };
        while let Some(c) = chars.next() {
            if c != '\\' {
                buf.push(c);
                continue;
            }
            match chars.next() {
                Some('n') => emit(&mut buf),
                Some('t') => buf.push('\t'),
                Some('r') => {}
                Some('0') => buf.push('\0'),
                Some(other) => buf.push(other),
                None => buf.push('\\'),
            }
        }
        if !buf.is_empty() {
            emit(&mut buf);
        }
        self.escaped_buf = buf;
    }
}

/// U+00A0 (`C2 A0` in UTF-8) occurs in `bytes`.
fn has_no_break_space(bytes: &[u8]) -> bool {
    memchr::memchr_iter(0xa0, bytes).any(|at| at > 0 && bytes.get(at - 1) == Some(&0xc2))
}

/// Where `InnoDB` first occurs in `bytes`.
fn find_innodb(bytes: &[u8]) -> Option<usize> {
    memchr::memchr_iter(b'I', bytes)
        .find(|&at| bytes.get(at..).is_some_and(|s| s.starts_with(b"InnoDB")))
}

/// True for a status flattened onto one line with `\n` escapes.
fn is_escaped_status(text: &str) -> bool {
    if text.len() < 64 {
        return false;
    }
    let bytes = text.as_bytes();
    if memchr::memchr(b'\\', bytes).is_none() {
        return false;
    }
    let marks = ["\\n====", "\\n----", "\\n*** ", "\\nTRANSACTION "];
    let escapes = memmem::find_iter(bytes, b"\\n").take(3).count();
    escapes >= 3
        && marks
            .iter()
            .any(|m| memmem::find(bytes, m.as_bytes()).is_some())
}

/// Splits a log prefix off a line, returning what kind of prefix it was, the prefix, and the
/// message.
/// Handles MariaDB / 5.7 `… [Note] InnoDB: `, 8.0 `… [Note] [MY-012469] [InnoDB] `, 5.6
/// `2016-06-15 20:28:25 7f72c0043700InnoDB: ` and a bare `InnoDB: `.
pub fn strip_log_prefix(text: &str) -> (Prefix, &str, &str) {
    let bytes = text.as_bytes();
    if let Some(rest) = text.strip_prefix("InnoDB: ") {
        return (Prefix::InnoDb, "", rest);
    }
    let head = bytes.get(..bytes.len().min(200)).unwrap_or(bytes);
    let Some(pos) = find_innodb(head) else {
        return (other_log_line(text), "", text);
    };
    let before = text.get(..pos).unwrap_or("");
    if !looks_like_log_prefix(before) {
        return (Prefix::None, "", text);
    }
    let after = text.get(pos + "InnoDB".len()..).unwrap_or("");
    let rest = if before.ends_with('[') {
        after.strip_prefix(']')
    } else {
        after.strip_prefix(':')
    };
    match rest {
        Some(rest) => (
            Prefix::InnoDb,
            before,
            rest.strip_prefix(' ').unwrap_or(rest),
        ),
        None => (Prefix::None, "", text),
    }
}

/// A prefix starts like a timestamp (a digit) and holds a clock time, or is a bracketed label.
fn looks_like_log_prefix(before: &str) -> bool {
    let starts_with_digit = before.as_bytes().first().is_some_and(u8::is_ascii_digit);
    let has_colon = || memchr::memchr(b':', before.as_bytes()).is_some();
    starts_with_digit && has_colon() || before.ends_with("] ") || before.ends_with('[')
}

/// A server log line of another subsystem: `2026-11-21  5:24:05 0 [Note] Server socket …`,
/// `2023-…Z 0 [Warning] [MY-010055] [Server] …`.
fn other_log_line(text: &str) -> Prefix {
    let bytes = text.as_bytes();
    if !bytes.first().is_some_and(u8::is_ascii_digit) {
        return Prefix::None;
    }
    let head = bytes.get(..bytes.len().min(80)).unwrap_or(bytes);
    let labels: [&[u8]; 5] = [
        b" [Note] ",
        b" [Warning] ",
        b" [ERROR] ",
        b" [System] ",
        b" [Error] ",
    ];
    if labels.iter().any(|l| memmem::find(head, l).is_some()) {
        Prefix::OtherLog
    } else {
        Prefix::None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unwrap_all(input: &str) -> Vec<(usize, String, Prefix)> {
        let mut u = Unwrapper::new();
        let mut out = Vec::new();
        for (i, line) in input.lines().enumerate() {
            u.feed(i + 1, line, &mut |l| {
                out.push((l.line, l.text.to_string(), l.prefix))
            });
        }
        out
    }

    #[test]
    fn log_prefixes() {
        let cases = [
            (
                "2026-11-21  5:24:03 18 [Note] InnoDB: *** WAITING FOR THIS LOCK TO BE GRANTED:",
                Prefix::InnoDb,
                "*** WAITING FOR THIS LOCK TO BE GRANTED:",
            ),
            (
                "2026-11-21  5:24:03 18 [Note] InnoDB: ",
                Prefix::InnoDb,
                "",
            ),
            (
                "2020-01-01T10:00:00.123456Z 0 [Note] [MY-012469] [InnoDB]  *** (1) TRANSACTION: ",
                Prefix::InnoDb,
                " *** (1) TRANSACTION: ",
            ),
            (
                "2016-06-15 20:28:25 7f72c0043700InnoDB: transactions deadlock detected, dumping detailed information.",
                Prefix::InnoDb,
                "transactions deadlock detected, dumping detailed information.",
            ),
            ("InnoDB: transactions deadlock detected", Prefix::InnoDb, "transactions deadlock detected"),
            (
                "2026-11-21  5:24:05 0 [Note] Server socket created on IP: '127.0.0.1'.",
                Prefix::OtherLog,
                "2026-11-21  5:24:05 0 [Note] Server socket created on IP: '127.0.0.1'.",
            ),
            (
                "RECORD LOCKS space id 5 page no 3 n bits 320 index PRIMARY of table `test`.`InnoDB`",
                Prefix::None,
                "RECORD LOCKS space id 5 page no 3 n bits 320 index PRIMARY of table `test`.`InnoDB`",
            ),
            ("2026-11-21 05:24:04 0x7fa6c67406c0", Prefix::None, "2026-11-21 05:24:04 0x7fa6c67406c0"),
        ];
        for (input, prefix, rest) in cases {
            let (p, _, r) = strip_log_prefix(input);
            assert_eq!((p, r), (prefix, rest), "parsing {input:?}");
        }
    }

    #[test]
    fn vertical_output() {
        let got = unwrap_all(
            "*************************** 1. row ***************************\n  Type: InnoDB\n  Name: \nStatus: \n=====\nx",
        );
        let texts: Vec<_> = got.iter().map(|g| g.1.as_str()).collect();
        // The row marker passes (lock tables print it too); the splitter drops it.
        assert_eq!(
            texts,
            [
                "*************************** 1. row ***************************",
                "",
                "=====",
                "x"
            ]
        );
    }

    #[test]
    fn boxed_table() {
        let got = unwrap_all(
            "+--------+------+--------+\n| Type   | Name | Status |\n+--------+------+--------+\n| InnoDB |      | \n=====\nEND OF INNODB MONITOR OUTPUT\n============================\n          |\n+--------+",
        );
        let texts: Vec<_> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(
            texts,
            [
                "+--------+------+--------+",
                "+--------+------+--------+",
                "",
                "=====",
                "END OF INNODB MONITOR OUTPUT",
                "============================",
                "",
                "+--------+"
            ]
        );
    }

    #[test]
    fn batch_escaped() {
        let line = "InnoDB\t\t\\n=====================================\\n2026-11-21 05:24:04 0x7f INNODB MONITOR OUTPUT\\n------------------------\\nLATEST DETECTED DEADLOCK\\n*** (1) TRANSACTION:\\nSELECT 'a\\\\nb'";
        let got = unwrap_all(line);
        let texts: Vec<_> = got.iter().map(|g| g.1.as_str()).collect();
        assert_eq!(
            texts,
            [
                "",
                "=====================================",
                "2026-11-21 05:24:04 0x7f INNODB MONITOR OUTPUT",
                "------------------------",
                "LATEST DETECTED DEADLOCK",
                "*** (1) TRANSACTION:",
                "SELECT 'a\\nb'"
            ]
        );
        assert!(got.iter().all(|g| g.0 == 1));
    }

    #[test]
    fn never_panics_on_prefixes_of_odd_lines() {
        let lines = [
            "| InnoDB |",
            "|",
            "*",
            "InnoDB\t",
            "2026-11-21 [InnoDB",
            "\\n\\n\\n***",
            "Status:",
        ];
        for l in lines {
            for end in 0..=l.len() {
                if let Some(p) = l.get(..end) {
                    unwrap_all(p);
                }
            }
        }
    }
}
