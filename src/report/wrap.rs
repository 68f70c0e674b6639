//! Word wrapping and shortening for the text report, so prose fits the terminal width. Widths
//! are counted in `char`s: the text is ASCII apart from a few arrows and quoted record values.

/// A space that `wrap` never breaks at (written out as a plain space): `(line 33)` stays whole.
pub const NO_BREAK: char = '\u{a0}';

/// Wraps `text` at `width` columns. The first line starts with `first`, the others with `rest`.
/// Each input line is wrapped on its own; an input line's leading spaces are kept (and repeated
/// on its continuation lines), so indented sketches stay indented. Words longer than a line are
/// broken, so no output line is ever wider than `width` (unless the indent alone is). Words
/// joined by [`NO_BREAK`] stay on one line.
pub fn wrap(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start();
        let own_indent = &line[..line.len() - body.len()];
        let lead = if n == 0 { first } else { rest };
        let cont = format!("{rest}{own_indent}");
        wrap_line(body, width, &format!("{lead}{own_indent}"), &cont, &mut out);
    }
    if out.is_empty() {
        out.push(first.trim_end().to_string());
    }
    out
}

fn wrap_line(body: &str, width: usize, first: &str, rest: &str, out: &mut Vec<String>) {
    let mut line = first.to_string();
    let mut line_len = first.chars().count();
    let mut empty = true;
    for word in body.split_ascii_whitespace() {
        let word_len = word.chars().count();
        if !empty && line_len + 1 + word_len > width {
            out.push(std::mem::take(&mut line));
            line.push_str(rest);
            line_len = rest.chars().count();
            empty = true;
        }
        if !empty {
            line.push(' ');
            line_len += 1;
        }
        if word_len <= width.saturating_sub(line_len).max(1) {
            // The common case: the word fits.
            line.push_str(word);
            line_len += word_len;
            empty = false;
            continue;
        }
        // A word wider than the room left on an empty line is broken into pieces.
        let mut chars = word.chars().peekable();
        while chars.peek().is_some() {
            let room = width.saturating_sub(line_len).max(1);
            let piece: String = chars.by_ref().take(room).collect();
            line_len += piece.chars().count();
            line.push_str(&piece);
            if chars.peek().is_some() {
                out.push(std::mem::take(&mut line));
                line.push_str(rest);
                line_len = rest.chars().count();
            }
        }
        empty = false;
    }
    out.push(line.trim_end().replace(NO_BREAK, " "));
}

/// `text` cut to `width` chars, the last one replaced by `…` when something was cut.
pub fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(width.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// All runs of whitespace (newlines included) as one space: statements on one line.
pub fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wraps_with_hanging_indent() {
        let lines = wrap("aaa bbb ccc ddd", 9, "- ", "  ");
        assert_eq!(lines, ["- aaa bbb", "  ccc ddd"]);
        let joined = wrap("aaa (line\u{a0}33)", 9, "", "");
        assert_eq!(joined, ["aaa", "(line 33)"]);
    }

    #[test]
    fn keeps_indented_lines_indented() {
        let lines = wrap("fix:\n  a b c d", 7, "", "  ");
        assert_eq!(lines, ["fix:", "    a b", "    c d"]);
    }

    #[test]
    fn breaks_long_words() {
        let lines = wrap("x 0123456789abcdef", 8, "", "");
        assert!(lines.iter().all(|l| l.chars().count() <= 8), "{lines:?}");
        assert_eq!(lines.concat(), "x0123456789abcdef");
    }

    #[test]
    fn truncates_and_squashes() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(squash("select *\n  from t"), "select * from t");
    }
}
