//! What a publisher wrote after a value, and letters that only look like a lock mode's: a
//! note in prose after an arrow or a `##` (`select … for update  <--等待的语句`,
//! `LOCK WAIT ## 处于等待状态`), and a Cyrillic `Х` typed for `X`. Both come off before a cell
//! is read, so the value reads as the server printed it (the deadlock side's twin is
//! `parse::markup`).

use std::borrow::Cow;

/// Marks that start a note after a value. A note is cut only when it is prose the server
/// never prints (a non-ASCII letter after the mark), or after an arrow no SQL has: `a <-- 1`
/// and `-- comment` stay a statement's own text.
const MARKS: [&str; 9] = ["<--", "‹--", "<==", "‹=", "←", "⟵", "⇐", "##", "--"];

/// `value` without a trailing publisher's note (`select 1  <--the waiter` stays whole: the
/// note has no non-ASCII letter). `comments`: whether `##` and `--` may start one too (not in
/// a statement, where they are SQL comments).
pub(super) fn strip_note(value: &str, comments: bool) -> &str {
    // A note needs a non-ASCII arrow or non-ASCII text after its mark: an ASCII value (a
    // million of them in a busy server's `data_locks`) has none.
    if value.is_ascii() {
        return value.trim_end();
    }
    let mut cut = value.len();
    let marks = if comments {
        &MARKS[..]
    } else {
        MARKS.get(..7).unwrap_or_default()
    };
    for mark in marks {
        let mut from = 0;
        while let Some(at) = value
            .get(from..)
            .and_then(|v| v.find(mark))
            .map(|a| a + from)
        {
            from = at + mark.len();
            let head = value.get(..at).unwrap_or("");
            let note = value.get(from..).unwrap_or("");
            let spaced = head.ends_with(char::is_whitespace) && !head.trim().is_empty();
            let unicode_arrow = !mark.is_ascii() && !mark.starts_with('‹');
            if spaced && (unicode_arrow || !note.is_ascii()) {
                cut = cut.min(at);
                break;
            }
        }
    }
    value.get(..cut).unwrap_or(value).trim_end()
}

/// A lock mode typed with look-alike letters (Cyrillic `Х`, `Ѕ`, Greek `Χ`) in Latin ones.
pub(super) fn latin_mode(mode: &str) -> Cow<'_, str> {
    if mode.is_ascii() {
        return Cow::Borrowed(mode);
    }
    Cow::Owned(
        mode.chars()
            .map(|c| match c {
                'Х' | 'Χ' | 'х' => 'X',
                'Ѕ' | 'ѕ' => 'S',
                'І' | 'Ι' => 'I',
                'Р' | 'Ρ' => 'P',
                'А' | 'Α' => 'A',
                'Е' | 'Ε' => 'E',
                'Т' | 'Τ' => 'T',
                'О' | 'Ο' => 'O',
                'Н' | 'Η' => 'H',
                'С' => 'C',
                'К' | 'Κ' => 'K',
                'М' | 'Μ' => 'M',
                'Ν' => 'N',
                c => c,
            })
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_come_off_values() {
        let cases = [
            // See: /tmp/hunt3 005, 021 (fixtures/lock-tables/public 068, 069).
            (
                "select * from test.l for update  <--等待的语句",
                "select * from test.l for update",
            ),
            ("LOCK WAIT ## 处于等待状态", "LOCK WAIT"),
            ("679172 <-- 阻塞者", "679172"),
            ("update t set a = 1  ← the holder", "update t set a = 1"),
            // The server's own text stays.
            (
                "select * from t where a <-- 1",
                "select * from t where a <-- 1",
            ),
            ("select 1 -- why", "select 1 -- why"),
            ("select '##'", "select '##'"),
            ("--注释", "--注释"),
            ("X,GAP", "X,GAP"),
        ];
        for (input, want) in cases {
            assert_eq!(strip_note(input, true), want, "stripping {input:?}");
        }
        assert_eq!(strip_note("select 1 -- 注释", false), "select 1 -- 注释");
        assert_eq!(strip_note("select 1  <--注释", false), "select 1");
    }

    #[test]
    fn look_alike_letters_read_as_latin() {
        assert_eq!(latin_mode("Х"), "X");
        assert_eq!(latin_mode("Х,GAP"), "X,GAP");
        assert_eq!(latin_mode("Ѕ,REC_NOT_GAP"), "S,REC_NOT_GAP");
        assert_eq!(latin_mode("X"), "X");
    }
}
