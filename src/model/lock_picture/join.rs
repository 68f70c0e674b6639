//! The join: every wait the inputs show, once, with both sides filled from `INNODB_TRX`,
//! `PROCESSLIST` and `performance_schema.threads`, and the awaited lock from the lock rows.

use std::collections::HashMap;

use super::LockPicture;
use crate::model::lock_mode::LockKind;
use crate::model::lock_table::{LockRow, LockStatus, WaitRow, WaitSide};
use crate::model::lock_wait::{LockWait, TrxSummary, WaitedLock};

/// The sessions by what joins them: trx id (INNODB_TRX), processlist id (PROCESSLIST), and
/// performance_schema thread id → processlist id (threads).
#[derive(Default)]
pub(super) struct Sessions<'a> {
    by_trx: HashMap<&'a str, &'a TrxSummary>,
    /// Every table's row of a session merged (PROCESSLIST has the host, `threads` the
    /// performance_schema id), whichever came first.
    by_thread: HashMap<u64, TrxSummary>,
    ps_to_thread: HashMap<u64, u64>,
    /// INNODB_TRX rows by `trx_mysql_thread_id`: the transaction of a session known only by
    /// its processlist id (a metadata-lock holder, hunt3 019).
    trx_by_thread: HashMap<u64, &'a TrxSummary>,
}

impl<'a> Sessions<'a> {
    pub(super) fn new(all: &'a [TrxSummary]) -> Self {
        let mut s = Sessions::default();
        for t in all {
            if !t.trx_id.is_empty() {
                s.by_trx.insert(&t.trx_id, t);
                if let Some(id) = t.thread_id {
                    s.trx_by_thread.entry(id).or_insert(t);
                }
            } else if let Some(id) = t.thread_id {
                s.by_thread
                    .entry(id)
                    .and_modify(|known| known.merge(t))
                    .or_insert_with(|| t.clone());
            }
            if let (Some(ps), Some(id)) = (t.ps_thread_id, t.thread_id) {
                s.ps_to_thread.insert(ps, id);
            }
        }
        s
    }

    /// The processlist id of a performance_schema `THREAD_ID` (`threads`).
    pub(super) fn processlist_of(&self, ps_thread_id: u64) -> Option<u64> {
        self.ps_to_thread.get(&ps_thread_id).copied()
    }

    /// Fills what `t` lacks from the other tables' view of the same transaction or session.
    pub(super) fn enrich(&self, t: &mut TrxSummary) {
        // INNODB_TRX's `trx_mysql_thread_id` first: a lock row's THREAD_ID may be another
        // transaction's (`threads`).
        if let Some(full) = self.by_trx.get(t.trx_id.as_str()) {
            t.merge(full);
        }
        if t.thread_id.is_none() {
            t.thread_id = t.ps_thread_id.and_then(|ps| self.processlist_of(ps));
        }
        if let Some(session) = t.thread_id.and_then(|id| self.by_thread.get(&id)) {
            t.merge(session);
        }
        // A session without a trx id of its own: its open transaction, if INNODB_TRX shows one.
        if t.trx_id.is_empty() || t.is_session() {
            if let Some(trx) = t.thread_id.and_then(|id| self.trx_by_thread.get(&id)) {
                t.merge(trx);
            }
        }
    }
}

/// Waits gathered from several sources, each wait once.
#[derive(Default)]
pub(super) struct Waits {
    pub(super) all: Vec<LockWait>,
}

