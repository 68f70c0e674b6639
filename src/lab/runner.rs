//! Runs one write path with N concurrent workers, each on its own session, in rounds: every
//! worker makes one attempt per round, and the next round starts when all are done, so a
//! scenario's timing (think times, staggered starts) means the same thing in every round.
//! Counts attempts, commits, deadlocks (1213), lock wait timeouts (1205) and other outcomes,
//! and the latency of every attempt.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use mysql_async::prelude::Queryable;
use mysql_async::Conn;
use serde::Serialize;
use tokio::task::JoinSet;

use super::capture::{self, Capture, Seen};
use super::scenarios::{server_code, Ctx, Done, Path, Rng, Scenario, DEADLOCK, LOCK_WAIT_TIMEOUT};
use super::scratch::Server;
use crate::error::Error;

/// When a path stops.
#[derive(Debug, Clone, Copy)]
pub enum Limit {
    /// Attempts per worker (rounds).
    Iterations(u32),
    /// Wall-clock time; the round under way finishes.
    Duration(Duration),
}

/// How a path is run.
#[derive(Debug, Clone, Copy)]
pub struct RunOptions {
    pub workers: usize,
    pub limit: Limit,
    pub lock_wait_timeout: Duration,
}

/// What one path did.
#[derive(Debug, Clone, Serialize)]
pub struct PathStats {
    pub name: &'static str,
    pub role: &'static str,
    pub about: &'static str,
    pub rounds: u64,
    pub attempts: u64,
    pub commits: u64,
    /// Error 1213.
    pub deadlocks: u64,
    /// Error 1205.
    pub lock_wait_timeouts: u64,
    /// Every other ending: other server errors (`error 1062`), application rollbacks (`skip
    /// locked`), lost connections, attempts stopped by the client's own guard.
    pub other_errors: u64,
    pub other: BTreeMap<String, u64>,
    pub latency_ms: Latency,
    /// Commits per second of the time spent in rounds.
    pub throughput_per_sec: f64,
    pub elapsed_secs: f64,
    /// The server's report of a deadlock of this path, classified; `null` when none was seen.
    pub capture: Option<Capture>,
}

/// Percentiles over every attempt (committed or not), nearest rank.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Latency {
    pub p50: f64,
    pub p99: f64,
}

impl Latency {
    fn of(mut samples: Vec<Duration>) -> Latency {
        if samples.is_empty() {
            return Latency::default();
        }
        samples.sort_unstable();
        let at = |q: f64| {
            let rank = (q * samples.len() as f64).ceil() as usize;
            let d = samples[rank.clamp(1, samples.len()) - 1];
            (d.as_secs_f64() * 1e4).round() / 10.0
        };
        Latency {
            p50: at(0.50),
            p99: at(0.99),
        }
    }
}

/// Reads of the server's status per path, at most, looking for this path's deadlock report.
const MAX_READS: u32 = 30;

/// How one attempt ended.
enum Outcome {
    Done(Done),
    Failed(mysql_async::Error),
    /// The client's guard stopped an attempt the server had not ended.
    Stuck,
}

