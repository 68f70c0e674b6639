//! One field's bytes → the column's value, from InnoDB's on-page formats (format-spec §3.5;
//! MySQL `my_time.cc` / `decimal.c` for the 5.6+ temporal and DECIMAL binary formats):
//! big-endian integers with the sign bit flipped, FLOAT/DOUBLE little-endian as the machine wrote
//! them, strings in the column's charset (CHAR padded with spaces).

use crate::schema::{Column, ColumnType};

/// A decoded value as a SQL literal (`101`, `'alice'`, `'2024-01-02 03:04:05'`, `0x…`), and the
/// UUID spelling of a 16-byte binary value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Value {
    pub text: String,
    pub uuid: Option<String>,
}

impl Value {
    fn plain(text: String) -> Value {
        Value { text, uuid: None }
    }
}

/// Decodes the bytes of a complete value; `Err` says why they do not fit the column.
pub fn decode(bytes: &[u8], column: &Column) -> Result<Value, String> {
    let n = bytes.len();
    let wrong_len = |want: &str| Err(format!("{n} bytes where {want} bytes were expected"));
    let text = match &column.ty {
        ColumnType::Int { bytes: width } => {
            if n != usize::from(*width) {
                return wrong_len(&width.to_string());
            }
            int(bytes, !column.unsigned).to_string()
        }
        ColumnType::Float => match <[u8; 4]>::try_from(bytes) {
            Ok(b) => float(f64::from(f32::from_le_bytes(b)), 7),
            Err(_) => return wrong_len("4"),
        },
        ColumnType::Double => match <[u8; 8]>::try_from(bytes) {
            Ok(b) => float(f64::from_le_bytes(b), 17),
            Err(_) => return wrong_len("8"),
        },
        ColumnType::Decimal { precision, scale } => decimal(bytes, *precision, *scale)?,
        ColumnType::Bit { bits } => {
            if n != (*bits as usize).div_ceil(8) {
                return wrong_len(&(*bits as usize).div_ceil(8).to_string());
            }
            let v = be(bytes);
            format!("b'{v:b}'")
        }
        ColumnType::Year => match bytes {
            [0] => "0000".to_string(),
            [y] => (1900 + u32::from(*y)).to_string(),
            _ => return wrong_len("1"),
        },
        ColumnType::Date => match <[u8; 3]>::try_from(bytes) {
            Ok(_) => quoted(&date(be(bytes) ^ 0x80_0000)),
            Err(_) => return wrong_len("3"),
        },
        ColumnType::DateTime { fsp } => quoted(&datetime(bytes, *fsp)?),
        ColumnType::Timestamp { fsp } => quoted(&timestamp(bytes, *fsp)?),
        ColumnType::Time { fsp } => quoted(&time(bytes, *fsp)?),
        ColumnType::Enum => match bytes {
            [] => return wrong_len("1 or 2"),
            _ if n > 2 => return wrong_len("1 or 2"),
            _ => match usize::try_from(be(bytes)).ok().filter(|&i| i > 0) {
                Some(i) => match column.values.get(i - 1) {
                    Some(v) => quoted(v),
                    None => {
                        return Err(format!(
                            "enum index {i} beyond its {} values",
                            column.values.len()
                        ))
                    }
                },
                None => "''".to_string(),
            },
        },
        ColumnType::Set => {
            if n == 0 || n > 8 {
                return wrong_len("1 to 8");
            }
            let bits = be(bytes);
            let members: Vec<&str> = column
                .values
                .iter()
                .enumerate()
                .filter(|(i, _)| *i < 64 && bits & (1 << i) != 0)
                .map(|(_, v)| v.as_str())
                .collect();
            quoted(&members.join(","))
        }
        ColumnType::Text { fixed, .. } => {
            let s = text(bytes, column.charset.as_deref(), false)?;
            let s = if *fixed { s.trim_end_matches(' ') } else { &s };
            quoted(s)
        }
        ColumnType::Json => match std::str::from_utf8(bytes) {
            // MariaDB keeps JSON as text; MySQL's binary JSON is shown as hex.
            Ok(s) if !s.chars().any(char::is_control) => quoted(s),
            _ => hex(bytes),
        },
        ColumnType::Binary { .. } => {
            return Ok(Value {
                text: hex(bytes),
                uuid: uuid(bytes),
            })
        }
        ColumnType::Other { .. } => hex(bytes),
    };
    Ok(Value::plain(text))
}

