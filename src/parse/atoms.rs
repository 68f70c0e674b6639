//! Tokens shared by the line productions: numbers, placeholders and the separators that published
//! copies sometimes lose (format-spec §10), so that every production reads them the same way.

use crate::model::Name;
use nom::bytes::complete::{tag, tag_no_case};
use nom::character::complete::{char, space0, space1};
use nom::combinator::opt;
use nom::{IResult, Parser};

/// Result of a production over one line.
pub(super) type Res<'a, O> = IResult<&'a str, O>;

type Error<'a> = nom::error::Error<&'a str>;

fn words<'a>(p: &str, i: &'a str, ignore_case: bool) -> Res<'a, &'a str> {
    if !ignore_case {
        return words_exact(p, i);
    }
    let mut rest = i;
    for (n, w) in p.split(' ').enumerate() {
        if n > 0 {
            (rest, _) = space1::<_, Error<'a>>(rest)?;
        }
        (rest, _) = if ignore_case {
            tag_no_case(w)(rest)?
        } else {
            tag(w)(rest)?
        };
    }
    let used = i.len() - rest.len();
    Ok((rest, i.get(..used).unwrap_or("")))
}

/// [`words`] with exact case, by hand: the same result as `space1` and `tag` per word, without
/// their machinery (this runs on every line of every report). Walks the phrase byte by byte: a
/// space in it takes one or more spaces or tabs, any other byte itself; a failure is reported
/// where the word (or the space) that failed starts, as `space1` / `tag` report it.
fn words_exact<'a>(p: &str, i: &'a str) -> Res<'a, &'a str> {
    // The server's own single spacing: the phrase verbatim, unless a space ends it (then it
    // takes the whole run of spaces after it).
    if !p.ends_with(' ') {
        if let (Some(head), Some(rest)) = (i.get(..p.len()), i.get(p.len()..)) {
            if head == p {
                return Ok((rest, head));
            }
        }
    }
    let fail = |at: usize, kind| Err(nom::Err::Error(Error::new(i.get(at..).unwrap_or(""), kind)));
    let input = i.as_bytes();
    let mut at = 0;
    // Start of the word being matched: where a `tag` failure is reported.
    let mut word_at = 0;
    for &c in p.as_bytes() {
        if c == b' ' {
            let spaces = input
                .get(at..)
                .unwrap_or_default()
                .iter()
                .take_while(|&&b| b == b' ' || b == b'\t')
                .count();
            if spaces == 0 {
                return fail(at, nom::error::ErrorKind::Space);
            }
            at += spaces;
            word_at = at;
        } else if input.get(at) == Some(&c) {
            at += 1;
        } else {
            return fail(word_at, nom::error::ErrorKind::Tag);
        }
    }
    Ok((i.get(at..).unwrap_or(""), i.get(..at).unwrap_or("")))
}

/// The words of `p` with any run of spaces or tabs between them: copies turn one space into
/// several, or into a tab (format-spec §10).
pub(super) fn phrase<'a>(p: &'static str) -> impl Fn(&'a str) -> Res<'a, &'a str> {
    move |i| words(p, i, false)
}

/// [`phrase`], ignoring ASCII case.
pub(super) fn phrase_no_case<'a>(p: &'static str) -> impl Fn(&'a str) -> Res<'a, &'a str> {
    move |i| words(p, i, true)
}

/// A decimal number (`u64`); fails on overflow instead of wrapping.
pub(super) fn number(i: &str) -> Res<'_, u64> {
    nom::character::complete::u64(i)
}

/// A decimal number that fits `u32` (field indexes, `n_fields`, info bits, `(n)` headings).
pub(super) fn small_number(i: &str) -> Res<'_, u32> {
    nom::character::complete::u32(i)
}

// `, ` between two items, or what survives of it in copies: `,`, ` `, or nothing at all
// (`mysql tables in use 1locked 1`, `Record lockheap no 52`, seed 002).
pub(super) fn sep(i: &str) -> Res<'_, ()> {
    (space0, opt(char(',')), space0).map(|_| ()).parse(i)
}

/// `hay.contains(needle)` for the short lines of a report: a byte search for the needle's
/// first byte, then a compare, without the general substring searcher's set-up (which costs
/// more than the whole search on a line of a few dozen bytes).
pub(super) fn contains(hay: &str, needle: &str) -> bool {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let Some(&first) = needle.first() else {
        return true;
    };
    memchr::memchr_iter(first, hay).any(|at| hay.get(at..).is_some_and(|h| h.starts_with(needle)))
}

