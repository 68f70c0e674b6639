//! A record's fields and columns are where the JSON differs most from the model (compact
//! field objects, columns guessed while they are written when no schema named them): that
//! translation is kept here, away from the lock that owns the records.

use serde::ser::{SerializeSeq, Serializer};
use serde::Serialize;

use super::Seq;
use crate::model::{DecodedColumn, Field, FieldValue, Lock, Record};

/// The records of a lock, each with the lock's table and index at hand for decoding.
pub(super) struct RecordsJson<'a>(pub(super) &'a Lock);

impl Serialize for RecordsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let lock = self.0;
        s.collect_seq(lock.records.iter().map(|r| RecordJson::new(r, lock)))
    }
}

#[derive(Serialize)]
struct RecordJson<'a> {
    heap_no: u64,
    supremum: bool,
    info_bits: Option<u32>,
    delete_marked: bool,
    fields: Seq<'a, Field, FieldJson<'a>>,
    /// Decoded by the `decode` stage (`--schema`), else guessed here.
    #[serde(skip_serializing_if = "Columns::is_empty")]
    columns: Columns<'a>,
    line: usize,
}

impl<'a> RecordJson<'a> {
    fn new(r: &'a Record, lock: &'a Lock) -> Self {
        let columns = if !r.columns.is_empty() {
            Columns::Decoded(&r.columns)
        } else if r.fields.is_empty() || r.is_supremum() || r.is_infimum() {
            Columns::Decoded(&[])
        } else {
            Columns::Guessed(r, lock.index())
        };
        RecordJson {
            heap_no: r.heap_no,
            supremum: r.is_supremum(),
            info_bits: r.info_bits,
            delete_marked: r.is_delete_marked(),
            fields: Seq::new(&r.fields),
            columns,
            line: r.line,
        }
    }
}

/// A record's columns: those the `decode` stage named (`--schema`), or guesses made from the
/// bytes as they are written (`decode::guess`), one per field.
enum Columns<'a> {
    Decoded(&'a [DecodedColumn]),
    Guessed(&'a Record, Option<&'a str>),
}

impl Columns<'_> {
    fn is_empty(&self) -> bool {
        matches!(self, Columns::Decoded(c) if c.is_empty())
    }
}

/// A guessed column: the same shape as a `DecodedColumn` with `guessed` set.
#[derive(Serialize)]
struct GuessedJson<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    name: Option<&'a str>,
    value: &'a str,
    guessed: bool,
}

impl Serialize for Columns<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match *self {
            Columns::Decoded(columns) => columns.serialize(s),
            Columns::Guessed(record, index) => {
                let mut seq = s.serialize_seq(Some(record.fields.len()))?;
                let mut result = Ok(());
                crate::decode::guess::each(record, index, |name, value| {
                    if result.is_ok() {
                        result = seq.serialize_element(&GuessedJson {
                            name,
                            value,
                            guessed: true,
                        });
                    }
                });
                result?;
                seq.end()
            }
        }
    }
}

/// `{"len":4,"hex":"80000065"}`, `{"null":true}`, `{"default":true}`, `{"mbr":"…"}`: each
/// variant is written as a plain object of its fields.
#[derive(Serialize)]
#[serde(untagged)]
enum FieldJson<'a> {
    Bytes {
        len: u64,
        hex: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        total: Option<u64>,
        #[serde(skip_serializing_if = "std::ops::Not::not")]
        external: bool,
    },
    Null {
        null: bool,
    },
    Default {
        default: bool,
    },
    Mbr {
        mbr: &'a str,
    },
    Missing {
        missing: bool,
    },
}

impl<'a> From<&'a Field> for FieldJson<'a> {
    fn from(f: &'a Field) -> Self {
        match &f.value {
            FieldValue::Null => FieldJson::Null { null: true },
            FieldValue::Default => FieldJson::Default { default: true },
            FieldValue::Mbr { text } => FieldJson::Mbr { mbr: text },
            FieldValue::Missing => FieldJson::Missing { missing: true },
            FieldValue::Bytes {
                len,
                hex,
                total,
                external,
                ..
            } => FieldJson::Bytes {
                len: *len,
                hex,
                total: *total,
                external: *external,
            },
        }
    }
}
