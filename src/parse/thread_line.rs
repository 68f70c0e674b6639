//! The thread line of a transaction block (`thd_security_context`, format-spec §4.3). The words
//! after `query id` (host, ip, user, proc_info) are each omitted when empty, so they are split
//! heuristically: a host is `localhost` or a name, an ip looks like IPv4/IPv6, then comes the
//! user, and everything after it is the proc_info.

use super::atoms::{is_placeholder, number, phrase, sep, single_spaced, Plain, Res};
use super::line::ThreadLine;
use crate::model::Name;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_till1};
use nom::character::complete::{digit1, hex_digit1, space1};
use nom::combinator::{opt, recognize, rest};
use nom::sequence::preceded;
use nom::Parser;

// 11 | <tid_1>
fn id_or_placeholder(i: &str) -> Res<'_, Option<u64>> {
    alt((
        number.map(Some),
        take_till1(|c: char| c == ',' || c.is_whitespace()).map(|_| None),
    ))
    .parse(i)
}

// 0x7fac301e4700 (5.5 / 5.6) | 140106532366080 (5.7+) | <handle_1>
fn handle(i: &str) -> Res<'_, &str> {
    alt((
        recognize((tag("0x"), hex_digit1)),
        digit1,
        take_till1(|c: char| c == ',' || c.is_whitespace()),
    ))
    .parse(i)
}

// MySQL thread id 11, OS thread handle 0x7f4248494700, query id 1207 localhost 127.0.0.1 rj updating
// MySQL thread id 11, query id 350 localhost baron Updating                 (5.0 / 5.1)
// MariaDB thread id 18, OS thread handle 140354270484160, query id 47 localhost 127.0.0.1 lockscope Updating
// MySQL thread id 298, OS thread handle 140425685493504query id 5479767 172.18.70.114 root updating   (lost `, `)
fn thread(i: &str) -> Res<'_, ThreadLine> {
    let (i, thread_id) = preceded(
        (
            alt((tag("MySQL"), tag("MariaDB"))),
            space1,
            phrase("thread id"),
            space1,
        ),
        id_or_placeholder,
    )
    .parse(i)?;
    let (i, os_thread_handle) =
        opt(preceded((sep, phrase("OS thread handle"), space1), handle)).parse(i)?;
    let (i, query_id) = opt(preceded(
        (sep, phrase("query id"), space1),
        id_or_placeholder,
    ))
    .parse(i)?;
    let (i, who) = rest(i)?;
    let who = split_who(who);
    let owned = |s: Option<&str>| s.map(Name::from);
    Ok((
        i,
        ThreadLine {
            thread_id,
            os_thread_handle: owned(os_thread_handle),
            query_id: query_id.flatten(),
            host: owned(who.host),
            ip: owned(who.ip),
            user: owned(who.user),
            proc_info: who.proc_info.map(single_spaced),
        },
    ))
}

/// Reads a `MySQL thread id …` / `MariaDB thread id …` line (already trimmed).
pub(super) fn thread_line(line: &str) -> Option<ThreadLine> {
    plain_thread(line).or_else(|| thread(line).ok().map(|(_, t)| t))
}

/// [`thread`] by hand for the numbers part exactly as 5.7+ and MariaDB print it; the words
/// after it are split by the same [`split_who`]. `None` for any other shape.
// MariaDB thread id 18, OS thread handle 140354270484160, query id 47 localhost 127.0.0.1 lockscope Updating
pub(super) fn plain_thread(line: &str) -> Option<ThreadLine> {
    let mut p = Plain(line);
    if p.tag("MariaDB thread id ").is_none() {
        p.tag("MySQL thread id ")?;
    }
    let thread_id = p.number()?;
    p.tag(", OS thread handle ")?;
    let handle = p.digits()?;
    p.tag(", query id ")?;
    let query_id = p.number()?;
    // What follows the number must start a new word (or end the line), as `space1` requires.
    if !(p.is_empty() || p.0.starts_with(' ')) {
        return None;
    }
    let who = split_who(p.0);
    let owned = |s: Option<&str>| s.map(Name::from);
    Some(ThreadLine {
        thread_id: Some(thread_id),
        os_thread_handle: Some(handle.into()),
        query_id: Some(query_id),
        host: owned(who.host),
        ip: owned(who.ip),
        user: owned(who.user),
        proc_info: who.proc_info.map(single_spaced),
    })
}

/// The words after `query id <N>`.
#[derive(Debug, Default, PartialEq, Eq)]
struct Who<'a> {
    host: Option<&'a str>,
    ip: Option<&'a str>,
    user: Option<&'a str>,
    proc_info: Option<&'a str>,
}

/// The first word of `s` (already trimmed at the start) and what follows it, trimmed.
fn next_word(s: &str) -> Option<(&str, &str)> {
    if s.is_empty() {
        return None;
    }
    // Byte by byte while the text is ASCII; any other character may be Unicode whitespace.
    let ascii = s
        .bytes()
        .position(|b| b.is_ascii_whitespace() || b == 0x0b || !b.is_ascii());
    let end = match ascii {
        Some(i) if s.as_bytes().get(i).is_some_and(u8::is_ascii) => i,
        _ => s.find(char::is_whitespace).unwrap_or(s.len()),
    };
    Some((s.get(..end)?, s.get(end..)?.trim_start()))
}