/// `s` with each run of whitespace made one space: a server prints single spaces, copies do not.
pub(super) fn single_spaced(s: &str) -> Name {
    let mut out = Name::with_capacity(s.len());
    for (n, w) in s.split_whitespace().enumerate() {
        if n > 0 {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// A cursor for the hand-written fast paths of the commonest lines (`plain_*`): each reads only
/// the exact shape the server prints (single spaces, nothing extra) and gives up otherwise,
/// leaving the line to the nom production, so it can only ever agree with it.
pub(super) struct Plain<'a>(pub &'a str);

impl<'a> Plain<'a> {
    /// Consumes `word` exactly. Inlined, so that comparing with a constant word compiles to a
    /// few compares rather than a library call.
    #[inline(always)]
    pub fn tag(&mut self, word: &str) -> Option<()> {
        self.0 = self.0.strip_prefix(word)?;
        Some(())
    }

    /// Consumes one or more ASCII digits as a number that fits `T` (as `str::parse` reads
    /// them, without its second pass over the digits).
    #[inline(always)]
    pub fn number<T: TryFrom<u64>>(&mut self) -> Option<T> {
        let mut value = 0u64;
        let mut n = 0;
        for b in self.0.bytes() {
            if !b.is_ascii_digit() {
                break;
            }
            value = value.checked_mul(10)?.checked_add(u64::from(b - b'0'))?;
            n += 1;
        }
        if n == 0 {
            return None;
        }
        let value = T::try_from(value).ok()?;
        self.0 = self.0.get(n..)?;
        Some(value)
    }

    /// Consumes one or more ASCII digits, as text.
    #[inline(always)]
    pub fn digits(&mut self) -> Option<&'a str> {
        let n = self.0.bytes().take_while(u8::is_ascii_digit).count();
        let digits = self.0.get(..n).filter(|d| !d.is_empty())?;
        self.0 = self.0.get(n..)?;
        Some(digits)
    }

    /// Consumes a non-empty run of printable ASCII other than a space (a bare word).
    #[inline(always)]
    pub fn word(&mut self) -> Option<&'a str> {
        let n = self.0.bytes().take_while(|b| b.is_ascii_graphic()).count();
        let word = self.0.get(..n).filter(|w| !w.is_empty())?;
        self.0 = self.0.get(n..)?;
        Some(word)
    }

    /// Consumes `` `name` `` with no backquote inside (a doubled one is left to nom).
    pub fn backquoted(&mut self) -> Option<&'a str> {
        let rest = self.0.strip_prefix('`')?;
        let end = memchr::memchr(b'`', rest.as_bytes())?;
        let name = rest.get(..end)?;
        let after = rest.get(end + 1..)?;
        if after.starts_with('`') {
            return None;
        }
        self.0 = after;
        Some(name)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// True when `s` is a publisher's placeholder such as `<trx_1>` or `<private-ip>` (seed 004).
pub(super) fn is_placeholder(s: &str) -> bool {
    s.len() > 2 && s.starts_with('<') && s.ends_with('>')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_is_str_contains() {
        let hays = [
            "",
            "a",
            "#p#",
            "t#P#p0",
            "t#P",
            "ab  cd",
            "recovered trx",
            "é[MY-0124]",
        ];
        let needles = ["", "#P#", "#p#", "  ", "recovered", "[MY-", "a", "é"];
        for hay in hays {
            for needle in needles {
                assert_eq!(
                    contains(hay, needle),
                    hay.contains(needle),
                    "{needle:?} in {hay:?}"
                );
            }
        }
    }

    #[test]
    fn separators_survive_mangling() {
        for input in [", locked", ",locked", " locked", "locked", " , locked"] {
            assert_eq!(sep(input), Ok(("locked", ())), "parsing {input:?}");
        }
    }

    #[test]
    fn phrases_tolerate_space_runs() {
        let cases: &[(&str, Option<(&str, &str)>)] = &[
            ("heap size 12", Some((" 12", "heap size"))),
            ("heap  \tsize 12", Some((" 12", "heap  \tsize"))),
            ("heapsize 12", None),
            ("heap", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                phrase("heap size")(input).ok(),
                *expected,
                "parsing {input:?}"
            );
        }
        assert!(phrase_no_case("heap size")("HEAP Size").is_ok());
    }

    #[test]
    fn numbers_reject_overflow() {
        let cases: &[(&str, Option<u64>)] = &[
            ("0", Some(0)),
            ("18446744073709551615", Some(u64::MAX)),
            ("18446744073709551616", None),
            ("x1", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(
                number(input).ok().map(|r| r.1),
                *expected,
                "parsing {input:?}"
            );
        }
    }

    #[test]
    fn single_spacing() {
        let cases = [
            ("compact format", "compact format"),
            ("compact  \tformat ", "compact format"),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(single_spaced(input), expected, "parsing {input:?}");
        }
    }

    #[test]
    fn placeholders() {
        let cases = [
            ("<trx_1>", true),
            ("<>", false),
            ("<a", false),
            ("123", false),
        ];
        for (input, expected) in cases {
            assert_eq!(is_placeholder(input), expected, "parsing {input:?}");
        }
    }
}
