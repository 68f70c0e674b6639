//! String escaping is where the writer spends its time: every name, value and statement of a
//! deadlock passes through it. It is kept apart so that the block-at-a-time test, the one
//! part written for speed, can be read and tested on its own against `serde_json`'s bytes.

/// Whether any byte of `b` needs an escape (a control character, `"` or `\\`). Most strings
/// are short (names, modes, numbers as text): 16 bytes at a time with no early exit inside a
/// block (vector compares), the tail as an overlapping last block, and a string shorter than
/// a block as two overlapping words, so that no string is looked at a byte at a time.
pub(super) fn needs_escape(b: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let block = |r: &[u8]| <&[u8; 16]>::try_from(r).is_ok_and(any_special);
    // Exact "some byte is zero / below 0x20" tests on a word (no false alarms for existence).
    let word = |w: u64| {
        let zero = |x: u64| x.wrapping_sub(ONES) & !x & HIGHS != 0;
        zero(w ^ (ONES * u64::from(b'"')))
            || zero(w ^ (ONES * u64::from(b'\\')))
            || w.wrapping_sub(ONES * 0x20) & !w & HIGHS != 0
    };
    let n = b.len();
    if n >= 16 {
        let mut blocks = b.chunks_exact(16);
        let found = blocks.any(block);
        return found || (!blocks.remainder().is_empty() && block(b.get(n - 16..).unwrap_or(&[])));
    }
    let load = |at: usize| {
        b.get(at..at + 8)
            .and_then(|w| <[u8; 8]>::try_from(w).ok())
            .map_or(0, u64::from_le_bytes)
    };
    if n >= 8 {
        return word(load(0)) || word(load(n - 8));
    }
    b.iter().any(|&c| special(c))
}

fn special(b: u8) -> bool {
    (b < 0x20) | (b == b'"') | (b == b'\\')
}

/// No early exit: compiles to vector compares over the block (inlined: a call per block
/// cost more than the compares).
#[inline(always)]
fn any_special(run: &[u8; 16]) -> bool {
    run.iter().fold(false, |d, &b| d | special(b))
}

/// A JSON string, escaped exactly as `serde_json` escapes it: `"` and `\\`, the short forms
/// `\b \t \n \f \r`, other control bytes as `\u00xx`; everything else (non-ASCII included)
/// as is.
#[inline]
pub(super) fn string(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    // Most strings need no escape at all: then the bytes are copied in one go.
    if !needs_escape(bytes) {
        out.extend_from_slice(bytes);
        out.push(b'"');
    } else {
        escaped(out, bytes);
    }
}

/// The rest of [`string`] for text that needs escapes.
fn escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    // Multi-line text (statements, fix sketches): skip clean 16-byte runs the same way.
    let mut start = 0;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let run = bytes
            .get(i..i + 16)
            .and_then(|r| <&[u8; 16]>::try_from(r).ok());
        if run.is_some_and(|r| !any_special(r)) {
            i += 16;
            continue;
        }
        i += 1;
        if !special(b) {
            continue;
        }
        out.extend_from_slice(bytes.get(start..i - 1).unwrap_or_default());
        start = i;
        match b {
            b'"' => out.extend_from_slice(b"\\\""),
            b'\\' => out.extend_from_slice(b"\\\\"),
            0x08 => out.extend_from_slice(b"\\b"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(b"\\u00");
                out.push(HEX[usize::from(b >> 4)]);
                out.push(HEX[usize::from(b & 0xf)]);
            }
        }
    }
    out.extend_from_slice(bytes.get(start..).unwrap_or_default());
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_test_agrees_at_every_length_and_offset() {
        for len in 0..70 {
            for at in 0..len {
                for c in [
                    0u8, 0x08, 0x1f, b'"', b'\\', b' ', b'!', b'#', b'[', b']', 0x7f, 0x80, 0xa0,
                    0xdc, 0xff,
                ] {
                    let mut b = vec![b'x'; len];
                    b[at] = c;
                    let want = b.iter().any(|&c| special(c));
                    assert_eq!(needs_escape(&b), want, "len {len}, {c:#x} at {at}");
                }
            }
        }
    }

    #[test]
    fn strings_escape_like_serde() {
        let mut cases = vec![
            String::new(),
            "a\"b\\c\u{8}\t\n\u{c}\r\u{1}\u{1f}\u{7f}é\u{2028}".to_string(),
            "0123456789abcdef0123456789abcdef".to_string(),
            "`test`.`t` \"quoted\" and a\\backslash after sixteen".to_string(),
        ];
        // Every byte value at every offset of a 150-byte string.
        for c in 0u8..128 {
            for at in 0..150 {
                let mut s = "x".repeat(150);
                s.replace_range(at..at + 1, &char::from(c).to_string());
                cases.push(s);
            }
        }
        cases.push("ü€😀 ünïcödé with \u{1b}[0m colours".to_string());
        for s in &cases {
            let mut out = Vec::new();
            string(&mut out, s);
            assert_eq!(out, serde_json::to_vec(s).expect("serializes"), "{s:?}");
        }
    }
}
