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
    wrap_each(text, width, first, rest, &mut |line| {
        out.push(line.to_string())
    });
    out
}

/// [`wrap`], each line handed to `emit` as soon as it is complete: the text report writes them
/// straight into its page, with no allocation per line (wrapping is most of its cost).
pub fn wrap_each(text: &str, width: usize, first: &str, rest: &str, emit: &mut dyn FnMut(&str)) {
    let mut buf = Buffers {
        line: String::with_capacity(width + 16),
        ..Buffers::default()
    };
    let mut any = false;
    for (n, line) in text.lines().enumerate() {
        let body = line.trim_start();
        let own_indent = line.get(..line.len() - body.len()).unwrap_or("");
        buf.lead.clear();
        buf.lead.push_str(if n == 0 { first } else { rest });
        buf.lead.push_str(own_indent);
        buf.cont.clear();
        buf.cont.push_str(rest);
        buf.cont.push_str(own_indent);
        wrap_line(body, width, &mut buf, emit);
        any = true;
    }
    if !any {
        emit(first.trim_end());
    }
}

/// Reused across the lines of one text.
#[derive(Default)]
struct Buffers {
    lead: String,
    cont: String,
    line: String,
    fixed: String,
}

fn wrap_line(body: &str, width: usize, buf: &mut Buffers, emit: &mut dyn FnMut(&str)) {
    let Buffers {
        lead,
        cont,
        line,
        fixed,
    } = buf;
    let cont_len = cont.chars().count();
    line.clear();
    line.push_str(lead);
    let mut line_len = lead.chars().count();
    let mut empty = true;
    // Whether the line holds a NO_BREAK (only non-ASCII words can).
    let mut joined = lead.contains(NO_BREAK);
    for word in body.split_ascii_whitespace() {
        let word_len = if word.is_ascii() {
            word.len()
        } else {
            word.chars().count()
        };
        if !empty && line_len + 1 + word_len > width {
            finish(line, joined, fixed, emit);
            line.clear();
            line.push_str(cont);
            line_len = cont_len;
            empty = true;
            joined = cont.contains(NO_BREAK);
        }
        joined |= word_len != word.len() && word.contains(NO_BREAK);
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
            for c in chars.by_ref().take(room) {
                line.push(c);
                line_len += 1;
            }
            if chars.peek().is_some() {
                finish(line, joined, fixed, emit);
                line.clear();
                line.push_str(cont);
                line_len = cont_len;
            }
        }
        empty = false;
    }
    finish(line, joined, fixed, emit);
}

/// Hands on a complete line: trailing spaces dropped, [`NO_BREAK`] (when `joined` says the
/// line may hold one) written as a plain space.
fn finish(line: &str, joined: bool, fixed: &mut String, emit: &mut dyn FnMut(&str)) {
    let line = line.trim_end();
    if joined && line.contains(NO_BREAK) {
        fixed.clear();
        fixed.extend(line.chars().map(|c| if c == NO_BREAK { ' ' } else { c }));
        emit(fixed);
    } else {
        emit(line);
    }
}

/// `text` cut to `width` chars, the last one replaced by `…` when something was cut.
pub fn truncate(text: &str, width: usize) -> String {
    // No more bytes than columns: no more chars either.
    if text.len() <= width || text.chars().count() <= width {
        return text.to_string();
    }
    if text.is_ascii() {
        let mut cut = String::with_capacity(width + 2);
        cut.push_str(text.get(..width.saturating_sub(1)).unwrap_or(text));
        cut.push('…');
        return cut;
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
