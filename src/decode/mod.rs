//! Record bytes → named column values: `heap 3: id=101, DB_TRX_ID=23, …, name='alice'` instead
//! of `80000065`. With a [`Schema`] every field of a record is named after its index's column
//! and decoded from InnoDB's on-page format (`value`); without one, the obvious cases are
//! guessed (`guess`) and marked so.
//!
//! The `decode` stage of the pipeline ([`decode_deadlock`]) runs after parsing, only when a
//! schema was given, and fills `Record::columns`; readers fall back to [`decode_record`] (cheap
//! guesses, computed when rendered) for records it left empty, so parsing stays fast without a
//! schema.

pub mod guess;
mod layout;
mod value;

use std::collections::BTreeSet;

pub use crate::model::DecodedColumn;
use crate::model::{Deadlock, FieldValue, Lock, Record, TableName, Warning};
use crate::schema::{Schema, Table};

use layout::Slot;

/// A record's fields as columns, and what could not be decoded.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DecodedRecord {
    pub columns: Vec<DecodedColumn>,
    /// Lowercase messages, identifiers in backticks.
    pub warnings: Vec<String>,
}

/// Decodes one record of `lock` (its table and index name the columns).
pub fn decode_record(record: &Record, lock: &Lock, schema: Option<&Schema>) -> DecodedRecord {
    let mut out = DecodedRecord::default();
    if record.is_supremum() || record.is_infimum() {
        return out;
    }
    match (schema.and_then(|s| s.table(&lock.table)), lock.index()) {
        (Some(def), Some(index)) => {
            out.columns = with_schema(record, def, index, space_of(lock), &mut out.warnings);
        }
        _ => out.columns = guess::guess(record, lock.index()),
    }
    out
}

fn space_of(lock: &Lock) -> Option<u64> {
    match &lock.target {
        crate::model::LockTarget::Record { space, .. } => Some(*space),
        crate::model::LockTarget::Table => None,
    }
}

/// [`decode_record`] when only the table and index are at hand.
pub fn decode_in(
    record: &Record,
    table: Option<&TableName>,
    index: Option<&str>,
    schema: Option<&Schema>,
) -> DecodedRecord {
    let mut out = DecodedRecord::default();
    if record.is_supremum() || record.is_infimum() {
        return out;
    }
    let definition = schema.zip(table).and_then(|(s, t)| s.table(t));
    match (definition, index) {
        (Some(def), Some(index)) => {
            out.columns = with_schema(record, def, index, None, &mut out.warnings);
        }
        _ => out.columns = guess::guess(record, index),
    }
    out
}

/// The `decode` stage: fills `columns` of every record of every lock from `schema`, and returns
/// the warnings (each distinct message once, at the first record it concerns).
pub fn decode_deadlock(deadlock: &mut Deadlock, schema: &Schema) -> Vec<Warning> {
    let mut seen = BTreeSet::new();
    let mut warnings = Vec::new();
    let input = deadlock.input.clone();
    for trx in &mut deadlock.transactions {
        let locks = trx
            .holds
            .iter_mut()
            .chain(trx.waits_for.iter_mut())
            .chain(trx.conflicting_with.iter_mut());
        for lock in locks {
            decode_lock(lock, schema, &mut |line, message| {
                if seen.insert(message.clone()) {
                    warnings.push(Warning {
                        input: input.clone(),
                        line,
                        message,
                        text: None,
                    });
                }
            });
        }
    }
    warnings
}

/// Fills `columns` of the records of one lock; `warn(line, message)` hears what went wrong.
pub fn decode_lock(lock: &mut Lock, schema: &Schema, warn: &mut dyn FnMut(usize, String)) {
    let Some(index) = lock.index().map(str::to_string) else {
        return;
    };
    let Some(table) = schema.table(&lock.table) else {
        if let Some(first) = lock.records.first() {
            warn(
                first.line,
                format!(
                    "table {} is not in the schema: its records are guessed",
                    lock.table
                ),
            );
        }
        return;
    };
    let space = space_of(lock);
    for rec in &mut lock.records {
        if rec.is_supremum() || rec.is_infimum() {
            continue;
        }
        let mut messages = Vec::new();
        rec.columns = with_schema(rec, table, &index, space, &mut messages);
        for m in messages {
            warn(rec.line, m);
        }
    }
}

