//! Markdown's quoting: code fences and spans that survive backticks inside, and prose escaped
//! so that statements and key values never turn into markup.

use crate::report::wrap::squash;

/// A fenced block, each line after `indent`; the fence is longer than any backtick run inside.
pub(super) fn fence(lang: &str, body: &str, indent: &str) -> String {
    let fence = "`".repeat(longest_run(body, '`').max(2) + 1);
    let mut s = format!("{indent}{fence}{lang}\n");
    for line in body.lines() {
        if line.is_empty() {
            s.push('\n');
        } else {
            s.push_str(&format!("{indent}{line}\n"));
        }
    }
    s.push_str(&format!("{indent}{fence}\n"));
    s
}

/// An inline code span that survives backticks inside (CommonMark: a longer fence, padded).
pub(super) fn code(text: &str) -> String {
    let text = squash(text);
    let run = longest_run(&text, '`');
    if run == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(run + 1);
    format!("{fence} {text} {fence}")
}

/// [`code`] for a table cell: `|` would end the cell even inside a code span.
pub(crate) fn cell(text: &str) -> String {
    code(text).replace('|', "\\|")
}

fn longest_run(text: &str, c: char) -> usize {
    let (mut best, mut run) = (0, 0);
    for ch in text.chars() {
        run = if ch == c { run + 1 } else { 0 };
        best = best.max(run);
    }
    best
}

/// Text from the diagnosis as markdown: backtick spans kept, and outside them the characters
/// markdown would read as markup (`*`, `_` at word edges, `<`, `[`, `\`) escaped.
pub(super) fn prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_code = false;
    let mut prev = ' ';
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        let next = chars.peek().copied().unwrap_or(' ');
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            _ if in_code => out.push(c),
            '*' | '[' | ']' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !prev.is_alphanumeric() || !next.is_alphanumeric() => out.push_str("\\_"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
        prev = c;
    }
    out
}
