//! The `Record lock, heap no …` line that opens each record under a record lock
//! (`lock_rec_print` → `rec_print_new` / `rec_print_old`, format-spec §3.5).

use super::atoms::{number, phrase, sep, single_spaced, small_number, Plain, Res};
use super::line::RecordHeader;
use nom::bytes::complete::{tag, take_till};
use nom::character::complete::{char, space0, space1};
use nom::combinator::opt;
use nom::sequence::{delimited, preceded};
use nom::Parser;

// PHYSICAL RECORD: n_fields 5; compact format; info bits 0
// PHYSICAL RECORD: n_fields 4; 1-byte offsets; info bits 0        (redundant row format)
fn physical_record(i: &str) -> Res<'_, (Option<u32>, Option<&str>, Option<u32>)> {
    let (i, _) = (space0, phrase("PHYSICAL RECORD:"), space0).parse(i)?;
    let (i, n_fields) = opt(preceded((tag("n_fields"), space1), small_number)).parse(i)?;
    let (i, format) = opt(delimited(
        (space0, char(';'), space0),
        take_till(|c: char| c == ';'),
        char(';'),
    ))
    .parse(i)?;
    let (i, info_bits) = opt(preceded(
        (space0, phrase("info bits"), space1),
        small_number,
    ))
    .parse(i)?;
    let format = format.map(str::trim).filter(|f| !f.is_empty());
    Ok((i, (n_fields, format, info_bits)))
}

// Record lock, heap no 12 PHYSICAL RECORD: n_fields 5; compact format; info bits 0
// Record lock, heap no 2                       (the page was not in the buffer pool)
// Record lockheap no 52 PHYSICAL RECORD: n_fields 57; compact format; info bits 0   (lost `, `, seed 002)
fn record_lock(i: &str) -> Res<'_, RecordHeader> {
    let (i, heap_no) = preceded(
        (phrase("Record lock"), sep, phrase("heap no"), space1),
        number,
    )
    .parse(i)?;
    let (i, physical) = opt(physical_record).parse(i)?;
    let (n_fields, format, info_bits) = physical.unwrap_or((None, None, None));
    Ok((
        i,
        RecordHeader {
            heap_no,
            n_fields,
            format: format.map(single_spaced),
            info_bits,
        },
    ))
}

/// Reads a `Record lock, heap no …` line (already trimmed).
pub(super) fn record_line(line: &str) -> Option<RecordHeader> {
    plain_record_line(line).or_else(|| record_lock(line).ok().map(|(_, r)| r))
}

/// [`record_lock`] by hand for the whole line exactly as the server prints it; `None` for any
/// other shape (the nom production then reads it).
// Record lock, heap no 12 PHYSICAL RECORD: n_fields 5; compact format; info bits 0
pub(super) fn plain_record_line(line: &str) -> Option<RecordHeader> {
    let mut p = Plain(line);
    p.tag("Record lock, heap no ")?;
    let heap_no = p.number()?;
    p.tag(" PHYSICAL RECORD: n_fields ")?;
    let n_fields = p.number()?;
    p.tag("; ")?;
    let end = memchr::memchr(b';', p.0.as_bytes())?;
    let format = p.0.get(..end)?;
    // Words of visible ASCII between single spaces (`compact format`), by bytes.
    let f = format.as_bytes();
    let words = f.iter().all(|&b| b.is_ascii_graphic() || b == b' ')
        && !f.is_empty()
        && !f.starts_with(b" ")
        && !f.ends_with(b" ")
        && !f.windows(2).any(|w| w == b"  ");
    if !words {
        return None;
    }
    p.0 = p.0.get(end..)?;
    p.tag("; info bits ")?;
    let info_bits = p.number()?;
    p.is_empty().then(|| RecordHeader {
        heap_no,
        n_fields: Some(n_fields),
        format: Some(format.into()),
        info_bits: Some(info_bits),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::test_util::assert_prefixes_safe;

    fn r(
        heap: u64,
        n: Option<u32>,
        format: Option<&str>,
        bits: Option<u32>,
    ) -> Option<RecordHeader> {
        Some(RecordHeader {
            heap_no: heap,
            n_fields: n,
            format: format.map(Into::into),
            info_bits: bits,
        })
    }

    #[test]
    fn plain_record_lines_read_as_the_production_reads_them() {
        let n = crate::parse::test_util::assert_fast_path_agrees(
            "Record lock",
            plain_record_line,
            |s| record_lock(s).ok().map(|(_, r)| r),
        );
        assert!(n > 100, "the fast path read only {n} fixture record lines");
    }

    #[test]
    fn record_lines() {
        let cases = [
            (
                "Record lock, heap no 12 PHYSICAL RECORD: n_fields 5; compact format; info bits 0",
                r(12, Some(5), Some("compact format"), Some(0)),
            ),
            (
                "Record lock, heap no 6 PHYSICAL RECORD: n_fields 2; compact format; info bits 32",
                r(6, Some(2), Some("compact format"), Some(32)),
            ),
            (
                "Record lock, heap no 1 PHYSICAL RECORD: n_fields 1; compact format; info bits 0",
                r(1, Some(1), Some("compact format"), Some(0)),
            ),
            (
                "Record lock, heap no 3 PHYSICAL RECORD: n_fields 4; 1-byte offsets; info bits 0",
                r(3, Some(4), Some("1-byte offsets"), Some(0)),
            ),
            (
                "Record lock, heap no 3 PHYSICAL RECORD: n_fields 4; 2-byte offsets; info bits 160",
                r(3, Some(4), Some("2-byte offsets"), Some(160)),
            ),
            (
                "Record lockheap no 52 PHYSICAL RECORD: n_fields 57; compact format; info bits 0",
                r(52, Some(57), Some("compact format"), Some(0)),
            ),
            ("Record lock, heap no 2", r(2, None, None, None)),
            (
                "Record lock,\theap no 7 PHYSICAL RECORD: n_fields 2;  compact  format; info bits 0",
                r(7, Some(2), Some("compact format"), Some(0)),
            ),
            (
                "Record lock, heap no 2 PHYSICAL RECORD: n_fields 5;",
                r(2, Some(5), None, None),
            ),
            ("Record lock, heap no", None),
            ("Record locks", None),
        ];
        for (input, expected) in cases {
            assert_eq!(record_line(input), expected, "parsing {input:?}");
            assert_prefixes_safe(input, |s| {
                let _ = record_line(s);
            });
        }
    }
}
