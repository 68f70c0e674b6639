//! The report's timestamp (`ut_print_timestamp`, format-spec §2). It is printed without a newline
//! of its own, so other text can follow it on the same line; this production reads only the
//! timestamp and leaves the rest to the caller.

use super::atoms::Res;
use nom::branch::alt;
use nom::bytes::complete::{tag, take_while_m_n};
use nom::character::complete::{char, hex_digit1, space0, space1};
use nom::combinator::{opt, recognize};
use nom::sequence::preceded;
use nom::Parser;

fn digits<'a>(n: usize) -> impl FnMut(&'a str) -> Res<'a, &'a str> {
    take_while_m_n(n, n, |c: char| c.is_ascii_digit())
}

// HH:MM:SS (the hour may be one digit after a padding space in 5.0–5.5)
fn clock(i: &str) -> Res<'_, &str> {
    recognize((
        take_while_m_n(1, 2, |c: char| c.is_ascii_digit()),
        char(':'),
        digits(2),
        char(':'),
        digits(2),
    ))
    .parse(i)
}

// 120906  6:03:32          (5.0–5.5: `%02d%02d%02d %2d:%02d:%02d`)
fn short_timestamp(i: &str) -> Res<'_, &str> {
    recognize((digits(6), space1, clock)).parse(i)
}

// 0x7f6d180b7700 | 7f72c0043700 | 140328265680640 | 0
fn thread_id(i: &str) -> Res<'_, &str> {
    alt((recognize((tag("0x"), hex_digit1)), hex_digit1)).parse(i)
}

// 2014-12-23 15:47:11 1f4c                (5.6: hex thread id without 0x)
// 2019-03-31 02:50:17 0x7f6d180b7700      (5.7, 8.0 up to about 8.0.2x, MariaDB 10.6+)
// 2023-07-14 10:46:34 140328265680640     (later 8.0, 8.4, 9.x: decimal)
// 2021-11-1010:48:467f84bdac8700         (a copy that lost the spaces: hunt-shapes3 014)
fn long_timestamp(i: &str) -> Res<'_, &str> {
    recognize((
        digits(4),
        char('-'),
        digits(2),
        char('-'),
        digits(2),
        space0,
        clock,
        opt(preceded(space0, thread_id)),
    ))
    .parse(i)
}

/// Reads a timestamp in any of the §2 forms and returns it as printed.
pub(super) fn timestamp(i: &str) -> Res<'_, &str> {
    alt((long_timestamp, short_timestamp)).parse(i)
}

/// The timestamp line alone: `2026-11-21 05:24:04 0x7fa6c67406c0`; a publisher's comment
/// after it (`160128 1:51:53 #the time of the last deadlock`, `**#…**`) is left out.
pub(super) fn timestamp_line(line: &str) -> Option<&str> {
    match timestamp(line) {
        Ok(("", ts)) => Some(ts),
        Ok((rest, ts)) if is_comment(rest.trim_start()) => Some(ts),
        _ => None,
    }
}

// #… | **#…** | -- … | // …
fn is_comment(rest: &str) -> bool {
    ["#", "**", "-- ", "//", "/*"]
        .iter()
        .any(|c| rest.starts_with(c))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    #[test]
    fn timestamp_lines() {
        let cases: &[(&str, Option<&str>)] = &[
            ("120906  6:03:32", Some("120906  6:03:32")),
            ("070913 11:14:21", Some("070913 11:14:21")),
            ("2014-12-23 15:47:11 1f4c", Some("2014-12-23 15:47:11 1f4c")),
            (
                "2017-09-09 22:34:13 7f78eab82700",
                Some("2017-09-09 22:34:13 7f78eab82700"),
            ),
            (
                "2018-04-03 13:22:29 0xbd0",
                Some("2018-04-03 13:22:29 0xbd0"),
            ),
            (
                "2019-03-31 02:50:17 0x7f6d180b7700",
                Some("2019-03-31 02:50:17 0x7f6d180b7700"),
            ),
            (
                "2023-07-14 10:46:34 140328265680640",
                Some("2023-07-14 10:46:34 140328265680640"),
            ),
            (
                "2026-11-21 05:24:03 0x7fa6c66f56c0",
                Some("2026-11-21 05:24:03 0x7fa6c66f56c0"),
            ),
            ("2018-04-03 13:22:29 0", Some("2018-04-03 13:22:29 0")),
            ("2018-04-03 13:22:29", Some("2018-04-03 13:22:29")),
            // the monitor banner and the foreign-key error are not the timestamp line
            ("070913 17:13:09 INNODB MONITOR OUTPUT", None),
            (
                "2026-11-21 05:24:03 0x7fa6c66aa6c0 INNODB MONITOR OUTPUT",
                None,
            ),
            (
                "070913 11:06:03 Error in foreign key constraint of table test/child:",
                None,
            ),
            ("<timestamp> <os_thread_hex>", None),
            ("12345 6:03:32", None),
            ("2018-4-03 13:22:29", None),
            // See: fixtures/shapes/flattened-05-programmerteach-glued-timestamp-cut.txt
            (
                "2021-11-1010:48:467f84bdac8700",
                Some("2021-11-1010:48:467f84bdac8700"),
            ),
            // See: fixtures/shapes/markdown-04-zh-backslash-escaped-timestamp-comment.txt
            (
                "160128 1:51:53 **#the date of the last deadlock**",
                Some("160128 1:51:53"),
            ),
            ("160128 1:51:53 #note", Some("160128 1:51:53")),
            ("160128 1:51:53 note", None),
        ];
        for (input, expected) in cases {
            assert_eq!(timestamp_line(input), *expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = timestamp_line(s);
            });
        }
    }

    #[test]
    fn glued_text_is_left_over() {
        let cases = [
            ("130624 17:39:24TOO DEEP", ("TOO DEEP", "130624 17:39:24")),
            (
                "2016-06-15 20:28:25 7f72c0043700InnoDB: transactions",
                ("InnoDB: transactions", "2016-06-15 20:28:25 7f72c0043700"),
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(timestamp(input), Ok(expected), "parsing {input:?}");
        }
    }
}
