//! Which column each field of an index record holds (format-spec §3.5, field order): a clustered
//! index stores its key columns, `DB_TRX_ID`, `DB_ROLL_PTR`, then every other stored column in
//! table order; a secondary index stores its key columns, then the clustered key's columns it
//! does not already hold.

use crate::schema::{Column, Table};

/// One field position of an index record.
#[derive(Debug, Clone, Copy)]
pub enum Slot<'a> {
    Column(&'a Column),
    RowId,
    TrxId,
    RollPtr,
}

impl Slot<'_> {
    pub fn name(&self) -> &str {
        match self {
            Slot::Column(c) => &c.name,
            Slot::RowId => "DB_ROW_ID",
            Slot::TrxId => "DB_TRX_ID",
            Slot::RollPtr => "DB_ROLL_PTR",
        }
    }
}

/// The fields of `index`'s records, or why they cannot be known.
pub fn of<'a>(table: &'a Table, index: &str) -> Result<Vec<Slot<'a>>, String> {
    let clustered = clustered_key(table);
    let is_clustered = match &clustered {
        ClusteredKey::Columns(name, _) => name.eq_ignore_ascii_case(index),
        ClusteredKey::RowId => index == "GEN_CLUST_INDEX",
    };
    let column = |name: &str| {
        table.column(name).map(Slot::Column).ok_or_else(|| {
            format!(
                "index `{index}` names column `{name}`, which `{}` does not have",
                table.name
            )
        })
    };
    let key: Vec<Slot> = match &clustered {
        ClusteredKey::Columns(_, cols) => {
            cols.iter().map(|c| column(c)).collect::<Result<_, _>>()?
        }
        ClusteredKey::RowId => vec![Slot::RowId],
    };
    if is_clustered {
        let mut slots = key;
        slots.push(Slot::TrxId);
        slots.push(Slot::RollPtr);
        let in_key = |c: &Column| match &clustered {
            ClusteredKey::Columns(_, cols) => cols.iter().any(|k| k.eq_ignore_ascii_case(&c.name)),
            ClusteredKey::RowId => false,
        };
        slots.extend(
            table
                .columns
                .iter()
                .filter(|c| !c.virtual_generated && !in_key(c))
                .map(Slot::Column),
        );
        return Ok(slots);
    }
    let Some(def) = table.index(index) else {
        return Err(format!(
            "index `{index}` is not in the schema of `{}`",
            table.name
        ));
    };
    let mut slots: Vec<Slot> = def
        .columns
        .iter()
        .map(|p| column(&p.column))
        .collect::<Result<_, _>>()?;
    for k in key {
        let already = slots
            .iter()
            .any(|s| s.name().eq_ignore_ascii_case(k.name()));
        if !already {
            slots.push(k);
        }
    }
    Ok(slots)
}

enum ClusteredKey<'a> {
    /// Index name and its columns: `PRIMARY`, or the first UNIQUE NOT NULL index.
    Columns(&'a str, Vec<&'a str>),
    /// No primary key and no candidate: the hidden `GEN_CLUST_INDEX` on `DB_ROW_ID`.
    RowId,
}

fn clustered_key(table: &Table) -> ClusteredKey<'_> {
    if !table.primary_key.is_empty() {
        return ClusteredKey::Columns(
            "PRIMARY",
            table.primary_key.iter().map(String::as_str).collect(),
        );
    }
    match table.implicit_clustered() {
        Some(index) => ClusteredKey::Columns(
            &index.name,
            index.columns.iter().map(|p| p.column.as_str()).collect(),
        ),
        None => ClusteredKey::RowId,
    }
}
