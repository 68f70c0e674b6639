//! The lock tables of one moment joined into who waits for whom and who holds what. Each table
//! alone tells part of the story (`data_lock_waits` only ids, `data_locks` the locks,
//! `INNODB_TRX` and `PROCESSLIST` what each session runs); given together — several files, or
//! one file with several result sets — they are joined by trx id, lock id and thread id
//! (format-spec §7–§9). Without a waits table, the waits are inferred from the lock rows
//! (`infer`).
//!
//! Built for incident scale: a busy server's `data_locks` has a million rows, nearly all of
//! them granted record locks of one big statement. Those are kept only as a compact target
//! and owner (`Granted`, enough to find who blocks a waiting row) and counted into groups per
//! transaction, table, index and mode (`held`); only the waiting rows are kept whole.

mod held;
mod history;
mod infer;
mod join;
mod mdl;
mod processlist;
mod snapshots;
mod stalls;
mod statements;
mod threads;

use std::collections::HashMap;

pub use held::HeldLocks;
pub use history::{History, HistoryStatement, Involved};

use super::lock_table::{LockRow, LockStatus, LockTable, MdlRow, StatementRow, TableRows, WaitRow};
use super::lock_wait::{LockWait, TrxSummary};
use super::{Name, Warning};
use held::HeldIndex;

/// A granted lock reduced to what the inference needs.
#[derive(Debug, Clone, Copy)]
struct Granted {
    /// `LockRow::target_key`.
    target: u64,
    /// Index into `LockPicture::trx_ids`.
    trx: u32,
    /// Index into the held groups: the group's table, index and mode describe it.
    group: u32,
    /// `address_key` of its record, for a waiting row whose own row is missing (`join`).
    address: Option<u64>,
}

/// A record's address as a key (a granted row is kept small).
fn address_key(a: super::RecordAddress) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    a.hash(&mut h);
    h.finish()
}

/// Everything read so far from lock tables and TRANSACTIONS sections.
#[derive(Debug, Default)]
pub struct LockPicture {
    /// `input (table)` of every result set read, for the evidence…
    sources: Vec<String>,
    /// …and the input alone, for warnings.
    inputs: Vec<String>,
    /// Waits of TRANSACTIONS sections (`LockWait::from_transactions`).
    status: Vec<LockWait>,
    saw_status: bool,
    waits: Vec<(u32, WaitRow)>,
    sessions: Vec<TrxSummary>,
    /// Rows that wait, or whose status the table does not say (INNODB_LOCKS), whole.
    open: Vec<(u32, LockRow)>,
    granted: Vec<Granted>,
    trx_ids: Vec<Name>,
    trx_index: HashMap<Name, u32>,
    held: HeldIndex,
    /// Lock rows read, granted or not.
    lock_rows: usize,
    /// Metadata locks (`metadata_locks`, `METADATA_LOCK_INFO`), with their source.
    mdl: Vec<(u32, MdlRow)>,
    /// Statement histories (`events_statements_history` / `_current`).
    statements: Vec<StatementRow>,
    /// The threads of the latest deadlock report: a history is of one moment, the latest.
    deadlock_threads: Vec<Involved>,
    /// The last lock, wait or metadata-lock table of each input and table kind, not yet
    /// joined: a later copy of it may be a later snapshot (`snapshots`).
    pending: Vec<snapshots::Pending>,
    /// What `snapshots` left out, as warnings.
    snapshot_notes: Vec<Warning>,
    /// The names given to owners the tables did not name (`name_owner`).
    owner_names: HashMap<Name, Name>,
}

impl LockPicture {
    /// Adds one result set read from input `input`. A lock, wait or metadata-lock table is
    /// held back until the next table of its input and kind (or [`finish`](Self::finish)):
    /// when that one is a later snapshot of the same tables, only the later is joined.
    pub fn add_table(&mut self, input: &str, table: LockTable) {
        let source = u32::try_from(self.sources.len()).unwrap_or(u32::MAX);
        self.sources.push(format!("{input} ({})", table.kind));
        self.inputs.push(input.to_string());
        if snapshots::may_repeat(&table) {
            self.hold_back(input, source, table);
        } else {
            self.join_table(source, table);
        }
    }

    /// Joins the tables held back: call once the input has been read.
    pub fn finish(&mut self) {
        for p in std::mem::take(&mut self.pending) {
            self.release(p);
        }
    }

    /// Warnings about copies of a table left out as earlier snapshots.
    pub fn snapshot_notes(&self) -> &[Warning] {
        &self.snapshot_notes
    }

    fn join_table(&mut self, source: u32, table: LockTable) {
        match table.rows {
            TableRows::Locks(rows) => {
                for mut row in rows {
                    self.name_owner(&mut row);
                    self.add_lock(source, row);
                }
            }
            TableRows::Waits(rows) => self.waits.extend(rows.into_iter().map(|r| (source, r))),
            TableRows::Sessions(rows) => self.sessions.extend(rows),
            TableRows::Metadata(rows) => self.mdl.extend(rows.into_iter().map(|r| (source, r))),
            TableRows::Statements(rows) => self.statements.extend(rows),
        }
    }