/// A prefix of a longer value (`(total N bytes)`, or an off-page column): strings keep the
/// characters that are whole, anything else its hex.
pub fn decode_prefix(bytes: &[u8], column: &Column) -> String {
    match &column.ty {
        ColumnType::Text { .. } | ColumnType::Json => {
            match text(bytes, column.charset.as_deref(), true) {
                Ok(s) => format!("'{}…'", s.replace('\'', "''")),
                Err(_) => format!("{}…", hex(bytes)),
            }
        }
        _ => format!("{}…", hex(bytes)),
    }
}

/// Big-endian unsigned value of up to 8 bytes.
pub fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0u64, |acc, b| acc << 8 | u64::from(*b))
}

/// An integer column: signed ones have the top bit flipped (`80000065` is 101).
pub fn int(bytes: &[u8], signed: bool) -> i128 {
    let v = be(bytes);
    if !signed || bytes.is_empty() {
        return i128::from(v);
    }
    let bits = bytes.len() as u32 * 8;
    let sign = 1u64 << (bits - 1);
    let flipped = v ^ sign;
    if flipped & sign != 0 {
        i128::from(flipped) - (1i128 << bits)
    } else {
        i128::from(flipped)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + bytes.len() * 2);
    push_hex(&mut s, bytes);
    s
}

/// [`hex`], appended to `out`.
pub fn push_hex(out: &mut String, bytes: &[u8]) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.reserve(2 + bytes.len() * 2);
    out.push_str("0x");
    // A few bytes at a time through a buffer: one append per piece, not two per byte.
    for piece in bytes.chunks(32) {
        let mut digits = [0u8; 64];
        for (pair, &b) in digits.chunks_exact_mut(2).zip(piece) {
            pair.copy_from_slice(&[DIGITS[usize::from(b >> 4)], DIGITS[usize::from(b & 0xf)]]);
        }
        let text = digits.get(..piece.len() * 2).unwrap_or_default();
        out.push_str(std::str::from_utf8(text).unwrap_or_default());
    }
}

fn uuid(bytes: &[u8]) -> Option<String> {
    if bytes.len() != 16 {
        return None;
    }
    let h = hex(bytes);
    let h = h.get(2..)?;
    Some(format!(
        "{}-{}-{}-{}-{}",
        h.get(..8)?,
        h.get(8..12)?,
        h.get(12..16)?,
        h.get(16..20)?,
        h.get(20..)?
    ))
}

pub fn quoted(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    push_quoted(&mut out, s);
    out
}

/// [`quoted`], appended to `out`.
pub fn push_quoted(out: &mut String, s: &str) {
    out.push('\'');
    if memchr::memchr(b'\'', s.as_bytes()).is_none() {
        out.push_str(s);
        return out.push('\'');
    }
    for (i, part) in s.split('\'').enumerate() {
        if i > 0 {
            out.push_str("''");
        }
        out.push_str(part);
    }
    out.push('\'');
}

fn float(v: f64, digits: usize) -> String {
    // Shortest form that reads back as the stored value, at the type's precision.
    let s = format!("{v:.*e}", digits.saturating_sub(1));
    match s.parse::<f64>() {
        Ok(p) => {
            let plain = format!("{p}");
            if plain.len() > 24 {
                format!("{p:e}")
            } else {
                plain
            }
        }
        Err(_) => s,
    }
}

