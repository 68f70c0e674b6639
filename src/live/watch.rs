//! `lockscope watch`: one tokio task per server polls at `--interval`, one thread per error log
//! follows it; every text goes through the same `analyze` pipeline into one report, behind
//! `Dedup` so each deadlock is printed once. Ctrl-C stops everything and writes the summary.
//! A server unreachable at start is fatal (exit 3); a connection lost later is retried with
//! backoff and reported on stderr.

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch as signal;
use tokio::task::JoinSet;

use crate::error::Error;
use crate::report;

use super::dedup::{self, Dedup, Seen, Shared};
use super::dsn::Dsn;
use super::duration::format_duration;
use super::follow::Follow;
use super::server::{Server, Timeouts};
use super::snapshot::{self, Snapshot};

/// Reconnect waits: 1 s, doubling, at most this.
const MAX_BACKOFF: Duration = Duration::from_secs(60);

/// What `watch` does, resolved from its arguments (`config::watch`).
#[derive(Debug, Clone)]
pub struct WatchConfig {
    /// The servers to poll (none when only error logs are followed).
    pub dsns: Vec<Dsn>,
    pub timeouts: Timeouts,
    /// Error logs to follow.
    pub logs: Vec<PathBuf>,
    pub interval: Duration,
    /// Lock waits are reported once they have lasted this long.
    pub min_wait: Duration,
    pub format: report::Format,
    /// Append to this file instead of stdout.
    pub output: Option<PathBuf>,
    /// Remember reported deadlocks here across restarts.
    pub state_file: Option<PathBuf>,
    pub width: Option<u16>,
    pub full: bool,
    pub quiet: bool,
}

/// The servers and logs being watched, and how often.
struct Plan {
    dsns: Vec<Dsn>,
    timeouts: Timeouts,
    logs: Vec<PathBuf>,
    interval: Duration,
}

/// Runs `watch` until Ctrl-C (exit 0) or a fatal error.
pub fn run_watch(args: &WatchConfig) -> Result<u8, Error> {
    let plan = Plan {
        dsns: args.dsns.clone(),
        timeouts: args.timeouts,
        logs: args.logs.clone(),
        interval: args.interval.max(Duration::from_millis(100)),
    };
    let out: Box<dyn Write + Send> = match &args.output {
        Some(path) => Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| Error::Output {
                    source: io::Error::new(e.kind(), format!("`{}`: {e}", path.display())),
                })?,
        ),
        None => Box::new(io::stdout()),
    };
    let err: Box<dyn Write + Send> = if args.quiet {
        Box::new(io::sink())
    } else {
        Box::new(io::stderr())
    };
    let options = report::TextOptions {
        width: args.width.unwrap_or_else(crate::live::terminal_width),
        full: args.full,
        ..report::TextOptions::default()
    };
    let sink = report::sink_for(args.format, out, err, options);
    let seen = Seen::load(args.state_file.as_deref()).map_err(|source| Error::UnreadableInput {
        path: args.state_file.clone().unwrap_or_default(),
        source,
    })?;
    let shared = Shared::new(sink, seen);
    super::dedup::lock(&shared).min_wait_secs = args.min_wait.as_secs_f64();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|source| Error::Output { source })?;
    let result = runtime.block_on(watch(plan, shared));
    // Tasks blocked in a connect or a statement are not waited for.
    runtime.shutdown_timeout(Duration::from_secs(1));
    result
}

async fn watch(plan: Plan, shared: Arc<Mutex<Shared>>) -> Result<u8, Error> {
    let mut inputs: Vec<String> = plan.dsns.iter().map(Dsn::to_string).collect();
    inputs.extend(plan.logs.iter().map(|p| p.display().to_string()));

    // Start: every server must answer, and allow the status, or nothing is watched.
    let mut connecting = JoinSet::new();
    for (index, dsn) in plan.dsns.iter().enumerate() {
        let (dsn, timeouts) = (dsn.clone(), plan.timeouts);
        connecting.spawn(async move {
            let result = first_look(&dsn, timeouts).await;
            (index, result)
        });
    }
    let mut started: Vec<Option<(Server, Snapshot)>> = plan.dsns.iter().map(|_| None).collect();
    while let Some(joined) = connecting.join_next().await {
        let Ok((index, result)) = joined else {
            continue;
        };
        match result {
            Ok(pair) => started[index] = Some(pair),
            Err(e) => return Err(e),
        }
    }

    let (stop_tx, stop_rx) = signal::channel(false);
    let stop_flag = Arc::new(AtomicBool::new(false));
    let mut tasks: JoinSet<io::Result<()>> = JoinSet::new();
    for (dsn, start) in plan.dsns.iter().zip(started) {
        let Some((server, first)) = start else {
            continue;
        };
        eprintln!(
            "note: watching `{dsn}`, {}, every {}",
            server.info,
            format_duration(plan.interval)
        );
        tasks.spawn(poll_server(
            dsn.clone(),
            server,
            first,
            plan.interval,
            shared.clone(),
            stop_rx.clone(),
        ));
    }
    let mut threads = Vec::new();
    for path in &plan.logs {
        let follow =
            Follow::new(path, stop_flag.clone()).map_err(|source| Error::UnreadableInput {
                path: path.clone(),
                source,
            })?;
        eprintln!("note: following `{}`", path.display());
        let (path, shared) = (path.clone(), shared.clone());
        threads.push(std::thread::spawn(move || {
            follow_log(&path, follow, shared)
        }));
    }

    let mut failure = None;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = terminated() => {}
        Some(Ok(Err(e))) = tasks.join_next(), if !tasks.is_empty() => failure = Some(e),
    }
    let _ = stop_tx.send(true);
    stop_flag.store(true, Ordering::Relaxed);
    // Pollers stop at their next wait; give one in a statement a moment, then leave it.
    let _ = tokio::time::timeout(Duration::from_secs(3), async {
        while let Some(joined) = tasks.join_next().await {
            if let Ok(Err(e)) = joined {
                failure.get_or_insert(e);
            }
        }
    })
    .await;
    for thread in threads {
        if let Ok(Err(e)) = thread.join() {
            failure.get_or_insert(e);
        }
    }
    let finished = dedup::lock(&shared).finish(inputs);
    match failure {
        Some(source) => Err(Error::Output { source }),
        None => finished
            .map(|()| 0)
            .map_err(|source| Error::Output { source }),
    }
}

