//! The second phase of configuration (STYLE 5): `cli` holds the raw, validated arguments (no IO,
//! so `--help` and usage errors always work); this module resolves them into the values the
//! live layer and `lab` take — servers from `--dsn`, `LOCKSCOPE_DSN` and `~/.my.cnf`, a
//! password from a prompt, a scenario's defaults. `live` and `lab` never see the CLI types.

mod connect;
mod mycnf;

use std::time::Duration;

pub use connect::{prompt_on_tty, resolve, Env};

use crate::cli::{ConnectArgs, LabArgs, WatchArgs};
use crate::error::Error;
use crate::lab::{self, Limit};
use crate::live::server::Timeouts;
use crate::live::{LiveConfig, WatchConfig};

/// The servers `analyze --dsn` / `--live` asks, from the process environment and the terminal.
pub fn live(args: &ConnectArgs) -> Result<LiveConfig, Error> {
    resolve(args, &Env::from_process(), &mut prompt_on_tty)
}

/// What `watch` polls and follows, and how it prints.
pub fn watch(args: &WatchArgs) -> Result<WatchConfig, Error> {
    // Servers are watched when any is named, or when there is nothing else to watch.
    let dsns = if args.connect.names_a_server() || args.error_log.is_empty() {
        live(&args.connect)?.dsns
    } else {
        Vec::new()
    };
    Ok(WatchConfig {
        dsns,
        timeouts: Timeouts {
            connect: args.connect.connect_timeout,
            query: args.connect.query_timeout,
        },
        logs: args.error_log.clone(),
        interval: args.interval,
        min_wait: args.min_wait,
        format: args.format.format(),
        output: args.output.clone(),
        state_file: args.state_file.clone(),
        width: args.width,
        full: args.full,
        quiet: args.quiet,
    })
}

/// The lab run `args` asks for (not `list`), with the scenario's defaults filled in.
pub fn lab(args: &LabArgs) -> Result<lab::Config, Error> {
    let scenario = lab::scenario(&args.scenario).ok_or_else(|| Error::UnknownScenario {
        id: args.scenario.clone(),
    })?;
    let dsn = args.dsn.clone().ok_or(Error::LabNoDsn)?;
    let limit = match (args.duration, args.iterations) {
        (Some(secs), _) => Limit::Duration(Duration::from_secs(u64::from(secs))),
        (None, n) => Limit::Iterations(n.unwrap_or(scenario.iterations)),
    };
    Ok(lab::Config {
        dsn,
        scenario,
        paths: args.path,
        workers: args.workers.map_or(scenario.workers, usize::from),
        limit,
        database: args.database.clone(),
        keep: args.keep,
        lock_wait_timeout: Duration::from_secs(u64::from(args.lock_wait_timeout)),
    })
}