/// `127.0.0.1`, `::1`, `fe80::1`, `::ffff:10.0.0.1`, or a placeholder such as `<private-ip>`.
fn is_ip(w: &str) -> bool {
    // Four parts of one to three digits, by bytes (every thread line asks this of its words).
    let v4 = |s: &str| {
        let (mut dots, mut digits) = (0, 0);
        for b in s.bytes() {
            match b {
                b'0'..=b'9' if digits < 3 => digits += 1,
                b'.' if digits > 0 => (dots, digits) = (dots + 1, 0),
                _ => return false,
            }
        }
        dots == 3 && digits > 0
    };
    let v6 = w.bytes().filter(|&b| b == b':').count() >= 2
        && w.bytes()
            .all(|b| b.is_ascii_hexdigit() || b == b':' || b == b'.');
    v4(w) || v6 || (is_placeholder(w) && w.to_ascii_lowercase().contains("ip"))
}

/// `localhost`, a dotted host name (`renjun.fangcloud.net`), any word followed by an ip, or a
/// placeholder such as `<host>`.
fn is_host(w: &str, after: &str) -> bool {
    if w == "localhost" {
        return true;
    }
    let dotted_name = w.contains('.')
        && w.bytes().any(|b| b.is_ascii_alphabetic())
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
    dotted_name
        || next_word(after).is_some_and(|(next, _)| is_ip(next))
        || (is_placeholder(w) && w.to_ascii_lowercase().contains("host"))
}

/// One-word thread states (`thd_proc_info`) a thread line ends with: alone after the query
/// id they are the state, not a user (MariaDB JIRA MDEV-30973: `query id 2604440517 update`).
pub(super) fn is_state_word(w: &str) -> bool {
    [
        "update",
        "updating",
        "statistics",
        "init",
        "executing",
        "starting",
        "end",
        "preparing",
        "optimizing",
    ]
    .contains(&w)
}

fn non_empty(s: &str) -> Option<&str> {
    (!s.is_empty()).then_some(s)
}

