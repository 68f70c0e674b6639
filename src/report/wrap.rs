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
    wrap_each_in(text, width, (first, rest), false, emit);
}

/// [`wrap_each`]; `word_by_word` leaves out the runs of [`wrap_plain`] (the tests' oracle).
fn wrap_each_in(
    text: &str,
    width: usize,
    (first, rest): (&str, &str),
    word_by_word: bool,
    emit: &mut dyn FnMut(&str),
) {
    // The buffers of the last call on this thread, taken while in use (a call from `emit`
    // starts with fresh ones): a report wraps hundreds of short texts, each was four
    // allocations.
    thread_local! {
        static KEPT: std::cell::Cell<Option<Box<Buffers>>> = const { std::cell::Cell::new(None) };
    }
    if !word_by_word && fits_as_is(text, width, first) {
        // Most texts of a report are one short line: no buffers, no word search.
        if first.is_empty() {
            return emit(text);
        }
        let mut buf = KEPT.with(std::cell::Cell::take).unwrap_or_default();
        buf.line.clear();
        buf.line.push_str(first);
        buf.line.push_str(text);
        emit(&buf.line);
        return KEPT.with(|kept| kept.set(Some(buf)));
    }
    let mut buf = KEPT.with(std::cell::Cell::take).unwrap_or_default();
    buf.word_by_word = word_by_word;
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
    // A rare huge text does not keep its memory for the rest of the run.
    if buf.line.capacity() + buf.fixed.capacity() <= 1 << 16 {
        KEPT.with(|kept| kept.set(Some(buf)));
    }
}

/// Whether `first` then `text` is already the one line wrapping would make: ASCII (so bytes are
/// columns and no [`NO_BREAK`]), [`is_plain`], no leading or trailing space, within `width`.
fn fits_as_is(text: &str, width: usize, first: &str) -> bool {
    let bytes = text.as_bytes();
    first.len() + bytes.len() <= width
        && bytes.first().is_some_and(|&b| b != b' ')
        && bytes.last().is_some_and(|&b| b != b' ')
        && first.is_ascii()
        && text.is_ascii()
        && is_plain(bytes)
}

/// Reused across the lines of a text, and from one text to the next on a thread.
#[derive(Default)]
struct Buffers {
    lead: String,
    cont: String,
    line: String,
    fixed: String,
    word_by_word: bool,
}

fn wrap_line(body: &str, width: usize, buf: &mut Buffers, emit: &mut dyn FnMut(&str)) {
    let Buffers {
        lead,
        cont,
        line,
        fixed,
        word_by_word,
    } = buf;
    let cont_len = cont.chars().count();
    line.clear();
    line.push_str(lead);
    let mut line_len = lead.chars().count();
    let mut empty = true;
    // Whether the line holds a NO_BREAK (only non-ASCII words can).
    let mut joined = lead.contains(NO_BREAK);
    let mut body = body;
    if !*word_by_word && width > line_len.max(cont_len) && is_plain(body.as_bytes()) {
        // Whole runs of words at a time; what is left is a word wider than a line.
        let mut line = Line {
            text: line,
            len: line_len,
            empty,
            joined,
        };
        body = wrap_plain(body, width, (cont, cont_len), &mut line, fixed, emit);
        (line_len, empty, joined) = (line.len, line.empty, line.joined);
    }
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

/// The line being filled.
struct Line<'a> {
    text: &'a mut String,
    /// Its width in chars while it is empty (the indent).
    len: usize,
    /// No word on it yet (only the indent).
    empty: bool,
    /// It may hold a [`NO_BREAK`].
    joined: bool,
}

/// The high bit of each byte of a [`word`].
const HIGH: u64 = 0x8080_8080_8080_8080;

/// Eight bytes as one little-endian word (byte `i` in bits `8i..8i+8`), for the scans below.
fn word(chunk: &[u8]) -> u64 {
    let mut bytes = [0u8; 8];
    bytes.copy_from_slice(chunk);
    u64::from_le_bytes(bytes)
}

