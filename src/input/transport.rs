//! What log shippers put before every line a server writes, taken off (format-spec §6: "other
//! prefixes are possible"). A server under systemd or in a container does not write its error
//! log to a file: journald, syslog or the container runtime stores each line with a prefix of
//! its own, and that is the text on-call has (`journalctl -u mariadb`, `kubectl logs`, a file
//! from `/var/log/containers/`). Each shape is a published format:
//!
//! - `Syslog`: `Dec 07 08:45:19 db1 mariadbd[4986]: …` (journalctl's default `short` and
//!   `short-precise` outputs, classic syslog files, where the day may be space-padded:
//!   `Dec  7`), and `2026-12-07T08:45:19+0000 db1 mariadbd[4986]: …` (`short-iso`, RFC 5424
//!   files written by rsyslog). The tag may have no pid (`mysqld: …`).
//! - `Cri`: the container runtime's log files that Kubernetes reads,
//!   `2026-12-07T08:45:19.943271123Z stderr F …`; `P` instead of `F` marks a line the runtime
//!   split, continued by the next entry.
//! - `Docker`: `docker logs --timestamps`, an RFC 3339 time with exactly nine fractional digits
//!   (`2026-12-07T08:45:19.943271123Z …`); a MySQL 8 log line's own time has six, and is
//!   followed by a thread id and a `[label]`.
//!
//! The JSON forms of the same stores (`journalctl -o json`, Docker's `json-file` driver) are
//! read with the JSON error log (`repair`).

/// Whose prefix a line carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    Syslog,
    Cri,
    Docker,
}

/// A line without its shipper's prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stripped<'a> {
    pub transport: Transport,
    pub rest: &'a str,
    /// The runtime split the line here: the next entry continues it (`Cri` `P`).
    pub partial: bool,
}

/// Whether `line` may carry a shipper's prefix: the one test every line of a plain log pays.
#[inline]
pub fn may_start(line: &[u8]) -> bool {
    match line.first() {
        Some(b'A' | b'D' | b'F' | b'J' | b'M' | b'N' | b'O' | b'S') => line.get(3) == Some(&b' '),
        Some(b) if b.is_ascii_digit() => line.get(10) == Some(&b'T'),
        _ => false,
    }
}

/// `line` without the prefix of a log shipper, when it has one.
pub fn strip(line: &str) -> Option<Stripped<'_>> {
    let b = line.as_bytes();
    if !may_start(b) {
        return None;
    }
    if !b.first()?.is_ascii_digit() {
        let at = classic_time(b)?;
        return syslog_rest(line, at);
    }
    let (at, fraction) = iso_time(b)?;
    if b.get(at) != Some(&b' ') {
        return None;
    }
    if let Some(s) = syslog_rest(line, at + 1) {
        return Some(s);
    }
    if let Some(s) = cri_rest(line, at + 1) {
        return Some(s);
    }
    // A MySQL 5.7 / 8.0 log line's own time is followed by a thread id and a label.
    let rest = line.get(at + 1..)?;
    (fraction == 9 && !is_thread_and_label(rest.as_bytes())).then_some(Stripped {
        transport: Transport::Docker,
        rest,
        partial: false,
    })
}

const MONTHS: [&[u8; 3]; 12] = [
    b"Jan", b"Feb", b"Mar", b"Apr", b"May", b"Jun", b"Jul", b"Aug", b"Sep", b"Oct", b"Nov", b"Dec",
];

/// `Dec 07 08:45:19 `, `Dec  7 08:45:19.943271 `: the offset after the space that ends it.
fn classic_time(b: &[u8]) -> Option<usize> {
    let month = b.get(..3)?;
    if !MONTHS.iter().any(|m| m.as_slice() == month) || b.get(3) != Some(&b' ') {
        return None;
    }
    let day = b.get(4..6)?;
    let day_ok = match day {
        [b' ', d] => d.is_ascii_digit(),
        [d, e] => d.is_ascii_digit() && e.is_ascii_digit(),
        _ => false,
    };
    if !day_ok || b.get(6) != Some(&b' ') {
        return None;
    }
    let end = clock(b, 7)?;
    let end = fraction(b, end).0;
    (b.get(end) == Some(&b' ')).then_some(end + 1)
}