/// `space`: the lock's tablespace, which an off-page reference starts with.
fn with_schema(
    rec: &Record,
    table: &Table,
    index: &str,
    space: Option<u64>,
    warnings: &mut Vec<String>,
) -> Vec<DecodedColumn> {
    let slots = match layout::of(table, index) {
        Ok(slots) => slots,
        Err(message) => {
            warnings.push(format!("{message}: its records are guessed"));
            return guess::guess(rec, Some(index));
        }
    };
    if let Some(n) = rec.n_fields {
        if n as usize != slots.len() {
            warnings.push(format!(
                "records of index `{index}` of `{}` have {n} fields but the schema gives {} \
                 columns: the schema may not be the table's",
                table.name,
                slots.len()
            ));
        }
    }
    let mut columns = Vec::with_capacity(rec.fields.len());
    // A run of fields a copy cut out of the dump is one column that says so.
    let mut gap: Option<(u32, u32)> = None;
    for f in &rec.fields {
        if f.value == FieldValue::Missing {
            gap = Some((gap.map_or(f.index, |(from, _)| from), f.index));
            continue;
        }
        if let Some((from, to)) = gap.take() {
            columns.push(not_printed(from, to));
        }
        columns.push(match slots.get(f.index as usize) {
            Some(slot) => decode_slot(*slot, &f.value, table, space, warnings),
            None => DecodedColumn {
                name: None,
                value: guess::value(&f.value),
                guessed: true,
                uuid: None,
            },
        });
    }
    if let Some((from, to)) = gap {
        columns.push(not_printed(from, to));
    }
    columns
}

/// The column standing for fields `from..=to` that a copy cut out of the dump.
fn not_printed(from: u32, to: u32) -> DecodedColumn {
    let which = if from == to {
        format!("field {from}")
    } else {
        format!("fields {from}-{to}")
    };
    DecodedColumn {
        name: None,
        value: format!("({which} not printed)"),
        guessed: true,
        uuid: None,
    }
}

fn decode_slot(
    slot: Slot,
    v: &FieldValue,
    table: &Table,
    space: Option<u64>,
    warnings: &mut Vec<String>,
) -> DecodedColumn {
    let mut col = DecodedColumn {
        name: Some(slot.name().to_string()),
        value: String::new(),
        guessed: false,
        uuid: None,
    };
    let (hex, total, external) = match v {
        FieldValue::Null => {
            col.value = "NULL".to_string();
            return col;
        }
        FieldValue::Default => {
            col.value = "DEFAULT".to_string();
            return col;
        }
        FieldValue::Mbr { text } => {
            col.value = format!("MBR {text}");
            return col;
        }
        FieldValue::Missing => {
            col.value = "(not printed)".to_string();
            col.guessed = true;
            return col;
        }
        FieldValue::Bytes {
            hex,
            total,
            external,
            ..
        } => (hex, *total, *external),
    };
    let Some(bytes) = crate::model::hex_bytes(hex) else {
        col.value = format!("0x{hex}");
        return col;
    };
    col.value = match slot {
        Slot::TrxId | Slot::RowId if bytes.len() == 6 => value::be(&bytes).to_string(),
        Slot::RollPtr if bytes.len() == 7 => value::hex(&bytes),
        Slot::TrxId | Slot::RowId | Slot::RollPtr => {
            warnings.push(format!(
                "`{}` of `{}` is {} bytes long: the schema may not be the table's",
                slot.name(),
                table.name,
                bytes.len()
            ));
            value::hex(&bytes)
        }
        Slot::Column(c) if off_page_length(c, &bytes, space).is_some() && total.is_none() => {
            // DYNAMIC/COMPRESSED rows keep no prefix: the field is the 20-byte reference.
            let n = off_page_length(c, &bytes, space);
            with_length("…".to_string(), n, true)
        }
        Slot::Column(c) if total.is_some() || external => {
            with_length(value::decode_prefix(&bytes, c), total, external)
        }
        Slot::Column(c) => match value::decode(&bytes, c) {
            Ok(v) => {
                col.uuid = v.uuid;
                v.text
            }
            Err(why) => {
                warnings.push(format!(
                    "cannot decode `{}`.`{}` ({}): {why}; shown as hex",
                    table.name,
                    c.name,
                    type_name(c)
                ));
                value::hex(&bytes)
            }
        },
    };
    col
}

fn type_name(c: &crate::schema::Column) -> String {
    serde_json::to_value(&c.ty)
        .ok()
        .and_then(|v| v.get("type").and_then(|t| t.as_str().map(str::to_string)))
        .unwrap_or_default()
}

/// The length of an off-page value when `bytes` are the 20-byte reference to it (space id, page
/// no, offset, then the length with the owner/inherited flags in its top byte; `btr0types.h`)
/// of a column that can be stored off-page, in the lock's tablespace.
fn off_page_length(c: &crate::schema::Column, bytes: &[u8], space: Option<u64>) -> Option<u64> {
    use crate::schema::ColumnType;
    let long = match &c.ty {
        ColumnType::Text { fixed, length } | ColumnType::Binary { fixed, length } => {
            !fixed && length.map_or(true, |l| l > 20)
        }
        ColumnType::Json | ColumnType::Other { .. } => true,
        _ => false,
    };
    if !long || bytes.len() != 20 || Some(value::be(bytes.get(..4)?)) != space {
        return None;
    }
    Some(value::be(bytes.get(16..20)?))
}