/// No ASCII control byte (so no tab or newline) and never two spaces in a row: the words of
/// such text are exactly the runs between single spaces. Eight bytes at a time: every byte of
/// a text report passes here.
fn is_plain(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let mut chunks = bytes.chunks_exact(8);
    // The high bit of byte 0 when the byte before this chunk was a space.
    let mut carry = 0u64;
    for chunk in &mut chunks {
        let x = word(chunk);
        // A byte below 0x20 (non-ASCII bytes have the high bit set: not counted).
        let control = x.wrapping_sub(ONES * 0x20) & !x & HIGH;
        // The high bit of every byte that is a space (exact: no borrow between bytes).
        let y = x ^ (ONES * 0x20);
        let spaces = !(((y & LOW) + LOW) | y | LOW);
        let doubled = spaces & ((spaces << 8) | carry);
        if control | doubled != 0 {
            return false;
        }
        carry = spaces >> 56;
    }
    let mut previous_space = carry != 0;
    chunks.remainder().iter().all(|&b| {
        let ok = b >= b' ' && !(b == b' ' && previous_space);
        previous_space = b == b' ';
        ok
    })
}

/// How many bytes of `bytes` continue a UTF-8 sequence (`10xxxxxx`): its length less its
/// chars.
fn continuation_bytes(bytes: &[u8]) -> usize {
    let mut chunks = bytes.chunks_exact(8);
    let mut n = 0;
    for chunk in &mut chunks {
        let x = word(chunk);
        // Bit 7 set and bit 6 clear.
        n += (x & !(x << 1) & HIGH).count_ones() as usize;
    }
    n + chunks
        .remainder()
        .iter()
        .filter(|&&b| b & 0xc0 == 0x80)
        .count()
}

/// Where char number `n` (from 0) of `s` starts, if `s` has more than `n` chars.
fn char_start(s: &[u8], n: usize) -> Option<usize> {
    let (mut at, mut chars) = (0, 0);
    loop {
        while s.get(at).is_some_and(|b| b & 0xc0 == 0x80) {
            at += 1;
        }
        if at >= s.len() {
            return None;
        }
        if chars == n {
            return Some(at);
        }
        let end = (at + (n - chars)).min(s.len());
        let span = s.get(at..end).unwrap_or_default();
        chars += span.len() - continuation_bytes(span);
        at = end;
    }
}

/// The greedy wrapping of the word loop for [`is_plain`] text, which it is given on an empty
/// line: the longest run of words that fits is the text up to the last space within the
/// width, so a line is one search back from the width and one copy. Each run but the last
/// completes its line. Returns the text not placed: empty, or starting (on an empty line) with
/// a word too wide for a line, which the word loop breaks.
fn wrap_plain<'a>(
    body: &'a str,
    width: usize,
    (cont, cont_len): (&str, usize),
    line: &mut Line<'_>,
    fixed: &mut String,
    emit: &mut dyn FnMut(&str),
) -> &'a str {
    let ascii = body.is_ascii();
    let mut rest = body.trim_end_matches(' ');
    while !rest.is_empty() {
        let room = width.saturating_sub(line.len);
        let bytes = rest.as_bytes();
        // Where the first char past the room starts, if the rest is wider than the room.
        let past = if ascii {
            Some(room).filter(|&r| r < bytes.len())
        } else {
            char_start(bytes, room)
        };
        let take = match past {
            None => bytes.len(),
            Some(past) => match memchr::memrchr(b' ', bytes.get(..=past).unwrap_or_default()) {
                Some(space) => space,
                None => return rest,
            },
        };
        let words = rest.get(..take).unwrap_or(rest);
        line.text.push_str(words);
        line.empty = false;
        line.joined |= !ascii && words.contains(NO_BREAK);
        rest = rest.get(take..).unwrap_or_default().trim_start_matches(' ');
        if rest.is_empty() {
            break;
        }
        finish(line.text, line.joined, fixed, emit);
        line.text.clear();
        line.text.push_str(cont);
        line.len = cont_len;
        line.empty = true;
        line.joined = cont.contains(NO_BREAK);
    }
    rest
}

/// Hands on a complete line: trailing spaces dropped, [`NO_BREAK`] (when `joined` says the
/// line may hold one) written as a plain space.
fn finish(line: &str, joined: bool, fixed: &mut String, emit: &mut dyn FnMut(&str)) {
    let line = line.trim_end();
    if joined && line.contains(NO_BREAK) {
        fixed.clear();
        let mut from = 0;
        for (at, _) in line.match_indices(NO_BREAK) {
            fixed.push_str(line.get(from..at).unwrap_or_default());
            fixed.push(' ');
            from = at + NO_BREAK.len_utf8();
        }
        fixed.push_str(line.get(from..).unwrap_or_default());
        emit(fixed);
    } else {
        emit(line);
    }
}