/// The bytes of a string in `charset`. `prefix`: the value may end inside a character.
fn text(bytes: &[u8], charset: Option<&str>, prefix: bool) -> Result<String, String> {
    let cs = charset.unwrap_or("utf8mb4").to_ascii_lowercase();
    match cs.as_str() {
        "utf8" | "utf8mb3" | "utf8mb4" | "ascii" => match std::str::from_utf8(bytes) {
            Ok(s) => Ok(s.to_string()),
            Err(e) if prefix && e.error_len().is_none() => Ok(std::str::from_utf8(
                bytes.get(..e.valid_up_to()).unwrap_or_default(),
            )
            .unwrap_or_default()
            .to_string()),
            Err(_) => Err(format!("bytes are not valid `{cs}`")),
        },
        // MySQL's latin1 is cp1252; the ISO-8859-1 mapping differs only in 0x80-0x9f.
        "latin1" => Ok(bytes.iter().map(|&b| char::from(b)).collect()),
        "binary" => Err("binary charset".to_string()),
        other => match std::str::from_utf8(bytes) {
            Ok(s) if s.is_ascii() => Ok(s.to_string()),
            _ => Err(format!("charset `{other}` is not decoded")),
        },
    }
}

/// `DATE`: 3 bytes, `year*16*32 + month*32 + day` (sign bit flipped).
fn date(v: u64) -> String {
    format!("{:04}-{:02}-{:02}", v >> 9, (v >> 5) & 15, v & 31)
}

/// Bytes of the fractional part for `fsp` digits.
fn frac_bytes(fsp: u32) -> usize {
    (fsp as usize).div_ceil(2)
}

/// The fractional part as microseconds, signed as MySQL stores it.
fn frac_micros(bytes: &[u8]) -> i64 {
    match bytes {
        [a] => i64::from(*a as i8) * 10_000,
        [a, b] => i64::from(i16::from_be_bytes([*a, *b])) * 100,
        [a, b, c] => {
            let v = i64::from(*a) << 16 | i64::from(*b) << 8 | i64::from(*c);
            if v & 0x80_0000 != 0 {
                v - (1 << 24)
            } else {
                v
            }
        }
        _ => 0,
    }
}

fn fraction(micros: u64, fsp: u32) -> String {
    if fsp == 0 {
        return String::new();
    }
    let digits = format!("{micros:06}");
    format!(".{}", digits.get(..fsp as usize).unwrap_or(&digits))
}

fn split_temporal(bytes: &[u8], int_len: usize, fsp: u32) -> Result<(&[u8], &[u8]), String> {
    let want = int_len + frac_bytes(fsp);
    if bytes.len() != want {
        return Err(format!(
            "{} bytes where {want} bytes were expected",
            bytes.len()
        ));
    }
    Ok(bytes.split_at(int_len))
}

/// `DATETIME(fsp)`, 5.6+ format: 5 bytes `1 sign bit, 17 bits year*13+month, 5 day, 5 hour,
/// 6 minute, 6 second`, then the fraction. The pre-5.6 format (8 bytes, `YYYYMMDDhhmmss` as a
/// signed integer) is read too.
fn datetime(bytes: &[u8], fsp: u32) -> Result<String, String> {
    if bytes.len() == 8 && fsp == 0 {
        let v = u64::try_from(int(bytes, true)).unwrap_or(0);
        let (d, t) = (v / 1_000_000, v % 1_000_000);
        return Ok(format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            d / 10_000,
            d / 100 % 100,
            d % 100,
            t / 10_000,
            t / 100 % 100,
            t % 100
        ));
    }
    let (int_part, frac) = split_temporal(bytes, 5, fsp)?;
    let mut packed = (be(int_part) as i64 - 0x80_0000_0000) << 24;
    packed += frac_micros(frac);
    let negative = packed < 0;
    let packed = packed.unsigned_abs();
    let micros = packed % (1 << 24);
    let ymdhms = packed >> 24;
    let ymd = ymdhms >> 17;
    let ym = ymd >> 5;
    let hms = ymdhms % (1 << 17);
    Ok(format!(
        "{}{:04}-{:02}-{:02} {:02}:{:02}:{:02}{}",
        if negative { "-" } else { "" },
        ym / 13,
        ym % 13,
        ymd % 32,
        hms >> 12,
        (hms >> 6) % 64,
        hms % 64,
        fraction(micros, fsp)
    ))
}