impl Waits {
    /// Adds a wait, or merges it into the same wait seen by another source. A source that does
    /// not name the holder (a TRANSACTIONS section without lock output) agrees with any that
    /// does.
    pub(super) fn push(&mut self, wait: LockWait) {
        let same = self.all.iter_mut().find(|w| {
            w.requesting.trx_id == wait.requesting.trx_id
                && match (&w.blocking, &wait.blocking) {
                    (Some(a), Some(b)) => a.trx_id == b.trx_id,
                    _ => true,
                }
        });
        let Some(w) = same else {
            self.all.push(wait);
            return;
        };
        w.requesting.merge(&wait.requesting);
        match (&mut w.blocking, &wait.blocking) {
            (Some(a), Some(b)) => a.merge(b),
            (None, Some(b)) => w.blocking = Some(b.clone()),
            _ => {}
        }
        if w.lock.record.is_none() && wait.lock.record.is_some() {
            w.lock = wait.lock.clone();
        }
        if w.lock.text.is_empty() || (w.lock.mode.is_empty() && !wait.lock.mode.is_empty()) {
            w.lock = wait.lock.clone();
        }
        w.wait_secs = w.wait_secs.or(wait.wait_secs);
        w.inferred &= wait.inferred;
        for s in wait.sources {
            if !w.sources.contains(&s) {
                w.sources.push(s);
            }
        }
    }
}

impl LockPicture {
    /// The lock waits the inputs show, one per (waiting trx, blocking trx): those a waits
    /// table or a TRANSACTIONS section prints, then those inferred from the lock rows alone.
    pub fn lock_waits(&self) -> Vec<LockWait> {
        let sessions = Sessions::new(&self.sessions);
        let mut waits = Waits::default();
        for w in &self.status {
            waits.push(w.clone());
        }
        // Lock rows a waits table explained are not inferred from again.
        let mut explained = vec![false; self.open.len()];
        for (source, row) in &self.waits {
            if let Some(w) = self.wait_of_row(*source, row, &mut explained) {
                waits.push(w);
            }
        }
        self.infer(&mut waits, &explained);
        super::threads::correct_blockers(
            &mut waits.all,
            &super::threads::owner_threads(self.held.all()),
        );
        waits.all.extend(self.mdl_waits(&sessions));
        waits.all.extend(self.stall_waits());
        for w in &mut waits.all {
            sessions.enrich(&mut w.requesting);
            if let Some(b) = &mut w.blocking {
                sessions.enrich(b);
                // The DBA's own session: its locking statement is over (hunt P17).
                if b.query
                    .as_deref()
                    .is_some_and(super::super::lock_wait::is_monitoring_query)
                {
                    b.query = None;
                    b.query_known = true;
                }
                if b.is_idle() && !self.statements.is_empty() {
                    b.last_statement = b.thread_id.and_then(|id| {
                        super::history::last_statement(&self.statements, &sessions, id)
                    });
                }
            }
        }
        drop_session_twins(&mut waits.all);
        waits.all
    }

    pub(super) fn source(&self, i: u32) -> String {
        self.sources.get(i as usize).cloned().unwrap_or_default()
    }

    /// A waits table's row as a wait, its lock found among the lock rows.
    fn wait_of_row(&self, source: u32, row: &WaitRow, explained: &mut [bool]) -> Option<LockWait> {
        let found = self.requested_lock(row);
        let lock_row = found.and_then(|i| self.open.get(i)).map(|(_, r)| r);
        let requesting_id = non_empty(&row.requesting.trx.trx_id)
            .or_else(|| lock_row.map(|r| r.trx_id.to_string()))
            .or_else(|| row.requesting.lock_id.as_deref().and_then(trx_of_lock_id))
            .or_else(|| session_of_side(&row.requesting))?;
        let blocking_id = non_empty(&row.blocking.trx.trx_id)
            .or_else(|| row.blocking.lock_id.as_deref().and_then(trx_of_lock_id))
            .or_else(|| session_of_side(&row.blocking))?;
        let side = |s: &WaitSide, id: String| TrxSummary {
            trx_id: id,
            ..s.trx.clone()
        };
        let mut requesting = side(&row.requesting, requesting_id);
        if let Some(r) = lock_row {
            requesting.ps_thread_id = requesting.ps_thread_id.or(r.ps_thread_id);
        }
        let lock = match lock_row {
            Some(r) => awaited(waited_lock(r)),
            None => self.name_record(lock_of_wait_row(row), row),
        };
        if let Some(slot) = found.and_then(|i| explained.get_mut(i)) {
            *slot = true;
        }
        Some(LockWait {
            requesting,
            blocking: Some(side(&row.blocking, blocking_id)),
            lock,
            wait_secs: row.wait_secs,
            sources: vec![self.source(source)],
            line: row.line,
            inferred: false,
        })
    }