/// `text` cut to `width` chars, the last one replaced by `…` when something was cut.
pub fn truncate(text: &str, width: usize) -> String {
    let mut cut = String::with_capacity(text.len().min(width * 4 + 4));
    push_truncated(&mut cut, text, width);
    cut
}

/// [`truncate`], appended to `out`.
pub fn push_truncated(out: &mut String, text: &str, width: usize) {
    // No more bytes than columns: no more chars either.
    if text.len() <= width || text.chars().count() <= width {
        return out.push_str(text);
    }
    if text.is_ascii() {
        out.push_str(text.get(..width.saturating_sub(1)).unwrap_or(text));
    } else {
        out.extend(text.chars().take(width.saturating_sub(1)));
    }
    out.push('…');
}

/// The words of `text` that start within its first `chars` chars: `text` up to the first space
/// at or after that point (all of it when shorter). Wrapping them gives the same first lines
/// as wrapping all of `text`, as long as those lines hold fewer than `chars` chars together:
/// a statement of many KB is wrapped only as far as the few lines shown.
pub fn words_within(text: &str, chars: usize) -> &str {
    // No more bytes than that: no more chars either, nothing to cut.
    let past = (text.len() > chars)
        .then(|| text.char_indices().nth(chars))
        .flatten();
    match past {
        Some((at, _)) => {
            match memchr::memchr(b' ', text.as_bytes().get(at..).unwrap_or_default()) {
                Some(space) => text.get(..at + space).unwrap_or(text),
                None => text,
            }
        }
        None => text,
    }
}

/// All runs of whitespace (newlines included) as one space: statements on one line.
pub fn squash(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
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

    /// The word loop alone: the oracle.
    fn wrap_word_by_word(text: &str, width: usize, first: &str, rest: &str) -> Vec<String> {
        let mut out = Vec::new();
        wrap_each_in(text, width, (first, rest), true, &mut |l| {
            out.push(l.to_string())
        });
        out
    }

    #[test]
    fn wraps_as_word_by_word() {
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for _ in 0..5000 {
            let mut text = String::new();
            let (ascii, plain) = (next(2) == 0, next(3) > 0);
            for _ in 0..next(30) {
                let long = next(8) == 0;
                let letter =
                    ["x", "y", "é", "\u{a0}", "→"][next(if ascii { 2 } else { 5 }) as usize];
                text.push_str(&letter.repeat(1 + next(if long { 40 } else { 9 }) as usize));
                let gaps = [" ", "\n", "\u{a0}", "  ", "\t", " \n "];
                let gap = gaps[next(if plain { 3 } else { 6 }) as usize];
                text.push_str(gap);
            }
            if next(2) == 0 {
                // Short texts with no trailing gap are the one-line shortcut's.
                text.truncate(text.trim_end().len());
            }
            let width = 1 + next(30) as usize;
            let first = [" ", "", "- ", "\u{a0}"][next(4) as usize];
            let rest = " ".repeat(next(4) as usize);
            assert_eq!(
                wrap(&text, width, first, &rest),
                wrap_word_by_word(&text, width, first, &rest),
                "{text:?} at {width}, {first:?} / {rest:?}"
            );
        }
    }

    #[test]
    fn word_at_a_time_scans_match_byte_at_a_time() {
        let pieces = [
            "a",
            " ",
            "  ",
            "\t",
            "é",
            "\u{a0}",
            "→",
            "\n",
            "\u{1f600}",
            "~",
        ];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        for _ in 0..4000 {
            let mut text = String::new();
            for _ in 0..seed % 40 {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                text.push_str(pieces[(seed % 10) as usize]);
            }
            let b = text.as_bytes();
            let plain = !b.iter().any(|&c| c < b' ') && !text.contains("  ");
            assert_eq!(is_plain(b), plain, "{text:?}");
            let cont = b.iter().filter(|&&c| c & 0xc0 == 0x80).count();
            assert_eq!(continuation_bytes(b), cont, "{text:?}");
            for n in 0..text.chars().count() + 2 {
                let naive = text.char_indices().nth(n).map(|(at, _)| at);
                assert_eq!(char_start(b, n), naive, "{text:?} char {n}");
            }
        }
    }

    #[test]
    fn truncates_and_squashes() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(squash("select *\n  from t"), "select * from t");
    }
}