/// `08:45:19` at `at`: the offset after it.
fn clock(b: &[u8], at: usize) -> Option<usize> {
    let t = b.get(at..at + 8)?;
    let shape = t.iter().enumerate().all(|(i, c)| {
        if i == 2 || i == 5 {
            *c == b':'
        } else {
            c.is_ascii_digit()
        }
    });
    shape.then_some(at + 8)
}

/// `.943271` at `at`: the offset after it and the number of digits (none: `at`, 0).
fn fraction(b: &[u8], at: usize) -> (usize, usize) {
    if b.get(at) != Some(&b'.') {
        return (at, 0);
    }
    let digits = b
        .get(at + 1..)
        .map_or(0, |r| r.iter().take_while(|c| c.is_ascii_digit()).count());
    if digits == 0 {
        (at, 0)
    } else {
        (at + 1 + digits, digits)
    }
}

/// `2026-12-07T08:45:19[.frac](Z|±hh[:]mm)`: the offset after it and the fraction's digits.
fn iso_time(b: &[u8]) -> Option<(usize, usize)> {
    let date = b.get(..10)?;
    let date_ok = date.iter().enumerate().all(|(i, c)| {
        if i == 4 || i == 7 {
            *c == b'-'
        } else {
            c.is_ascii_digit()
        }
    });
    if !date_ok || b.get(10) != Some(&b'T') {
        return None;
    }
    let (end, digits) = fraction(b, clock(b, 11)?);
    match b.get(end)? {
        b'Z' => Some((end + 1, digits)),
        b'+' | b'-' => {
            let hh = b.get(end + 1..end + 3)?;
            if !hh.iter().all(u8::is_ascii_digit) {
                return None;
            }
            let mm_at = if b.get(end + 3) == Some(&b':') {
                end + 4
            } else {
                end + 3
            };
            let mm = b.get(mm_at..mm_at + 2)?;
            mm.iter()
                .all(u8::is_ascii_digit)
                .then_some((mm_at + 2, digits))
        }
        _ => None,
    }
}

/// `db1 mariadbd[4986]: …` at `at`: a host, then a tag with an optional pid and a colon.
fn syslog_rest(line: &str, at: usize) -> Option<Stripped<'_>> {
    let b = line.as_bytes();
    let host_len = b.get(at..)?.iter().take_while(|c| **c != b' ').count();
    let host = b.get(at..at + host_len)?;
    // A log line's thread id is not a host (`2026-…Z 0 [Note] …`).
    if host.is_empty() || host.len() > 253 || host.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let tag_at = at + host_len + 1;
    let tag_len = b
        .get(tag_at..)?
        .iter()
        .take_while(|c| is_tag_byte(**c))
        .count();
    if tag_len == 0 || tag_len > 64 {
        return None;
    }
    let mut end = tag_at + tag_len;
    if b.get(end) == Some(&b'[') {
        let pid = b
            .get(end + 1..)?
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if pid == 0 || b.get(end + 1 + pid) != Some(&b']') {
            return None;
        }
        end += pid + 2;
    }
    if b.get(end) != Some(&b':') {
        return None;
    }
    let rest = message(line, end + 1)?;
    Some(Stripped {
        transport: Transport::Syslog,
        rest,
        partial: false,
    })
}

/// The message after a prefix that ends at `at`: after one space, or empty at the line's end.
fn message(line: &str, at: usize) -> Option<&str> {
    match line.as_bytes().get(at) {
        None => Some(""),
        Some(b' ') => line.get(at + 1..),
        Some(_) => None,
    }
}

fn is_tag_byte(c: u8) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.' | b'/' | b'@')
}

/// `stderr F …` at `at` (after a CRI line's time).
fn cri_rest(line: &str, at: usize) -> Option<Stripped<'_>> {
    let b = line.as_bytes();
    let stream = b.get(at..at + 7)?;
    if stream != b"stdout " && stream != b"stderr " {
        return None;
    }
    let partial = match b.get(at + 7)? {
        b'F' => false,
        b'P' => true,
        _ => return None,
    };
    let rest = message(line, at + 8)?;
    Some(Stripped {
        transport: Transport::Cri,
        rest,
        partial,
    })
}

