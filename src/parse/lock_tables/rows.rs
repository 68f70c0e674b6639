//! A result set read as a lock table: each column given its role (`columns`), the table told
//! by the roles it has rather than by its name, and each row turned into the model's
//! `LockRow`, `WaitRow` or session summary.

use super::annotation::{latin_mode, strip_note};
use super::columns::{
    probe, resolve, Column, Role, Side, DATA_LOCKS_COLUMNS, DATA_LOCK_WAITS_COLUMNS,
    INNODB_LOCKS_COLUMNS,
};
use super::query::QueryContext;
use super::result_set::ResultSet;
use crate::model::{
    LockKind, LockMode, LockRow, LockStatus, LockTable, MdlOwner, MdlRow, Name, RecordAddress,
    StatementRow, TableName, TableRows, TrxSummary, WaitRow, WaitSide,
};
use crate::model::{GROUP_OWNER_KEY, ROW_OWNER_KEY};
use crate::parse::parse_mode_clause;

/// Rows looked at to tell a column by its values.
const PROBE_ROWS: usize = 64;

/// The columns of a result set, resolved.
struct Roles {
    columns: Vec<Column>,
}

impl Roles {
    fn find(&self, role: Role, side: Side) -> Option<usize> {
        self.columns
            .iter()
            .position(|c| c.role == Some(role) && c.side == side)
    }

    fn has(&self, role: Role, side: Side) -> bool {
        self.find(role, side).is_some()
    }

    fn any_side(&self, side: Side) -> bool {
        self.columns
            .iter()
            .any(|c| c.side == side && c.role.is_some())
    }
}

/// One row's cells by role.
struct Row<'a> {
    roles: &'a Roles,
    cells: &'a [Option<String>],
}

impl<'a> Row<'a> {
    fn get(&self, role: Role, side: Side) -> Option<&'a str> {
        let i = self.roles.find(role, side)?;
        self.cells
            .get(i)?
            .as_deref()
            .map(|v| strip_note(v.trim(), role != Role::Query))
            .filter(|v| !v.is_empty())
    }

    /// A lock id: its first word, or its words joined when a copy broke it at a colon
    /// (`140562531358232 :7:4:9:`).
    fn lock_id(&self, side: Side) -> Option<String> {
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
    fn id(&self, role: Role, side: Side) -> Option<&'a str> {
        self.get(role, side)?.split_whitespace().next()
    }

    fn num(&self, role: Role, side: Side) -> Option<u64> {
        self.id(role, side)?.parse().ok()
    }
}

/// Reads `set` as a lock table; `None` when its columns are not those of one.
pub fn read_table(set: &ResultSet, query: &QueryContext) -> Option<LockTable> {
    let roles = roles_of(set, query);
    let kind = kind_of(&roles, set, query)?;
    let rows = match kind {
        Kind::Locks(_) => {
            let five_x = kind.name() == "information_schema.INNODB_LOCKS";
            let mut rows: Vec<LockRow> = rows_of(set, &roles)
                .map(|(line, r)| lock_row(&r, line, five_x))
                .collect();
            let named = [Role::TrxId, Role::LockId, Role::PsThreadId]
                .iter()
                .any(|role| roles.has(*role, Side::Own));
            if !named {
                owners_by_runs(&mut rows);
            }
            TableRows::Locks(rows)
        }
        Kind::Waits(_) => TableRows::Waits(
            rows_of(set, &roles)
                .map(|(line, r)| wait_row(&r, line))
                .collect(),
        ),
        Kind::Sessions(_) => TableRows::Sessions(
            rows_of(set, &roles)
                .map(|(line, r)| session(&r, &roles, line))
                .collect(),
        ),
        Kind::Statements(_) => TableRows::Statements(
            rows_of(set, &roles)
                .filter_map(|(line, r)| statement_row(&r, line))
                .collect(),
        ),
        Kind::Metadata(_) if roles.has(Role::LockDuration, Side::Waiting) => {
            TableRows::Metadata(mdl_pairs(rows_of(set, &roles)))
        }
        Kind::Metadata(_) => TableRows::Metadata(
            rows_of(set, &roles)
                .filter_map(|(line, r)| mdl_row(&r, &roles, line))
                .collect(),
        ),
    };
    Some(LockTable {
        kind: kind.name(),
        rows,
        line: set.line,
        continues: set.continues,
        problems: set.problems.clone(),
    })
}

