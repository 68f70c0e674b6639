//! The `*** …` headings that divide a deadlock report (format-spec §3.1–§3.4). Trailing spaces,
//! a missing colon and publisher's comments after the heading are tolerated.

use super::atoms::{phrase, small_number, Plain, Res};
use super::line::Heading;
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{char, space0};
use nom::combinator::{cut, opt};
use nom::sequence::{delimited, preceded};
use nom::Parser;

// (1)
fn number_in_parens(i: &str) -> Res<'_, u32> {
    delimited((char('('), space0), small_number, (space0, char(')'))).parse(i)
}

// *** WE ROLL BACK TRANSACTION (2)
fn victim(i: &str) -> Res<'_, Heading> {
    preceded(
        (phrase("WE ROLL BACK TRANSACTION"), space0),
        cut(number_in_parens),
    )
    .map(Heading::Victim)
    .parse(i)
}

// *** (1) TRANSACTION:
// *** TRANSACTION:                              (TOO DEEP)
// *** (2) HOLDS THE LOCK(S):
// *** (1) WAITING FOR THIS LOCK TO BE GRANTED:
// *** WAITING FOR THIS LOCK TO BE GRANTED:      (MariaDB 10.6+)
// *** CONFLICTING WITH:                         (MariaDB 10.6+)
fn section_heading(i: &str) -> Res<'_, Heading> {
    let (i, n) = opt((number_in_parens, space0)).parse(i)?;
    let n = n.map(|(n, _)| n);
    alt((
        tag("TRANSACTION").map(move |_| Heading::Transaction(n)),
        phrase("HOLDS THE LOCK").map(move |_| Heading::Holds(n)),
        phrase("WAITING FOR THIS LOCK").map(move |_| Heading::Waiting(n)),
        phrase("CONFLICTING WITH").map(|_| Heading::ConflictingWith),
    ))
    .parse(i)
}

/// Reads a `***` heading line (already trimmed).
pub(super) fn heading(line: &str) -> Option<Heading> {
    plain_heading(line).or_else(|| any_heading(line))
}

/// Any spacing, any spelling the server and copies of it print.
fn any_heading(line: &str) -> Option<Heading> {
    preceded((tag("***"), space0), alt((victim, section_heading)))
        .parse(line)
        .ok()
        .map(|(_, h)| h)
}

/// [`heading`] for the headings exactly as the server prints them (every report has several):
/// a few compares instead of the alternatives above. `None` leaves any other shape to them.
fn plain_heading(line: &str) -> Option<Heading> {
    let mut p = Plain(line);
    p.tag("*** ")?;
    if p.0.starts_with('(') {
        p.tag("(")?;
        let n = Some(p.number()?);
        p.tag(") ")?;
        return match p.0 {
            "TRANSACTION:" => Some(Heading::Transaction(n)),
            "HOLDS THE LOCK(S):" => Some(Heading::Holds(n)),
            "WAITING FOR THIS LOCK TO BE GRANTED:" => Some(Heading::Waiting(n)),
            _ => None,
        };
    }
    match p.0 {
        "WAITING FOR THIS LOCK TO BE GRANTED:" => Some(Heading::Waiting(None)),
        "CONFLICTING WITH:" => Some(Heading::ConflictingWith),
        "TRANSACTION:" => Some(Heading::Transaction(None)),
        _ => {
            p.tag("WE ROLL BACK TRANSACTION (")?;
            let n = p.number()?;
            p.tag(")")?;
            p.is_empty().then_some(Heading::Victim(n))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::{assert_fast_path_agrees, assert_prefixes_safe};

    #[test]
    fn fast_path_agrees_with_nom() {
        let n = assert_fast_path_agrees("***", plain_heading, any_heading);
        assert!(
            n >= 8,
            "the fast path read only {n} distinct fixture headings"
        );
    }

    #[test]
    fn headings() {
        let cases = [
            ("*** (1) TRANSACTION:", Some(Heading::Transaction(Some(1)))),
            (
                "*** (12) TRANSACTION:",
                Some(Heading::Transaction(Some(12))),
            ),
            ("*** TRANSACTION:", Some(Heading::Transaction(None))),
            ("*** (2) HOLDS THE LOCK(S):", Some(Heading::Holds(Some(2)))),
            (
                "*** (1) WAITING FOR THIS LOCK TO BE GRANTED:",
                Some(Heading::Waiting(Some(1))),
            ),
            (
                "*** WAITING FOR THIS LOCK TO BE GRANTED:",
                Some(Heading::Waiting(None)),
            ),
            ("*** CONFLICTING WITH:", Some(Heading::ConflictingWith)),
            ("*** WE ROLL BACK TRANSACTION (2)", Some(Heading::Victim(2))),
            ("*** WE ROLL BACK TRANSACTION (0)", Some(Heading::Victim(0))),
            (
                "*** WE ROLL BACK TRANSACTION (1)  ",
                Some(Heading::Victim(1)),
            ),
            ("*** (1) TRANSACTION", Some(Heading::Transaction(Some(1)))),
            ("***(1) TRANSACTION:", Some(Heading::Transaction(Some(1)))),
            ("*** WE ROLL BACK TRANSACTION", None),
            ("*** WE ROLL BACK TRANSACTION (x)", None),
            ("*** (1)", None),
            ("***", None),
            ("*** something else", None),
            (
                "*************************** 1. row ***************************",
                None,
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(heading(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = heading(s);
            });
        }
    }
}
