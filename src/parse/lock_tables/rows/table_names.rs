//! Table and index names as the lock tables print them (split into schema and table columns,
//! or one quoted `schema`.`table`, or cut short by a client), brought to the one `TableName`
//! the deadlock sections parse to, so rows of both join on the same table.

use super::roles::Row;
use crate::model::{Name, TableName};
use crate::parse::lock_tables::columns::{Role, Side};

/// The table a row names: `OBJECT_SCHEMA` + `OBJECT_NAME`, or `schema.table` in one column.
pub(super) fn table_of(r: &Row<'_>) -> TableName {
    let own = Side::Own;
    if let Some(both) = r.get(Role::SchemaTable, own) {
        return table_name(both);
    }
    let mut t = r.get(Role::Table, own).map(table_name).unwrap_or_default();
    if let Some(schema) = r.get(Role::Schema, own) {
        t.schema = Some(Name::from(schema.trim_matches('`')));
    }
    t.partition = r.get(Role::Partition, own).map(Name::from);
    t
}

/// `` `PRIMARY` `` (5.1's `lock_index`) → `PRIMARY`.
pub(super) fn index_name(text: &str) -> Name {
    Name::from(text.trim_matches('`'))
}

/// `` `test`.`jobs` `` or `test.jobs` → schema and table; `` `db`.`t` /* Partition `p1` */ ``
/// (5.x's `lock_table`) with its partition. A name a client cut (`STATS_BRAND_SA...`) is not
/// split on the dots of its ellipsis.
pub fn table_name(text: &str) -> TableName {
    let text = text.trim();
    if text.starts_with(['`', '"']) {
        if let Ok((rest, name)) = crate::parse::table_name::table_name(text) {
            if rest.trim().is_empty() {
                return name;
            }
        }
    }
    let (text, cut) = match text.strip_suffix("...").or_else(|| text.strip_suffix('…')) {
        Some(head) => (head, true),
        None => (text, false),
    };
    let mut name = plain_table_name(text);
    if cut {
        name.table = Name::from(format!("{}…", name.table));
    }
    name
}

fn plain_table_name(text: &str) -> TableName {
    let clean = |s: &str| Name::from(s.trim().trim_matches('`').trim_matches('"'));
    match text.split_once("`.`").or_else(|| text.split_once('.')) {
        Some((schema, table)) => TableName {
            schema: Some(clean(schema)),
            table: clean(table),
            partition: None,
        },
        None => TableName {
            schema: None,
            table: clean(text),
            partition: None,
        },
    }
}
