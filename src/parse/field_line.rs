//! The field lines of a record dump (`rec_print_comp` / `rec_print_old` / `rec_print_mbr_rec` →
//! `ut_print_buf`, format-spec §3.5). 5.0 prints all fields of a record on one line, so one line
//! can hold several fields.
//!
//! The asc text can itself contain `;`, so it is not split on the first `;`: it is exactly `len`
//! printable bytes when the copy is faithful, and otherwise it ends at the `;;` that ends the line
//! or comes before the next field (copies collapse spaces or turn `<` into `&lt;`, §10).

use super::atoms::{number, phrase, small_number, Res};
use crate::model::{Field, FieldValue};
use nom::branch::alt;
use nom::bytes::complete::{tag, take_till};
use nom::character::complete::{char, digit1, space0, space1};
use nom::combinator::opt;
use nom::sequence::{delimited, preceded, terminated};
use nom::Parser;

/// True when `s` (what follows a candidate `;;`) is the end of the line or the start of the next
/// field / trailing flag of the same record.
fn ends_field(s: &str) -> bool {
    let s = s.trim_start();
    if s.is_empty() || s.starts_with("Deleted") || s.starts_with("First rec") {
        return true;
    }
    let digits = s.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && s.as_bytes().get(digits) == Some(&b':')
}

/// Whether the text after the asc part's own `;` is what the server prints next.
fn asc_followed_well(after: &str) -> bool {
    after.strip_prefix(';').is_some_and(ends_field) || after.starts_with(" (total")
}

// <asc text>;      exactly `len` bytes when faithful, else up to the `;;` that ends the field
fn asc_text(len: u64, i: &str) -> Res<'_, &str> {
    let exact = usize::try_from(len).ok().and_then(|n| {
        let (asc, after) = (i.get(..n)?, i.get(n..)?);
        let after = after.strip_prefix(';')?;
        asc_followed_well(after).then_some((after, asc))
    });
    if let Some(found) = exact {
        return Ok(found);
    }
    let scanned = i.match_indices(';').find_map(|(p, _)| {
        let after = i.get(p + 1..)?;
        asc_followed_well(after).then(|| (after, i.get(..p).unwrap_or("")))
    });
    if let Some(found) = scanned {
        return Ok(found);
    }
    // damaged tail (an elision, a comment): the last `;;`, or the whole rest
    match i.rfind(";;") {
        Some(p) => Ok((i.get(p + 1..).unwrap_or(""), i.get(..p).unwrap_or(""))),
        None => Ok(("", i.trim_end_matches(';'))),
    }
}

// len 4; hex 80000065; asc    e;      (`ut_print_buf`)
// len 0; hex ; asc ;
fn print_buf(i: &str) -> Res<'_, (u64, &str, &str)> {
    let (i, len) = preceded((tag("len"), space1), number).parse(i)?;
    let (i, hex) = preceded(
        (space0, char(';'), space0, tag("hex"), space0),
        take_till(|c: char| c == ';'),
    )
    .parse(i)?;
    let (i, _) = (char(';'), space0, tag("asc"), opt(char(' '))).parse(i)?;
    let (i, asc) = asc_text(len, i)?;
    Ok((i, (len, hex.trim(), asc)))
}

//  (total 100 bytes)
//  (total 9000 bytes, external) len 20; hex …; asc …;     (the off-page reference is skipped)
fn total(i: &str) -> Res<'_, (u64, bool)> {
    let (i, (n, external)) = delimited(
        (space0, tag("(total"), space1),
        (
            number,
            preceded(
                (space1, tag("bytes")),
                opt((char(','), space0, tag("external"))),
            ),
        ),
        char(')'),
    )
    .parse(i)?;
    let (i, _) = opt(preceded(space0, print_buf)).parse(i)?;
    Ok((i, (n, external.is_some())))
}

// len 4; hex 80000065; asc    e;;
// len 30; hex …; asc …; (total 100 bytes);
fn bytes_value(i: &str) -> Res<'_, FieldValue> {
    let (i, (len, hex, _asc)) = print_buf(i)?;
    let (i, total) = opt(total).parse(i)?;
    let (i, _) = opt(char(';')).parse(i)?;
    let (total, external) = total.map_or((None, false), |(n, e)| (Some(n), e));
    Ok((
        i,
        FieldValue::Bytes {
            len,
            hex: hex.into(),
            total,
            external,
        },
    ))
}

// SQL NULL;
// SQL NULL, size 4 ;        (redundant row format)
// SQL DEFAULT;              (instantly added column, 8.0.12+)
fn null_or_default(i: &str) -> Res<'_, FieldValue> {
    terminated(
        alt((
            terminated(
                phrase("SQL NULL"),
                opt((char(','), space0, tag("size"), space1, digit1)),
            )
            .map(|_| FieldValue::Null),
            phrase("SQL DEFAULT").map(|_| FieldValue::Default),
        )),
        (space0, opt(char(';'))),
    )
    .parse(i)
}

