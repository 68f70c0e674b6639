//! `lockscope lab`: the companion mode. For a catalogue entry it stages the incident on a real
//! server — a scratch schema, the broken write path and the fixed one, run by concurrent workers
//! — and reports what each path did. When a path deadlocks, the server's own report goes through
//! `analyze`, so the catalogue is checked against a real engine (DESIGN.md, "Companion mode").
//!
//! `scenarios/` holds the data and write paths, `scratch` the database lab owns, `runner` the
//! workers, `capture` the self-check, `render` the output.

pub mod capture;
mod choice;
pub mod locks;
mod render;
pub mod runner;
pub mod scenarios;
pub mod scratch;

use std::io::Write;
use std::time::Duration;

use serde::Serialize;

pub use choice::{LabFormat, PathChoice};
pub use runner::{Limit, PathStats, RunOptions};
pub use scenarios::{scenario, Expect, Role, Scenario, SCENARIOS};

use crate::error::Error;
use scratch::{Scratch, Server};

/// A resolved lab run: what `lab`'s arguments ask for, with the scenario's defaults filled in
/// (`config::lab`).
#[derive(Debug, Clone)]
pub struct Config {
    pub dsn: String,
    pub scenario: &'static Scenario,
    pub paths: PathChoice,
    pub workers: usize,
    pub limit: Limit,
    pub database: String,
    pub keep: bool,
    pub lock_wait_timeout: Duration,
}

/// Everything one lab run found: the JSON document of `--format json`.
#[derive(Debug, Clone, Serialize)]
pub struct LabReport {
    pub schema_version: u32,
    pub scenario: &'static str,
    pub seed: Option<&'static str>,
    pub expects: &'static str,
    pub summary: &'static str,
    pub timing: &'static str,
    /// The server, without its password.
    pub server: String,
    pub database: String,
    pub workers: usize,
    pub iterations: Option<u32>,
    pub duration_secs: Option<u64>,
    pub lock_wait_timeout_secs: u64,
    pub paths: Vec<PathStats>,
}

impl LabReport {
    /// Paths whose captured deadlock the catalogue did not name as the scenario's pattern.
    pub fn mismatches(&self) -> impl Iterator<Item = (&PathStats, &capture::Capture)> {
        self.paths.iter().filter_map(|p| {
            p.capture
                .as_ref()
                .filter(|c| c.matched == Some(false))
                .map(|c| (p, c))
        })
    }
}

/// `lockscope lab list`: the scenarios.
pub fn list(format: LabFormat) -> Result<u8, Error> {
    print(&match format {
        LabFormat::Text => render::list(),
        LabFormat::Json => render::list_json(),
    })?;
    Ok(0)
}

/// `lockscope lab <scenario>`: exit 0 when it ran, 1 when a captured deadlock was
/// misclassified.
pub async fn run(config: &Config, format: LabFormat) -> Result<u8, Error> {
    let scenario = config.scenario;
    let report = run_scenario(config).await?;
    print(&match format {
        LabFormat::Text => render::report(&report),
        LabFormat::Json => render::json(&report),
    })?;
    let mut mismatched = false;
    for (path, capture) in report.mismatches() {
        mismatched = true;
        eprintln!(
            "error: the server's report of a `{}` deadlock (path `{}`) was classified `{}`: the \
             catalogue missed it",
            scenario.id, path.name, capture.pattern
        );
    }
    Ok(u8::from(mismatched))
}

pub(crate) fn print(text: &str) -> Result<(), Error> {
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|source| Error::Output { source })
}

/// Runs the configured paths of the scenario in a new scratch database and drops it after
/// (unless `keep`), also when interrupted with Ctrl-C.
pub async fn run_scenario(config: &Config) -> Result<LabReport, Error> {
    let server = Server::parse(&config.dsn)?;
    let scenario = config.scenario;
    let mut admin = server.connect(None, config.lock_wait_timeout).await?;
    let mut seen = capture::Seen::new();
    capture::remember_latest(&mut admin, &mut seen).await;
    let scratch = Scratch::create(&mut admin, &server, &config.database, scenario.id).await?;

    let ran = tokio::select! {
        ran = run_paths(&server, &scratch, config, &mut admin, &mut seen) => Some(ran),
        _ = tokio::signal::ctrl_c() => None,
    };
    let paths = clean_up(&server, scratch, admin, ran, config.keep).await?;
    let (iterations, duration_secs) = match config.limit {
        Limit::Iterations(n) => (Some(n), None),
        Limit::Duration(d) => (None, Some(d.as_secs())),
    };
    Ok(LabReport {
        schema_version: 1,
        scenario: scenario.id,
        seed: scenario.seed,
        expects: scenario.expect.as_str(),
        summary: scenario.summary,
        timing: scenario.timing,
        server: server.label.clone(),
        database: config.database.clone(),
        workers: config.workers,
        iterations,
        duration_secs,
        lock_wait_timeout_secs: config.lock_wait_timeout.as_secs(),
        paths,
    })
}

/// Ends a run in the scratch database: drops it unless `keep` (on a fresh session when Ctrl-C
/// interrupted the run, which may have left `admin` mid-query) and returns what the run
/// produced, or says it was interrupted (`ran` is `None`).
async fn clean_up<T>(
    server: &Server,
    scratch: Scratch,
    mut admin: mysql_async::Conn,
    ran: Option<Result<T, Error>>,
    keep: bool,
) -> Result<T, Error> {
    let database = scratch.name.clone();
    let cleaned = if keep {
        Ok(())
    } else if ran.is_some() {
        scratch.drop(&mut admin).await
    } else {
        let mut fresh = server.connect(None, Duration::from_secs(2)).await?;
        scratch.drop(&mut fresh).await
    };
    let _ = admin.disconnect().await;
    let Some(ran) = ran else {
        return Err(Error::LabInterrupted {
            database,
            dropped: cleaned.is_ok() && !keep,
        });
    };
    let produced = ran?;
    cleaned?;
    Ok(produced)
}

async fn run_paths(
    server: &Server,
    scratch: &Scratch,
    config: &Config,
    admin: &mut mysql_async::Conn,
    seen: &mut capture::Seen,
) -> Result<Vec<PathStats>, Error> {
    let scenario = config.scenario;
    let options = RunOptions {
        workers: config.workers,
        limit: config.limit,
        lock_wait_timeout: config.lock_wait_timeout,
    };
    let mut all = Vec::new();
    for path in scenario.paths.iter().filter(|p| match config.paths {
        PathChoice::Both => true,
        PathChoice::Broken => p.role == Role::Broken,
        PathChoice::Fixed => p.role == Role::Fixed,
    }) {
        scratch.load(admin, scenario).await?;
        all.push(
            runner::run_path(server, &scratch.name, scenario, path, options, admin, seen).await?,
        );
    }
    Ok(all)
}
