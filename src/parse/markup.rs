//! What publishers write inside the report's own lines (format-spec §10): markdown bold around
//! words (`**RECORD LOCKS**`, `**lock_mode X**`, `**1237194 row lock(s)**`) and an arrow with
//! a note after them (`lock mode S<======== held`, `WHERE id = 1   ← trigger`). Both come off
//! before a line is read, so the line reads as the server printed it.

/// Arrows that start a publisher's note. Not `<--` or `<=`: SQL has `a<--1` and `a <= 1`.
const ARROWS: [&str; 5] = ["<==", "‹=", "←", "⟵", "⇐"];

/// `text` without its bold markers and trailing arrow note; `None` when it has neither.
pub(super) fn strip_markup(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    // One scan answers for nearly every line: no `*`, `<` or lead byte of an arrow.
    memchr::memchr3(b'*', b'<', 0xe2, bytes)?;
    let star = memchr::memmem::find(bytes, b"**").is_some();
    let arrow = memchr::memchr2(b'<', 0xe2, bytes).is_some();
    if !star && !arrow {
        return None;
    }
    let cut = if arrow { cut_note(text) } else { text };
    let unbolded = if star { unbold(cut) } else { None };
    match unbolded {
        Some(s) => Some(s),
        None if cut.len() != text.len() => Some(cut.to_string()),
        None => None,
    }
}

/// `text` up to the first arrow that follows some text (an arrow at the start is the line).
fn cut_note(text: &str) -> &str {
    let at = ARROWS.iter().filter_map(|a| text.find(a)).min();
    match at {
        Some(at) => {
            let head = text.get(..at).unwrap_or(text).trim_end();
            if head.trim().is_empty() {
                text
            } else {
                head
            }
        }
        None => text,
    }
}

/// Removes `**` pairs that are markdown bold: exactly two stars (a `***` heading is not), not
/// beside a `/` (a `/** comment **/`), an even number of them on the line.
fn unbold(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut marks = Vec::new();
    let mut i = 0;
    while let Some(off) = bytes.get(i..).and_then(|b| memchr::memmem::find(b, b"**")) {
        let at = i + off;
        let run = bytes
            .get(at..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&b| b == b'*')
            .count();
        let before = at.checked_sub(1).and_then(|p| bytes.get(p)).copied();
        let after = bytes.get(at + run).copied();
        if run == 2 && before != Some(b'/') && after != Some(b'/') {
            marks.push(at);
        }
        i = at + run;
    }
    if marks.is_empty() || marks.len() % 2 != 0 {
        return None;
    }
    let mut out = String::with_capacity(text.len());
    let mut from = 0;
    for at in marks {
        out.push_str(text.get(from..at).unwrap_or(""));
        from = at + 2;
    }
    out.push_str(text.get(from..).unwrap_or(""));
    Some(out)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    #[test]
    fn markup_comes_off() {
        let cases = [
            // See: hunt-deadlocks c-006 (an Evernote export).
            (
                "**RECORD LOCKS** space id 10 page no 5 index `PRIMARY` of table `a`.`m` trx id 13260F7 **lock_mode X** waiting",
                Some("RECORD LOCKS space id 10 page no 5 index `PRIMARY` of table `a`.`m` trx id 13260F7 lock_mode X waiting"),
            ),
            (
                "4815 lock struct(s), heap size 588216, **1237194 row lock(s)**, undo log entries 1",
                Some("4815 lock struct(s), heap size 588216, 1237194 row lock(s), undo log entries 1"),
            ),
            // See: hunt-deadlocks c-007.
            (
                "RECORD LOCKS space id 442 page no 3 n bits 72 index `PRIMARY` of table `test`.`t1` trx id 169252 **lock mode S**<======== 持有 S Next-Key Lock ",
                Some("RECORD LOCKS space id 442 page no 3 n bits 72 index `PRIMARY` of table `test`.`t1` trx id 169252 lock mode S"),
            ),
            // See: hunt-deadlocks c-028.
            (
                "  WHERE MaLHP = NEW.MaLHP          ← trigger",
                Some("  WHERE MaLHP = NEW.MaLHP"),
            ),
            ("*** (1) TRANSACTION:", None),
            ("SELECT /** hint **/ 1", None),
            ("WHERE a <= 1 AND b <> 2", None),
            ("← a note alone", None),
            ("**odd", None),
            ("", None),
        ];
        for (input, want) in cases {
            assert_eq!(strip_markup(input).as_deref(), want, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = strip_markup(s);
            });
        }
    }
}
