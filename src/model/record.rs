//! One record listed under a record lock (`Record lock, heap no …` and its field lines,
//! format-spec §3.5), with the facts InnoDB encodes in it: supremum/infimum, delete mark.

use serde::Serialize;

/// `REC_INFO_DELETED_FLAG` in `flag.h`: the record is delete-marked (waiting for purge).
pub const INFO_BITS_DELETED: u32 = 0x20;
/// `REC_INFO_MIN_REC_FLAG`: left-most record on a non-leaf level.
pub const INFO_BITS_MIN_REC: u32 = 0x10;
/// `REC_INFO_INSTANT_FLAG` (8.0.12+): written after an INSTANT ADD COLUMN.
pub const INFO_BITS_INSTANT: u32 = 0x80;

/// One locked record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Record {
    /// Heap number: 0 is the infimum, 1 the supremum pseudo-record.
    pub heap_no: u64,
    /// `n_fields` from the `PHYSICAL RECORD` part; absent when the page was not in the buffer pool.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub n_fields: Option<u32>,
    /// `compact format`, `1-byte offsets`, `2-byte offsets`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub format: Option<compact_str::CompactString>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub info_bits: Option<u32>,
    pub fields: Vec<Field>,
    /// The fields named and decoded (`decode` stage, filled when a schema is given; empty
    /// otherwise, and readers then guess with `decode::decode_record`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<DecodedColumn>,
    /// 1-based physical input line of the `Record lock` line.
    pub line: usize,
}

impl Record {
    pub fn is_supremum(&self) -> bool {
        self.heap_no == 1
    }

    pub fn is_infimum(&self) -> bool {
        self.heap_no == 0
    }

    /// Where the system columns start in a clustered-index record: the position of the 6-byte
    /// `DB_TRX_ID` that precedes the 7-byte `DB_ROLL_PTR` (format-spec §3.5, field order: the
    /// key columns, then these two). Never 0: the key has at least one column. `None` on
    /// secondary-index records, which have no such columns, and when nothing was printed.
    pub fn trx_id_position(&self) -> Option<usize> {
        let len = |k: usize| match self.fields.get(k).map(|f| &f.value) {
            Some(FieldValue::Bytes {
                len, total: None, ..
            }) => Some(*len),
            _ => None,
        };
        (1..self.fields.len()).find(|&k| len(k) == Some(6) && len(k + 1) == Some(7))
    }

    /// The `DB_TRX_ID` of a clustered-index record: the last transaction that wrote (or
    /// delete-marked) the row.
    pub fn db_trx_id(&self) -> Option<u64> {
        match &self.fields.get(self.trx_id_position()?)?.value {
            FieldValue::Bytes { hex, .. } => u64::from_str_radix(hex, 16).ok(),
            _ => None,
        }
    }

    /// True when info bits carry the delete mark (0x20): the row was deleted by a transaction
    /// that has not been purged yet, and its gap is still there to be locked.
    pub fn is_delete_marked(&self) -> bool {
        self.info_bits.is_some_and(|b| b & INFO_BITS_DELETED != 0)
    }
}

/// One field of a record dump.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Field {
    /// Position in the index record (0-based, as printed).
    pub index: u32,
    #[serde(flatten)]
    pub value: FieldValue,
}

/// What a field line says about its value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FieldValue {
    /// ` 3: SQL NULL;` (or `SQL NULL, size N ;` in the redundant format).
    Null,
    /// ` 3: SQL DEFAULT;`: an instantly added column still holding its default (8.0.12+).
    Default,
    /// ` 0: len 4; hex 80000065; asc    e;;`
    Bytes {
        /// Bytes shown (at most 30 when truncated).
        len: u64,
        /// Lowercase hex of the bytes shown. Kept inline up to 24 digits (most keys, the
        /// system columns): no allocation for most of the fields of a report.
        hex: compact_str::CompactString,
        /// `(total N bytes)`: the real length when only a prefix is shown.
        #[serde(skip_serializing_if = "Option::is_none")]
        total: Option<u64>,
        /// `(total N bytes, external)`: the value lives off-page (BLOB/TEXT).
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        external: bool,
    },
    /// ` 0: MBR:…;` spatial-index bounding box, kept as printed.
    Mbr { text: String },
    /// A field the copy left out (its line was cut: ` 2:` follows ` 0:`): the record has it,
    /// its value is not known. Keeps every later field at its printed position.
    Missing,
}

