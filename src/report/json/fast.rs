//! The one hand-written piece of the JSON output: a compact `serde::Serializer` whose string
//! escaping looks at 16 bytes at a time, used for the deadlock objects (most of what `json` and
//! `jsonl` write). The wire itself is still the derived types of `wire`; only the bytes are
//! made here, and they are exactly `serde_json`'s (`the_bytes_are_serde_jsons` compares the
//! two on every fixture, and `strings_escape_like_serde` every byte at every offset).
//!
//! Why: with `serde_json::to_writer`, escaping (a table lookup per byte) was 28% of all
//! instructions of `analyze --format jsonl` on the 100 MiB benchmark log (callgrind on a
//! 5 MiB prefix: 363 M instructions against 253 M for the hand-written writer it replaced)
//! and jsonl ran about 20% slower (best of 8 interleaved runs: 0.482 s against 0.389 s).
//! Numbers other than unsigned integers are left to `serde_json` itself.

use std::fmt::Display;

use serde::ser::{self, Serialize};

/// Appends the compact JSON of `value` to `out`, as `serde_json::to_writer` would.
pub fn to_vec<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) -> Result<(), Error> {
    value.serialize(&mut Fast { out })
}

/// A value `Fast` cannot write (a map key that is not a string or integer).
#[derive(Debug)]
pub struct Error(String);

impl Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(msg.to_string())
    }
}

impl From<Error> for std::io::Error {
    fn from(e: Error) -> Self {
        std::io::Error::other(e)
    }
}

struct Fast<'a> {
    out: &'a mut Vec<u8>,
}

impl Fast<'_> {
    /// A number or other scalar written by `serde_json` (floats, signed and wide integers).
    fn delegate<T: Serialize>(&mut self, v: T) -> Result<(), Error> {
        serde_json::to_writer(&mut *self.out, &v).map_err(|e| Error(e.to_string()))
    }
}

/// An array or object being written: whether an element has been written yet.
pub struct Compound<'s, 'a> {
    ser: &'s mut Fast<'a>,
    first: bool,
}

impl Compound<'_, '_> {
    #[inline(always)]
    fn comma(&mut self) {
        if !std::mem::take(&mut self.first) {
            self.ser.out.push(b',');
        }
    }

    /// A struct field's name: a Rust identifier or a `rename`, so it is written without the
    /// escape test (`the_bytes_are_serde_jsons` would see one that needed it). Inlined into
    /// each derived `serialize`, where the name is a constant: its copy is then a few moves.
    #[inline(always)]
    fn key(&mut self, key: &'static str) {
        debug_assert!(!needs_escape(key.as_bytes()), "{key:?}");
        self.comma();
        let out = &mut *self.ser.out;
        out.push(b'"');
        out.extend_from_slice(key.as_bytes());
        out.extend_from_slice(b"\":");
    }
}