// 0: len 4; hex 80000065; asc    e;;
fn field(i: &str) -> Res<'_, Field> {
    let (i, index) = terminated(small_number, (char(':'), space0)).parse(i)?;
    let (i, value) = alt((null_or_default, bytes_value)).parse(i)?;
    Ok((i, Field { index, value }))
}

// MBR:1.00,2.00,3.00,4.00;        (first field of a spatial index record)
fn mbr(i: &str) -> Res<'_, Field> {
    let (i, text) =
        delimited(tag("MBR:"), take_till(|c: char| c == ';'), opt(char(';'))).parse(i)?;
    Ok((
        i,
        Field {
            index: 0,
            value: FieldValue::Mbr {
                text: text.trim().to_string(),
            },
        },
    ))
}

/// The common, faithful line `0: len 4; hex 80000065; asc    e;;` (single spaces, hex digits,
/// `asc` exactly `len` bytes, nothing after `;;`), read by hand: what [`field`] reads from it,
/// without nom. `None` for any other shape, which then takes the full parser.
pub(super) fn plain_field(i: &str) -> Option<Field> {
    let digits = |s: &str| s.bytes().take_while(u8::is_ascii_digit).count();
    let n = digits(i);
    let index: u32 = i.get(..n).filter(|d| !d.is_empty())?.parse().ok()?;
    let i = i.get(n..)?.strip_prefix(": len ")?;
    let n = digits(i);
    let len: u64 = i.get(..n).filter(|d| !d.is_empty())?.parse().ok()?;
    let i = i.get(n..)?.strip_prefix("; hex ")?;
    let n = i.bytes().take_while(u8::is_ascii_hexdigit).count();
    let hex = i.get(..n)?;
    let asc_and_end = i.get(n..)?.strip_prefix("; asc ")?;
    let asc_len = usize::try_from(len).ok()?;
    if asc_and_end.len() != asc_len.checked_add(2)? {
        return None;
    }
    if asc_and_end.get(asc_len..)? != ";;" {
        return None;
    }
    Some(Field {
        index,
        value: FieldValue::Bytes {
            len,
            hex: hex.into(),
            total: None,
            external: false,
        },
    })
}