/// `TIMESTAMP(fsp)`: seconds since the epoch (UTC), 4 bytes big-endian, then the fraction.
fn timestamp(bytes: &[u8], fsp: u32) -> Result<String, String> {
    let (secs, frac) = split_temporal(bytes, 4, fsp)?;
    let secs = be(secs);
    if secs == 0 {
        return Ok(format!("0000-00-00 00:00:00{}", fraction(0, fsp)));
    }
    let micros = frac_micros(frac).unsigned_abs();
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days as i64);
    Ok(format!(
        "{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02}{} UTC",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        fraction(micros, fsp)
    ))
}

/// `TIME(fsp)`, 5.6+ format: 3 bytes `sign, 1 unused, 10 bits hour, 6 minute, 6 second`, then
/// the fraction; negative times are stored as the complement (`my_time_packed_from_binary`).
fn time(bytes: &[u8], fsp: u32) -> Result<String, String> {
    let (int_part, frac) = split_temporal(bytes, 3, fsp)?;
    let packed: i64 = if frac.len() == 3 {
        be(bytes) as i64 - 0x8000_0000_0000
    } else {
        let mut intpart = be(int_part) as i64 - 0x80_0000;
        let mut f = be(frac) as i64;
        if intpart < 0 && f != 0 {
            intpart += 1;
            f -= 1 << (8 * frac.len());
        }
        let scale = if frac.len() == 1 { 10_000 } else { 100 };
        (intpart << 24) + f * scale
    };
    let negative = packed < 0;
    let packed = packed.unsigned_abs();
    let micros = packed % (1 << 24);
    let hms = packed >> 24;
    Ok(format!(
        "{}{:02}:{:02}:{:02}{}",
        if negative { "-" } else { "" },
        (hms >> 12) % (1 << 10),
        (hms >> 6) % 64,
        hms % 64,
        fraction(micros, fsp)
    ))
}

/// Days since 1970-01-01 → (year, month, day), proleptic Gregorian (Howard Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Bytes holding a group of 0..=9 decimal digits (`dig2bytes` in `decimal.c`).
const DIG2BYTES: [usize; 10] = [0, 1, 1, 2, 2, 3, 3, 4, 4, 4];