impl<'s, 'a> ser::Serializer for &'s mut Fast<'a> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'s, 'a>;
    type SerializeTuple = Compound<'s, 'a>;
    type SerializeTupleStruct = Compound<'s, 'a>;
    type SerializeTupleVariant = Compound<'s, 'a>;
    type SerializeMap = Compound<'s, 'a>;
    type SerializeStruct = Compound<'s, 'a>;
    type SerializeStructVariant = Compound<'s, 'a>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        self.out
            .extend_from_slice(if v { b"true" } else { b"false" });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.delegate(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.delegate(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.delegate(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.delegate(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        uint(self.out, u64::from(v));
        Ok(())
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        uint(self.out, u64::from(v));
        Ok(())
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        uint(self.out, u64::from(v));
        Ok(())
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        uint(self.out, v);
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        self.delegate(v)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        self.delegate(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        string(self.out, v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.out, v);
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        self.delegate(v)
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.out.extend_from_slice(b"null");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_none()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Error> {
        self.serialize_str(v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.out.push(b'{');
        string(self.out, variant);
        self.out.push(b':');
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'s, 'a>, Error> {
        self.out.push(b'[');
        Ok(Compound {
            ser: self,
            first: true,
        })
    }
    fn serialize_tuple(self, len: usize) -> Result<Compound<'s, 'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        len: usize,
    ) -> Result<Compound<'s, 'a>, Error> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'s, 'a>, Error> {
        self.out.push(b'{');
        string(self.out, variant);
        self.out.push(b':');
        self.serialize_seq(Some(len))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'s, 'a>, Error> {
        self.out.push(b'{');
        Ok(Compound {
            ser: self,
            first: true,
        })
    }
    fn serialize_struct(self, _: &'static str, len: usize) -> Result<Compound<'s, 'a>, Error> {
        self.serialize_map(Some(len))
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        len: usize,
    ) -> Result<Compound<'s, 'a>, Error> {
        self.out.push(b'{');
        string(self.out, variant);
        self.out.push(b':');
        self.serialize_map(Some(len))
    }
}

impl ser::SerializeSeq for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        self.comma();
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<(), Error> {
        self.ser.out.push(b']');
        Ok(())
    }
}

impl ser::SerializeTuple for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        ser::SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Error> {
        self.ser.out.extend_from_slice(b"]}");
        Ok(())
    }
}

impl ser::SerializeMap for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma();
        key.serialize(MapKey(&mut *self.ser))?;
        self.ser.out.push(b':');
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Error> {
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<(), Error> {
        self.ser.out.push(b'}');
        Ok(())
    }
}

impl ser::SerializeStruct for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    #[inline(always)]
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        self.key(key);
        value.serialize(&mut *self.ser)
    }
    fn end(self) -> Result<(), Error> {
        ser::SerializeMap::end(self)
    }
}

impl ser::SerializeStructVariant for Compound<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        key: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        ser::SerializeStruct::serialize_field(self, key, value)
    }
    fn end(self) -> Result<(), Error> {
        self.ser.out.extend_from_slice(b"}}");
        Ok(())
    }
}

/// A map key: strings as they are, integers quoted (as `serde_json` writes them); anything
/// else is an error.
struct MapKey<'s, 'a>(&'s mut Fast<'a>);

impl MapKey<'_, '_> {
    fn quoted(self, n: impl Display) -> Result<(), Error> {
        string(self.0.out, &n.to_string());
        Ok(())
    }
}

fn key_error() -> Error {
    Error("key must be a string".to_string())
}