    /// Remembers the threads of a deadlock report, for their statement histories; a later
    /// report replaces an earlier one.
    pub fn note_deadlock(&mut self, deadlock: &super::Deadlock) {
        self.deadlock_threads = Involved::of_deadlock(deadlock);
    }

    /// The statement history of each thread of the latest deadlock and of each side of `waits`,
    /// when statement histories were read (empty otherwise).
    pub fn histories(&self, waits: &[LockWait]) -> Vec<History> {
        if self.statements.is_empty() {
            return Vec::new();
        }
        let mut involved = self.deadlock_threads.clone();
        for w in waits {
            involved.extend(Involved::of_wait_side(&w.requesting, "waiting"));
            if let Some(b) = &w.blocking {
                involved.extend(Involved::of_wait_side(b, "blocking"));
            }
        }
        let sessions = join::Sessions::new(&self.sessions);
        history::histories(&self.statements, &sessions, &involved)
    }

    fn add_lock(&mut self, source: u32, row: LockRow) {
        self.lock_rows += 1;
        match row.status {
            Some(LockStatus::Granted) => {
                let trx = self.trx(&row.trx_id);
                let group = self.held.add(&row);
                self.granted.push(Granted {
                    target: row.target_key(),
                    trx,
                    group,
                    address: row.address.map(address_key),
                });
            }
            Some(LockStatus::Waiting) => {
                self.held.add(&row);
                self.open.push((source, row));
            }
            None => {
                self.held.add(&row);
                self.open.push((source, row));
            }
        }
    }

    /// Numbers the owners a table did not name (`unnamed 1`, `row 3`), in input order.
    fn name_owner(&mut self, row: &mut LockRow) {
        use super::{GROUPED_PREFIX, GROUP_OWNER_KEY, ROW_OWNER_KEY, UNNAMED_PREFIX};
        let prefix = if row.trx_id.starts_with(GROUP_OWNER_KEY) {
            GROUPED_PREFIX
        } else if row.trx_id.starts_with(ROW_OWNER_KEY) {
            UNNAMED_PREFIX
        } else {
            return;
        };
        let count = self
            .owner_names
            .values()
            .filter(|n| n.starts_with(prefix))
            .count();
        let name = self
            .owner_names
            .entry(row.trx_id.clone())
            .or_insert_with(|| Name::from(format!("{prefix}{}", count + 1)));
        row.trx_id = name.clone();
    }

    fn trx(&mut self, id: &Name) -> u32 {
        if let Some(&i) = self.trx_index.get(id) {
            return i;
        }
        let i = u32::try_from(self.trx_ids.len()).unwrap_or(u32::MAX);
        self.trx_ids.push(id.clone());
        self.trx_index.insert(id.clone(), i);
        i
    }

    /// The waits of a TRANSACTIONS section.
    pub fn add_status(&mut self, waits: Vec<LockWait>) {
        self.saw_status = true;
        self.status.extend(waits);
    }

    /// Takes in another input's material (several files of one moment).
    pub fn merge(&mut self, mut other: LockPicture) {
        other.finish();
        self.snapshot_notes.append(&mut other.snapshot_notes);
        let offset = u32::try_from(self.sources.len()).unwrap_or(u32::MAX);
        self.sources.extend(other.sources);
        self.inputs.extend(other.inputs);
        self.status.extend(other.status);
        self.saw_status |= other.saw_status;
        self.waits
            .extend(other.waits.into_iter().map(|(s, w)| (s + offset, w)));
        self.sessions.extend(other.sessions);
        self.mdl
            .extend(other.mdl.into_iter().map(|(s, r)| (s + offset, r)));
        self.statements.extend(other.statements);
        if !other.deadlock_threads.is_empty() {
            self.deadlock_threads = other.deadlock_threads;
        }
        self.open
            .extend(other.open.into_iter().map(|(s, r)| (s + offset, r)));
        let groups = self.held.merge(other.held);
        for g in other.granted {
            let trx = other
                .trx_ids
                .get(g.trx as usize)
                .cloned()
                .unwrap_or_default();
            let trx = self.trx(&trx);
            self.granted.push(Granted {
                target: g.target,
                trx,
                group: groups.get(g.group as usize).copied().unwrap_or(g.group),
                address: g.address,
            });
        }
        self.lock_rows += other.lock_rows;
    }

    pub fn is_empty(&self) -> bool {
        self.sources.is_empty() && !self.saw_status
    }

    /// Lock rows read.
    pub fn lock_rows(&self) -> usize {
        self.lock_rows
    }

    /// The locks held (and waited for), grouped per transaction, table, index and mode, the
    /// largest groups first.
    pub fn held(&self) -> Vec<HeldLocks> {
        let mut groups = self.held.groups();
        threads::correct_held(&mut groups);
        groups
    }
}
