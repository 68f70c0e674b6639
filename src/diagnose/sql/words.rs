//! The statement text as words: whitespace runs collapsed, phrases and words found without
//! regard to case or spacing.

/// Whitespace collapsed to single spaces.
pub(crate) fn squash(q: &str) -> String {
    // Most statements are ASCII and printed single-spaced already: copied as they are.
    if q.is_ascii() && is_squashed_ascii(q) {
        return q.to_string();
    }
    let mut out = String::with_capacity(q.len());
    push_squashed(&mut out, q);
    out
}

/// [`push_squashed`] for an ASCII `q`, by bytes (the whitespace is `char::is_whitespace`'s
/// ASCII part).
pub(super) fn push_squashed_ascii(out: &mut String, q: &str) {
    let is_space = |b: u8| crate::text::is_space(&b);
    let bytes = q.as_bytes();
    let mut i = 0;
    let mut first = true;
    while i < bytes.len() {
        while bytes.get(i).is_some_and(|&b| is_space(b)) {
            i += 1;
        }
        let start = i;
        while bytes.get(i).is_some_and(|&b| !is_space(b)) {
            i += 1;
        }
        if i > start {
            if !first {
                out.push(' ');
            }
            first = false;
            out.push_str(q.get(start..i).unwrap_or(""));
        }
    }
}

/// Whether squashing would leave ASCII `q` as it is: no whitespace but single spaces between
/// words. May say no for text that is squashed but holds other control bytes: squashing it
/// then changes nothing, so callers need not tell the two apart.
pub(super) fn is_squashed_ascii(q: &str) -> bool {
    let b = q.as_bytes();
    if b.first() == Some(&b' ') || b.last() == Some(&b' ') {
        return false;
    }
    let bad = |c: u8, next: u8| (c < 0x20) | ((c == b' ') & (next == b' '));
    // Statements run to kilobytes: 16 bytes and their successors at a time, with no early exit
    // inside a block (vector compares).
    let mut i = 0;
    while let (Some(x), Some(y)) = (b.get(i..i + 16), b.get(i + 1..i + 17)) {
        if x.iter().zip(y).fold(false, |d, (&c, &n)| d | bad(c, n)) {
            return false;
        }
        i += 16;
    }
    let tail = b.get(i..).unwrap_or_default();
    !tail
        .iter()
        .enumerate()
        .any(|(j, &c)| bad(c, tail.get(j + 1).copied().unwrap_or(0)))
}

/// Appends `squash(q)` to `out`.
pub(super) fn push_squashed(out: &mut String, q: &str) {
    for (i, w) in q.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
}

/// True when `squash(q).to_ascii_uppercase().contains(phrase)`, for an upper-case ASCII
/// `phrase` of single-spaced words, without building the squashed copy (this runs for every
/// transaction of every deadlock). A phrase of several words matches when consecutive words
/// of `q` are: one ending with the first word, the middle words themselves, one starting with
/// the last word (all ignoring ASCII case).
pub(super) fn squashed_contains(q: &str, phrase: &str) -> bool {
    let Some((first, rest)) = phrase.split_once(' ') else {
        return has_word(q, phrase);
    };
    let (bytes, f) = (q.as_bytes(), first.as_bytes());
    let Some(&f0) = f.first() else {
        return false;
    };
    // Each place the first word ends a word of `q`, then the other words after whitespace.
    memchr::memchr2_iter(f0, f0.to_ascii_lowercase(), bytes).any(|at| {
        let end = at + f.len();
        bytes
            .get(at..end)
            .is_some_and(|s| s.eq_ignore_ascii_case(f))
            && q.get(end..).is_some_and(|after| words_follow(after, rest))
    })
}

/// `s` is whitespace, then the words of `rest` (the last one may go on: a prefix), each
/// separated by whitespace.
pub(super) fn words_follow(s: &str, rest: &str) -> bool {
    let mut s = s;
    let mut parts = rest.split(' ').peekable();
    while let Some(part) = parts.next() {
        let trimmed = s.trim_start();
        if trimmed.len() == s.len() || !starts_with_ci(trimmed, part) {
            return false;
        }
        s = trimmed.get(part.len()..).unwrap_or("");
        if parts.peek().is_none() {
            return true;
        }
    }
    true
}

fn starts_with_ci(s: &str, prefix: &str) -> bool {
    s.as_bytes()
        .get(..prefix.len())
        .is_some_and(|t| t.eq_ignore_ascii_case(prefix.as_bytes()))
}

/// True when `word` (ASCII, upper case, no whitespace) occurs in `q` ignoring ASCII case.
pub(super) fn has_word(q: &str, word: &str) -> bool {
    let (q, w) = (q.as_bytes(), word.as_bytes());
    let Some(&first) = w.first() else {
        return true;
    };
    memchr::memchr2_iter(first, first.to_ascii_lowercase(), q).any(|at| {
        q.get(at..at + w.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(w))
    })
}
