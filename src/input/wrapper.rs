//! What source code and quoting put around every line of a pasted report (format-spec §10,
//! issue 16): a comment or quote prefix after the line's indentation (`> `, ` * ` of a block
//! comment, `\t// ` of a Go or C line comment, `# `, `-- `, `- `), or a string literal per line
//! (`+ "…\n"`, a Java or C# test holding a status). The wrapper is recognised on the first line
//! that holds a report's first words, then taken off every line that carries it; the first line
//! without it ends the copy.

use std::borrow::Cow;

/// The wrapper every line of a paste carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Wrapper {
    /// Indentation then a marker (`\t// `, ` * `, `> `): exactly this text starts each line.
    Prefix(String),
    /// One string literal per line: `"…\n"` after `+ ` or `… = `, with `+`, `;` or `,` after.
    Literal,
}

/// Markers a quote or a comment puts after the indentation, before a space or a tab (`//\t`
/// of a C line comment); `--` before `-`. An e-mail reply quotes a quote again (`>> `,
/// `> > `).
const MARKERS: [&str; 9] = [">", ">>", ">>>", "> >", "*", "--", "-", "#", "//"];

/// Whether `bytes` may open a wrapped copy: a cheap byte test before `detect`.
#[inline]
pub(super) fn may_start(bytes: &[u8]) -> bool {
    matches!(
        bytes.first(),
        Some(b'>' | b' ' | b'\t' | b'*' | b'-' | b'#' | b'/' | b'+' | b'"')
    ) || bytes.ends_with(b"\"")
        || bytes.ends_with(b"+")
        || bytes.ends_with(b";")
}

/// The wrapper of a line that holds, inside it, what starts a report (`starts`), and that text.
pub(super) fn detect<'a>(
    text: &'a str,
    starts: impl Fn(&str) -> bool,
) -> Option<(Wrapper, Cow<'a, str>)> {
    if memchr::memchr(b'"', text.as_bytes()).is_some() {
        if let Some(inner) = literal(text) {
            let first = inner.split('\n').next().unwrap_or("");
            return starts(first).then_some((Wrapper::Literal, inner));
        }
    }
    let indent = text
        .bytes()
        .take_while(|b| matches!(b, b' ' | b'\t'))
        .count();
    if indent > 24 {
        return None;
    }
    let after = text.get(indent..)?;
    // Every marker starts with one of these (most indented lines, `\G` fields, start with none).
    if !matches!(
        after.as_bytes().first(),
        Some(b'>' | b'*' | b'-' | b'#' | b'/')
    ) {
        return None;
    }
    MARKERS.iter().find_map(|m| {
        let rest = after.strip_prefix(m)?;
        let mut rest = match rest.strip_prefix(' ').or_else(|| rest.strip_prefix('\t')) {
            Some(r) => r,
            // A quote without its space (`>mysql> …`, `>+----`).
            None if *m == ">" => rest,
            None => return None,
        };
        // A quote inside a quote (`> > `, `>> `): every level is the prefix.
        if *m == ">" {
            while let Some(r) = rest.strip_prefix('>') {
                rest = r.strip_prefix(' ').unwrap_or(r);
            }
        }
        let prefix = text.get(..text.len() - rest.len())?;
        starts(rest).then(|| (Wrapper::Prefix(prefix.to_string()), Cow::Borrowed(rest)))
    })
}

impl Wrapper {
    /// The line without its wrapper; `None` when the line does not carry it (the copy ended).
    /// A literal may hold several lines (`\n` inside it): they come back joined by `\n`.
    pub(super) fn strip<'a>(&self, text: &'a str) -> Option<Cow<'a, str>> {
        match self {
            Wrapper::Literal => literal(text),
            Wrapper::Prefix(p) => strip_prefix(text, p).map(Cow::Borrowed),
        }
    }
}

/// The rest of a line that carries prefix `p`: a bare prefix is an empty line; in a block
/// comment, a heading whose `***` swallowed the star (` *** (1) TRANSACTION:`) keeps its stars.
fn strip_prefix<'a>(text: &'a str, p: &str) -> Option<&'a str> {
    if let Some(rest) = text.strip_prefix(p) {
        return Some(rest);
    }
    let bare = text.trim_end();
    if bare == p.trim_end() || bare == p.trim() {
        return Some("");
    }
    let indent = p.get(..p.len() - p.trim_start().len())?;
    let rest = text.strip_prefix(indent)?;
    (p.trim() == "*" && rest.starts_with("***")).then_some(rest)
}