/// What each column of `set` holds, as [`read_table`] reads it (`None`: not known).
pub fn column_roles(set: &ResultSet, query: &QueryContext) -> Vec<Option<Role>> {
    roles_of(set, query)
        .columns
        .iter()
        .map(|c| c.role)
        .collect()
}

fn rows_of<'a>(set: &'a ResultSet, roles: &'a Roles) -> impl Iterator<Item = (usize, Row<'a>)> {
    set.rows.iter().enumerate().map(move |(i, cells)| {
        let line = set.row_lines.get(i).copied().unwrap_or(set.line);
        (line, Row { roles, cells })
    })
}

/// Every column's role: by name (through the query's aliases), else by its values. A headerless
/// paste with exactly the columns of a known table, in its order, is read as that table.
fn roles_of(set: &ResultSet, query: &QueryContext) -> Roles {
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

/// What a result set is, told by its columns' roles (the name it is shown under in
/// evidence).
#[derive(Debug, Clone, Copy)]
enum Kind {
    Locks(&'static str),
    Waits(&'static str),
    Sessions(&'static str),
    Metadata(&'static str),
    Statements(&'static str),
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Locks(n)
            | Kind::Waits(n)
            | Kind::Sessions(n)
            | Kind::Metadata(n)
            | Kind::Statements(n) => n,
        }
    }
}

fn kind_of(roles: &Roles, set: &ResultSet, query: &QueryContext) -> Option<Kind> {
    let own = |r: Role| roles.has(r, Side::Own);
    let named = |n: &str| set.columns.iter().any(|c| c.eq_ignore_ascii_case(n));
    // Only the metadata lock tables have a lock duration (and an object type).
    if own(Role::LockDuration) || own(Role::ObjectType) && own(Role::LockStatus) {
        let name = if own(Role::ObjectType) {
            "performance_schema.metadata_locks"
        } else {
            "information_schema.METADATA_LOCK_INFO"
        };
        return Some(Kind::Metadata(name));
    }
    let waits_sides = roles.any_side(Side::Waiting) && roles.any_side(Side::Blocking);
    if waits_sides && roles.has(Role::LockDuration, Side::Waiting) {
        return Some(Kind::Metadata("sys.schema_table_lock_waits"));
    }
    if waits_sides {
        let name = if own(Role::WaitAgeSecs)
            || own(Role::WaitAge)
            || query.reads("innodb_lock_waits") && !query.reads("information_schema")
        {
            "sys.innodb_lock_waits"
        } else if named("requested_lock_id") || named("requesting_trx_id") {
            "information_schema.INNODB_LOCK_WAITS"
        } else if roles.has(Role::LockId, Side::Waiting) && !roles.has(Role::Query, Side::Waiting) {
            "performance_schema.data_lock_waits"
        } else {
            "a join of the lock-wait tables"
        };
        return Some(Kind::Waits(name));
    }
    let lockish = [
        Role::LockStatus,
        Role::LockType,
        Role::LockData,
        Role::LockId,
        Role::Index,
    ];
    if own(Role::LockMode) && lockish.iter().any(|r| own(*r)) {
        let name = if named("lock_trx_id") || named("lock_space") || query.reads("innodb_locks") {
            "information_schema.INNODB_LOCKS"
        } else {
            "performance_schema.data_locks"
        };
        return Some(Kind::Locks(name));
    }
    // A statement history: each statement of a thread, by event id (no lock, no trx id).
    if own(Role::EventId) && own(Role::Query) && (own(Role::PsThreadId) || own(Role::ProcesslistId))
    {
        let name = if query.reads("events_statements_current") {
            "performance_schema.events_statements_current"
        } else {
            "performance_schema.events_statements_history"
        };
        return Some(Kind::Statements(name));
    }
    if own(Role::TrxState) || own(Role::Started) || (own(Role::TrxId) && own(Role::Query)) {
        return Some(Kind::Sessions("information_schema.INNODB_TRX"));
    }
    if own(Role::ProcesslistId)
        && (own(Role::Command) || own(Role::User) || own(Role::Query) || own(Role::Time))
    {
        return Some(Kind::Sessions("PROCESSLIST"));
    }
    if own(Role::PsThreadId) && own(Role::ProcesslistId) {
        return Some(Kind::Sessions("performance_schema.threads"));
    }
    None
}

/// `'Aardvark'`, `supremum pseudo-record`: LOCK_DATA as printed.
/// `five_x`: the row is INNODB_LOCKS' (5.x, MariaDB), whose modes carry no REC_NOT_GAP and no
/// INSERT_INTENTION (format-spec §8).
fn lock_row(r: &Row<'_>, line: usize, five_x: bool) -> LockRow {
    let own = Side::Own;
    let lock_id = r.lock_id(own);
    let parts: Vec<&str> = lock_id
        .as_deref()
        .map(|id| id.split(':').collect())
        .unwrap_or_default();
    // Who owns the lock: the trx id, else what stands for it in the paste (the lock id's
    // first part is per transaction; a session runs one transaction at a time), else the
    // row itself (`of line N`: unique in the input, so that rows are never joined by a
    // guess; `owners_by_runs` may group them).
    let ps_thread_id = r.num(Role::PsThreadId, own);
    let trx_id = r
        .id(Role::TrxId, own)
        .map(Name::from)
        .or_else(|| {
            parts
                .first()
                .filter(|p| !p.is_empty())
                .map(|p| Name::from(*p))
        })
        .or_else(|| ps_thread_id.map(|t| Name::from(format!("thread {t}"))))
        .unwrap_or_else(|| Name::from(format!("{ROW_OWNER_KEY}{line}")));
    let table = table_of(r);
    let index_name = r.get(Role::Index, own).map(index_name);
    let data = r.get(Role::LockData, own).map(str::to_string);
    let lock_type = r.id(Role::LockType, own);
    let address = match (
        r.num(Role::Space, own),
        r.num(Role::Page, own),
        r.num(Role::Heap, own),
    ) {
        (Some(space), Some(page), Some(heap)) => Some(RecordAddress { space, page, heap }),
        _ => lock_id.as_deref().and_then(RecordAddress::of_lock_id),
    };
    let record = match lock_type {
        Some(t) => t.eq_ignore_ascii_case("RECORD"),
        None => index_name.is_some() || address.is_some() || data.is_some(),
    };
    let mode_text = latin_mode(r.id(Role::LockMode, own).unwrap_or_default());
    let mode_text = mode_text.as_ref();
    let clause = parse_mode_clause(mode_text).unwrap_or_default();
    let mode = clause
        .mode
        .clone()
        .unwrap_or_else(|| LockMode::Unknown(mode_text.to_string()));
    let supremum = data.as_deref().is_some_and(|d| d.contains("supremum"))
        || address.is_some_and(|a| a.heap == 1);
    let mut kind = match (record, &clause.mode) {
        (false, _) => LockKind::Table,
        // 5.x prints a record-only lock as plain X / S too: which it is, it does not say.
        (true, Some(_)) if five_x && !clause.gap && !supremum => LockKind::Unknown,
        (true, Some(_)) => LockKind::of_record_lock(&clause, supremum),
        // A mode the paste left out or that is not InnoDB's: never taken for next-key.
        (true, None) => LockKind::Unknown,
    };
    let status = r.id(Role::LockStatus, own).and_then(|s| {
        if s.eq_ignore_ascii_case("GRANTED") {
            Some(LockStatus::Granted)
        } else if s.eq_ignore_ascii_case("WAITING") || s.eq_ignore_ascii_case("PENDING") {
            Some(LockStatus::Waiting)
        } else {
            None
        }
    });
    // A gap lock never waits: a waiting gap (5.x `X,GAP`, or any lock on the supremum) is an
    // insert intention.
    if status == Some(LockStatus::Waiting) && kind == LockKind::Gap {
        kind = LockKind::InsertIntention;
    }
    LockRow {
        lock_id: lock_id.map(Name::from),
        trx_id,
        ps_thread_id,
        table,
        index: index_name,
        record,
        mode,
        kind,
        status,
        data,
        address,
        mode_text: Name::from(mode_text),
        line,
    }
}

/// Rows of a result set that names no owner (a subset of `data_locks`' columns without
/// ENGINE_TRANSACTION_ID, ENGINE_LOCK_ID or THREAD_ID) told apart by their table locks:
/// `data_locks` lists each transaction's locks together, in the order it took them, so its
/// table lock (IS, IX) comes before its record locks on that table. A run starts at the first
/// row and at each table lock on a table the run already has a table lock on, when the row
/// before is a record lock or the same table lock. The runs are taken as transactions only
/// when each starts with a table lock, waits for at most one lock, and no run would wait for
/// a lock of its own (a copy sorted by another column breaks all three); otherwise each row
/// keeps its own owner (`of line N`).
fn owners_by_runs(rows: &mut [LockRow]) {
    let mut starts: Vec<usize> = Vec::new();
    let mut run_tables: Vec<&LockRow> = Vec::new();
    for (i, r) in rows.iter().enumerate() {
        let prev = i.checked_sub(1).and_then(|p| rows.get(p));
        let new_run = match prev {
            None => true,
            Some(p) if !r.record => {
                let again = run_tables.iter().any(|t| t.table == r.table);
                let same_lock = !p.record && p.table == r.table && p.mode_text == r.mode_text;
                again && (p.record || same_lock)
            }
            Some(_) => false,
        };
        if new_run {
            starts.push(i);
            run_tables.clear();
        }
        if !r.record {
            run_tables.push(r);
        }
    }
    let ends: Vec<usize> = starts
        .iter()
        .skip(1)
        .copied()
        .chain(std::iter::once(rows.len()))
        .collect();
    let runs: Vec<(usize, usize)> = starts.iter().copied().zip(ends).collect();
    let consistent = runs.iter().all(|&(start, end)| {
        let run = rows.get(start..end).unwrap_or_default();
        let waiting: Vec<&LockRow> = run
            .iter()
            .filter(|r| r.status == Some(LockStatus::Waiting))
            .collect();
        run.first().is_some_and(|r| !r.record)
            && waiting.len() <= 1
            && !waiting.iter().any(|w| {
                run.iter().any(|g| {
                    g.status == Some(LockStatus::Granted) && g.same_target(w) && w.waits_for(g)
                })
            })
    });
    if !consistent || runs.len() == rows.len() {
        return;
    }
    for (start, end) in runs {
        let Some(first) = rows.get(start).map(|r| r.line) else {
            continue;
        };
        let owner = Name::from(format!("{GROUP_OWNER_KEY}{first}"));
        for r in rows.get_mut(start..end).into_iter().flatten() {
            r.trx_id = owner.clone();
        }
    }
}

/// The table a row names: `OBJECT_SCHEMA` + `OBJECT_NAME`, or `schema.table` in one column.
fn table_of(r: &Row<'_>) -> TableName {
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
fn index_name(text: &str) -> Name {
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

fn side_of(r: &Row<'_>, side: Side) -> WaitSide {
    let mode_text = r.id(Role::LockMode, side).map(latin_mode);
    let clause = mode_text.as_deref().and_then(parse_mode_clause);
    WaitSide {
        trx: TrxSummary {
            trx_id: r.id(Role::TrxId, side).unwrap_or_default().to_string(),
            thread_id: r.num(Role::ProcesslistId, side),
            ps_thread_id: r.num(Role::PsThreadId, side),
            query: r.get(Role::Query, side).map(str::to_string),
            started: r.get(Role::Started, side).map(str::to_string),
            active_secs: r.get(Role::TrxAge, side).and_then(hms_secs),
            rows_locked: r.num(Role::RowsLocked, side),
            rows_modified: r.num(Role::RowsModified, side),
            query_known: r.roles.has(Role::Query, side),
            ..TrxSummary::default()
        },
        lock_id: r.lock_id(side).map(Name::from),
        mode_text: mode_text.as_deref().map(Name::from),
        kind: clause.as_ref().map(|c| LockKind::of_record_lock(c, false)),
        mode: clause.and_then(|c| c.mode),
    }
}

fn wait_row(r: &Row<'_>, line: usize) -> WaitRow {
    let own = Side::Own;
    let mut table = r
        .get(Role::SchemaTable, own)
        .map(table_name)
        .or_else(|| r.get(Role::Table, own).map(table_name));
    // `locked_schema` beside a bare `locked_table` (a custom join of `metadata_locks`).
    if let (Some(t), Some(schema)) = (&mut table, r.get(Role::Schema, own)) {
        if t.schema.is_none() {
            t.schema = Some(Name::from(schema.trim_matches('`')));
        }
    }
    WaitRow {
        requesting: side_of(r, Side::Waiting),
        blocking: side_of(r, Side::Blocking),
        table,
        index: r.get(Role::Index, own).map(index_name),
        lock_type: r
            .get(Role::LockType, own)
            .or_else(|| r.get(Role::LockType, Side::Waiting))
            .map(Name::from),
        wait_secs: r
            .get(Role::WaitAgeSecs, own)
            .and_then(|v| v.parse().ok())
            .or_else(|| {
                r.get(Role::WaitAge, own)
                    .and_then(hms_secs)
                    .map(|s| s as f64)
            }),
        line,
    }
}

/// A metadata lock: `metadata_locks` names its owner by THREAD_ID and its type in `LOCK_TYPE`
/// (`SHARED_READ`), `METADATA_LOCK_INFO` by processlist id (its `THREAD_ID` column) and its
/// type in `LOCK_MODE` (`MDL_SHARED_READ`), and lists granted locks only.
fn mdl_row(r: &Row<'_>, roles: &Roles, line: usize) -> Option<MdlRow> {
    let own = Side::Own;
    let ps = roles.has(Role::ObjectType, own);
    let id = r
        .num(Role::PsThreadId, own)
        .or(r.num(Role::ProcesslistId, own))?;
    let owner = if ps {
        MdlOwner::PsThread(id)
    } else {
        MdlOwner::Processlist(id)
    };
    let mode = if ps {
        r.get(Role::LockType, own)
    } else {
        r.get(Role::LockMode, own)
    }?;
    let mode = mode
        .strip_prefix("MDL_")
        .unwrap_or(mode)
        .to_ascii_uppercase();
    // The plugin's LOCK_TYPE says `Table metadata lock`, `Schema metadata lock`, ….
    let object_type = match r.get(Role::ObjectType, own) {
        Some(t) => t.to_ascii_uppercase(),
        None => match r.get(Role::LockType, own) {
            Some(t) => t
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase(),
            None => String::new(),
        },
    };
    // KILLED, TIMEOUT, VICTIM and the NOTIFY states neither hold nor wait any more.
    let status = match r.get(Role::LockStatus, own) {
        None => LockStatus::Granted,
        Some(s) if s.eq_ignore_ascii_case("GRANTED") => LockStatus::Granted,
        Some(s) if s.eq_ignore_ascii_case("PENDING") => LockStatus::Waiting,
        Some(_) => return None,
    };
    Some(MdlRow {
        owner,
        object_type: object_type.into(),
        table: TableName {
            schema: r.get(Role::Schema, own).map(Name::from),
            table: r.get(Role::Table, own).map(Name::from).unwrap_or_default(),
            partition: None,
        },
        mode: mode.into(),
        status,
        query: None,
        line,
    })
}

/// `sys.schema_table_lock_waits` pairs every granted lock on a table with every pending one,
/// compatible or not (even a session with itself), so its pairs are not waits: its locks are.
/// Each side becomes a lock row (by processlist id), the pending ones in queue order (longest
/// waiting first), and the waits are worked out again by the server's rules.
fn mdl_pairs<'a>(rows: impl Iterator<Item = (usize, Row<'a>)>) -> Vec<MdlRow> {
    let mut granted: Vec<MdlRow> = Vec::new();
    let mut pending: Vec<(u64, MdlRow)> = Vec::new();
    for (line, r) in rows {
        let table = TableName {
            schema: r.get(Role::Schema, Side::Own).map(Name::from),
            table: r
                .get(Role::Table, Side::Own)
                .map(Name::from)
                .unwrap_or_default(),
            partition: None,
        };
        for (side, status) in [
            (Side::Blocking, LockStatus::Granted),
            (Side::Waiting, LockStatus::Waiting),
        ] {
            let Some(id) = r.num(Role::ProcesslistId, side) else {
                continue;
            };
            let Some(mode) = r.get(Role::LockType, side) else {
                continue;
            };
            let row = MdlRow {
                owner: MdlOwner::Processlist(id),
                object_type: "TABLE".into(),
                table: table.clone(),
                mode: mode.to_ascii_uppercase().into(),
                status,
                query: r.get(Role::Query, side).map(str::to_string),
                line,
            };
            let same =
                |m: &MdlRow| m.owner == row.owner && m.mode == row.mode && m.table == row.table;
            match status {
                LockStatus::Granted if !granted.iter().any(same) => granted.push(row),
                LockStatus::Waiting if !pending.iter().any(|(_, m)| same(m)) => {
                    let secs = r.num(Role::WaitAgeSecs, side).unwrap_or(0);
                    pending.push((secs, row));
                }
                _ => {}
            }
        }
    }
    pending.sort_by_key(|(secs, _)| std::cmp::Reverse(*secs));
    granted.extend(pending.into_iter().map(|(_, r)| r));
    granted
}

fn session(r: &Row<'_>, roles: &Roles, line: usize) -> TrxSummary {
    let own = Side::Own;
    TrxSummary {
        trx_id: r.id(Role::TrxId, own).unwrap_or_default().to_string(),
        thread_id: r.num(Role::ProcesslistId, own),
        ps_thread_id: r.num(Role::PsThreadId, own),
        query: r.get(Role::Query, own).map(str::to_string),
        state: r.get(Role::TrxState, own).map(str::to_string),
        started: r.get(Role::Started, own).map(str::to_string),
        active_secs: r.get(Role::TrxAge, own).and_then(hms_secs),
        user: r.get(Role::User, own).map(str::to_string),
        host: r.get(Role::Host, own).map(str::to_string),
        rows_locked: r.num(Role::RowsLocked, own),
        rows_modified: r.num(Role::RowsModified, own),
        command: r.get(Role::Command, own).map(str::to_string),
        command_secs: r.num(Role::Time, own),
        process_state: r.get(Role::ProcessState, own).map(str::to_string),
        query_known: roles.has(Role::Query, own),
        last_statement: None,
        database: r.get(Role::Database, own).map(str::to_string),
        foreign_ps_thread_id: None,
        row_line: line,
    }
}

/// A statement of a thread's history; rows without an event id or a thread are skipped.
fn statement_row(r: &Row<'_>, line: usize) -> Option<StatementRow> {
    let own = Side::Own;
    let thread_id = r.num(Role::ProcesslistId, own);
    let ps_thread_id = r.num(Role::PsThreadId, own);
    if thread_id.is_none() && ps_thread_id.is_none() {
        return None;
    }
    Some(StatementRow {
        thread_id,
        ps_thread_id,
        event_id: r.num(Role::EventId, own)?,
        sql: r.get(Role::Query, own)?.to_string(),
        errno: r.num(Role::Errno, own).and_then(|n| u32::try_from(n).ok()),
        line,
    })
}

/// `00:00:02` → 2; a plain number of seconds is accepted too.
pub fn hms_secs(text: &str) -> Option<u64> {
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