/// Runs `path` in the scratch database `database` and captures the server's report of its
/// first deadlock (one not in `seen`).
pub async fn run_path(
    server: &Server,
    database: &str,
    scenario: &'static Scenario,
    path: &'static Path,
    options: RunOptions,
    admin: &mut Conn,
    seen: &mut Seen,
) -> Result<PathStats, Error> {
    let mut conns: Vec<Option<Conn>> = Vec::with_capacity(options.workers);
    for _ in 0..options.workers {
        conns.push(Some(
            server
                .connect(Some(database), options.lock_wait_timeout)
                .await?,
        ));
    }
    let one_writer = Arc::new(tokio::sync::Mutex::new(()));
    // Long enough for any scenario's attempt (waits are bounded by the lock wait timeout), short
    // enough that a hung session cannot hang the run.
    let guard = options.lock_wait_timeout * 4 + Duration::from_secs(10);

    let mut stats = PathStats {
        name: path.name,
        role: path.role.as_str(),
        about: path.about,
        rounds: 0,
        attempts: 0,
        commits: 0,
        deadlocks: 0,
        lock_wait_timeouts: 0,
        other_errors: 0,
        other: BTreeMap::new(),
        latency_ms: Latency::default(),
        throughput_per_sec: 0.0,
        elapsed_secs: 0.0,
        capture: None,
    };
    let (deadlocked, mut on_deadlock) = tokio::sync::mpsc::unbounded_channel::<()>();
    let mut reads = 0;
    let mut latencies = Vec::new();
    let mut in_rounds = Duration::ZERO;
    let started = Instant::now();
    for round in 0u64.. {
        let more = match options.limit {
            Limit::Iterations(n) => round < u64::from(n),
            Limit::Duration(d) => started.elapsed() < d,
        };
        if !more {
            break;
        }
        let ctx = |worker: usize| Ctx {
            worker,
            workers: options.workers,
            round,
            think: scenario.think,
            lock_wait_timeout: options.lock_wait_timeout,
            one_writer: Arc::clone(&one_writer),
        };
        if let Some(prepare) = scenario.prepare {
            prepare(admin, &ctx(0)).await.map_err(|e| {
                let doing = format!("preparing round {} of `{}`", round + 1, scenario.id);
                server.refused(&doing, &e)
            })?;
        }

        let round_started = Instant::now();
        let mut set = JoinSet::new();
        for (worker, slot) in conns.iter_mut().enumerate() {
            let Some(mut conn) = slot.take() else {
                continue;
            };
            let ctx = ctx(worker);
            let run = path.run;
            let delay = stagger(scenario.stagger, &ctx);
            let deadlocked = deadlocked.clone();
            set.spawn(async move {
                tokio::time::sleep(delay).await;
                let t0 = Instant::now();
                let outcome = match tokio::time::timeout(guard, run(&mut conn, &ctx)).await {
                    Ok(Ok(done)) => Outcome::Done(done),
                    Ok(Err(e)) => Outcome::Failed(e),
                    Err(_) => Outcome::Stuck,
                };
                let latency = t0.elapsed();
                if matches!(&outcome, Outcome::Failed(e) if server_code(e) == Some(DEADLOCK)) {
                    let _ = deadlocked.send(());
                }
                // A server error leaves the session usable: end the transaction. Anything else
                // (lost connection, the guard) leaves it in an unknown state: drop it.
                let conn = match &outcome {
                    Outcome::Done(_) => Some(conn),
                    Outcome::Failed(e) if server_code(e).is_some() => {
                        conn.query_drop("ROLLBACK").await.ok().map(|()| conn)
                    }
                    Outcome::Failed(_) | Outcome::Stuck => None,
                };
                (worker, conn, outcome, latency)
            });
        }
        let deadlocks_before = stats.deadlocks;
        loop {
            let joined = tokio::select! {
                joined = set.join_next() => joined,
                Some(()) = on_deadlock.recv(), if stats.capture.is_none() && reads < MAX_READS => {
                    // Read the report at once: the server keeps only the latest deadlock, and
                    // other sessions (other lab runs, the application) may deadlock next.
                    reads += 1;
                    stats.capture = capture::latest(admin, database, scenario, seen).await;
                    continue;
                }
            };
            let Some(joined) = joined else {
                break;
            };
            let Ok((worker, conn, outcome, latency)) = joined else {
                stats.attempts += 1;
                bump(&mut stats, "worker panicked".to_string());
                continue;
            };
            stats.attempts += 1;
            latencies.push(latency);
            match outcome {
                Outcome::Done(Done::Committed) => stats.commits += 1,
                Outcome::Done(Done::RolledBack(why)) => bump(&mut stats, why.to_string()),
                Outcome::Failed(e) => match server_code(&e) {
                    Some(DEADLOCK) => stats.deadlocks += 1,
                    Some(LOCK_WAIT_TIMEOUT) => stats.lock_wait_timeouts += 1,
                    Some(code) => bump(&mut stats, format!("error {code}")),
                    None => bump(&mut stats, "connection lost".to_string()),
                },
                Outcome::Stuck => bump(&mut stats, "stopped by the client".to_string()),
            }
            if let Some(slot) = conns.get_mut(worker) {
                *slot = conn;
            }
        }
        in_rounds += round_started.elapsed();
        stats.rounds += 1;
        for slot in conns.iter_mut().filter(|s| s.is_none()) {
            *slot = Some(
                server
                    .connect(Some(database), options.lock_wait_timeout)
                    .await?,
            );
        }
        while on_deadlock.try_recv().is_ok() {}
        if stats.deadlocks > deadlocks_before && stats.capture.is_none() && reads < MAX_READS {
            reads += 1;
            stats.capture = capture::latest(admin, database, scenario, seen).await;
        }
    }
    for conn in conns.into_iter().flatten() {
        let _ = conn.disconnect().await;
    }
    stats.latency_ms = Latency::of(latencies);
    stats.elapsed_secs = (in_rounds.as_secs_f64() * 1000.0).round() / 1000.0;
    if !in_rounds.is_zero() {
        stats.throughput_per_sec =
            (stats.commits as f64 / in_rounds.as_secs_f64() * 10.0).round() / 10.0;
    }
    Ok(stats)
}

fn bump(stats: &mut PathStats, kind: String) {
    stats.other_errors += 1;
    *stats.other.entry(kind).or_insert(0) += 1;
}

/// This worker's start delay in this round, below `max`.
fn stagger(max: Duration, ctx: &Ctx) -> Duration {
    let ms = max.as_millis() as u64;
    if ms == 0 {
        return Duration::ZERO;
    }
    let mut rng = Rng::new(ctx.round ^ ((ctx.worker as u64 + 7) << 32) ^ 0x5EED);
    Duration::from_millis(rng.below(ms))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_by_nearest_rank() {
        let ms = |v: &[u64]| v.iter().map(|&m| Duration::from_millis(m)).collect();
        let l = Latency::of(ms(&[5, 1, 4, 2, 3]));
        assert_eq!((l.p50, l.p99), (3.0, 5.0));
        let l = Latency::of(ms(&(1..=100).collect::<Vec<_>>()));
        assert_eq!((l.p50, l.p99), (50.0, 99.0));
        let l = Latency::of(Vec::new());
        assert_eq!((l.p50, l.p99), (0.0, 0.0));
    }
}