/// The text of a string literal that makes up the whole line, `\n` included (`+ "…\n"`,
/// `String s = "…\n"`, `"…\n" +`), unescaped, without its final newline.
fn literal(text: &str) -> Option<Cow<'_, str>> {
    let t = text.trim();
    let open = t.find('"')?;
    let lead = t.get(..open)?.trim_end();
    if !(lead.is_empty() || lead == "+" || lead.ends_with('=') || lead.ends_with('(')) {
        return None;
    }
    let tail = t.trim_end_matches(['+', ';', ',', ')', ' ', '\t']);
    let body = tail.get(open + 1..)?.strip_suffix("\\n\"")?;
    if body.contains(['\\', '"']) {
        return unescape(body).map(Cow::Owned);
    }
    Some(Cow::Borrowed(body))
}

/// `\\` `\"` `\'` `\t` `\n` of a C-family string literal; `None` at an unescaped `"` (the line
/// holds more than one literal).
fn unescape(body: &str) -> Option<String> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => {}
                Some(other) => out.push(other),
                None => out.push('\\'),
            },
            '"' => return None,
            c => out.push(c),
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn starts(t: &str) -> bool {
        t.starts_with("----") || t.starts_with("*** (")
    }

    #[test]
    fn prefixes_after_indentation() {
        for (line, prefix, rest) in [
            (
                "\t// ------------------------",
                "\t// ",
                "------------------------",
            ),
            (
                " * ------------------------",
                " * ",
                "------------------------",
            ),
            ("> *** (1) TRANSACTION:", "> ", "*** (1) TRANSACTION:"),
            // A quote inside a quote, and one without its space.
            ("> > *** (1) TRANSACTION:", "> > ", "*** (1) TRANSACTION:"),
            (">> ------", ">> ", "------"),
            (">*** (1) TRANSACTION:", ">", "*** (1) TRANSACTION:"),
            ("    -- ------", "    -- ", "------"),
            // See: fixtures/labelled/d-009 (ops notes, a C comment per line).
            (
                "//\t------------------------",
                "//\t",
                "------------------------",
            ),
        ] {
            let (w, r) = detect(line, starts).unwrap_or_else(|| panic!("parsing {line:?}"));
            assert_eq!(w, Wrapper::Prefix(prefix.to_string()), "parsing {line:?}");
            assert_eq!(r, rest, "parsing {line:?}");
        }
        assert_eq!(detect("\t// Note: this deadlocks", starts), None);
        assert_eq!(detect("*** (1) TRANSACTION:", starts), None);
    }

    #[test]
    fn prefix_lines() {
        let p = Wrapper::Prefix(" * ".to_string());
        assert_eq!(p.strip(" * 0: len 4;").as_deref(), Some("0: len 4;"));
        assert_eq!(p.strip(" *").as_deref(), Some(""));
        assert_eq!(
            p.strip(" *** (1) TRANSACTION:").as_deref(),
            Some("*** (1) TRANSACTION:")
        );
        assert_eq!(p.strip(" */"), None);
        assert_eq!(p.strip("}"), None);
        let go = Wrapper::Prefix("\t// ".to_string());
        assert_eq!(go.strip("\t//").as_deref(), Some(""));
        assert_eq!(go.strip("\tfunc f() {"), None);
        let c = Wrapper::Prefix("//\t".to_string());
        assert_eq!(c.strip("//").as_deref(), Some(""));
        assert_eq!(
            c.strip("//\tTRANSACTION 6 1096615036,").as_deref(),
            Some("TRANSACTION 6 1096615036,")
        );
    }

    #[test]
    fn string_literals() {
        for (line, inner) in [
            ("        String status = \"=====\\n\"", Some("=====")),
            (
                "            + \"------------------------\\n\"",
                Some("------------------------"),
            ),
            (
                "            + \" 1: len 6; hex 000002a05cfe; asc     \\\\ ;;\\n\"",
                Some(" 1: len 6; hex 000002a05cfe; asc     \\ ;;"),
            ),
            ("            + \"\\n\";", Some("")),
            ("\"a\\nb\\n\" +", Some("a\nb")),
            ("            + \"no newline\"", None),
            ("x = \"a\" + \"b\\n\"", None),
        ] {
            assert_eq!(literal(line).as_deref(), inner, "parsing {line:?}");
        }
        let (w, _) = detect("   + \"------------------------\\n\"", starts).unwrap();
        assert_eq!(w, Wrapper::Literal);
    }
}