impl FieldValue {
    /// True when only a prefix of the value was printed.
    pub fn is_truncated(&self) -> bool {
        matches!(self, FieldValue::Bytes { total: Some(_), .. })
    }
}

/// A field's bytes: most keys fit in place, so decoding them allocates nothing.
pub type FieldBytes = smallvec::SmallVec<[u8; 32]>;

/// The bytes a field's hex digits stand for; `None` when they are not pairs of hex digits.
pub fn hex_bytes(hex: &str) -> Option<FieldBytes> {
    /// Each byte's value as a hex digit, or 0xff.
    const NIBBLE: [u8; 256] = {
        let mut t = [0xff; 256];
        let mut i = 0;
        while i < 10 {
            t[b'0' as usize + i] = i as u8;
            i += 1;
        }
        let mut i = 0;
        while i < 6 {
            t[b'a' as usize + i] = 10 + i as u8;
            t[b'A' as usize + i] = 10 + i as u8;
            i += 1;
        }
        t
    };
    if hex.len() % 2 != 0 || !hex.is_ascii() {
        return None;
    }
    let decode = |out: &mut [u8]| {
        let mut bad = 0u8;
        for (byte, pair) in out.iter_mut().zip(hex.as_bytes().chunks_exact(2)) {
            if let &[hi, lo] = pair {
                let (hi, lo) = (NIBBLE[usize::from(hi)], NIBBLE[usize::from(lo)]);
                bad |= hi | lo;
                *byte = hi << 4 | lo;
            }
        }
        bad & 0xf0 == 0
    };
    let n = hex.len() / 2;
    let mut buf = [0u8; 32];
    let bytes = match buf.get_mut(..n) {
        // Short (nearly every key): decoded in place, no pushes.
        Some(short) => decode(short).then(|| FieldBytes::from_buf_and_len(buf, n)),
        None => {
            let mut long = FieldBytes::from_elem(0, n);
            decode(&mut long).then_some(long)
        }
    };
    if bytes.is_some() {
        return bytes;
    }
    // What `from_str_radix` also takes (`+f`), for damaged text: read it as it always was.
    (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
        .collect()
}

/// One field of a record named and turned into a value (the `decode` stage fills these).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DecodedColumn {
    /// The column (`id`, `DB_TRX_ID`); `None` when the field's column is unknown.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The value as a SQL literal: `101`, `'alice'`, `'2024-01-02 03:04:05'`, `0x…`, `NULL`;
    /// a printed prefix ends in `…` followed by `(truncated, N bytes)` or `(external, N bytes)`.
    pub value: String,
    /// Decoded without a schema: name and value are likely, not known.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub guessed: bool,
    /// A 16-byte binary value spelled as a UUID.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uuid: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::hex_bytes;

    #[test]
    fn hex_bytes_short_long_and_damaged() {
        assert_eq!(hex_bytes("").as_deref(), Some(&[][..]));
        assert_eq!(
            hex_bytes("80000065").as_deref(),
            Some(&[0x80, 0, 0, 0x65][..])
        );
        assert_eq!(hex_bytes("aBcD").as_deref(), Some(&[0xab, 0xcd][..]));
        let long = "0123456789abcdef".repeat(5);
        let expected: Vec<u8> = (0..40)
            .map(|i| u8::from_str_radix(&long[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        assert_eq!(hex_bytes(&long).as_deref(), Some(&expected[..]));
        assert_eq!(hex_bytes("abc"), None);
        assert_eq!(hex_bytes("zz"), None);
        assert_eq!(hex_bytes("é1"), None);
        // What `from_str_radix` takes, as it always was read.
        assert_eq!(hex_bytes("+f").as_deref(), Some(&[0x0f][..]));
    }
}