/// SIGTERM (a service manager stopping `watch`) stops as cleanly as Ctrl-C.
#[cfg(unix)]
async fn terminated() {
    use tokio::signal::unix::{signal, SignalKind};
    match signal(SignalKind::terminate()) {
        Ok(mut term) => {
            term.recv().await;
        }
        Err(_) => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn terminated() {
    std::future::pending().await
}

/// Connects and takes the first snapshot; any failure is fatal at start.
async fn first_look(dsn: &Dsn, timeouts: Timeouts) -> Result<(Server, Snapshot), Error> {
    let mut server =
        Server::connect(dsn, timeouts)
            .await
            .map_err(|reason| Error::ServerUnreachable {
                dsn: dsn.to_string(),
                reason,
            })?;
    match snapshot::take(&mut server).await {
        Ok(snapshot) => Ok((server, snapshot)),
        Err(e) => {
            server.close().await;
            Err(Error::ServerRefused {
                dsn: dsn.to_string(),
                reason: e.to_string(),
            })
        }
    }
}

/// One server's poll loop. Returns only when told to stop, or on an output error.
async fn poll_server(
    dsn: Dsn,
    server: Server,
    first: Snapshot,
    interval: Duration,
    shared: Arc<Mutex<Shared>>,
    mut stop: signal::Receiver<bool>,
) -> io::Result<()> {
    let name = dsn.to_string();
    let label = dsn.server_label();
    let timeouts = server.timeouts;
    let mut told = std::collections::HashSet::new();
    report_snapshot(&name, &label, first, &shared, &mut told).await?;
    let mut server = Some(server);
    let mut backoff = Duration::from_secs(1);
    let mut ticker = tokio::time::interval_at(tokio::time::Instant::now() + interval, interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        if server.is_some() {
            tokio::select! {
                _ = stop.changed() => break,
                _ = ticker.tick() => {}
            }
        }
        let Some(current) = server.as_mut() else {
            match Server::connect(&dsn, timeouts).await {
                Ok(new) => {
                    eprintln!("note: reconnected to `{name}`");
                    server = Some(new);
                    backoff = Duration::from_secs(1);
                    ticker.reset_immediately();
                }
                Err(reason) => {
                    eprintln!(
                        "warning: cannot reconnect to `{name}`: {reason}; next try in {}",
                        format_duration(backoff)
                    );
                    tokio::select! {
                        _ = stop.changed() => break,
                        _ = tokio::time::sleep(backoff) => {}
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
            }
            continue;
        };
        let taken = tokio::select! {
            _ = stop.changed() => break,
            taken = snapshot::take(current) => taken,
        };
        match taken {
            Ok(snapshot) => report_snapshot(&name, &label, snapshot, &shared, &mut told).await?,
            Err(e) if e.is_fatal() => {
                eprintln!("warning: lost the connection to `{name}`: {e}; reconnecting");
                // The connection is broken: drop it without a goodbye.
                server = None;
            }
            Err(e) => eprintln!("warning: `{name}`: {e}"),
        }
    }
    if let Some(server) = server {
        server.close().await;
    }
    Ok(())
}

/// Runs one snapshot through the pipeline (on a blocking thread: it is CPU work), notes lock
/// tables it could not read once per server.
async fn report_snapshot(
    name: &str,
    label: &str,
    snapshot: Snapshot,
    shared: &Arc<Mutex<Shared>>,
    told: &mut std::collections::HashSet<String>,
) -> io::Result<()> {
    for problem in &snapshot.problems {
        if told.insert(problem.statement().to_string()) {
            eprintln!("warning: `{name}`: {problem}; lock waits from it are not shown");
        }
    }
    let text = snapshot.text();
    let (name, label, shared) = (name.to_string(), label.to_string(), shared.clone());
    tokio::task::spawn_blocking(move || {
        let mut sink = Dedup::new(label, shared);
        let stats = crate::analyze::analyze_reader(&name, text.as_bytes(), &mut sink)?;
        crate::analyze::report_lock_waits(&stats.lock_picture, &mut sink).map(|_| ())
    })
    .await
    .unwrap_or_else(|e| Err(io::Error::other(e.to_string())))
}

/// One error log, followed until stop: the same pipeline, fed as the file grows.
fn follow_log(path: &Path, follow: Follow, shared: Arc<Mutex<Shared>>) -> io::Result<()> {
    let name = path.display().to_string();
    let mut sink = Dedup::new(name.clone(), shared);
    crate::analyze::analyze_reader(&name, follow, &mut sink).map(|_| ())
}
