//! The lines that open a report: the error-log start line and the TOO DEEP announcement. Both can
//! be glued after a timestamp, because `ut_print_timestamp` prints no newline (format-spec §2,
//! §3.4, §6).

use super::atoms::{phrase, phrase_no_case, Res};
use super::timestamp::timestamp;
use nom::bytes::complete::tag;
use nom::character::complete::space0;
use nom::combinator::opt;
use nom::sequence::terminated;
use nom::Parser;

// Transactions deadlock detected, dumping detailed information.                         (5.7+, MariaDB)
// InnoDB: transactions deadlock detected, dumping detailed information.                  (5.5)
// 2016-06-15 20:28:25 7f72c0043700InnoDB: transactions deadlock detected, dumping …    (5.6)
fn deadlock_detected(i: &str) -> Res<'_, ()> {
    (
        opt(terminated(timestamp, space0)),
        opt(terminated(tag("InnoDB:"), space0)),
        phrase_no_case("transactions deadlock detected"),
    )
        .map(|_| ())
        .parse(i)
}

/// True for the error-log start line, whatever follows `detected`.
pub(super) fn is_deadlock_detected(line: &str) -> bool {
    // Most lines that get here (statements starting with `I`, other digit-led lines) have no
    // `deadlock` at all: a byte search rules them out before the production runs.
    if line.starts_with("Transactions deadlock detected") {
        return true;
    }
    let bytes = line.as_bytes();
    let mentions_deadlock = memchr::memchr2_iter(b'd', b'D', bytes).any(|at| {
        bytes
            .get(at..at + 8)
            .is_some_and(|w| w.eq_ignore_ascii_case(b"deadlock"))
    });
    mentions_deadlock && deadlock_detected(line).is_ok()
}

// 130624 17:39:24TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH, WE WILL ROLL BACK FOLLOWING TRANSACTION
// TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH, …   (timestamp cut by the publisher)
fn too_deep(i: &str) -> Res<'_, Option<&str>> {
    terminated(
        opt(terminated(timestamp, space0)),
        phrase("TOO DEEP OR LONG SEARCH"),
    )
    .parse(i)
}

/// `Some(timestamp)` for a TOO DEEP line: the inner option holds the glued timestamp.
pub(super) fn too_deep_line(line: &str) -> Option<Option<&str>> {
    too_deep(line).ok().map(|(_, ts)| ts)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    #[test]
    fn start_lines() {
        let cases = [
            (
                "Transactions deadlock detected, dumping detailed information.",
                true,
            ),
            (
                "InnoDB: transactions deadlock detected, dumping detailed information.",
                true,
            ),
            (
                "2016-06-15 20:28:25 7f72c0043700InnoDB: transactions deadlock detected, dumping detailed information.",
                true,
            ),
            ("TRANSACTIONS DEADLOCK DETECTED", true),
            ("Transactions deadlock", false),
            ("LATEST DETECTED DEADLOCK", false),
            ("transactions", false),
        ];
        for (input, expected) in cases {
            assert_eq!(is_deadlock_detected(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = is_deadlock_detected(s);
            });
        }
    }

    #[test]
    fn too_deep_lines() {
        let cases = [
            (
                "130624 17:39:24TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH, WE WILL ROLL BACK FOLLOWING TRANSACTION",
                Some(Some("130624 17:39:24")),
            ),
            (
                "2019-03-31 02:50:17 0x7f6d180b7700TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH",
                Some(Some("2019-03-31 02:50:17 0x7f6d180b7700")),
            ),
            (
                "TOO DEEP OR LONG SEARCH IN THE LOCK TABLE WAITS-FOR GRAPH, WE WILL ROLL BACK FOLLOWING TRANSACTION",
                Some(None),
            ),
            ("130624 17:39:24", None),
            ("TOO DEEP", None),
        ];
        for (input, expected) in cases {
            assert_eq!(too_deep_line(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = too_deep_line(s);
            });
        }
    }
}
