//! The one place that knows how a result set's columns map to what they hold: every other
//! reader of a lock table asks a row for a role (`LockMode` of the waiting side) and never
//! counts columns, so a paste with renamed, reordered or missing columns reads the same.

use crate::parse::lock_tables::annotation::strip_note;
use crate::parse::lock_tables::columns::{
    probe, resolve, Column, Role, Side, DATA_LOCKS_COLUMNS, DATA_LOCK_WAITS_COLUMNS,
    INNODB_LOCKS_COLUMNS,
};
use crate::parse::lock_tables::query::QueryContext;
use crate::parse::lock_tables::result_set::ResultSet;

/// Rows looked at to tell a column by its values.
const PROBE_ROWS: usize = 64;

/// The columns of a result set, resolved.
pub(super) struct Roles {
    columns: Vec<Column>,
}

impl Roles {
    fn find(&self, role: Role, side: Side) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.role == Some(role) && c.side == side)
    }

    pub(super) fn has(&self, role: Role, side: Side) -> bool {
        self.find(role, side).is_some()
    }

    pub(super) fn any_side(&self, side: Side) -> bool {
        self.columns
            .iter()
            .any(|c| c.side == side && c.role.is_some())
    }
}

/// One row's cells by role.
pub(super) struct Row<'a> {
    pub(super) roles: &'a Roles,
    cells: &'a [Option<String>],
}

impl<'a> Row<'a> {
    pub(super) fn get(&self, role: Role, side: Side) -> Option<&'a str> {
        let i = self.roles.find(role, side)?;
        self.cells
            .get(i)?
            .as_deref()
            .map(|v| strip_note(v.trim(), role != Role::Query))
            .filter(|v| !v.is_empty())
    }

    /// A lock id: its first word, or its words joined when a copy broke it at a colon
    /// (`140562531358232 :7:4:9:`).
    pub(super) fn lock_id(&self, side: Side) -> Option<String> {
        let value = self.get(Role::LockId, side)?;
        let mut words = value.split_whitespace();
        let mut id = words.next()?.to_string();
        for w in words {
            if !(id.ends_with(':') || w.starts_with(':')) {
                break;
            }
            id.push_str(w);
        }
        Some(id)
    }

    /// An id: its first word (copies annotate values: `14597   # the waiting trx`).
    pub(super) fn id(&self, role: Role, side: Side) -> Option<&'a str> {
        self.get(role, side)?.split_whitespace().next()
    }

    pub(super) fn num(&self, role: Role, side: Side) -> Option<u64> {
        self.id(role, side)?.parse().ok()
    }
}

/// What each column of `set` holds, as [`read_table`](super::read_table) reads it (`None`: not known).
pub fn column_roles(set: &ResultSet, query: &QueryContext) -> Vec<Option<Role>> {
    roles_of(set, query)
        .columns
        .iter()
        .map(|c| c.role)
        .collect()
}

pub(super) fn rows_of<'a>(
    set: &'a ResultSet,
    roles: &'a Roles,
) -> impl Iterator<Item = (usize, Row<'a>)> {
    set.rows.iter().enumerate().map(move |(i, cells)| {
        let line = set.row_lines.get(i).copied().unwrap_or(set.line);
        (line, Row { roles, cells })
    })
}

/// Every column's role: by name (through the query's aliases), else by its values. A headerless
/// paste with exactly the columns of a known table, in its order, is read as that table.
pub(super) fn roles_of(set: &ResultSet, query: &QueryContext) -> Roles {
    let width = set.columns.len();
    let names: Vec<String> = if set.headerless {
        [
            DATA_LOCKS_COLUMNS,
            DATA_LOCK_WAITS_COLUMNS,
            INNODB_LOCKS_COLUMNS,
        ]
        .into_iter()
        .find(|cols| cols.len() == width && headerless_fits(set, cols))
        .map(|cols| cols.iter().map(|c| c.to_string()).collect())
        .unwrap_or_else(|| vec![String::new(); width])
    } else {
        set.columns.clone()
    };
    let mut columns: Vec<Column> = names.iter().map(|n| resolve(n, query)).collect();
    for i in 0..columns.len() {
        if columns.get(i).is_some_and(|c| c.role.is_some()) {
            continue;
        }
        let values: Vec<Option<&str>> = set
            .rows
            .iter()
            .take(PROBE_ROWS)
            .map(|r| r.get(i).and_then(|c| c.as_deref()))
            .collect();
        if let Some(role) = probe(&values) {
            let taken = columns
                .iter()
                .any(|c| c.role == Some(role) && c.side == Side::Own);
            if let (false, Some(c)) = (taken, columns.get_mut(i)) {
                c.role = Some(role);
            }
        }
    }
    Roles { columns }
}

/// Whether the values of a headerless paste agree with `cols` where they can tell.
fn headerless_fits(set: &ResultSet, cols: &[&str]) -> bool {
    let query = QueryContext::default();
    cols.iter().enumerate().all(|(i, name)| {
        let values: Vec<Option<&str>> = set
            .rows
            .iter()
            .take(PROBE_ROWS)
            .map(|r| r.get(i).and_then(|c| c.as_deref()))
            .collect();
        match probe(&values) {
            Some(role) => resolve(name, &query).role == Some(role),
            None => true,
        }
    }) && cols.iter().enumerate().any(|(i, name)| {
        let values: Vec<Option<&str>> = set
            .rows
            .iter()
            .take(PROBE_ROWS)
            .map(|r| r.get(i).and_then(|c| c.as_deref()))
            .collect();
        probe(&values).is_some() && resolve(name, &query).role.is_some()
    })
}

/// `00:00:02` → 2; a plain number of seconds is accepted too.
pub(super) fn hms_secs(text: &str) -> Option<u64> {
    let mut total = 0u64;
    for part in text.trim().split(':') {
        total = total
            .checked_mul(60)?
            .checked_add(part.parse::<u64>().ok()?)?;
    }
    Some(total)
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::unwrap_used, clippy::panic)]
mod tests {
    use super::*;

    #[test]
    fn hms() {
        assert_eq!(hms_secs("00:01:02"), Some(62));
        assert_eq!(hms_secs("7"), Some(7));
        assert_eq!(hms_secs("x"), None);
    }
}