/// Reads one field line (or 5.0's one-line record) into its fields; `None` when the line does not
/// start with a field. Trailing text after the last field (` Deleted`, an elision) is ignored.
pub(super) fn field_line(line: &str) -> Option<Vec<Field>> {
    let mut i = line.trim_start();
    if let Some(f) = plain_field(i) {
        return Some(vec![f]);
    }
    let mut out = Vec::new();
    if let Ok((rest, f)) = mbr(i) {
        out.push(f);
        i = rest;
    }
    while let Ok((rest, f)) = field(i.trim_start()) {
        out.push(f);
        i = rest;
    }
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    fn b(index: u32, len: u64, hex: &str, _asc: &str) -> Field {
        Field {
            index,
            value: FieldValue::Bytes {
                len,
                hex: hex.into(),
                total: None,
                external: false,
            },
        }
    }

    fn with_total(mut f: Field, n: u64, ext: bool) -> Field {
        if let FieldValue::Bytes {
            total, external, ..
        } = &mut f.value
        {
            *total = Some(n);
            *external = ext;
        }
        f
    }

    fn null(index: u32) -> Field {
        Field {
            index,
            value: FieldValue::Null,
        }
    }

    /// The hand-written path reads every field line of the real captures as nom does.
    #[test]
    fn plain_path_agrees_with_the_parser_on_the_fixtures() {
        fn walk(dir: &std::path::Path, lines: &mut Vec<String>) {
            let Ok(entries) = std::fs::read_dir(dir) else {
                return;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    walk(&path, lines);
                } else if let Ok(bytes) = std::fs::read(&path) {
                    let text = String::from_utf8_lossy(&bytes);
                    lines.extend(text.lines().map(|l| l.trim().to_string()));
                }
            }
        }
        let mut lines = Vec::new();
        walk(
            &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures"),
            &mut lines,
        );
        let mut plain = 0;
        for line in &lines {
            if let Some(f) = plain_field(line) {
                plain += 1;
                assert_eq!(field(line).ok(), Some(("", f)), "parsing {line:?}");
            }
        }
        assert!(plain > 1000, "only {plain} plain field lines");
    }

    #[test]
    fn field_lines() {
        let hex60 = "61".repeat(30);
        let asc30 = "a".repeat(30);
        let long = format!(" 3: len 30; hex {hex60}; asc {asc30}; (total 100 bytes);");
        let external = format!(
            " 3: len 30; hex {hex60}; asc {asc30}; (total 9000 bytes, external) len 20; hex {}; asc {};;",
            "00".repeat(20),
            " ".repeat(20)
        );
        let cases: Vec<(&str, Option<Vec<Field>>)> = vec![
            (" 0: len 4; hex 80000065; asc    e;;", Some(vec![b(0, 4, "80000065", "   e")])),
            (" 3: len 5; hex 616c696365; asc alice;;", Some(vec![b(3, 5, "616c696365", "alice")])),
            (
                " 0: len 8; hex 73757072656d756d; asc supremum;;",
                Some(vec![b(0, 8, "73757072656d756d", "supremum")]),
            ),
            (
                " 1: len 6; hex 0000073b2d5c; asc    ;-\\;;",
                Some(vec![b(1, 6, "0000073b2d5c", "   ;-\\")]),
            ),
            (
                " 2: len 7; hex 3b000001d30110; asc ;      ;;",
                Some(vec![b(2, 7, "3b000001d30110", ";      ")]),
            ),
            // spaces collapsed by the publisher: asc shorter than len
            (
                " 2: len 7; hex 040000163b2515; asc ;% ;;",
                Some(vec![b(2, 7, "040000163b2515", ";% ")]),
            ),
            (" 1: len 2; hex 3b3b; asc ;;;;", Some(vec![b(1, 2, "3b3b", ";;")])),
            (" 4: len 0; hex ; asc ;;", Some(vec![b(4, 0, "", "")])),
            (" 4: SQL NULL;", Some(vec![null(4)])),
            (" 3: SQL NULL, size 4 ;", Some(vec![null(3)])),
            (
                " 5: SQL DEFAULT;",
                Some(vec![Field {
                    index: 5,
                    value: FieldValue::Default,
                }]),
            ),
            (
                "0: len 16; hex 965b1face74948039ab0dd8da6daa71d; asc [ IH ;;",
                Some(vec![b(0, 16, "965b1face74948039ab0dd8da6daa71d", "[ IH ")]),
            ),
            (
                " 0: len 6; hex 000000000501; asc       ;; 1: len 6; hex 00000039e24f; asc    9 O;; 2: len 7; hex 8000000e490110; asc     I  ;; 3: len 4; hex 80000000; asc     ;;",
                Some(vec![
                    b(0, 6, "000000000501", "      "),
                    b(1, 6, "00000039e24f", "   9 O"),
                    b(2, 7, "8000000e490110", "    I  "),
                    b(3, 4, "80000000", "    "),
                ]),
            ),
            (
                " 0: len 4; hex 80000001; asc     ;; 1: SQL NULL; 2: len 1; hex 61; asc a;;",
                Some(vec![b(0, 4, "80000001", "    "), null(1), b(2, 1, "61", "a")]),
            ),
            (long.as_str(), Some(vec![with_total(b(3, 30, &hex60, &asc30), 100, false)])),
            (
                external.as_str(),
                Some(vec![with_total(b(3, 30, &hex60, &asc30), 9000, true)]),
            ),
            (
                " MBR:1.00,2.00,3.00,4.00; 1: len 4; hex 00000001; asc     ;; Deleted",
                Some(vec![
                    Field {
                        index: 0,
                        value: FieldValue::Mbr {
                            text: "1.00,2.00,3.00,4.00".into(),
                        },
                    },
                    b(1, 4, "00000001", "    "),
                ]),
            ),
            // apache/incubator-seata#5512: a prefix of a long value
            (
                " 0: len 30; hex 6a6462633a6d7973716c3a2f2f3137322e31382e3232392e3137353a3333; asc jdbc:mysql://172.18.229.175:33; (total 100 bytes);",
                Some(vec![with_total(
                    b(
                        0,
                        30,
                        "6a6462633a6d7973716c3a2f2f3137322e31382e3232392e3137353a3333",
                        "jdbc:mysql://172.18.229.175:33",
                    ),
                    100,
                    false,
                )]),
            ),
            (" 0: len 3; hex 3c6162; asc &lt;ab;;", Some(vec![b(0, 3, "3c6162", "&lt;ab")])),
            (" 0: len 4; hex 80000065; asc    e;;  ", Some(vec![b(0, 4, "80000065", "   e")])),
            (" 0: len 4; hex 8000", None),
            ("12: 30", None),
            ("1. row", None),
            ("", None),
        ];
        for (input, expected) in cases {
            assert_eq!(field_line(input), expected, "parsing {input:?}");
            if let Some(plain) = plain_field(input.trim_start()) {
                assert_eq!(
                    field(input.trim_start()).ok(),
                    Some(("", plain)),
                    "the plain path of {input:?}"
                );
            }
            assert_prefixes_safe(input, |s| {
                let _ = field_line(s);
            });
        }
    }
}