/// `DECIMAL(p,s)` binary format: the integer and fraction digits in groups of nine (4 bytes
/// each) plus a shorter leading/trailing group; the first bit is the sign (flipped), and a
/// negative number has every byte inverted.
fn decimal(bytes: &[u8], precision: u32, scale: u32) -> Result<String, String> {
    let intg = precision.saturating_sub(scale) as usize;
    let frac = scale as usize;
    let (intg_full, intg_rest) = (intg / 9, intg % 9);
    let (frac_full, frac_rest) = (frac / 9, frac % 9);
    let size = intg_full * 4 + DIG2BYTES[intg_rest] + frac_full * 4 + DIG2BYTES[frac_rest];
    if bytes.len() != size || size == 0 {
        return Err(format!(
            "{} bytes where {size} bytes were expected",
            bytes.len()
        ));
    }
    let negative = bytes.first().is_some_and(|b| b & 0x80 == 0);
    let mask = if negative { 0xff } else { 0 };
    let mut b: Vec<u8> = bytes.iter().map(|x| x ^ mask).collect();
    if let Some(first) = b.first_mut() {
        *first ^= 0x80;
    }
    let mut at = 0;
    let mut take = |len: usize| {
        let v = be(b.get(at..at + len).unwrap_or_default());
        at += len;
        v
    };
    let mut int_digits = String::new();
    if intg_rest > 0 {
        int_digits.push_str(&take(DIG2BYTES[intg_rest]).to_string());
    }
    for _ in 0..intg_full {
        let group = take(4);
        if int_digits.is_empty() {
            int_digits.push_str(&group.to_string());
        } else {
            int_digits.push_str(&format!("{group:09}"));
        }
    }
    let int_digits = int_digits.trim_start_matches('0');
    let mut out = String::new();
    if negative {
        out.push('-');
    }
    out.push_str(if int_digits.is_empty() {
        "0"
    } else {
        int_digits
    });
    if frac > 0 {
        out.push('.');
        for _ in 0..frac_full {
            out.push_str(&format!("{:09}", take(4)));
        }
        if frac_rest > 0 {
            let v = take(DIG2BYTES[frac_rest]);
            out.push_str(&format!("{v:0width$}", width = frac_rest));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_and_quoted_text() {
        for n in [0, 1, 7, 31, 32, 33, 64, 100] {
            let bytes: Vec<u8> = (0..n).map(|i| (i * 37 % 256) as u8).collect();
            let want: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(hex(&bytes), format!("0x{want}"));
        }
        for (text, want) in [
            ("", "''"),
            ("alice", "'alice'"),
            ("o'neil", "'o''neil'"),
            ("''", "''''''"),
        ] {
            let mut out = String::new();
            push_quoted(&mut out, text);
            assert_eq!(out, want);
        }
    }

    fn col(ty: ColumnType, unsigned: bool) -> Column {
        Column {
            name: "c".to_string(),
            ty,
            unsigned,
            charset: Some("utf8mb4".to_string()),
            collation: None,
            nullable: true,
            values: vec!["a".to_string(), "b".to_string()],
            virtual_generated: false,
        }
    }

    fn bytes(hex: &str) -> Vec<u8> {
        (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
            .collect()
    }

    /// Hand-checked against the formats; the real-engine round trips are in `tests/decode.rs`.
    #[test]
    fn values() {
        let cases = [
            ("80000065", col(ColumnType::Int { bytes: 4 }, false), "101"),
            ("7fffffff", col(ColumnType::Int { bytes: 4 }, false), "-1"),
            ("00000002", col(ColumnType::Int { bytes: 4 }, true), "2"),
            ("ff", col(ColumnType::Int { bytes: 1 }, true), "255"),
            ("00", col(ColumnType::Int { bytes: 1 }, false), "-128"),
            (
                "80000000000004d2",
                col(ColumnType::Int { bytes: 8 }, false),
                "1234",
            ),
            (
                "800004d200",
                col(
                    ColumnType::Decimal {
                        precision: 10,
                        scale: 2,
                    },
                    false,
                ),
                "1234.00",
            ),
            ("8fd041", col(ColumnType::Date, false), "'2024-02-01'"),
            ("01", col(ColumnType::Enum, false), "'a'"),
            ("03", col(ColumnType::Set, false), "'a,b'"),
            (
                "616c696365",
                col(
                    ColumnType::Text {
                        fixed: false,
                        length: None,
                    },
                    false,
                ),
                "'alice'",
            ),
            (
                "61622020",
                col(
                    ColumnType::Text {
                        fixed: true,
                        length: Some(4),
                    },
                    false,
                ),
                "'ab'",
            ),
            ("0000803f", col(ColumnType::Float, false), "1"),
            ("000000000000f83f", col(ColumnType::Double, false), "1.5"),
            ("7c", col(ColumnType::Year, false), "2024"),
            ("05", col(ColumnType::Bit { bits: 3 }, false), "b'101'"),
        ];
        for (hex, column, expected) in cases {
            assert_eq!(
                decode(&bytes(hex), &column).map(|v| v.text),
                Ok(expected.to_string()),
                "decoding {hex} as {:?}",
                column.ty
            );
        }
    }

    #[test]
    fn decimal_negative_and_fraction() {
        // -1234.56 as DECIMAL(10,2): intg 8 digits (4 bytes), frac 2 digits (1 byte).
        let v = decimal(&bytes("7ffffb2dc7"), 10, 2);
        assert_eq!(v, Ok("-1234.56".to_string()));
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(
            timestamp(&bytes("65920080"), 0),
            Ok("2024-01-01 00:00:00 UTC".to_string())
        );
        // 12:34:56 = 12<<12 | 34<<6 | 56 = 0xc8b8, plus 0x800000.
        assert_eq!(time(&bytes("80c8b8"), 0), Ok("12:34:56".to_string()));
    }
}