fn split_who(s: &str) -> Who<'_> {
    let mut who = Who::default();
    let mut cur = s.trim();
    if let Some((w, after)) = next_word(cur) {
        if is_ip(w) {
            who.ip = Some(w);
            cur = after;
        } else if is_host(w, after) {
            who.host = Some(w);
            cur = after;
            if let Some((w, after)) = next_word(cur).filter(|(w, _)| is_ip(w)) {
                who.ip = Some(w);
                cur = after;
            }
        }
    }
    if who.host.is_none() && who.ip.is_none() {
        // No host and no ip: a system thread (`system user`, or only a state such as `Slave has
        // read all relay log; …`), or a publisher's placeholder standing for the user.
        if let Some(after) = cur.strip_prefix("system user") {
            who.user = Some("system user");
            who.proc_info = non_empty(after.trim());
        } else if let Some((w, "")) = next_word(cur).filter(|(w, _)| !is_state_word(w)) {
            who.user = Some(w);
        } else {
            who.proc_info = non_empty(cur);
        }
        return who;
    }
    if let Some((user, after)) = next_word(cur) {
        who.user = Some(user);
        who.proc_info = non_empty(after);
    }
    who
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_thread_lines_read_as_the_production_reads_them() {
        for server in ["MariaDB thread id", "MySQL thread id"] {
            let n = crate::parse::test_util::assert_fast_path_agrees(server, plain_thread, |s| {
                thread(s).ok().map(|(_, t)| t)
            });
            assert!(
                n >= 10,
                "the fast path read only {n} fixture lines of {server:?}"
            );
        }
    }
    use crate::parse::test_util::assert_prefixes_safe;

    #[allow(clippy::too_many_arguments)]
    fn t(
        id: Option<u64>,
        handle: Option<&str>,
        query: Option<u64>,
        host: Option<&str>,
        ip: Option<&str>,
        user: Option<&str>,
        proc_info: Option<&str>,
    ) -> Option<ThreadLine> {
        let owned = |s: Option<&str>| s.map(Name::from);
        Some(ThreadLine {
            thread_id: id,
            os_thread_handle: owned(handle),
            query_id: query,
            host: owned(host),
            ip: owned(ip),
            user: owned(user),
            proc_info: owned(proc_info),
        })
    }

    #[test]
    fn thread_lines() {
        let cases = [
            (
                "MariaDB thread id 18, OS thread handle 140354270484160, query id 47 localhost 127.0.0.1 lockscope Updating",
                t(Some(18), Some("140354270484160"), Some(47), Some("localhost"), Some("127.0.0.1"), Some("lockscope"), Some("Updating")),
            ),
            (
                "MariaDB thread id 159, OS thread handle 140354270791360, query id 1020 localhost 127.0.0.1 lockscope ",
                t(Some(159), Some("140354270791360"), Some(1020), Some("localhost"), Some("127.0.0.1"), Some("lockscope"), None),
            ),
            (
                "MySQL thread id 11, query id 350 localhost baron Updating",
                t(Some(11), None, Some(350), Some("localhost"), None, Some("baron"), Some("Updating")),
            ),
            (
                "MySQL thread id 17, query id 532 localhost baron",
                t(Some(17), None, Some(532), Some("localhost"), None, Some("baron"), None),
            ),
            (
                "MySQL thread id 1090268, OS thread handle 0x7fcebf48c700, query id 837483530 10.246.145.78 im_mobile updating",
                t(Some(1090268), Some("0x7fcebf48c700"), Some(837483530), None, Some("10.246.145.78"), Some("im_mobile"), Some("updating")),
            ),
            (
                "MySQL thread id 17979, OS thread handle 0x1f4c, query id 5701360 localhost 127.0.0.1    root update",
                t(Some(17979), Some("0x1f4c"), Some(5701360), Some("localhost"), Some("127.0.0.1"), Some("root"), Some("update")),
            ),
            (
                "MySQL thread id 23512694, OS thread handle 0x5055b940, query id 734303798 10.10.10.1 host update",
                t(Some(23512694), Some("0x5055b940"), Some(734303798), None, Some("10.10.10.1"), Some("host"), Some("update")),
            ),
            (
                "MySQL thread id 27, OS thread handle 140106532366080, query id 596977 localhost root Searching rows for update",
                t(Some(27), Some("140106532366080"), Some(596977), Some("localhost"), None, Some("root"), Some("Searching rows for update")),
            ),
            (
                "MySQL thread id 29247291, OS thread handle 0x7fd9033bf700, query id 2598871463 bm-dell05-publicwww01.bm.int.percona.com 10.10.9.210 root update",
                t(Some(29247291), Some("0x7fd9033bf700"), Some(2598871463), Some("bm-dell05-publicwww01.bm.int.percona.com"), Some("10.10.9.210"), Some("root"), Some("update")),
            ),
            (
                "MySQL thread id 406073, query id 84772439 10.8.0.86 robot Copying to tmp table on disk",
                t(Some(406073), None, Some(84772439), None, Some("10.8.0.86"), Some("robot"), Some("Copying to tmp table on disk")),
            ),
            (
                "MySQL thread id 14, OS thread handle 139610138924800, query id 2604440517 update",
                t(Some(14), Some("139610138924800"), Some(2604440517), None, None, None, Some("update")),
            ),
            (
                "MySQL thread id 2, query id 84675969 Slave has read all relay log; waiting for the slave I/O thread to update it",
                t(Some(2), None, Some(84675969), None, None, None, Some("Slave has read all relay log; waiting for the slave I/O thread to update it")),
            ),
            (
                "MySQL thread id 424565, OS thread handle 0x40e13940, query id 446715 <anonymized>",
                t(Some(424565), Some("0x40e13940"), Some(446715), None, None, Some("<anonymized>"), None),
            ),
            (
                "MySQL thread id 298, OS thread handle 140425685493504query id 5479767 172.18.70.114 root updating",
                t(Some(298), Some("140425685493504"), Some(5479767), None, Some("172.18.70.114"), Some("root"), Some("updating")),
            ),
            (
                "MySQL thread id 4, OS thread handle 1, query id 9 localhost ::1 root updating",
                t(Some(4), Some("1"), Some(9), Some("localhost"), Some("::1"), Some("root"), Some("updating")),
            ),
            (
                "MySQL thread id <tid_1>, OS thread handle <handle_1>, query id <qid_1> <private-ip> <db_name> update",
                t(None, Some("<handle_1>"), None, None, Some("<private-ip>"), Some("<db_name>"), Some("update")),
            ),
            (
                "MySQL thread id 7, OS thread handle 2, query id 3 system user Waiting for event",
                t(Some(7), Some("2"), Some(3), None, None, Some("system user"), Some("Waiting for event")),
            ),
            (
                "MySQL thread id 7",
                t(Some(7), None, None, None, None, None, None),
            ),
            ("MySQL thread", None),
            ("MySQL threads", None),
        ];
        for (input, expected) in cases {
            assert_eq!(thread_line(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = thread_line(s);
            });
        }
    }

    #[test]
    fn ip_words() {
        let cases = [
            ("127.0.0.1", true),
            ("::1", true),
            ("fe80::1ff:fe23:4567:890a", true),
            ("::ffff:10.0.0.1", true),
            ("<private-ip>", true),
            ("10.0.0", false),
            ("1.2.3.4.5", false),
            ("localhost", false),
            ("12:30", false),
            ("1234.1.1.1", false),
            ("1..2.3", false),
            (".1.2.3", false),
            ("1.2.3.", false),
            ("1.2.3.4 ", false),
            ("255.255.255.255", true),
            ("", false),
        ];
        for (input, expected) in cases {
            assert_eq!(is_ip(input), expected, "parsing {input:?}");
        }
    }
}