impl ser::Serializer for MapKey<'_, '_> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = ser::Impossible<(), Error>;
    type SerializeTuple = ser::Impossible<(), Error>;
    type SerializeTupleStruct = ser::Impossible<(), Error>;
    type SerializeTupleVariant = ser::Impossible<(), Error>;
    type SerializeMap = ser::Impossible<(), Error>;
    type SerializeStruct = ser::Impossible<(), Error>;
    type SerializeStructVariant = ser::Impossible<(), Error>;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        string(self.0.out, v);
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, v: &'static str) -> Result<(), Error> {
        self.serialize_str(v)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        value: &T,
    ) -> Result<(), Error> {
        value.serialize(self)
    }
    fn serialize_i8(self, v: i8) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i16(self, v: i16) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i32(self, v: i32) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_i64(self, v: i64) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u8(self, v: u8) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u16(self, v: u16) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u32(self, v: u32) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_u64(self, v: u64) -> Result<(), Error> {
        self.quoted(v)
    }
    fn serialize_bool(self, _: bool) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_f32(self, _: f32) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_f64(self, _: f64) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_bytes(self, _: &[u8]) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_none(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: &T,
    ) -> Result<(), Error> {
        Err(key_error())
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Self::SerializeSeq, Error> {
        Err(key_error())
    }
    fn serialize_tuple(self, _: usize) -> Result<Self::SerializeTuple, Error> {
        Err(key_error())
    }
    fn serialize_tuple_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleStruct, Error> {
        Err(key_error())
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeTupleVariant, Error> {
        Err(key_error())
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Self::SerializeMap, Error> {
        Err(key_error())
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Self::SerializeStruct, Error> {
        Err(key_error())
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        _: &'static str,
        _: usize,
    ) -> Result<Self::SerializeStructVariant, Error> {
        Err(key_error())
    }
}

fn uint(out: &mut Vec<u8>, n: u64) {
    // Most numbers of a report (heap no, space, page, lengths) have one or two digits: pushed
    // as bytes, without a copy call for each.
    match u8::try_from(n) {
        Ok(d @ 0..=9) => out.push(b'0' + d),
        Ok(d @ 10..=99) => out.extend_from_slice(&[b'0' + d / 10, b'0' + d % 10]),
        _ => out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes()),
    }
}

/// Whether any byte of `b` needs an escape (a control character, `"` or `\\`). Most strings
/// are short (names, modes, numbers as text): 16 bytes at a time with no early exit inside a
/// block (vector compares), the tail as an overlapping last block, and a string shorter than
/// a block as two overlapping words, so that no string is looked at a byte at a time.
fn needs_escape(b: &[u8]) -> bool {
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

/// No early exit: compiles to vector compares over the block.
fn any_special(run: &[u8; 16]) -> bool {
    run.iter().fold(false, |d, &b| d | special(b))
}

/// A JSON string, escaped exactly as `serde_json` escapes it: `"` and `\\`, the short forms
/// `\b \t \n \f \r`, other control bytes as `\u00xx`; everything else (non-ASCII included)
/// as is.
#[inline]
fn string(out: &mut Vec<u8>, s: &str) {
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
    use crate::report::json::DeadlockJson;
    use std::collections::BTreeMap;

    /// Every fixture's deadlocks, written here and by `serde_json`, byte for byte.
    #[test]
    fn the_bytes_are_serde_jsons() {
        let mut files = Vec::new();
        let mut dirs = vec![std::path::PathBuf::from(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures"
        ))];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("fixtures").flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                } else {
                    files.push(path);
                }
            }
        }
        files.sort();
        let mut n = 0;
        for path in files {
            let bytes = std::fs::read(&path).expect("readable");
            let text = String::from_utf8_lossy(&bytes);
            let (deadlocks, _) = crate::analyze::analyze_text("in\"put\u{1}", &text);
            for a in &deadlocks {
                for wire in [DeadlockJson::element(a), DeadlockJson::line(a, 1)] {
                    let mut fast = Vec::new();
                    to_vec(&mut fast, &wire).expect("writes");
                    let slow = serde_json::to_vec(&wire).expect("serializes");
                    assert!(
                        fast == slow,
                        "{}:{}\nfast: {}\nserde: {}",
                        path.display(),
                        a.deadlock.line,
                        String::from_utf8_lossy(&fast),
                        String::from_utf8_lossy(&slow)
                    );
                }
                n += 1;
            }
        }
        assert!(n > 50, "only {n} deadlocks in the fixtures");
    }

    #[test]
    fn other_shapes_match_serde_json() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            New(u8),
            Tuple(u8, i8),
            Struct { a: f64 },
        }
        #[derive(serde::Serialize)]
        struct S<'a> {
            neg: i64,
            float: f64,
            nan: f32,
            c: char,
            tuple: (u8, &'a str),
            map: BTreeMap<u32, Option<bool>>,
            e: [E; 4],
            unit: (),
        }
        let value = S {
            neg: -42,
            float: 0.1,
            nan: f32::NAN,
            c: '"',
            tuple: (7, "x"),
            map: [(1, Some(true)), (20, None)].into_iter().collect(),
            e: [E::Unit, E::New(3), E::Tuple(1, -1), E::Struct { a: 2.5 }],
            unit: (),
        };
        let mut fast = Vec::new();
        to_vec(&mut fast, &value).unwrap();
        assert_eq!(
            String::from_utf8(fast).unwrap(),
            serde_json::to_string(&value).unwrap()
        );
        let mut out = Vec::new();
        let bad: BTreeMap<bool, u8> = [(true, 1)].into_iter().collect();
        assert!(to_vec(&mut out, &bad).is_err());
    }

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
        for n in (0..1000).chain([u64::MAX]) {
            let mut out = Vec::new();
            uint(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }
}