/// `… (truncated, N bytes)` / `… (external, N bytes)` after a printed prefix.
fn with_length(prefix: String, total: Option<u64>, external: bool) -> String {
    let what = if external { "external" } else { "truncated" };
    match total {
        Some(n) => format!("{prefix} ({what}, {n} bytes)"),
        None => format!("{prefix} ({what})"),
    }
}

/// The columns of a record in one line: `id=101, DB_TRX_ID=23, name='alice'`; guesses keep the
/// schema-less spelling (`101, DB_TRX_ID 23, 'alice'`). Long values are shortened.
pub fn render(columns: &[DecodedColumn]) -> String {
    let mut out = String::with_capacity(16 * columns.len());
    push_render(&mut out, columns);
    out
}

/// [`render`], appended to `out`.
pub fn push_render(out: &mut String, columns: &[DecodedColumn]) {
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        push_column(out, c);
    }
}

/// One column: `name=value`, `NAME value` for a guessed name, or the value alone.
pub fn render_column(c: &DecodedColumn) -> String {
    let mut out = String::with_capacity(c.value.len() + 16);
    push_column(&mut out, c);
    out
}

fn push_column(out: &mut String, c: &DecodedColumn) {
    match (&c.name, c.guessed) {
        (Some(name), false) => {
            out.push_str(name);
            out.push('=');
        }
        (Some(name), true) => {
            out.push_str(name);
            out.push(' ');
        }
        (None, _) => {}
    }
    match &c.uuid {
        Some(uuid) if is_rfc_uuid(uuid) => out.push_str(uuid),
        _ => push_short(out, &c.value),
    }
}

/// The key of a record decoded with a schema, for the diagnosis' sentences: `(id=101)`,
/// `(session_id=0x00000000…00000030, id=0x…)`. `None` for guessed or undecoded records, and for
/// the hidden `DB_ROW_ID` key.
pub fn key_phrase(rec: &Record) -> Option<String> {
    let first = rec.columns.first()?;
    if first.guessed || first.name.as_deref() == Some("DB_ROW_ID") {
        return None;
    }
    let key: Vec<String> = rec
        .columns
        .iter()
        .take_while(|c| !c.guessed && !c.name.as_deref().is_some_and(|n| n.starts_with("DB_")))
        .map(render_column)
        .collect();
    Some(format!("({})", key.join(", ")))
}

/// Variant bits `10` and a version nibble 1-8: the bytes look like a real UUID, not a counter.
fn is_rfc_uuid(uuid: &str) -> bool {
    let version = uuid
        .get(14..15)
        .and_then(|v| u8::from_str_radix(v, 16).ok());
    let variant = uuid
        .get(19..20)
        .and_then(|v| u8::from_str_radix(v, 16).ok());
    matches!(version, Some(1..=8)) && matches!(variant, Some(8..=11))
}

/// Hex digits kept whole; longer values are shown as head…tail (UUIDs differ at either end).
const MAX_HEX_DIGITS: usize = 24;
/// Characters of a text value kept before `…`.
const MAX_TEXT_CHARS: usize = 24;

/// A value shortened for one-line listings: long hex as head…tail, long text cut, the length
/// note after a prefix kept.
pub fn short(value: &str) -> String {
    let mut out = String::with_capacity(value.len().min(64));
    push_short(&mut out, value);
    out
}

/// [`short`], appended to `out`.
pub fn push_short(out: &mut String, value: &str) {
    if let Some(rest) = value.strip_prefix("0x") {
        let n = rest.bytes().take_while(u8::is_ascii_hexdigit).count();
        let after = rest.get(n..).unwrap_or("");
        if !after.is_empty() && n > 16 {
            // A printed prefix (`0x…… (truncated, N bytes)`): its head is enough.
            out.push_str("0x");
            out.push_str(rest.get(..16).unwrap_or(""));
            return out.push_str(after);
        }
        if n > MAX_HEX_DIGITS {
            let (head, tail) = (
                rest.get(..8).unwrap_or(""),
                rest.get(n - 8..n).unwrap_or(""),
            );
            for part in ["0x", head, "…", tail] {
                out.push_str(part);
            }
            return;
        }
        return out.push_str(value);
    }
    if let (Some(inner), Some(end)) = (value.strip_prefix('\''), value.rfind('\'')) {
        if end > 0 {
            let text = inner.get(..end - 1).unwrap_or("");
            let after = value.get(end + 1..).unwrap_or("");
            if text.chars().count() > MAX_TEXT_CHARS {
                out.push('\'');
                out.extend(text.chars().take(MAX_TEXT_CHARS - 1));
                out.push_str("…'");
                return out.push_str(after);
            }
        }
    }
    out.push_str(value);
}

#[cfg(test)]
mod tests;
