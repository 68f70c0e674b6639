//! A heading a copy split over two lines: a wiki or an IDE broke `*** (2) TRANSACTION:` after
//! `*** (2)` (MariaDB JIRA, `*** (2)` / blank / `TRANSACTION: TRANSACTION 920212128464, …`) or
//! after the stars (a re-wrapped block comment, `***` / `(2) TRANSACTION:`). The fragment is
//! held until the next non-blank line says what it was.

use super::super::heading::heading;

/// `***` or `*** (2)` alone: no heading the server prints ends there.
pub(super) fn is_fragment(t: &str) -> bool {
    let Some(rest) = t.strip_prefix("***") else {
        return false;
    };
    let rest = rest.trim();
    if rest.is_empty() {
        return true;
    }
    rest.strip_prefix('(')
        .and_then(|r| r.strip_suffix(')'))
        .is_some_and(|n| !n.is_empty() && n.len() < 4 && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The heading `fragment` and the next line make, and what of the line is left after it:
/// `*** (2)` + `TRANSACTION: TRANSACTION 920…, ACTIVE 0 sec` → `*** (2) TRANSACTION:` and
/// `TRANSACTION 920…, ACTIVE 0 sec`. `None` when they make no heading.
pub(super) fn join<'a>(fragment: &str, next: &'a str) -> Option<(String, Option<&'a str>)> {
    if next.starts_with("***") {
        return None;
    }
    if let Some(rest) = next.strip_prefix("TRANSACTION:") {
        let joined = format!("{fragment} TRANSACTION:");
        let rest = rest.trim();
        return heading(&joined).map(|_| (joined, (!rest.is_empty()).then_some(rest)));
    }
    let joined = format!("{fragment} {next}");
    heading(&joined).map(|_| (joined, None))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fragments() {
        for (t, want) in [
            ("***", true),
            ("*** (2)", true),
            ("***  (12) ", true),
            ("*** (2) TRANSACTION:", false),
            ("*** (x)", false),
            ("**", false),
            ("*** ()", false),
        ] {
            assert_eq!(is_fragment(t), want, "parsing {t:?}");
        }
    }

    // See: fixtures/shapes/split-heading-01-jira-mdev30973-space-lines-cut.txt
    #[test]
    fn joins() {
        assert_eq!(
            join(
                "*** (2)",
                "TRANSACTION: TRANSACTION 920212128464, ACTIVE 0 sec inserting"
            ),
            Some((
                "*** (2) TRANSACTION:".to_string(),
                Some("TRANSACTION 920212128464, ACTIVE 0 sec inserting")
            ))
        );
        assert_eq!(
            join("***", "(2) WAITING FOR THIS LOCK TO BE GRANTED:"),
            Some((
                "*** (2) WAITING FOR THIS LOCK TO BE GRANTED:".to_string(),
                None
            ))
        );
        assert_eq!(
            join("***", "WE ROLL BACK TRANSACTION (1)"),
            Some(("*** WE ROLL BACK TRANSACTION (1)".to_string(), None))
        );
        assert_eq!(join("***", "*** (2) TRANSACTION:"), None);
        assert_eq!(join("*** (2)", "RECORD LOCKS space id 1"), None);
    }
}
