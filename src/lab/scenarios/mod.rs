//! The scenarios `lockscope lab` stages, one file each: a scratch schema with its seed data, the
//! broken write path (as in the seed incident) and the fixed one (as the catalogue entry's fix
//! says). A scenario's id is a catalogue id (`diagnose::PATTERNS`) or a lock-wait finding id, so
//! what lab provokes is what `analyze` must name.
//!
//! A write path is a small async function run once per attempt by each worker. It opens and
//! ends its own transaction, since where the commit goes is sometimes the whole point
//! (`hot-row`, `idle-blocker`); the runner rolls back after any error.

mod delete_then_insert;
mod fk_s_lock_upgrade;
mod gap_then_insert;
mod hot_row;
mod idle_blocker;
mod inconsistent_order;
mod odku_supremum;
mod unique_key_race;

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use mysql_async::prelude::Queryable;
use mysql_async::Conn;

/// Every scenario, in the order `lab list` shows them.
pub static SCENARIOS: &[&Scenario] = &[
    &inconsistent_order::SCENARIO,
    &delete_then_insert::SCENARIO,
    &odku_supremum::SCENARIO,
    &unique_key_race::SCENARIO,
    &gap_then_insert::SCENARIO,
    &fk_s_lock_upgrade::SCENARIO,
    &hot_row::SCENARIO,
    &idle_blocker::SCENARIO,
];

/// The scenario with this id.
pub fn scenario(id: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().copied().find(|s| s.id == id)
}

/// What the broken path is expected to produce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Deadlocks (error 1213), each reported by the server and classified by the catalogue.
    Deadlock,
    /// Lock wait timeouts (error 1205): a wait, not a cycle, so no deadlock report.
    LockWait,
}

impl Expect {
    pub fn as_str(self) -> &'static str {
        match self {
            Expect::Deadlock => "deadlock",
            Expect::LockWait => "lock wait timeout",
        }
    }
}

/// Which side of the comparison a path is on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// As in the incident (or a variant of it the incident proposed).
    Broken,
    /// As the catalogue's fix says.
    Fixed,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Broken => "broken",
            Role::Fixed => "fixed",
        }
    }
}

/// One staged write path.
#[derive(Debug)]
pub struct Path {
    /// Short name shown in the table (`broken`, `fixed`, or a variant's name).
    pub name: &'static str,
    pub role: Role,
    /// What it does, in one line.
    pub about: &'static str,
    pub run: TxFn,
}

/// One scenario: data plus small functions.
#[derive(Debug)]
pub struct Scenario {
    /// A catalogue id or a lock-wait finding id.
    pub id: &'static str,
    /// The seed incident it replays (`seeds/README.md`), if any.
    pub seed: Option<&'static str>,
    pub expect: Expect,
    /// One line for `lab list`.
    pub summary: &'static str,
    /// Why the workers are timed the way they are (think times, staggered starts).
    pub timing: &'static str,
    /// DDL and seed data, run in the scratch database before each path.
    pub schema: &'static [&'static str],
    /// Run before every round on the lab's own connection, not measured: resets the rows a
    /// round consumes so every round stages the same situation.
    pub prepare: Option<TxFn>,
    pub paths: &'static [Path],
    /// Defaults for `--workers` and `--iterations`.
    pub workers: usize,
    pub iterations: u32,
    /// Application work between two statements of a transaction.
    pub think: Duration,
    /// Each worker starts its attempt after a pseudo-random delay below this, so that workers
    /// reach the statements of the path at different moments (zero: all start together).
    pub stagger: Duration,
}

/// How an attempt that returned without a server error ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Done {
    Committed,
    /// The application rolled back on purpose (the reason is counted under "other").
    RolledBack(&'static str),
}

pub type TxResult = Result<Done, mysql_async::Error>;
pub type Tx<'a> = Pin<Box<dyn Future<Output = TxResult> + Send + 'a>>;
pub type TxFn = for<'a> fn(&'a mut Conn, &'a Ctx) -> Tx<'a>;

/// What a path function knows about the attempt it runs.
pub struct Ctx {
    /// 0-based worker number.
    pub worker: usize,
    pub workers: usize,
    /// 0-based round number; every worker runs one attempt per round.
    pub round: u64,
    pub think: Duration,
    /// The session's `innodb_lock_wait_timeout`.
    pub lock_wait_timeout: Duration,
    /// Shared by all workers of a path: "one writer at a time" where a fix needs it.
    pub one_writer: Arc<tokio::sync::Mutex<()>>,
}

impl Ctx {
    /// A deterministic pseudo-random source for this worker and round.
    pub fn rng(&self) -> Rng {
        Rng::new(self.round.wrapping_mul(0x9E37_79B9) ^ (self.worker as u64 + 1) << 40)
    }

    /// Application work between two statements.
    pub async fn think(&self) {
        tokio::time::sleep(self.think).await;
    }
}

/// splitmix64: enough randomness to pick keys, with no dependency and reproducible runs.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }

    /// Fisher-Yates.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = usize::try_from(self.below(i as u64 + 1)).unwrap_or(0);
            items.swap(i, j);
        }
    }
}

/// Runs one statement, discarding its result.
pub async fn exec(c: &mut Conn, sql: impl AsRef<str>) -> Result<(), mysql_async::Error> {
    c.query_drop(sql.as_ref()).await
}

/// The rows a statement changed.
pub async fn affected(c: &mut Conn, sql: impl AsRef<str>) -> Result<u64, mysql_async::Error> {
    c.query_drop(sql.as_ref()).await?;
    Ok(c.affected_rows())
}

/// How many rows a query returned.
pub async fn count_rows(c: &mut Conn, sql: impl AsRef<str>) -> Result<usize, mysql_async::Error> {
    let rows: Vec<mysql_async::Row> = c.query(sql.as_ref()).await?;
    Ok(rows.len())
}

/// The first column of the first row, if any.
pub async fn scalar(c: &mut Conn, sql: impl AsRef<str>) -> Result<Option<i64>, mysql_async::Error> {
    let row: Option<Option<i64>> = c.query_first(sql.as_ref()).await?;
    Ok(row.flatten())
}

pub async fn begin(c: &mut Conn) -> Result<(), mysql_async::Error> {
    exec(c, "BEGIN").await
}

pub async fn commit(c: &mut Conn) -> TxResult {
    exec(c, "COMMIT").await?;
    Ok(Done::Committed)
}

pub async fn rollback(c: &mut Conn, reason: &'static str) -> TxResult {
    exec(c, "ROLLBACK").await?;
    Ok(Done::RolledBack(reason))
}

/// The server error code, if this is one.
pub fn server_code(e: &mysql_async::Error) -> Option<u16> {
    match e {
        mysql_async::Error::Server(s) => Some(s.code),
        _ => None,
    }
}

/// `ER_DUP_ENTRY`.
pub const DUPLICATE_KEY: u16 = 1062;
/// `ER_LOCK_DEADLOCK`.
pub const DEADLOCK: u16 = 1213;
/// `ER_LOCK_WAIT_TIMEOUT`.
pub const LOCK_WAIT_TIMEOUT: u16 = 1205;
