//! Markdown's quoting: code fences and spans that survive backticks inside, and prose escaped
//! so that statements and key values never turn into markup.

use crate::report::wrap::squash;

/// A fenced block, each line after `indent`; the fence is longer than any backtick run inside.
pub(super) fn fence(lang: &str, body: &str, indent: &str) -> String {
    let ticks = longest_backtick_run(body).max(2) + 1;
    let lines = memchr::memchr_iter(b'\n', body.as_bytes()).count() + 1;
    let mut s = String::with_capacity(body.len() + (indent.len() + 1) * (lines + 2) + 2 * ticks);
    let fence = |s: &mut String| {
        s.push_str(indent);
        s.extend(std::iter::repeat('`').take(ticks));
    };
    fence(&mut s);
    s.push_str(lang);
    s.push('\n');
    for line in body.lines() {
        if !line.is_empty() {
            s.push_str(indent);
            s.push_str(line);
        }
        s.push('\n');
    }
    fence(&mut s);
    s.push('\n');
    s
}

/// An inline code span that survives backticks inside (CommonMark: a longer fence, padded).
pub(super) fn code(text: &str) -> String {
    let text = squash(text);
    let run = longest_backtick_run(&text);
    if run == 0 {
        let mut s = String::with_capacity(text.len() + 2);
        s.push('`');
        s.push_str(&text);
        s.push('`');
        return s;
    }
    let fence = "`".repeat(run + 1);
    format!("{fence} {text} {fence}")
}

/// [`code`] for a table cell: `|` would end the cell even inside a code span.
pub(crate) fn cell(text: &str) -> String {
    code(text).replace('|', "\\|")
}

/// The longest run of backticks (an ASCII byte: never part of another character).
fn longest_backtick_run(text: &str) -> usize {
    let b = text.as_bytes();
    let mut best = 0;
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'`', b.get(at..).unwrap_or_default()) {
        let start = at + found;
        let run = b
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|&&c| c == b'`')
            .count();
        best = best.max(run);
        at = start + run;
    }
    best
}

/// Text from the diagnosis as markdown: backtick spans kept, and outside them the characters
/// markdown would read as markup (`*`, `_` at word edges, `<`, `[`, `\`) escaped.
pub(super) fn prose(text: &str) -> String {
    // Every character that matters is ASCII: the text between them is copied as it is.
    let markup = |b: &u8| matches!(b, b'`' | b'*' | b'[' | b']' | b'\\' | b'_' | b'<' | b'>');
    let bytes = text.as_bytes();
    if !bytes.iter().any(markup) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut in_code = false;
    let mut copied = 0;
    for (at, b) in bytes.iter().enumerate().filter(|(_, b)| markup(b)) {
        out.push_str(text.get(copied..at).unwrap_or_default());
        copied = at + 1;
        match b {
            b'`' => {
                in_code = !in_code;
                out.push('`');
            }
            _ if in_code => out.push(char::from(*b)),
            b'_' => {
                // Escaped unless inside a word (`snake_case` stays as it is).
                let before = text.get(..at).and_then(|t| t.chars().next_back());
                let after = text.get(at + 1..).and_then(|t| t.chars().next());
                let inside = [before, after]
                    .iter()
                    .all(|c| c.is_some_and(char::is_alphanumeric));
                out.push_str(if inside { "_" } else { "\\_" });
            }
            b'<' => out.push_str("&lt;"),
            b'>' => out.push_str("&gt;"),
            _ => {
                out.push('\\');
                out.push(char::from(*b));
            }
        }
    }
    out.push_str(text.get(copied..).unwrap_or_default());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_and_prose_escape_what_they_must() {
        assert_eq!(code("a`b"), "`` a`b ``");
        assert_eq!(code("plain"), "`plain`");
        assert_eq!(cell("a|b"), "`a\\|b`");
        assert_eq!(
            prose("keep `a*b` but *x* <work> innodb_lock_wait_timeout _y"),
            "keep `a*b` but \\*x\\* &lt;work&gt; innodb_lock_wait_timeout \\_y"
        );
        for (text, markdown) in [
            ("é_é", "é_é"),
            ("a__b", "a\\_\\_b"),
            ("_", "\\_"),
            ("x_ →_y", "x\\_ →\\_y"),
            ("`_*[<`", "`_*[<`"),
            ("[a]\\", "\\[a\\]\\\\"),
            ("no markup at all", "no markup at all"),
        ] {
            assert_eq!(prose(text), markdown, "{text:?}");
        }
        assert_eq!(
            fence("sql", "SELECT ```x```", ""),
            "````sql\nSELECT ```x```\n````\n"
        );
    }
}