    /// Names the record of a lock whose own row the input lacks (a copy of another moment, or
    /// `data_locks` filtered to the holders) from another row on the same record: the
    /// blocking lock's row, else any row with the same `space:page:heap`. Only where the
    /// record is: the mode stays the waiter's.
    fn name_record(&self, mut lock: WaitedLock, row: &WaitRow) -> WaitedLock {
        if !lock.table.table.is_empty() {
            return lock;
        }
        let (Some(space), Some(page), Some(heap)) = (lock.space, lock.page, lock.heap_no) else {
            return lock;
        };
        let at = crate::model::RecordAddress { space, page, heap };
        let blocking = row.blocking.lock_id.as_ref();
        let rows = || {
            self.open
                .iter()
                .map(|(_, r)| r)
                .filter(|r| r.address == Some(at))
        };
        let named = rows()
            .find(|r| blocking.is_some() && r.lock_id.as_ref() == blocking)
            .or_else(|| rows().next());
        if let Some(r) = named {
            lock.table = r.table.clone();
            lock.index = r.index.as_ref().map(|i| i.to_string());
            lock.lock_data.clone_from(&r.data);
            return lock;
        }
        // A granted row keeps only its group (table, index), and its address' key.
        if let Some(g) = self
            .granted
            .iter()
            .find(|g| g.address == Some(super::address_key(at)))
            .and_then(|g| self.held.get(g.group))
        {
            lock.table = g.table.clone();
            lock.index = g.index.as_ref().map(|i| i.to_string());
        }
        lock
    }

    /// The lock row a wait row asks for (its index in `open`): by lock id, else the requesting
    /// transaction's one waiting lock, else the one waiting record lock of the input (a copy
    /// that left out the ids).
    fn requested_lock(&self, row: &WaitRow) -> Option<usize> {
        let waiting = |r: &LockRow| r.status != Some(LockStatus::Granted);
        let only = |pick: &dyn Fn(&LockRow) -> bool| {
            let mut found = self.open.iter().enumerate().filter(|(_, (_, r))| pick(r));
            match (found.next(), found.next()) {
                (Some((i, _)), None) => Some(i),
                _ => None,
            }
        };
        if let Some(id) = &row.requesting.lock_id {
            if let Some(i) = self
                .open
                .iter()
                .position(|(_, r)| r.lock_id.as_ref() == Some(id))
            {
                return Some(i);
            }
        }
        let trx = row.requesting.trx.trx_id.as_str();
        (!trx.is_empty())
            .then(|| only(&|r| waiting(r) && r.trx_id == trx))
            .flatten()
            .or_else(|| only(&|r| waiting(r) && r.record))
    }
}

/// Drops a row-lock wait known only by processlist ids (`session 28`, a join of
/// `data_lock_waits` with `threads`) when the same pair of sessions already waits by trx id:
/// the same wait, seen through another table. Metadata-lock waits are the server's, not
/// InnoDB's, and stay.
fn drop_session_twins(all: &mut Vec<LockWait>) {
    let same = |a: &TrxSummary, b: &TrxSummary| {
        (a.thread_id.is_some() && a.thread_id == b.thread_id)
            || (a.ps_thread_id.is_some() && a.ps_thread_id == b.ps_thread_id)
    };
    let twin = |w: &LockWait, all: &[LockWait]| {
        w.requesting.is_session()
            && !matches!(
                w.lock.kind,
                LockKind::Metadata | LockKind::TableFlush | LockKind::GlobalRead
            )
            && all.iter().any(|o| {
                !o.requesting.is_session()
                    && same(&o.requesting, &w.requesting)
                    && match (&o.blocking, &w.blocking) {
                        (Some(a), Some(b)) => same(a, b),
                        _ => false,
                    }
            })
    };
    let keep: Vec<bool> = all.iter().map(|w| !twin(w, all)).collect();
    let mut flags = keep.into_iter();
    all.retain(|_| flags.next().unwrap_or(true));
}

