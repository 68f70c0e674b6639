//! The monitor frame: dash/equals rules and the section titles between them (format-spec §1.1).
//! Titles are matched against the known list only: a generic "upper-case line" rule would swallow
//! query continuation lines such as `COMMIT` or `FROM`.

/// What a frame line is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Frame {
    Rule,
    DeadlockTitle,
    Title(&'static str),
}

// ------------------------        (≥ 3 of `-` / `=`; `\-----` is the markdown-escaped form, §10)
fn is_rule(line: &str) -> bool {
    let body = line.strip_prefix('\\').unwrap_or(line);
    body.len() >= 3 && body.bytes().all(|b| b == b'-' || b == b'=')
}

/// The section titles other than the deadlock one, as `SectionTitle` carries them.
const TITLES: &[&str] = &[
    "TRANSACTIONS",
    "FILE I/O",
    "SEMAPHORES",
    "LATEST FOREIGN KEY ERROR",
    "BACKGROUND THREAD",
    "INSERT BUFFER AND ADAPTIVE HASH INDEX",
    "LOG",
    "BUFFER POOL AND MEMORY",
    "ROW OPERATIONS",
    "END OF INNODB MONITOR OUTPUT",
    "INDIVIDUAL BUFFER POOL INFO",
];

/// The title as a `'static` string, when `line` is one.
pub(super) fn static_title(line: &str) -> Option<&'static str> {
    TITLES.iter().copied().find(|t| *t == line)
}

// LATEST DETECTED DEADLOCK
// TRANSACTIONS | FILE I/O | SEMAPHORES | …
fn title(line: &str) -> Option<Frame> {
    match line {
        // `DEADLOCK` alone is a cut copy of the title (format-spec §10, sample 053)
        "LATEST DETECTED DEADLOCK" | "DEADLOCK" => Some(Frame::DeadlockTitle),
        _ => static_title(line).map(Frame::Title),
    }
}

/// Reads a rule or a section title (line already trimmed). A title whose words a copy spaced
/// out (`LATEST  DETECTED DEADLOCK`, a tab) is found too, without allocating.
pub(super) fn frame(line: &str) -> Option<Frame> {
    if is_rule(line) {
        return Some(Frame::Rule);
    }
    title(line).or_else(|| {
        if !(super::atoms::contains(line, "  ") || line.contains('\t')) {
            return None;
        }
        let found = ["LATEST DETECTED DEADLOCK"]
            .iter()
            .chain(TITLES)
            .find(|t| t.split(' ').eq(line.split_whitespace()))?;
        title(found)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    #[test]
    fn frame_lines() {
        let cases = [
            ("------------------------", Some(Frame::Rule)),
            ("=====================================", Some(Frame::Rule)),
            ("---", Some(Frame::Rule)),
            ("\\-----", Some(Frame::Rule)),
            ("--", None),
            ("---TRANSACTION 0, not started", None),
            ("LATEST DETECTED DEADLOCK", Some(Frame::DeadlockTitle)),
            ("DEADLOCK", Some(Frame::DeadlockTitle)),
            ("TRANSACTIONS", Some(Frame::Title("TRANSACTIONS"))),
            ("FILE I/O", Some(Frame::Title("FILE I/O"))),
            (
                "INSERT BUFFER AND ADAPTIVE HASH INDEX",
                Some(Frame::Title("INSERT BUFFER AND ADAPTIVE HASH INDEX")),
            ),
            ("LOG", Some(Frame::Title("LOG"))),
            (
                "END OF INNODB MONITOR OUTPUT",
                Some(Frame::Title("END OF INNODB MONITOR OUTPUT")),
            ),
            ("LATEST  DETECTED\tDEADLOCK", Some(Frame::DeadlockTitle)),
            ("ROW   OPERATIONS", Some(Frame::Title("ROW OPERATIONS"))),
            ("COMMIT", None),
            ("Transactions", None),
        ];
        for (input, expected) in cases {
            assert_eq!(frame(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = frame(s);
            });
        }
    }
}
