//! Decoding without a schema: what a field's length and bytes make likely. A 4- or 8-byte value
//! with the top bit set is a signed integer (InnoDB flips the sign bit, so `80000065` is 101),
//! printable UTF-8 is text, the rest is hex; in a clustered index the 6-byte field followed by a
//! 7-byte one after the key is `DB_TRX_ID` / `DB_ROLL_PTR` (format-spec §3.5). Every value is
//! marked as a guess. Cheap: no schema lookup, one pass over the fields.

use super::value::{hex, push_hex, push_quoted};
use super::DecodedColumn;
use crate::model::{FieldValue, Record};

/// The record's fields as guessed columns; `index` decides where system columns can be.
pub fn guess(rec: &Record, index: Option<&str>) -> Vec<DecodedColumn> {
    let mut columns = Vec::with_capacity(rec.fields.len());
    each(rec, index, |name, value| {
        columns.push(DecodedColumn {
            name: name.map(str::to_string),
            value: value.to_string(),
            guessed: true,
            uuid: None,
        });
    });
    columns
}

/// [`guess`] one column at a time, without building them: `f` gets each column's name (for
/// the system columns) and value (the JSON report writes them straight out).
pub fn each(rec: &Record, index: Option<&str>, mut f: impl FnMut(Option<&'static str>, &str)) {
    let system = SystemColumns::of(rec, index);
    let mut value = String::with_capacity(32);
    let mut gap: Option<(usize, usize)> = None;
    for (i, field) in rec.fields.iter().enumerate() {
        value.clear();
        // A run of fields a copy cut out is one column that says so.
        if field.value == FieldValue::Missing {
            gap = Some((gap.map_or(i, |(from, _)| from), i));
            continue;
        }
        if let Some((from, to)) = gap.take() {
            f(None, &not_printed(from, to));
        }
        let name = system.label(i);
        match (name, &field.value) {
            (Some("DB_TRX_ID" | "DB_ROW_ID"), FieldValue::Bytes { hex, .. }) => {
                crate::model::push_number(&mut value, u64::from_str_radix(hex, 16).unwrap_or(0));
            }
            _ => push_value(&mut value, &field.value),
        }
        f(name, &value);
    }
    if let Some((from, to)) = gap {
        f(None, &not_printed(from, to));
    }
}

/// The column standing for fields `from..=to` that a copy cut out of the dump.
fn not_printed(from: usize, to: usize) -> String {
    if from == to {
        format!("(field {from} not printed)")
    } else {
        format!("(fields {from}-{to} not printed)")
    }
}

/// One field's likely value, whole (the text report shortens it).
pub fn value(v: &FieldValue) -> String {
    let mut out = String::new();
    push_value(&mut out, v);
    out
}

/// [`value`], appended to `out`.
fn push_value(out: &mut String, v: &FieldValue) {
    let (hex_digits, total, external) = match v {
        FieldValue::Null => return out.push_str("NULL"),
        FieldValue::Default => return out.push_str("DEFAULT"),
        FieldValue::Missing => return out.push_str("(not printed)"),
        FieldValue::Mbr { text } => {
            out.push_str("MBR ");
            return out.push_str(text);
        }
        FieldValue::Bytes {
            hex,
            total,
            external,
            ..
        } => (hex.as_str(), *total, *external),
    };
    let Some(bytes) = crate::model::hex_bytes(hex_digits) else {
        out.push_str("0x");
        return out.push_str(hex_digits);
    };
    if total.is_some() || external {
        let prefix = match std::str::from_utf8(&bytes) {
            Ok(s) if !s.chars().any(char::is_control) => format!("'{}…'", s.replace('\'', "''")),
            _ => format!("{}…", hex(&bytes)),
        };
        return out.push_str(&super::with_length(prefix, total, external));
    }
    if bytes.is_empty() {
        return out.push_str("''");
    }
    if let Some(n) = signed_int(&bytes) {
        return crate::model::push_number(out, n);
    }
    match std::str::from_utf8(&bytes) {
        Ok(text) if !has_control(text) => push_quoted(out, text),
        _ => push_hex(out, &bytes),
    }
}

/// `text.chars().any(char::is_control)`, by bytes while they are ASCII.
fn has_control(text: &str) -> bool {
    if text.is_ascii() {
        text.bytes().any(|b| b < 0x20 || b == 0x7f)
    } else {
        text.chars().any(char::is_control)
    }
}

fn signed_int(bytes: &[u8]) -> Option<i64> {
    if !matches!(bytes.len(), 4 | 8) || bytes.first()? & 0x80 == 0 {
        return None;
    }
    let unsigned = super::value::be(bytes);
    let sign = 1u64 << (bytes.len() as u32 * 8 - 1);
    // Top bit set means non-negative once flipped back, so the result fits in i64.
    i64::try_from(unsigned ^ sign).ok()
}

/// Where the hidden columns sit in a clustered-index record.
#[derive(Default)]
struct SystemColumns {
    row_id: Option<usize>,
    trx_id: Option<usize>,
}

impl SystemColumns {
    fn of(rec: &Record, index: Option<&str>) -> SystemColumns {
        let len = |k: usize| match rec.fields.get(k).map(|f| &f.value) {
            Some(FieldValue::Bytes {
                len, total: None, ..
            }) => Some(*len),
            _ => None,
        };
        match index {
            Some("GEN_CLUST_INDEX") if len(0) == Some(6) && rec.trx_id_position() == Some(1) => {
                SystemColumns {
                    row_id: Some(0),
                    trx_id: Some(1),
                }
            }
            None | Some("PRIMARY") => SystemColumns {
                row_id: None,
                trx_id: rec.trx_id_position(),
            },
            Some(_) => SystemColumns::default(),
        }
    }

    fn label(&self, i: usize) -> Option<&'static str> {
        if self.row_id == Some(i) {
            Some("DB_ROW_ID")
        } else if self.trx_id == Some(i) {
            Some("DB_TRX_ID")
        } else if self.trx_id.map(|t| t + 1) == Some(i) {
            Some("DB_ROLL_PTR")
        } else {
            None
        }
    }
}