/// A side known only by its processlist id (a custom join of `sys.innodb_lock_waits` or of
/// `metadata_locks` with PROCESSLIST that keeps `waiting_pid` / `blocking_processlist_id`
/// and drops the trx ids): named as a metadata-lock participant is, `session <id>`.
fn session_of_side(side: &WaitSide) -> Option<String> {
    side.trx.thread_id.map(|id| format!("session {id}"))
}

fn non_empty(s: &str) -> Option<String> {
    (!s.is_empty()).then(|| s.to_string())
}

/// `1594:2:4:7` / `283133240155680:1098` → the trx id (5.x and early 8.0 lock ids start with
/// it; 8.0.17+ ids start with an internal pointer and have five parts).
fn trx_of_lock_id(id: &str) -> Option<String> {
    let parts: Vec<&str> = id.split(':').collect();
    (parts.len() <= 4)
        .then(|| parts.first().map(|p| p.to_string()))
        .flatten()
        .filter(|p| !p.is_empty())
}

/// The awaited lock as a lock row shows it.
pub(super) fn waited_lock(r: &LockRow) -> WaitedLock {
    WaitedLock {
        table: r.table.clone(),
        index: r.index.as_ref().map(|i| i.to_string()),
        mode: r.mode.as_str().to_string(),
        kind: r.kind,
        lock_data: r.data.clone(),
        space: r.address.map(|a| a.space),
        page: r.address.map(|a| a.page),
        heap_no: r.address.map(|a| a.heap),
        record: None,
        text: r.mode_text.to_string(),
    }
}

/// A lock some transaction waits for: a gap lock never waits, and on the supremum (heap 1)
/// every lock is a gap lock, so a waiting one is an insert intention (5.x prints it `X,GAP`,
/// or `X` on the supremum; format-spec §8).
fn awaited(mut lock: WaitedLock) -> WaitedLock {
    let supremum = lock.heap_no == Some(1)
        || lock
            .lock_data
            .as_deref()
            .is_some_and(|d| d.contains("supremum"));
    lock.kind = match lock.kind {
        LockKind::Gap => LockKind::InsertIntention,
        LockKind::NextKey | LockKind::Unknown if supremum && !lock.mode.is_empty() => {
            LockKind::InsertIntention
        }
        k => k,
    };
    lock
}

/// The awaited lock as a waits table alone shows it (`sys.innodb_lock_waits`: table, index,
/// `waiting_lock_mode`; `data_lock_waits`: only the lock id).
fn lock_of_wait_row(row: &WaitRow) -> WaitedLock {
    let text = row
        .requesting
        .mode_text
        .as_deref()
        .unwrap_or_default()
        .to_string();
    let table_lock = row
        .lock_type
        .as_deref()
        .is_some_and(|t| t.eq_ignore_ascii_case("TABLE"));
    // A custom join's `'Metadata Lock' AS locked_type`: the server's lock, not InnoDB's.
    let metadata = row
        .lock_type
        .as_deref()
        .is_some_and(|t| t.to_ascii_lowercase().contains("metadata"));
    let kind = match row.requesting.kind {
        _ if metadata => LockKind::Metadata,
        _ if table_lock => LockKind::Table,
        Some(kind) => kind,
        None => LockKind::Unknown,
    };
    let address = row
        .requesting
        .lock_id
        .as_deref()
        .and_then(crate::model::RecordAddress::of_lock_id);

    awaited(WaitedLock {
        table: row.table.clone().unwrap_or_default(),
        index: row.index.as_ref().map(|i| i.to_string()),
        mode: row
            .requesting
            .mode
            .as_ref()
            .map(|m| m.as_str().to_string())
            .unwrap_or_default(),
        kind,
        lock_data: None,
        space: address.map(|a| a.space),
        page: address.map(|a| a.page),
        heap_no: address.map(|a| a.heap),
        record: None,
        text: if text.is_empty() && metadata {
            "metadata lock".to_string()
        } else if text.is_empty() {
            row.requesting
                .lock_id
                .as_deref()
                .unwrap_or_default()
                .to_string()
        } else {
            text
        },
    })
}
