//! The short form of a field value, the way `data_locks` prints `LOCK_DATA` and the way every
//! sentence about a key quotes it: `101`, `'alice'`, `0x0a1b…`. Part of the model because the
//! model itself builds `LOCK_DATA` from a record dump (`WaitedLock::of`).

use super::record::{hex_bytes, FieldValue};

/// Hex digits kept whole; longer values are shown as head…tail (UUIDs differ at either end).
const MAX_HEX_DIGITS: usize = 24;
/// Characters of a text value kept before `…`.
const MAX_TEXT_CHARS: usize = 24;

/// Appends a number in decimal (without `fmt`'s machinery: this runs for every key printed).
pub fn push_number(s: &mut String, n: impl itoa::Integer) {
    s.push_str(itoa::Buffer::new().format(n));
}

/// A field as a short value: a signed-integer guess for 4/8-byte values with the top bit set
/// (InnoDB flips the sign bit, so `80000065` is 101), quoted text when the bytes are printable
/// UTF-8, otherwise hex, shortened.
pub fn short_value(value: &FieldValue) -> String {
    let mut out = String::new();
    push_short_value(&mut out, value);
    out
}

/// [`short_value`], appended to `out` (sentences are built in one string).
pub fn push_short_value(out: &mut String, value: &FieldValue) {
    let (hex, truncated, external) = match value {
        FieldValue::Null => return out.push_str("NULL"),
        FieldValue::Default => return out.push_str("DEFAULT"),
        FieldValue::Missing => return out.push('?'),
        FieldValue::Mbr { text } => {
            out.push_str("MBR ");
            return push_shortened_text(out, text, false);
        }
        FieldValue::Bytes {
            hex,
            total,
            external,
            ..
        } => (hex.as_str(), total.is_some(), *external),
    };
    match hex_bytes(hex) {
        None => push_shortened_text(out, hex, truncated),
        Some(bytes) if bytes.is_empty() => out.push_str("''"),
        Some(bytes) => match signed_int(&bytes, truncated) {
            Some(n) => push_number(out, n),
            None => match std::str::from_utf8(&bytes) {
                Ok(text) if !text.chars().any(char::is_control) => {
                    out.push('\'');
                    push_shortened_text(out, text, truncated);
                    out.push('\'');
                }
                _ => push_shortened_hex(out, hex, truncated),
            },
        },
    }
    if external {
        out.push_str(" (external)");
    }
}

fn signed_int(bytes: &[u8], truncated: bool) -> Option<i64> {
    if truncated || !matches!(bytes.len(), 4 | 8) || bytes.first()? & 0x80 == 0 {
        return None;
    }
    let unsigned = bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b));
    let bits = bytes.len() as u32 * 8;
    let sign = 1u64 << (bits - 1);
    // Top bit set means non-negative once flipped back, so the result fits in i64.
    i64::try_from(unsigned ^ sign).ok()
}

fn push_shortened_text(out: &mut String, text: &str, truncated: bool) {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        Some(_) => {
            let cut = text
                .char_indices()
                .nth(MAX_TEXT_CHARS - 1)
                .map_or(text.len(), |(i, _)| i);
            out.push_str(text.get(..cut).unwrap_or(text));
            out.push('…');
        }
        None => {
            out.push_str(text);
            if truncated {
                out.push('…');
            }
        }
    }
}

fn push_shortened_hex(out: &mut String, hex: &str, truncated: bool) {
    out.push_str("0x");
    if truncated {
        out.push_str(hex.get(..16).unwrap_or(hex));
        out.push('…');
    } else if hex.len() > MAX_HEX_DIGITS {
        out.push_str(hex.get(..8).unwrap_or(""));
        out.push('…');
        out.push_str(hex.get(hex.len() - 8..).unwrap_or(""));
    } else {
        out.push_str(hex);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(hex: &str) -> FieldValue {
        FieldValue::Bytes {
            len: hex.len() as u64 / 2,
            hex: hex.into(),
            total: None,
            external: false,
        }
    }

    #[test]
    fn short_values() {
        let cases = [
            (bytes("80000065"), "101"),
            (bytes("8000000000000002"), "2"),
            (bytes("7fffffff"), "0x7fffffff"),
            (bytes(""), "''"),
            (bytes("ed959ceab5ad"), "'한국'"),
            (FieldValue::Null, "NULL"),
            (FieldValue::Default, "DEFAULT"),
            (
                FieldValue::Bytes {
                    len: 30,
                    hex: "61".repeat(30).into(),
                    total: Some(100),
                    external: true,
                },
                "'aaaaaaaaaaaaaaaaaaaaaaa…' (external)",
            ),
        ];
        for (value, expected) in cases {
            assert_eq!(short_value(&value), expected, "short value of {value:?}");
        }
    }
}
