//! `str::trim` for report lines, fast for the common case.

/// `str::trim`, answered at once for the common line that starts and ends with a visible ASCII
/// character (every line of a report is trimmed on its way through the pipeline).
#[inline]
pub fn trim(s: &str) -> &str {
    let visible = |b: Option<&u8>| b.is_some_and(|&b| b.is_ascii_graphic());
    if visible(s.as_bytes().first()) && visible(s.as_bytes().last()) {
        s
    } else {
        trim_ascii_first(s)
    }
}

/// `str::trim` for a line with whitespace at an end (a field line's leading space): ASCII
/// whitespace is cut byte by byte, and only a non-ASCII character at an end is left to the
/// Unicode rules.
fn trim_ascii_first(s: &str) -> &str {
    let b = s.as_bytes();
    let start = b.iter().position(|c| !is_space(c)).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !is_space(c))
        .map_or(start, |i| i + 1);
    let inner = s.get(start..end.max(start)).unwrap_or("");
    let non_ascii = |b: Option<&u8>| b.is_some_and(|&b| !b.is_ascii());
    if non_ascii(inner.as_bytes().first()) || non_ascii(inner.as_bytes().last()) {
        inner.trim()
    } else {
        inner
    }
}

/// `str::trim_start`, byte by byte over the ASCII whitespace that indents most lines (the
/// field names of a `\G` result set are right-aligned).
#[inline]
pub fn trim_start(s: &str) -> &str {
    let start = s.bytes().position(|c| !is_space(&c)).unwrap_or(s.len());
    let rest = s.get(start..).unwrap_or("");
    if rest.as_bytes().first().is_some_and(|b| !b.is_ascii()) {
        rest.trim_start()
    } else {
        rest
    }
}

/// `char::is_whitespace` in ASCII (`u8::is_ascii_whitespace` leaves out the vertical tab).
#[inline]
pub fn is_space(b: &u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trim_is_str_trim() {
        for s in [
            "",
            " ",
            "a",
            " a",
            "a ",
            "\ta\r",
            "\u{a0}x",
            "x\u{a0}",
            "\u{3000}",
            "é",
            "é ",
            "x\x0b",
            "\x7f",
            "RECORD LOCKS space id 5",
            " 0: len 4;",
            " \u{a0} x \u{3000}\t",
            "\x0b\x0c \u{85}",
            "\t\r\n",
            " é ",
            "\u{1680}a b\u{2029} ",
        ] {
            assert_eq!(trim(s), s.trim(), "{s:?}");
            assert_eq!(trim_start(s), s.trim_start(), "{s:?}");
        }
        // Every pair of an ASCII byte and a few Unicode characters, at both ends.
        let mut chars: Vec<char> = (0u8..128).map(char::from).collect();
        chars.extend(['\u{a0}', '\u{85}', '\u{3000}', 'é', '\u{2028}']);
        for &a in &chars {
            for &b in &chars {
                for s in [format!("{a}x{b}"), format!("{a}{b}"), format!("{a} x {b}")] {
                    assert_eq!(trim(&s), s.trim(), "{s:?}");
                    assert_eq!(trim_start(&s), s.trim_start(), "{s:?}");
                }
            }
        }
    }
}