/// `12 [Note] …`: what follows a MySQL 5.7 / 8.0 log line's time.
fn is_thread_and_label(rest: &[u8]) -> bool {
    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && rest.get(digits..digits + 2) == Some(b" [")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rest(line: &str) -> Option<(Transport, &str, bool)> {
        strip(line).map(|s| (s.transport, s.rest, s.partial))
    }

    #[test]
    fn journald_and_syslog_prefixes_come_off() {
        use Transport::*;
        for (line, want) in [
            (
                "Dec 07 08:45:19 vm mariadbd[4986]: TRANSACTION 32, ACTIVE 0 sec",
                "TRANSACTION 32, ACTIVE 0 sec",
            ),
            (
                "Dec  7 08:45:19 db-1.example mysqld[1]:  0: len 8; hex 80",
                " 0: len 8; hex 80",
            ),
            (
                "Dec 07 08:45:19.943271 vm mariadbd[4986]: *** (1) TRANSACTION:",
                "*** (1) TRANSACTION:",
            ),
            (
                "2026-12-07T08:45:19+0000 vm mariadbd[4986]: 2026-12-07  8:45:19 13 [Note] InnoDB:",
                "2026-12-07  8:45:19 13 [Note] InnoDB:",
            ),
            (
                "2026-12-07T08:45:19.943271+00:00 10.0.0.5 mysqld: [Note] [MY-012469] [InnoDB] x",
                "[Note] [MY-012469] [InnoDB] x",
            ),
            ("Sep 30 23:59:59 vm mariadbd[4986]:", ""),
        ] {
            assert_eq!(rest(line), Some((Syslog, want, false)), "{line}");
        }
    }

    #[test]
    fn container_prefixes_come_off() {
        use Transport::*;
        assert_eq!(
            rest("2026-12-07T08:45:19.943271123Z stderr F RECORD LOCKS space id 6"),
            Some((Cri, "RECORD LOCKS space id 6", false))
        );
        assert_eq!(
            rest("2026-12-07T08:45:19.94Z stdout P UPDATE t SET"),
            Some((Cri, "UPDATE t SET", true))
        );
        assert_eq!(
            rest("2026-12-07T08:45:19.943271123Z 2026-12-07T08:45:19.943271Z 0 [Note] [MY-012469]"),
            Some((
                Docker,
                "2026-12-07T08:45:19.943271Z 0 [Note] [MY-012469]",
                false
            ))
        );
    }

    #[test]
    fn server_log_lines_and_report_lines_keep_everything() {
        for line in [
            "2026-12-07T08:45:19.943271Z 0 [Note] [MY-012469] [InnoDB] *** (1) TRANSACTION:",
            "2026-12-07T08:45:19.943271123Z 0 [Note] [MY-012469] [InnoDB] *** (1) TRANSACTION:",
            "2017-03-02T11:00:08.123456+08:00 3 [Note] InnoDB: Transactions deadlock detected",
            "2026-12-07T08:45:19Z 0 InnoDB: x",
            "2026-11-21  5:24:03 18 [Note] InnoDB: Transactions deadlock detected",
            "Dec  7 08:45:19 2026",
            "DELETE FROM orders WHERE id = 1",
            "MySQL thread id 9, OS thread handle 1, query id 63 localhost root",
            "Mar 1 08:45:19 vm mariadbd[1]: day not padded",
            "Dec 07 08:45:19 vm mariadbd[x]: bad pid",
            "",
            "é",
        ] {
            assert_eq!(strip(line), None, "{line}");
        }
    }

    #[test]
    fn no_line_panics() {
        let mut seed = 3u64;
        let pieces = [
            "Dec",
            " ",
            "07",
            "08:45:19",
            ".",
            "1",
            "vm",
            "[",
            "]",
            ":",
            "2026-12-07T",
            "Z",
            "+",
            "é",
            "stderr F",
            "0",
        ];
        for _ in 0..20_000 {
            let mut line = String::new();
            for _ in 0..(seed % 9) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                line.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            let _ = strip(&line);
        }
    }
}
